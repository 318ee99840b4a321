/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The names of the ABI enums of bpf/mguard_abi.h, as status, events and
 * metrics print them. Each returns "unknown" for a value out of range.
 */
#ifndef MGUARD_NAMES_H
#define MGUARD_NAMES_H

#include <linux/types.h>

#include "mguard_abi.h"

/* "bpf-lsm", "tracepoint-kill", "cgroup", "none", "covered". */
const char *mg_engine_name(enum mg_engine e);

/* "file_open", "connect4", "connect6"... */
const char *mg_hook_name(enum mg_hook h);
/* What stays open of a guard hook on this file engine, in words; NULL: nothing. */
const char *mg_guard_gap(enum mg_hook h, enum mg_engine file_engine);

/*
 * The engine whose gaps mg_guard_gap() names for guard hook @h, from the
 * engines per hook (a probe's or mg_config's): the guard's own engine (that
 * of the bpf hook: the pins have none on the tracepoint engine); the
 * descriptor table's own for fd_share.
 */
#define mg_guard_gap_engine(engines, h)                                           \
	((enum mg_engine)((h) == MG_HOOK_FD_SHARE ? (engines)[MG_HOOK_FD_SHARE] : \
						    (engines)[MG_HOOK_BPF]))

/* "allow", "deny", "kill", "audit". */
const char *mg_verdict_name(unsigned int verdict);

/* "tier", "egress", "killswitch"...: why an event was raised. */
const char *mg_reason_name(unsigned int reason);

/* "events_dropped", "walk_limit"...: the name of an MG_ERR_* counter. */
const char *mg_error_name(unsigned int err);

#endif /* MGUARD_NAMES_H */
