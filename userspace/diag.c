// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void mg_diag_add(struct mg_diags *diags, struct mg_loc loc, const char *fmt, ...)
{
	struct mg_diag *d;
	va_list ap;
	char *msg;

	if (diags->n == diags->cap) {
		size_t cap = diags->cap ? diags->cap * 2 : 8;
		struct mg_diag *v = realloc(diags->v, cap * sizeof(*v));

		if (!v)
			return;
		diags->v = v;
		diags->cap = cap;
	}

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;

	d = &diags->v[diags->n];
	d->file = loc.file ? strdup(loc.file) : NULL;
	d->line = loc.line;
	d->col = loc.col;
	d->msg = msg;
	diags->n++;
}

void mg_diags_print(const struct mg_diags *diags, FILE *out)
{
	for (size_t i = 0; i < diags->n; i++) {
		const struct mg_diag *d = &diags->v[i];

		if (d->file && d->line)
			fprintf(out, "%s:%u:%u: %s\n", d->file, d->line, d->col, d->msg);
		else if (d->file)
			fprintf(out, "%s: %s\n", d->file, d->msg);
		else
			fprintf(out, "%s\n", d->msg);
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
