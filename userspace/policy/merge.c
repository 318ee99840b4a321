// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Merging the part read from one policy file into the policy. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/util.h"
#include "core/yaml_reader.h"
#include "policy/policy.h"
#include "policy/policy_internal.h"

/* Forget the tiers resolved by an earlier validation (they point into dst->tiers). */
void mgp_forget_resolved(struct mg_policy *pol)
{
	for (size_t i = 0; i < pol->nmodels; i++) {
		free(pol->models[i].tier_reason);
		pol->models[i].tier_reason = NULL;
		pol->models[i].resolved_tier = NULL;
	}
}

/* Move everything @src holds to the end of @dst; all or nothing. */
int mgp_merge(struct mg_policy *dst, struct mg_policy *src)
{
	struct mg_tier *tiers = NULL;
	struct mg_model *models = NULL;
	struct mg_scope *scopes = NULL;
	char **sources = NULL, **keys = NULL;
	struct mg_loc *key_locs = NULL;

#define RESERVE(field, n, var)                                                       \
	do {                                                                         \
		if (src->n) {                                                        \
			var = realloc(dst->field, (dst->n + src->n) * sizeof(*var)); \
			if (!var)                                                    \
				return -ENOMEM;                                      \
			dst->field = var;                                            \
		}                                                                    \
	} while (0)
#define MOVE(field, n)                                                                         \
	do {                                                                                   \
		if (src->n)                                                                    \
			memcpy(dst->field + dst->n, src->field, src->n * sizeof(*src->field)); \
		dst->n += src->n;                                                              \
		src->n = 0;                                                                    \
	} while (0)

	RESERVE(tiers, ntiers, tiers);
	RESERVE(models, nmodels, models);
	RESERVE(scopes, nscopes, scopes);
	RESERVE(sources, nsources, sources);
	RESERVE(trusted_keys, ntrusted_keys, keys);
	RESERVE(trusted_key_locs, ntrusted_keys, key_locs);
	if (src->ntiers)
		mgp_forget_resolved(dst);
	MOVE(tiers, ntiers);
	MOVE(models, nmodels);
	MOVE(scopes, nscopes);
	MOVE(sources, nsources);
	if (src->ntrusted_keys)
		memcpy(dst->trusted_key_locs + dst->ntrusted_keys, src->trusted_key_locs,
		       src->ntrusted_keys * sizeof(*src->trusted_key_locs));
	MOVE(trusted_keys, ntrusted_keys);
#undef RESERVE
#undef MOVE

	if (src->mode_loc.file) {
		dst->mode = src->mode;
		dst->mode_loc = src->mode_loc;
	}
	if (src->unknown_weights_loc.file) {
		dst->unknown_weights = src->unknown_weights;
		dst->unknown_weights_loc = src->unknown_weights_loc;
	}
	if (src->default_tier) {
		free(dst->default_tier);
		dst->default_tier = src->default_tier;
		dst->default_tier_loc = src->default_tier_loc;
		src->default_tier = NULL;
	}
	return 0;
}
