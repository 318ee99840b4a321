// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The engines of the guard's own hooks and what stays open on each: they
 * go with the file engine, as one group. BPF LSM hooks where it runs;
 * fmod_ret on the security_* functions of the same hooks where the files
 * get fmod-ret and every one of those functions is in BTF; else the entry
 * tracepoints. Core dumps are one tracepoint on every engine. Where a
 * denied open installs nothing (BPF LSM, fmod-ret) a shared descriptor
 * table opens no window, so that needs nothing. On the fallback engine an
 * entry tracepoint kills the caller on the attempt but cannot stop the call,
 * and unlink and rename of the pins take paths from user memory, so they
 * are not decided.
 */
#include <stdio.h>

#include "core/names.h"
#include "core/util.h"
#include "kernel/probe.h"

static const enum mg_hook guard_hooks[] = { MG_HOOK_BPF, MG_HOOK_PINS, MG_HOOK_SIGNAL,
					    MG_HOOK_PTRACE, MG_HOOK_CGROUP_MOVE };

static enum mg_engine guard_engine(const struct mg_probe *p)
{
	enum mg_engine file = p->engine[MG_HOOK_FILE_OPEN];

	if (file != MG_ENGINE_FMOD_RET)
		return file;
	for (size_t i = 0; i < MG_ARRAY_SIZE(guard_hooks); i++)
		if (!p->fmod.target[guard_hooks[i]])
			return p->tracepoint_progs ? MG_ENGINE_TP_KILL : MG_ENGINE_NONE;
	return MG_ENGINE_FMOD_RET;
}

void mg_probe_choose_guard_engines(struct mg_probe *p)
{
	enum mg_engine guard = guard_engine(p);
	bool refuses = guard == MG_ENGINE_LSM || guard == MG_ENGINE_FMOD_RET;

	for (size_t i = 0; i < MG_ARRAY_SIZE(guard_hooks); i++)
		p->engine[guard_hooks[i]] = guard;
	/* The tracepoint engine cannot decide the pins (paths in user memory). */
	if (!refuses)
		p->engine[MG_HOOK_PINS] = MG_ENGINE_NONE;
	p->engine[MG_HOOK_FD_SHARE] = refuses ? MG_ENGINE_COVERED : guard;
	p->engine[MG_HOOK_COREDUMP] = guard == MG_ENGINE_NONE ? MG_ENGINE_NONE : MG_ENGINE_TP_KILL;
}

void mg_guard_note(const struct mg_probe *p, enum mg_hook h, char *buf, size_t len)
{
	const char *gap = mg_guard_gap(h, mg_guard_gap_engine(p->engine, h));

	buf[0] = '\0';
	if (p->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_NONE)
		snprintf(buf, len, "(as file_open)");
	else if (gap)
		snprintf(buf, len, "(gap: %s)", gap);
	else if (h == MG_HOOK_FD_SHARE)
		snprintf(buf, len, "(nothing to close: a denied open installs no descriptor)");
	if (p->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_FMOD_RET &&
	    p->engine[MG_HOOK_BPF] == MG_ENGINE_TP_KILL && h == MG_HOOK_BPF) {
		const char *missing = NULL;

		for (size_t i = 0; i < MG_ARRAY_SIZE(guard_hooks) && !missing; i++)
			missing = p->fmod.missing[guard_hooks[i]];
		if (missing)
			snprintf(buf, len, "(%s not in BTF; gap: %s)", missing,
				 mg_guard_gap(h, MG_ENGINE_TP_KILL));
	}
}
