// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The engines of the guard's own hooks and what stays open on each: they
 * go with the file engine. Core dumps are one tracepoint on both. With BPF
 * LSM a shared descriptor table opens no window (the open fails), so that
 * needs nothing. On the fallback engine an entry tracepoint kills the caller
 * on the attempt but cannot stop the call, and unlink and rename of the
 * pins take paths from user memory, so they are not decided.
 */
#include <stdio.h>

#include "core/names.h"
#include "kernel/probe.h"

void mg_probe_choose_guard_engines(struct mg_probe *p)
{
	enum mg_engine file = p->engine[MG_HOOK_FILE_OPEN];

	p->engine[MG_HOOK_BPF] = file;
	p->engine[MG_HOOK_SIGNAL] = file;
	p->engine[MG_HOOK_PTRACE] = file;
	p->engine[MG_HOOK_CGROUP_MOVE] = file;
	p->engine[MG_HOOK_PINS] = file == MG_ENGINE_LSM ? MG_ENGINE_LSM : MG_ENGINE_NONE;
	p->engine[MG_HOOK_FD_SHARE] = file == MG_ENGINE_LSM ? MG_ENGINE_COVERED : file;
	p->engine[MG_HOOK_COREDUMP] = file == MG_ENGINE_NONE ? MG_ENGINE_NONE : MG_ENGINE_TP_KILL;
}

void mg_guard_note(const struct mg_probe *p, enum mg_hook h, char *buf, size_t len)
{
	const char *gap = mg_guard_gap(h, p->engine[MG_HOOK_FILE_OPEN]);

	buf[0] = '\0';
	if (p->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_NONE)
		snprintf(buf, len, "(as file_open)");
	else if (gap)
		snprintf(buf, len, "(gap: %s)", gap);
	else if (h == MG_HOOK_FD_SHARE)
		snprintf(buf, len, "(nothing to close: a denied open installs no descriptor)");
}
