// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"

static void mg_diag_vadd(struct mg_diags *diags, struct mg_loc loc, int warning, const char *fmt,
			 va_list ap)
{
	struct mg_diag *d;
	char *msg;

	if (diags->n == diags->cap) {
		size_t cap = diags->cap ? diags->cap * 2 : 8;
		struct mg_diag *v = realloc(diags->v, cap * sizeof(*v));

		if (!v)
			return;
		diags->v = v;
		diags->cap = cap;
	}

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (!msg)
		return;

	d = &diags->v[diags->n];
	d->file = loc.file ? strdup(loc.file) : NULL;
	d->line = loc.line;
	d->col = loc.col;
	d->msg = msg;
	d->warning = warning;
	diags->n++;
}

void mg_diag_add(struct mg_diags *diags, struct mg_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mg_diag_vadd(diags, loc, 0, fmt, ap);
	va_end(ap);
}

void mg_diag_warn(struct mg_diags *diags, struct mg_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mg_diag_vadd(diags, loc, 1, fmt, ap);
	va_end(ap);
}

size_t mg_diags_errors(const struct mg_diags *diags)
{
	size_t n = 0;

	for (size_t i = 0; i < diags->n; i++)
		n += !diags->v[i].warning;
	return n;
}

void mg_diags_print(const struct mg_diags *diags, FILE *out)
{
	for (size_t i = 0; i < diags->n; i++) {
		const struct mg_diag *d = &diags->v[i];
		const char *w = d->warning ? "warning: " : "";

		if (d->file && d->line)
			fprintf(out, "%s:%u:%u: %s%s\n", d->file, d->line, d->col, w, d->msg);
		else if (d->file)
			fprintf(out, "%s: %s%s\n", d->file, w, d->msg);
		else
			fprintf(out, "%s%s\n", w, d->msg);
	}
}

void mg_diags_free(struct mg_diags *diags)
{
	for (size_t i = 0; i < diags->n; i++) {
		free(diags->v[i].file);
		free(diags->v[i].msg);
	}
	free(diags->v);
	diags->v = NULL;
	diags->n = diags->cap = 0;
}
