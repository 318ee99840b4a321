// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The canonical text form of a licence: what its signature covers. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "license/license.h"
#include "license/license_internal.h"

/* ---- Canonical form -------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Free text of a field: present, and without a line break. */
static bool text_ok(const char *s)
{
	return s && *s && !strchr(s, '\n');
}

int mg_license_canonical(const struct mg_license *l, char **ret_buf, size_t *ret_len)
{
	char **sorted = NULL;
	char *models = NULL, *egress = NULL, *buf, *q;
	char budget[64] = "";
	size_t mlen = 0;
	int n;

	if (!text_ok(l->id) || !text_ok(l->use_case) || !text_ok(l->scope) || !text_ok(l->issuer) ||
	    (l->max_tier && !text_ok(l->max_tier)) || l->nmodels > MG_LICENSE_MAX_MODELS)
		return -EINVAL;
	for (size_t i = 0; i < l->nmodels; i++) {
		if (!text_ok(l->models[i]) || strchr(l->models[i], ','))
			return -EINVAL;
		mlen += strlen(l->models[i]) + 1;
	}

	if (l->nmodels) {
		sorted = malloc(l->nmodels * sizeof(*sorted));
		models = malloc(mlen);
		if (!sorted || !models) {
			free(sorted);
			free(models);
			return -ENOMEM;
		}
		memcpy(sorted, l->models, l->nmodels * sizeof(*sorted));
		qsort(sorted, l->nmodels, sizeof(*sorted), cmp_str);
		q = models;
		for (size_t i = 0; i < l->nmodels; i++) {
			size_t len = strlen(sorted[i]);

			if (i)
				*q++ = ',';
			memcpy(q, sorted[i], len);
			q += len;
		}
		*q = '\0';
		free(sorted);
	}

	/* egress is signed in the order written; a licence without it keeps the older form. */
	if (l->has_egress) {
		size_t elen = 1;

		for (size_t i = 0; i < l->negress; i++) {
			if (!text_ok(l->egress[i]) || strchr(l->egress[i], ',')) {
				free(models);
				return -EINVAL;
			}
			elen += strlen(l->egress[i]) + 1;
		}
		egress = calloc(1, elen);
		if (!egress) {
			free(models);
			return -ENOMEM;
		}
		for (size_t i = 0; i < l->negress; i++) {
			if (i)
				strcat(egress, ",");
			strcat(egress, l->egress[i]);
		}
	}
	/* So is egressBudget, after it. */
	if (l->budget_bytes)
		snprintf(budget, sizeof(budget), "egressBudget=%" PRIu64 "/%" PRIu64 "\n",
			 l->budget_bytes, (uint64_t)(l->budget_per_ns / 1000000000u));
	n = asprintf(&buf,
		     CANONICAL_MAGIC "id=%s\nuseCase=%s\nscope=%s\nmodels=%s\nmaxTier=%s\n"
				     "notBefore=%" PRId64 "\nnotAfter=%" PRId64
				     "\nissuer=%s\n%s%s%s%s",
		     l->id, l->use_case, l->scope, models ? models : "",
		     l->max_tier ? l->max_tier : "", l->not_before, l->not_after, l->issuer,
		     egress ? "egress=" : "", egress ? egress : "", egress ? "\n" : "", budget);
	free(models);
	free(egress);
	if (n < 0)
		return -ENOMEM;
	*ret_buf = buf;
	*ret_len = (size_t)n;
	return 0;
}
