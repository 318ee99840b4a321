/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The compliance report (mguard report): the event files of the daemon
 * (docs/events.md) read in order and summed per scope over a time window,
 * with the policy and licences in force when a daemon runs, printed as
 * text, JSON (schema in docs/report.md) or one self-contained HTML file.
 *
 * What the events can say: a `decision` line is written for every kernel
 * decision that was not a plain allow, so a model is seen "loaded" only
 * where an open of its files was allowed and recorded (verdict `audit`).
 * Models a scope may load come from the policy in force, not from events.
 */
#ifndef MGUARD_REPORT_H
#define MGUARD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MG_REPORT_SCHEMA 1
#define MG_REPORT_HOUR	 3600
#define MG_REPORT_DAY	 86400
/* A span up to this long is bucketed by hours, a longer one by days. */
#define MG_REPORT_HOURLY_MAX	 (2 * MG_REPORT_DAY)
#define MG_REPORT_MALFORMED_KEEP 20	    /* malformed lines quoted by place */
#define MG_REPORT_LINE_MAX	 (1u << 20) /* a longer line is malformed */
#define MG_REPORT_NO_TIME	 INT64_MIN

enum mg_report_verdict {
	MG_REPORT_DENY,
	MG_REPORT_KILL,
	MG_REPORT_AUDIT,
	MG_REPORT_VERDICTS
};

/* Violations of one class: a (hook, reason) pair. */
struct mg_report_class {
	char *hook;
	char *reason;
	uint64_t count;
	uint64_t verdicts[MG_REPORT_VERDICTS];
	int64_t *times; /* of each decision, for the series */
	size_t ntimes, times_cap;
	uint64_t *series; /* per bucket, made by mg_report_finish() */
};

/* A model named by the decisions of a scope. */
struct mg_report_model {
	char *name;
	char *tier;	     /* NULL when the line had none */
	uint64_t refused;    /* deny and kill */
	uint64_t audited;    /* opened, allowed and recorded: loaded */
	int64_t first, last; /* the first and last decision naming it */
};

/* A model the policy in force lets a scope load. */
struct mg_report_may_load {
	char *model;
	char *tier;
	char *license; /* the licence that grants it, NULL when none is needed */
};

struct mg_report_license {
	char *id;
	int64_t not_after; /* unix seconds */
	int64_t days_left; /* whole days from the report's now; negative: ended */
};

struct mg_report_tier_count {
	char *tier;
	uint64_t count;
};

struct mg_report_scope {
	char *name; /* NULL: decisions outside every scope */
	uint64_t total;
	uint64_t verdicts[MG_REPORT_VERDICTS];
	uint64_t rate_suppressed; /* decisions the rate limit left unrecorded */
	struct mg_report_class *classes;
	size_t nclasses, classes_cap;
	struct mg_report_model *models;
	size_t nmodels, models_cap;
	struct mg_report_tier_count *tiers; /* decisions by the file's tier */
	size_t ntiers, tiers_cap;
	uint64_t *series; /* per bucket, all classes */
	/* From the policy in force (live.known): */
	bool in_policy;
	char *cgroup;
	char *max_tier;
	struct mg_report_may_load *may_load;
	size_t nmay_load, may_load_cap;
	struct mg_report_license *licenses;
	size_t nlicenses, licenses_cap;
};

/* A policy put in force (policy_loaded) or refused (policy_load_failed). */
struct mg_report_reload {
	int64_t time;
	bool failed;
	int64_t generation; /* -1: null */
	int64_t scopes;	    /* -1: not said */
	char *digest;
	char *previous_digest;
	char *mode;
	char *policy_dir;
	char *error;
};

struct mg_report_switch {
	int64_t time;
	bool on;
	int previous;	  /* -1 unknown, 0 off, 1 on */
	uint64_t changes; /* writes since the daemon's last look: 2 is on and off between two */
};

/* daemon_start, daemon_stop, mode. */
struct mg_report_daemon_event {
	int64_t time;
	char *type;
	char *detail; /* daemon_stop: hooks; mode: the new mode */
};

struct mg_report_source {
	char *path;
	uint64_t lines;
	uint64_t malformed;
};

struct mg_report_malformed {
	char *path;
	uint64_t line;
	char *why;
};

/* The daemon and its policy, when one runs. */
struct mg_report_live {
	bool known;
	int pid;
	char *policy_dir;
	char *digest;
	int64_t loaded_at;
	bool folder_matches; /* the folder's digest now is the one loaded */
	char *why_not;	     /* when !known: why the report has events only */
};

struct mg_report_opts {
	int64_t now;   /* unix seconds */
	int64_t since; /* MG_REPORT_NO_TIME: from the first line */
	int64_t until; /* MG_REPORT_NO_TIME: to now with since, else to the last line */
};

struct mg_report {
	struct mg_report_opts opts;
	int64_t first, last; /* of the lines in the window */
	int64_t start, end;  /* the window the report covers */
	int64_t bucket;	     /* seconds: MG_REPORT_HOUR or MG_REPORT_DAY */
	int64_t bucket0;     /* the first bucket's start */
	size_t nbuckets;
	uint64_t lines, decisions, malformed, outside, unknown_type, other_schema;
	uint64_t events_dropped;
	bool switch_at_start;	 /* the kill switch when the window opens */
	uint64_t switch_changes; /* the writes the kill-switch lines count */
	int64_t switch_on_secs;
	struct mg_report_scope *scopes;
	size_t nscopes, scopes_cap;
	struct mg_report_reload *reloads;
	size_t nreloads, reloads_cap;
	struct mg_report_switch *switches;
	size_t nswitches, switches_cap;
	struct mg_report_daemon_event *daemon;
	size_t ndaemon, daemon_cap;
	struct mg_report_source *sources;
	size_t nsources, sources_cap;
	struct mg_report_malformed *bad;
	size_t nbad, bad_cap;
	struct mg_report_live live;
	/* While reading: the kill switch as last seen, before the window too. */
	int switch_seen; /* -1 unknown */
	int64_t switch_since;
};

void mg_report_init(struct mg_report *r, const struct mg_report_opts *opts);
void mg_report_free(struct mg_report *r);

/*
 * Add one line (@len bytes, no newline) of source @src, line @lineno: a
 * line that is not a schema 1 event is counted (and, the first ones,
 * quoted by place), never an error. Returns 0 or -ENOMEM.
 */
int mg_report_add_line(struct mg_report *r, const char *src, uint64_t lineno, const char *line,
		       size_t len);

/* Every line of the file at @path; 0 or a negative errno (-ENOENT: no such file). */
int mg_report_read_file(struct mg_report *r, const char *path);

/*
 * The event files of folder @dir, oldest first: events.jsonl.N ...
 * events.jsonl.1, events.jsonl. Returns how many it read, or a negative
 * errno (-ENOENT when there is none).
 */
int mg_report_read_dir(struct mg_report *r, const char *dir);

/* After the last line: the window, its buckets and every series. 0 or -ENOMEM. */
int mg_report_finish(struct mg_report *r);

/* The scope named @name (NULL: outside every scope), added when missing; NULL: no memory. */
struct mg_report_scope *mg_report_scope(struct mg_report *r, const char *name);

/* The series' buckets: the start of bucket @i. */
static inline int64_t mg_report_bucket_start(const struct mg_report *r, size_t i)
{
	return r->bucket0 + (int64_t)i * r->bucket;
}

/*
 * A time of --since or --until: RFC 3339 ("2026-12-01T10:00:00Z", a
 * fraction and a "+02:00" offset allowed) or an age before @now ("90m",
 * "24h", "7d", "2w"). 0 and the unix seconds in *ret, or -EINVAL.
 */
int mg_report_parse_when(const char *s, int64_t now, int64_t *ret);

/* RFC 3339 with a fraction (dropped) and 'Z' or an offset; 0 or -EINVAL. */
int mg_report_parse_rfc3339(const char *s, int64_t *ret);

/* @t as "YYYY-MM-DDTHH:MM:SSZ" into @buf (at least 21 bytes). */
void mg_report_format_time(int64_t t, char *buf);

/* "hour" or "day". */
const char *mg_report_bucket_name(const struct mg_report *r);

const char *mg_report_verdict_name(enum mg_report_verdict v);

/*
 * The live part: the state file @state_path of the daemon with pid @pid
 * (0: none runs, and @why_not says so), and the policy folder it names,
 * compiled without look-ups, for what each scope may load. 0 or -ENOMEM;
 * a state or policy that cannot be read is said in r->live.why_not.
 */
int mg_report_add_live(struct mg_report *r, const char *state_path, int pid, const char *why_not);

/* What every report says of what its numbers mean, NULL-terminated. */
extern const char *const mg_report_notes[];

void mg_report_print_text(const struct mg_report *r, FILE *out);
void mg_report_print_json(const struct mg_report *r, FILE *out);
void mg_report_print_html(const struct mg_report *r, FILE *out);

#endif /* MGUARD_REPORT_H */
