/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the policy and licence parsers share: a libyaml event reader that
 * refuses anchors, aliases, tags and deep nesting, and reports every error
 * with its file:line:col into a list of diagnostics.
 */
#ifndef MGUARD_YAML_READER_H
#define MGUARD_YAML_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "core/diag.h"

/* Where errors go, and how many there were (mg_diag_add may drop one). */
struct mg_sink {
	struct mg_diags *diags;
	unsigned int nerr;
};

void mg_report(struct mg_sink *s, struct mg_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* @loc as "file:line:col" (or the file alone, or "built-in defaults"). */
const char *mg_fmt_loc(char *buf, size_t size, struct mg_loc loc);

/* Names of tiers, models and scopes: [A-Za-z0-9][A-Za-z0-9._-]{0,@max-1}. */
bool mg_valid_name(const char *s, size_t max);

struct mg_yaml {
	struct mg_sink *sink;
	yaml_parser_t parser;
	yaml_event_t ev; /* the current event, when have_ev */
	bool have_ev;
	const char *file; /* the caller's, for locations */
	const char *buf;
	size_t len;
	unsigned int depth, max_depth;
	bool stop; /* no more events: syntax error, too deep, no memory */
	bool oom;
};

/* Read @buf (@len bytes) of @file. Returns 0, or -ENOMEM. */
int mg_yaml_open(struct mg_yaml *y, struct mg_sink *sink, const char *file, const char *buf,
		 size_t len, unsigned int max_depth);
void mg_yaml_close(struct mg_yaml *y);

struct mg_loc mg_yaml_mark_loc(const struct mg_yaml *y, yaml_mark_t m);
/* Where the current event starts. */
struct mg_loc mg_yaml_here(const struct mg_yaml *y);
/* Report an error at the current event. */
void mg_yaml_report(struct mg_yaml *y, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Out of memory: parsing stops. Returns -1. */
int mg_yaml_nomem(struct mg_yaml *y);

/* Move to the next event. Returns -1 when parsing has stopped. */
int mg_yaml_next(struct mg_yaml *y);
/* Skip the node whose first event is the current one; ends on its last event. */
int mg_yaml_skip(struct mg_yaml *y);
/*
 * The current node is not what was expected: report it (an alias was
 * reported already) and skip it. Returns 1, or -1 when parsing stopped.
 */
int mg_yaml_reject(struct mg_yaml *y, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Read a file of one YAML document whose root is a mapping: @parse_map is
 * called with the mapping's start event current and reads up to its end.
 * An empty file, a root that is not a mapping and a second document are
 * reported; @what names the file ("policy"). Returns -1 when parsing stopped.
 */
int mg_yaml_document(struct mg_yaml *y, const char *what, int (*parse_map)(void *arg), void *arg);

bool mg_yaml_is_start(const yaml_event_t *ev);
bool mg_yaml_is_end(const yaml_event_t *ev);
bool mg_yaml_scalar_is(const yaml_event_t *ev, const char *s);
/* A word that YAML reads as null when plain: "", "~", "null", "Null", "NULL". */
bool mg_yaml_null_word(const char *s);
/* A plain scalar that YAML reads as null. */
bool mg_yaml_is_null(const yaml_event_t *ev);

#endif /* MGUARD_YAML_READER_H */
