/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What is loaded and attached, read back from the pinned maps and links. */
#ifndef MGUARD_STATUS_H
#define MGUARD_STATUS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "mguard_abi.h"

#define MG_STATUS_MAX_LINKS 64

struct mg_status_link {
	char pin[96];
	char prog[64];
	__u32 prog_id;
	__u64 cgroup_id; /* 0 unless a cgroup link */
};

/* What is pinned in a pin folder, read back. */
struct mg_status {
	struct mg_config cfg;
	struct mg_control ctl;
	__u64 counters[MG_COUNTERS]; /* summed over CPUs: MG_COUNTER_INDEX(), MG_ERR_COUNTER_BASE */
	size_t nscopes;
	struct mg_status_link links[MG_STATUS_MAX_LINKS];
	size_t nlinks;
};

/* Read the state pinned in @pin_dir. Returns 0, -ENOENT when nothing is pinned, or a negative errno. */
int mg_status_read(const char *pin_dir, struct mg_status *st);

/* The pid of the live daemon that owns @pin_dir, or 0 when there is none. */
pid_t mg_status_daemon(const char *pin_dir);

/* "events_dropped", "walk_limit"...: the name of an MG_ERR_* counter. */
const char *mg_error_name(unsigned int err);

/*
 * Print the state found in @pin_dir. Returns 0; -ENOENT when nothing is
 * pinned there (mguard is not running); another negative errno on failure.
 */
int mg_status_print(const char *pin_dir, bool json, FILE *out);

#endif /* MGUARD_STATUS_H */
