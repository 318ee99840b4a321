// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stddef.h>

#include "core/names.h"

static const char *const engine_names[MG_ENGINE__COUNT] = {
	[MG_ENGINE_NONE] = "none",
	[MG_ENGINE_LSM] = "bpf-lsm",
	[MG_ENGINE_TP_KILL] = "tracepoint-kill",
	[MG_ENGINE_CGROUP] = "cgroup",
	[MG_ENGINE_COVERED] = "covered",
	[MG_ENGINE_FMOD_RET] = "fmod-ret",
};

static const char *const hook_names[MG_HOOK__COUNT] = {
	[MG_HOOK_FILE_OPEN] = "file_open",
	[MG_HOOK_CONNECT4] = "connect4",
	[MG_HOOK_CONNECT6] = "connect6",
	[MG_HOOK_DEVICE] = "device",
	[MG_HOOK_SENDMSG4] = "sendmsg4",
	[MG_HOOK_SENDMSG6] = "sendmsg6",
	[MG_HOOK_MMAP] = "mmap",
	[MG_HOOK_FILE_RECEIVE] = "file_receive",
	[MG_HOOK_IO_URING] = "io_uring",
	[MG_HOOK_UNIX] = "unix",
	[MG_HOOK_BPF] = "bpf",
	[MG_HOOK_PINS] = "pins",
	[MG_HOOK_SIGNAL] = "signal",
	[MG_HOOK_PTRACE] = "ptrace",
	[MG_HOOK_CGROUP_MOVE] = "cgroup_move",
	[MG_HOOK_FD_SHARE] = "fd_share",
	[MG_HOOK_COREDUMP] = "coredump",
	[MG_HOOK_SOCKET] = "socket",
	[MG_HOOK_PATHS] = "paths",
	[MG_HOOK_SYSCALLS] = "syscalls",
	[MG_HOOK_SKB_EGRESS] = "skb_egress",
	[MG_HOOK_EGRESS_BUDGET] = "egress_budget",
	[MG_HOOK_VERITY] = "verity",
};

const char *mg_engine_name(enum mg_engine e)
{
	if ((unsigned int)e >= MG_ENGINE__COUNT)
		return "unknown";
	return engine_names[e];
}

const char *mg_hook_name(enum mg_hook h)
{
	if ((unsigned int)h >= MG_HOOK__COUNT)
		return "unknown";
	return hook_names[h];
}

const char *mg_verdict_name(unsigned int verdict)
{
	static const char *const names[MG_VERDICT__COUNT] = {
		[MG_VERDICT_ALLOW] = "allow",
		[MG_VERDICT_DENY] = "deny",
		[MG_VERDICT_KILL] = "kill",
		[MG_VERDICT_AUDIT] = "audit",
	};

	return verdict < MG_VERDICT__COUNT ? names[verdict] : "unknown";
}

const char *mg_reason_name(unsigned int reason)
{
	static const char *const names[MG_REASON__COUNT] = {
		[MG_REASON_NONE] = "none",
		[MG_REASON_TIER] = "tier",
		[MG_REASON_EGRESS] = "egress",
		[MG_REASON_KILLSWITCH] = "killswitch",
		[MG_REASON_UNLICENSED] = "unlicensed",
		[MG_REASON_LICENSE_EXPIRED] = "license-expired",
		[MG_REASON_WALK_LIMIT] = "walk-limit",
		[MG_REASON_GPU] = "gpu",
		[MG_REASON_OUTPUT] = "output",
		[MG_REASON_IO_URING] = "io_uring",
		[MG_REASON_RATE_LIMITED] = "rate-limited",
		[MG_REASON_RATE_RESUMED] = "rate-resumed",
		[MG_REASON_UNIX] = "unix-socket",
		[MG_REASON_UNKNOWN] = "unknown-weights",
		[MG_REASON_NARROWED] = "narrowed-by-license",
		[MG_REASON_GUARD] = "guard",
		[MG_REASON_OTHER_TASK] = "other-process",
		[MG_REASON_SHIELDED] = "shielded",
		[MG_REASON_CGROUP_MOVE] = "cgroup-move",
		[MG_REASON_FD_SHARE] = "fd-share",
		[MG_REASON_COREDUMP] = "coredump",
		[MG_REASON_RIGHTS_LIMIT] = "rights-limit",
		[MG_REASON_SOCKET] = "socket",
		[MG_REASON_DEVICE] = "device",
		[MG_REASON_CLOSED] = "closed",
		[MG_REASON_RECEIVED_SOCKET] = "received-socket",
		[MG_REASON_BUDGET_EXHAUSTED] = "budget-exhausted",
		[MG_REASON_BUDGET_REFILLED] = "budget-refilled",
		[MG_REASON_TAINTED] = "tainted",
		[MG_REASON_NOT_IN_MANIFEST] = "not-in-manifest",
		[MG_REASON_VERITY_MISMATCH] = "verity-mismatch",
		[MG_REASON_VERITY_ABSENT] = "verity-absent",
	};

	return reason < MG_REASON__COUNT ? names[reason] : "unknown";
}

const char *mg_error_name(unsigned int err)
{
	static const char *const names[MG_ERR__COUNT] = {
		[MG_ERR_RINGBUF_FULL] = "events_dropped",
		[MG_ERR_NO_CONFIG] = "config_unreadable",
		[MG_ERR_FD_LOOKUP] = "fd_unresolved",
		[MG_ERR_WALK_LIMIT] = "walk_limit",
		[MG_ERR_RATE_LIMITED] = "events_rate_limited",
	};

	return err < MG_ERR__COUNT ? names[err] : "unknown";
}

/*
 * What stays open of one of the guard's own hooks on the engine that runs
 * file_open, in words; NULL when nothing does. probe and status name these.
 * On the fallback engine an entry tracepoint kills the caller on the
 * attempt but cannot stop the call.
 */
const char *mg_guard_gap(enum mg_hook h, enum mg_engine file_engine)
{
	if (file_engine != MG_ENGINE_TP_KILL)
		return NULL;
	switch (h) {
	case MG_HOOK_BPF:
		return "the caller dies on the attempt, but the command itself still runs";
	case MG_HOOK_PINS:
		return "a scope can unlink or rename pins; the daemon holds the links";
	case MG_HOOK_SIGNAL:
		return "the sender dies on the attempt, but the signal is still delivered";
	case MG_HOOK_PTRACE:
		return "/proc/PID/mem of a shielded scope is not seen from outside";
	case MG_HOOK_CGROUP_MOVE:
		return "renaming or removing cgroups from a scope is not seen";
	case MG_HOOK_FD_SHARE:
		return "a sibling thread may use a new descriptor before the kill";
	default:
		return NULL;
	}
}
