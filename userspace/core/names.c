// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "core/names.h"

static const char *const engine_names[MG_ENGINE__COUNT] = {
	[MG_ENGINE_NONE] = "none",
	[MG_ENGINE_LSM] = "bpf-lsm",
	[MG_ENGINE_TP_KILL] = "tracepoint-kill",
	[MG_ENGINE_CGROUP] = "cgroup",
	[MG_ENGINE_COVERED] = "covered",
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
	[MG_HOOK_EGRESS_BUDGET] = "egress_budget",
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
		[MG_REASON_BUDGET_EXHAUSTED] = "budget-exhausted",
		[MG_REASON_BUDGET_REFILLED] = "budget-refilled",
		[MG_REASON_TAINTED] = "tainted",
		[MG_REASON_NOT_IN_MANIFEST] = "not-in-manifest",
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
