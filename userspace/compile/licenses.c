// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Licences a scope names: verified, then what they cover granted. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compile/compile.h"
#include "compile/steps.h"
#include "core/cgroup.h"
#include "compile/gpu.h"
#include "license/license.h"
#include "core/util.h"

static int mg_license_note_add(struct mg_image *img, uint32_t scope_id, const char *path,
			       const struct mg_license *l, const char *refused)
{
	struct mg_image_license_note *v, *n;

	v = realloc(img->license_notes, (img->nlicense_notes + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	img->license_notes = v;
	n = &v[img->nlicense_notes++];
	memset(n, 0, sizeof(*n));
	n->scope_id = scope_id;
	n->path = strdup(path);
	n->id = l ? strdup(l->id) : NULL;
	n->not_after = l ? l->not_after : 0;
	n->refused = refused ? strdup(refused) : NULL;
	n->budget_bytes = l ? l->budget_bytes : 0;
	n->budget_per_ns = l ? l->budget_per_ns : 0;
	if (!n->path || (l && !n->id) || (refused && !n->refused))
		return -ENOMEM;
	return 0;
}

/*
 * The egress list of a licence, compiled under its own narrowing id: a
 * process that loads a model under it sends only where this list allows
 * too, and counts what it sends against the licence's egressBudget. A
 * licence with a budget and no list narrows with a list that allows every
 * address, so the scope's list alone decides where. Returns the id, 0 when
 * the licence has neither, or a negative errno.
 */
static long mg_license_narrowing(const struct mg_license *l, struct mg_image *img,
				 struct mg_diags *diags)
{
	static const char *const everywhere[] = { "0.0.0.0/0", "[::/0]" };
	struct mg_scope narrow = { .name = l->id };
	size_t n = l->has_egress ? l->negress : MG_ARRAY_SIZE(everywhere);
	uint32_t id;
	int err;

	if (!l->has_egress && !l->budget_bytes)
		return 0;
	id = MG_NARROW_ID_BASE + img->nnarrowings++;
	narrow.egress = calloc(n ? n : 1, sizeof(*narrow.egress));
	if (!narrow.egress)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *entry = l->has_egress ? l->egress[i] : everywhere[i];
		const char *why;

		if (mg_egress_parse(entry, &narrow.egress[narrow.negress], &why) == 0)
			narrow.egress[narrow.negress++].loc = l->loc;
	}
	err = mg_compile_egress(&narrow, id, &img->egress, &img->negress, &img->egress_cap, diags);
	free(narrow.egress);
	return err ? err : (long)id;
}

/* Grant @scope_id every licensed-tier model @l covers, until its notAfter. */
static int mg_license_grant(const struct mg_policy *p, const struct mg_scope *scope,
			    uint32_t scope_id, const struct mg_license *l,
			    uint64_t not_after_boot_ns, struct mg_image *img,
			    struct mg_diags *diags)
{
	long narrow_id = -1; /* made on the first grant that needs it */

	const struct mg_tier *lic_tier = l->max_tier ? mg_policy_find_tier(p, l->max_tier) : NULL;
	const struct mg_tier *scope_tier = mg_policy_find_tier(p, scope->max_tier);

	for (size_t i = 0; i < l->nmodels; i++) {
		size_t j;

		for (j = 0; j < p->nmodels; j++)
			if (!strcmp(p->models[j].name, l->models[i]))
				break;
		if (j == p->nmodels)
			mg_diag_warn(
				diags, l->loc,
				"licence '%s' names model '%s', which the policy does not have",
				l->id, l->models[i]);
	}
	for (size_t j = 0; j < p->nmodels; j++) {
		const struct mg_tier *t = p->models[j].resolved_tier;
		struct mg_image_license *g;

		if (!t || !t->requires_license || img->model_tiers[j] == MG_TIER_REFUSED)
			continue;
		if (scope_tier && t->level > scope_tier->level)
			continue; /* above the scope's tier: no licence reaches it */
		if (!mg_license_covers(l, p->models[j].name, t->level,
				       lic_tier ? lic_tier->level : 0))
			continue;
		for (g = img->licenses; g < img->licenses + img->nlicenses; g++)
			if (g->key.scope_id == scope_id && g->key.model_id == j + 1)
				break;
		if (g == img->licenses + img->nlicenses) {
			struct mg_image_license *v =
				realloc(img->licenses, (img->nlicenses + 1) * sizeof(*v));

			if (!v)
				return -ENOMEM;
			img->licenses = v;
			g = &v[img->nlicenses++];
			memset(g, 0, sizeof(*g));
			g->key.scope_id = scope_id;
			g->key.model_id = j + 1;
		} else if (g->val.not_after_boot_ns >= not_after_boot_ns) {
			continue; /* another licence already runs longer */
		} else {
			free(g->id);
		}
		if (narrow_id < 0) {
			narrow_id = mg_license_narrowing(l, img, diags);
			if (narrow_id < 0)
				return (int)narrow_id;
		}
		g->val.not_after_boot_ns = not_after_boot_ns;
		g->val.narrow_id = (uint32_t)narrow_id;
		g->val.budget_bytes = l->budget_bytes;
		g->val.budget_window_ns = l->budget_per_ns;
		g->not_after = l->not_after;
		g->id = strdup(l->id);
		if (!g->id)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Verify every licence a scope names and grant what the valid ones cover.
 * A licence that does not parse or verify is refused with a warning; the
 * rest of the policy still applies. A trusted key that cannot be loaded is
 * an error: the operator's trust configuration is wrong.
 */
int mg_compile_licenses(const struct mg_policy *p, const struct mg_compile_opts *opts,
			struct mg_image *img, struct mg_diags *diags)
{
	struct mg_keyring *ring = NULL;
	char **keys;
	int64_t now = opts->now ? opts->now : time(NULL);
	uint64_t boot_now = opts->boot_ns_at_now;
	int err = 0;

	if (!boot_now) {
		struct timespec ts;

		clock_gettime(CLOCK_BOOTTIME, &ts);
		boot_now = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	keys = calloc(p->ntrusted_keys + 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < p->ntrusted_keys; i++) {
		keys[i] = mg_policy_path(p, p->trusted_keys[i]);
		if (!keys[i]) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = mg_keyring_load(&ring, (const char *const *)keys, p->ntrusted_keys, diags);
	if (err)
		goto out;

	for (size_t i = 0; i < p->nscopes && !err; i++) {
		const struct mg_scope *s = &p->scopes[i];

		for (size_t k = 0; k < s->nlicenses && !err; k++) {
			struct mg_diags ldiags = {};
			struct mg_license *l = NULL;
			const char *reason = NULL;
			char *path = mg_policy_path(p, s->licenses[k]);
			char why[512];

			if (!path) {
				err = -ENOMEM;
				break;
			}
			err = mg_license_load(path, &l, &ldiags);
			if (err == -ENOMEM) {
				mg_diags_free(&ldiags);
				free(path);
				break;
			}
			if (err) {
				/* Malformed: refused with its first error; the rest still loads. */
				snprintf(why, sizeof(why), "%s",
					 ldiags.n ? ldiags.v[0].msg : strerror(-err));
				reason = why;
			} else if (mg_license_verify(l, ring, now, &reason) == 0) {
				if (strcmp(l->scope, s->name)) {
					snprintf(why, sizeof(why), "issued to scope '%s', not '%s'",
						 l->scope, s->name);
					reason = why;
				}
			} else {
				snprintf(why, sizeof(why), "%s", reason);
				reason = why;
			}
			err = 0;
			if (reason)
				mg_diag_warn(diags, s->license_locs ? s->license_locs[k] : s->loc,
					     "scope '%s': licence '%s' refused: %s", s->name, path,
					     reason);
			else
				err = mg_license_grant(p, s, i + 1, l,
						       boot_now + (uint64_t)(l->not_after - now) *
									  1000000000ULL,
						       img, diags);
			if (!err)
				err = mg_license_note_add(img, i + 1, path, l, reason);
			mg_license_free(l);
			mg_diags_free(&ldiags);
			free(path);
		}
	}
out:
	mg_keyring_free(ring);
	for (size_t i = 0; i < p->ntrusted_keys; i++)
		free(keys[i]);
	free(keys);
	return err;
}
