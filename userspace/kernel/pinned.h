/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What is loaded and attached, read back from a pin folder into plain
 * structs: the config, the control switches, the counters summed over CPUs,
 * the scopes of the active generation and the pinned links. The layers
 * above read the pinned state only through this.
 */
#ifndef MGUARD_PINNED_H
#define MGUARD_PINNED_H

#include <linux/types.h>
#include <stddef.h>
#include <sys/types.h>

#include "mguard_abi.h"

#define MG_PINNED_MAX_LINKS 64

struct mg_pinned_link {
	char pin[96];
	char prog[64];
	__u32 prog_id;
	__u64 cgroup_id; /* 0 unless a cgroup link */
};

/* The egress budget window of one scope (by its cgroup id), or of a licence within it. */
struct mg_pinned_budget {
	__u64 cgroup_id;
	__u32 narrow_id; /* 0: the scope's; else the narrowing of a licence's egressBudget */
	__u64 budget_bytes; /* of the generation in force (a licence's: when it narrowed); 0: none now */
	__u64 window_ns;
	struct mg_budget state;
};

#define MG_PINNED_MAX_BUDGETS 64

/* What is pinned in a pin folder, read back. */
struct mg_pinned {
	struct mg_config cfg;
	struct mg_control ctl;
	__u64 counters[MG_COUNTERS]; /* summed over CPUs: MG_COUNTER_INDEX(), MG_ERR_COUNTER_BASE */
	size_t nscopes;
	struct mg_pinned_link links[MG_PINNED_MAX_LINKS];
	size_t nlinks;
	struct mg_pinned_budget budgets[MG_PINNED_MAX_BUDGETS];
	size_t nbudgets;
	size_t ntainted; /* model files marked as written since verified */
};

/* Read the state pinned in @pin_dir. Returns 0, -ENOENT when nothing is pinned, or a negative errno. */
int mg_pinned_read(const char *pin_dir, struct mg_pinned *st);

/* The pid of the live daemon that owns @pin_dir, or 0 when there is none. */
pid_t mg_pinned_daemon(const char *pin_dir);
/* The same, with the reason there is none in @why. */
pid_t mg_pinned_daemon_why(const char *pin_dir, char *why, size_t why_len);

#endif /* MGUARD_PINNED_H */
