/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The daemon's state, shared by its loop (daemon.c) and the policy in
 * force and its changes (policy_switch.c). Not for other layers.
 */
#ifndef MGUARD_DAEMON_INTERNAL_H
#define MGUARD_DAEMON_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "compile/compile.h"
#include "compile/digest.h"
#include "daemon/daemon.h"
#include "daemon/event_ctx.h"
#include "daemon/eventlog.h"
#include "daemon/http.h"
#include "daemon/journal.h"
#include "daemon/metrics.h"
#include "daemon/scope_cgroups.h"
#include "kernel/loader.h"
#include "kernel/ringbuf.h"
#include "policy/policy.h"

struct mg_daemon {
	const struct mg_daemon_opts *opts;
	char policy_dir[PATH_MAX]; /* in force: opts->policy_dir, or what 'reload --policy' sent */
	char cgroup_root[PATH_MAX];
	struct mg_policy *policy; /* in force */
	struct mg_image *img;
	struct mg_loader *loader;
	struct mg_ringbuf *rb;
	struct mg_scope_cgroups created; /* scope cgroups this daemon made */
	int64_t boot_offset;
	unsigned long long events;
	struct mg_digest_cache
		*digests;	      /* kept across reloads: unchanged weights are not re-read */
	struct mg_eventlog *log;      /* the event file, when there is one */
	FILE *log_stream;	      /* on the event file: notices */
	struct mg_audit_chain *chain; /* seals the event file's lines */
	time_t log_warned;
	bool metrics_failing;
	uint64_t drops_seen; /* kernel drops already reported */
	struct mg_event_sources *sources;
	struct mg_event_ctx ctx; /* what every line names beyond the kernel's record */
	char digest[65];	 /* of the policy in force */
	struct mg_killswitch_seen killswitch;
	char mguard_log[PATH_MAX]; /* the daemon's own messages in the background; "" : none */
	char pid_file[PATH_MAX];   /* written once ready; "": none */
	struct mg_http *http;	   /* /metrics, /healthz, /readyz; NULL: none */
	struct mg_journal journal;
	bool journal_warned;
	uint32_t gen;			      /* the generation in force */
	struct mg_metrics_scope *scope_stats; /* scope id - 1 -> events read for it */
	size_t nscope_stats;
};

/* Parse and compile the policy folder @dir; errors reported. */
int mg_compile_policy(struct mg_daemon *d, const char *dir, struct mg_policy **ret_policy,
		      struct mg_image **ret_img);
/* Put @policy and @img in force as the next generation (they are the daemon's on success). */
int mg_switch_policy(struct mg_daemon *d, struct mg_policy *policy, struct mg_image *img);
/* SIGHUP or 'mguard reload': the folder asked for, or the one in force; the old policy stays on error. */
void mg_daemon_reload(struct mg_daemon *d);
/* Has a scope's cgroup been removed or re-created since the policy was compiled? */
bool mg_scopes_moved(const struct mg_daemon *d);
const char *mg_mode_name(const struct mg_image *img);

#endif /* MGUARD_DAEMON_INTERNAL_H */
