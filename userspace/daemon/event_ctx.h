/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The daemon's sources of what an event line names beyond the kernel's record. */
#ifndef MGUARD_EVENT_CTX_H
#define MGUARD_EVENT_CTX_H

#include "daemon/events.h"

struct mg_event_sources;

/* Caches for the cgroups below @cgroup_root and for processes; the host name. */
int mg_event_sources_new(const char *cgroup_root, struct mg_event_sources **ret);
void mg_event_sources_free(struct mg_event_sources *s);

/* Point @ctx's host and look-ups at @s. */
void mg_event_sources_bind(struct mg_event_sources *s, struct mg_event_ctx *ctx);

struct mg_eventlog;

/*
 * A line of the daemon's own (see mg_service_format_json()), stamped now,
 * to @events and @log (either may be NULL).
 */
void mg_event_note(const struct mg_event_ctx *ctx, FILE *events, struct mg_eventlog *log,
		   const char *type, const struct mg_event_field *f, size_t nf);

/* "policy_loaded" for a policy put in force, and "mode" when its mode changed. */
void mg_event_note_policy(const struct mg_event_ctx *ctx, FILE *events, struct mg_eventlog *log,
			  const char *policy_dir, const char *old_digest, const char *old_mode,
			  const char *mode, size_t nscopes);

/* "daemon_start" or "daemon_stop": the daemon's pid, @key: @value, and @sig when not 0. */
void mg_event_note_daemon(const struct mg_event_ctx *ctx, FILE *events, struct mg_eventlog *log,
			  const char *type, const char *key, const char *value, int sig);

/* The kill switch as the daemon last saw it. */
struct mg_killswitch_seen {
	bool known; /* false: not looked at yet */
	bool on;
	uint32_t changes; /* mg_control.changes */
};

/*
 * "killswitch" when the kill switch is @on with @changes writes counted and
 * that differs from @seen (a switch found off at the first look is no
 * change); @seen is updated.
 */
void mg_event_note_killswitch(const struct mg_event_ctx *ctx, FILE *events, struct mg_eventlog *log,
			      bool on, uint32_t changes, struct mg_killswitch_seen *seen);

#endif /* MGUARD_EVENT_CTX_H */
