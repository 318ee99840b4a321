/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The guard itself: load a policy, enforce it, stream its events. */
#ifndef MGUARD_DAEMON_H
#define MGUARD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MG_EVENT_RATE_DEFAULT 100000 /* events per second per scope */

struct mg_daemon_opts {
	const char *policy_dir;
	const char *pin_dir;
	FILE *events;		     /* JSON lines also go here; NULL: none */
	const char *log_dir;	     /* event file folder; NULL: none */
	uint64_t log_max_bytes;	     /* 0: default */
	unsigned int log_keep;	     /* 0: default */
	bool log_syslog;	     /* each event to syslog (journald) too */
	const char *metrics_path;    /* Prometheus text file; NULL: none */
	const char *metrics_listen;  /* "ADDR:PORT" for /metrics, /healthz, /readyz; NULL: none */
	bool journal;		     /* each event to journald, with MGUARD_* fields */
	bool background;	     /* detach once ready */
	uint32_t event_rate;	     /* events per second per scope; 0: unlimited */
	const char *audit_key;	     /* signs the event file's checkpoints; NULL: none */
	unsigned int audit_interval; /* seconds between checkpoints; 0: default */
};

/*
 * Runs until SIGINT or SIGTERM; SIGHUP reloads, SIGUSR1 exits leaving every
 * hook enforcing, SIGUSR2 reopens the event file and mguard.log (after
 * logrotate renamed them). Returns 0, or a negative errno after logging.
 */
int mg_daemon_run(const struct mg_daemon_opts *opts);

#endif /* MGUARD_DAEMON_H */
