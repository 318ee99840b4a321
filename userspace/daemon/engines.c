// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>

#include "core/log.h"
#include "core/names.h"
#include "daemon/engines.h"

int mg_daemon_engines(const struct mg_probe *probe, enum mg_engine engine[MG_HOOK__COUNT])
{
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		engine[h] = probe->engine[h];
		if (probe->engine[h] != MG_ENGINE_NONE)
			continue;
		/* UNIX sockets need BPF LSM; without it that route is reported open, not refused. */
		if (h == MG_HOOK_UNIX) {
			mg_warn("UNIX socket connects are not guarded on this kernel (no BPF LSM or fmod_ret)");
			continue;
		}
		/* Without it the SHA-256 digests and taint on write serve (probe's gap 'verity'). */
		if (h == MG_HOOK_VERITY)
			continue;
		if (h == MG_HOOK_PINS && probe->engine[MG_HOOK_FILE_OPEN] != MG_ENGINE_NONE) {
			mg_warn("the pins are not guarded against a scope on this kernel (no BPF LSM or fmod_ret); "
				"the keeper holds the links");
			continue;
		}
		mg_err("no engine can enforce hook '%s' on this kernel (see 'mguard probe')",
		       mg_hook_name(h));
		return -EOPNOTSUPP;
	}
	return 0;
}
