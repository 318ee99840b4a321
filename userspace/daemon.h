/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The guard itself: load a policy, enforce it, stream its events. */
#ifndef MGUARD_DAEMON_H
#define MGUARD_DAEMON_H

#include <stdio.h>

struct mg_daemon_opts {
	const char *policy_dir;
	const char *pin_dir;
	FILE *events;			/* JSON lines go here */
};

/* Runs until SIGINT or SIGTERM; returns 0, or a negative errno after logging. */
int mg_daemon_run(const struct mg_daemon_opts *opts);

#endif /* MGUARD_DAEMON_H */
