/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Diagnostics: errors tied to a place in a policy file, collected rather
 * than printed, so a checker reports all of them and library code never logs.
 */
#ifndef MGUARD_DIAG_H
#define MGUARD_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct mg_loc {
	const char *file;  /* not owned; NULL when the error has no place */
	unsigned int line; /* from 1; 0 when unknown */
	unsigned int col;  /* from 1; 0 when unknown */
};

struct mg_diag {
	char *file;
	unsigned int line;
	unsigned int col;
	char *msg;
	int warning; /* reported, but nothing fails because of it */
};

struct mg_diags {
	struct mg_diag *v;
	size_t n;
	size_t cap;
};

/*
 * Append one error. On ENOMEM the message is lost: callers decide success by
 * their own error state, never by diags->n alone.
 */
void mg_diag_add(struct mg_diags *diags, struct mg_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same as a warning: something refused or odd, while the rest still applies. */
void mg_diag_warn(struct mg_diags *diags, struct mg_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* How many of @diags are errors (not warnings). */
size_t mg_diags_errors(const struct mg_diags *diags);

/*
 * Print each as "file:line:col: message" (or "file: message"), one a line;
 * warnings as "file:line:col: warning: message".
 */
void mg_diags_print(const struct mg_diags *diags, FILE *out);

void mg_diags_free(struct mg_diags *diags);

#endif /* MGUARD_DIAG_H */
