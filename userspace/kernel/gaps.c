// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "kernel/gaps.h"

#include "core/util.h"

#define MG_MAX_GAPS 16

static size_t mg_gap_add(struct mg_gap *out, size_t n, size_t max, const char *route,
			 const char *why)
{
	if (n < max)
		out[n] = (struct mg_gap){ .route = route, .why = why };
	return n + 1;
}

static bool mg_refuses(__u8 engine)
{
	return engine == MG_ENGINE_LSM || engine == MG_ENGINE_FMOD_RET;
}

/* Per hook, from the engine in force for it: a hook's gaps are those of its own engine. */
size_t mg_gaps_list(const __u8 engine[MG_HOOK_SLOTS], struct mg_gap *out, size_t max)
{
	size_t n = 0;

	if (!mg_refuses(engine[MG_HOOK_UNIX]))
		n = mg_gap_add(out, n, max, "unix-sockets",
			       "UNIX socket connects and sends are not checked (they need BPF LSM "
			       "or fmod_ret)");
	n = mg_gap_add(
		out, n, max, "names",
		"folders, symlinks, FIFOs, device nodes and empty files are made outside the "
		"output folders: names, and a symlink's target (up to 4 KiB), are "
		"not outputs (a container runtime makes its /dev so)");
	if (engine[MG_HOOK_PATHS] == MG_ENGINE_TP_KILL) {
		n = mg_gap_add(out, n, max, "name-changes",
			       "rename, link, truncate and xattrs by path kill the caller "
			       "on entry, but the call is made: the name stays for the scope's "
			       "other processes");
		n = mg_gap_add(out, n, max, "special-files",
			       "UNIX sockets are bound outside the output folders (the "
			       "fallback engine sees no mknod)");
	}
	if (engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_TP_KILL)
		n = mg_gap_add(out, n, max, "core-dumps",
			       "a scope that is not shielded writes core dumps where core_pattern "
			       "says, outside its output folders");
	if (engine[MG_HOOK_SYSCALLS] == MG_ENGINE_TP_KILL)
		n = mg_gap_add(
			out, n, max, "closed-in-scopes",
			engine[MG_HOOK_PATHS] == MG_ENGINE_TP_KILL ?
				"32-bit syscalls, overlay and FUSE mounts, fanotify and every "
				"rename or hard link kill a process in a scope" :
				"32-bit syscalls, overlay and FUSE mounts and fanotify kill a "
				"process in a scope");
	if (!mg_refuses(engine[MG_HOOK_SOCKET]))
		n = mg_gap_add(
			out, n, max, "netlink-config",
			"routing netlink in a scope with CAP_NET_ADMIN can add links, routes "
			"and tunnels (refusing that needs BPF LSM's netlink_send or "
			"fmod_ret on security_netlink_send)");
	if (!mg_refuses(engine[MG_HOOK_PATHS]))
		n = mg_gap_add(out, n, max, "taint-beyond-open",
			       "a truncate(2) by path, a rename or a hard link into a model's "
			       "folder marks no file (only opens for writing do)");
	if (engine[MG_HOOK_VERITY] != MG_ENGINE_LSM)
		n = mg_gap_add(out, n, max, "verity",
			       "fs-verity digests in the policy are not checked by the kernel "
			       "(BPF LSM with bpf_get_fsverity_digest and file_post_open): the "
			       "SHA-256 digests and taint on write serve");
	n = mg_gap_add(out, n, max, "inherited-descriptors",
		       "read() of a descriptor opened before the process entered its scope is not "
		       "seen (mguard run closes them)");
	return n;
}

void mg_gaps_print(FILE *out, const __u8 engine[MG_HOOK_SLOTS], bool json)
{
	struct mg_gap gaps[MG_MAX_GAPS];
	size_t n = mg_gaps_list(engine, gaps, MG_ARRAY_SIZE(gaps));

	if (n > MG_ARRAY_SIZE(gaps))
		n = MG_ARRAY_SIZE(gaps);
	if (json) {
		fputs("{", out);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s\"%s\":\"%s\"", i ? "," : "", gaps[i].route, gaps[i].why);
		fputs("}", out);
		return;
	}
	fputs("gaps (routes this kernel's engines leave open):\n", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-22s %s\n", gaps[i].route, gaps[i].why);
}
