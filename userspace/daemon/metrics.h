/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The pinned state as Prometheus text exposition, for node_exporter's
 * textfile collector (or any scraper that reads a file).
 */
#ifndef MGUARD_METRICS_H
#define MGUARD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compile/compile.h"
#include "kernel/pinned.h"

#define MG_METRICS_LICENSE_SOON (7 * 24 * 3600) /* "expiring": within 7 days */

/* Events the daemon read from the ring buffer for one scope, by hook and verdict. */
struct mg_metrics_scope {
	const char *name;   /* the scope's name in the policy */
	const char *cgroup; /* its cgroup, below the cgroup2 mount */
	uint64_t events[MG_HOOK__COUNT][MG_VERDICT__COUNT];
};

/* What only the daemon knows. */
struct mg_metrics_extra {
	const char *version; /* mguard_build_info's version; NULL: none */
	const struct mg_metrics_scope *scopes;
	size_t nscopes;
	const struct mg_image *img; /* the policy in force: licence expiry; NULL: none */
	uint64_t events_written;    /* event lines written to the event file */
	uint64_t events_lost;	    /* events read from the ring buffer but not written */
	int64_t policy_loaded_at;   /* unix seconds the policy in force was loaded; 0: unknown */
	unsigned int licenses_expiring; /* licences in force that expire within 7 days */
};

/*
 * Write every metric of @st, and those of @x unless it is NULL, to @out, in
 * the Prometheus text format (version 0.0.4): what the metrics file holds and
 * what /metrics serves. Label values are escaped. Returns 0, or -EIO when
 * @out reports an error.
 */
int mg_metrics_write(FILE *out, const struct mg_pinned *st, const struct mg_metrics_extra *x);

/*
 * The same into @path, atomically: a hidden temporary file in the same
 * folder, mode 0644, renamed over @path. Returns 0 or a negative errno.
 */
int mg_metrics_write_file(const char *path, const struct mg_pinned *st,
			  const struct mg_metrics_extra *x);

/*
 * The same into a buffer of its own (malloc'd, NUL-terminated) in *@ret_text,
 * its length in *@ret_len. Returns 0 or a negative errno.
 */
int mg_metrics_render(const struct mg_pinned *st, const struct mg_metrics_extra *x, char **ret_text,
		      size_t *ret_len);

/*
 * Per-scope event counts for the scopes of @img (names and cgroups borrowed
 * from it), carrying over the counts of scopes of the same name from
 * *@stats (*@n of them), which is freed. Returns 0, or -ENOMEM with nothing
 * changed.
 */
int mg_metrics_scopes_rebuild(struct mg_metrics_scope **stats, size_t *n,
			      const struct mg_image *img);

/* Count event @e for its scope, when its scope, hook and verdict are known. */
void mg_metrics_scope_count(struct mg_metrics_scope *stats, size_t n, const struct mg_event *e);

/*
 * Is the guard enforcing (what /readyz says)? A generation in force and its
 * programs attached; when not, why in *@why.
 */
bool mg_metrics_ready(const struct mg_pinned *st, const char **why);

/* How many licences of @img end after @now and no later than @now + @within seconds. */
unsigned int mg_metrics_licenses_expiring(const struct mg_image *img, int64_t now, int64_t within);

#endif /* MGUARD_METRICS_H */
