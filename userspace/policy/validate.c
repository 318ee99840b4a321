// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The checks across policy files, and the tier every model ends up in. */
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

enum dup_kind {
	DUP_TIER,
	DUP_LEVEL,
	DUP_MODEL,
	DUP_SCOPE,
	DUP_CGROUP
};

static void report_dups(struct mg_sink *s, const struct item *items, size_t n, enum dup_kind kind)
{
	char where[LOC_TEXT_MAX];

	for (size_t i = 0; i < n; i++) {
		const struct item *it = &items[i];
		const char *owner;

		if (!it->first)
			continue;
		mg_fmt_loc(where, sizeof(where), it->first->loc);
		owner = it->first->owner ? it->first->owner : "?";
		switch (kind) {
		case DUP_TIER:
			mg_report(s, it->loc, "duplicate tier name '%s' (first defined at %s)",
				  it->key, where);
			break;
		case DUP_LEVEL:
			mg_report(s, it->loc,
				  "duplicate tier level %s (first used by tier '%s' at %s)",
				  it->key, owner, where);
			break;
		case DUP_MODEL:
			mg_report(s, it->loc, "duplicate model name '%s' (first defined at %s)",
				  it->key, where);
			break;
		case DUP_SCOPE:
			mg_report(s, it->loc, "duplicate scope name '%s' (first defined at %s)",
				  it->key, where);
			break;
		case DUP_CGROUP:
			mg_report(s, it->loc,
				  "duplicate cgroup '%s' (first used by scope '%s' at %s)", it->key,
				  owner, where);
			break;
		}
	}
}

/* Report repeated keys among @n items filled by the caller. Frees @items. */
static int check_unique(struct mg_sink *s, struct item *items, size_t n, enum dup_kind kind)
{
	int err = mgp_find_dups(items, n);

	if (!err)
		report_dups(s, items, n, kind);
	free(items);
	return err;
}

static int check_names(struct mg_policy *pol, struct mg_sink *s)
{
	struct item *items;
	size_t n;
	int err;

	items = calloc(pol->ntiers + 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < pol->ntiers; i++) {
		const struct mg_tier *t = &pol->tiers[i];

		if (t->name)
			items[n++] = (struct item){ .key = t->name, .loc = t->loc };
	}
	err = check_unique(s, items, n, DUP_TIER);
	if (err)
		return err;

	items = calloc(pol->nmodels + 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < pol->nmodels; i++) {
		const struct mg_model *m = &pol->models[i];

		if (m->name)
			items[n++] = (struct item){ .key = m->name, .loc = m->loc };
	}
	err = check_unique(s, items, n, DUP_MODEL);
	if (err)
		return err;

	items = calloc(pol->nscopes + 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < pol->nscopes; i++) {
		const struct mg_scope *sc = &pol->scopes[i];

		if (sc->name)
			items[n++] = (struct item){ .key = sc->name, .loc = sc->loc };
	}
	return check_unique(s, items, n, DUP_SCOPE);
}

static int check_levels(struct mg_policy *pol, struct mg_sink *s)
{
	char(*text)[12];
	struct item *items;
	size_t n = 0;
	int err;

	items = calloc(pol->ntiers + 1, sizeof(*items));
	text = calloc(pol->ntiers + 1, sizeof(*text));
	if (!items || !text) {
		free(items);
		free(text);
		return -ENOMEM;
	}
	for (size_t i = 0; i < pol->ntiers; i++) {
		const struct mg_tier *t = &pol->tiers[i];

		if (!t->level)
			continue;
		snprintf(text[n], sizeof(text[n]), "%u", t->level);
		items[n] = (struct item){ .key = text[n], .owner = t->name, .loc = t->loc };
		n++;
	}
	err = check_unique(s, items, n, DUP_LEVEL);
	free(text);
	return err;
}

/*
 * Two scopes on one cgroup (or one pattern) would each claim it. Scopes
 * bound by annotation may share a pattern: the annotation says which.
 */
static int check_cgroups(struct mg_policy *pol, struct mg_sink *s)
{
	struct item *items;
	size_t n = 0;

	items = calloc(pol->nscopes + 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < pol->nscopes; i++) {
		const struct mg_scope *sc = &pol->scopes[i];

		if (sc->cgroup && sc->bind != MG_BIND_ANNOTATION)
			items[n++] = (struct item){ .key = sc->cgroup,
						    .owner = sc->name,
						    .loc = sc->cgroup_loc };
	}
	return check_unique(s, items, n, DUP_CGROUP);
}

/* Is cgroup @inner below cgroup @outer? */
static bool cgroup_below(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	return strncmp(inner, outer, n) == 0 && inner[n] == '/';
}

/*
 * A scope's packets pass the budget program of every scope above it too,
 * and each would count them: a scope with an egressBudget stands alone,
 * neither inside another scope nor holding one.
 */
static void check_budgets(const struct mg_policy *pol, struct mg_sink *s)
{
	for (size_t i = 0; i < pol->nscopes; i++) {
		const struct mg_scope *sc = &pol->scopes[i];

		if (!sc->budget.bytes || !sc->cgroup)
			continue;
		for (size_t j = 0; j < pol->nscopes; j++) {
			const struct mg_scope *o = &pol->scopes[j];

			if (j == i || !o->cgroup)
				continue;
			if (cgroup_below(sc->cgroup, o->cgroup))
				mg_report(
					s, sc->budget.loc,
					"scope '%s' has an egressBudget but is inside scope '%s' (cgroup '%s'): a scope with a budget must not be nested",
					sc->name ? sc->name : "?", o->name ? o->name : "?",
					o->cgroup);
			else if (cgroup_below(o->cgroup, sc->cgroup))
				mg_report(
					s, sc->budget.loc,
					"scope '%s' has an egressBudget but holds scope '%s' (cgroup '%s'): a scope with a budget must not be nested",
					sc->name ? sc->name : "?", o->name ? o->name : "?",
					o->cgroup);
		}
	}
}

static int check_refs(struct mg_policy *pol, struct mg_sink *s)
{
	const char **names;
	size_t n = 0;

	names = calloc(pol->ntiers + 1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < pol->ntiers; i++)
		if (pol->tiers[i].name)
			names[n++] = pol->tiers[i].name;
	qsort(names, n, sizeof(*names), mgp_cmp_str);

	for (size_t i = 0; i < pol->nmodels; i++) {
		const struct mg_model *m = &pol->models[i];

		if (m->tier && !bsearch(&m->tier, names, n, sizeof(*names), mgp_cmp_str))
			mg_report(s, m->tier_loc, "unknown tier '%s'", m->tier);
	}
	for (size_t i = 0; i < pol->nscopes; i++) {
		const struct mg_scope *sc = &pol->scopes[i];

		if (sc->max_tier && !bsearch(&sc->max_tier, names, n, sizeof(*names), mgp_cmp_str))
			mg_report(s, sc->max_tier_loc, "unknown tier '%s'", sc->max_tier);
	}
	if (pol->default_tier &&
	    !bsearch(&pol->default_tier, names, n, sizeof(*names), mgp_cmp_str))
		mg_report(s, pol->default_tier_loc, "unknown tier '%s'", pol->default_tier);
	free(names);
	return 0;
}

/* Give every model its tier; with @report_missing, a model without one is an error. */
static int resolve_tiers(struct mg_policy *pol, struct mg_sink *s, bool report_missing)
{
	/* An unknown defaultTier is reported already, not again for each model it misses. */
	bool default_ok = !pol->default_tier || mg_policy_find_tier(pol, pol->default_tier);

	for (size_t i = 0; i < pol->nmodels; i++) {
		struct mg_model *m = &pol->models[i];
		const struct mg_tier *t;
		char *reason;

		t = mg_policy_model_tier(pol, m, &reason);
		if (!t && errno == ENOMEM)
			return -ENOMEM;
		m->resolved_tier = t;
		m->tier_reason = reason;
		/* An unknown explicit tier, or a model without a name, is reported already. */
		if (t || m->tier || !m->name || !default_ok || !report_missing)
			continue;
		mg_report(
			s, m->loc,
			"model '%s' has no tier: no 'tier', no tier condition holds on its metrics, and no 'defaultTier'",
			m->name);
	}
	return 0;
}

static int add_default_tiers(struct mg_policy *pol)
{
	static const struct {
		const char *name;
		unsigned int level;
	} defaults[] = {
		{ "general", 1 },
		{ "controlled", 2 },
		{ "prohibited", 3 },
	};
	const size_t n = sizeof(defaults) / sizeof(defaults[0]);
	struct mg_tier *tiers;

	tiers = calloc(n, sizeof(*tiers));
	if (!tiers)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		tiers[i].name = strdup(defaults[i].name);
		tiers[i].level = defaults[i].level;
		if (!tiers[i].name) {
			while (i--)
				free(tiers[i].name);
			free(tiers);
			return -ENOMEM;
		}
	}
	free(pol->tiers);
	pol->tiers = tiers;
	pol->ntiers = n;
	return 0;
}

int mgp_validate(struct mg_policy *pol, struct mg_diags *diags, unsigned int unsure)
{
	struct mg_sink s = { .diags = diags };
	int err;

	mgp_forget_resolved(pol);
	if (!pol->ntiers) {
		err = add_default_tiers(pol);
		if (err)
			return err;
	}
	if (pol->ntiers > MG_POLICY_MAX_TIERS)
		mg_report(&s, pol->tiers[MG_POLICY_MAX_TIERS].loc,
			  "too many tiers (%zu, at most %d)", pol->ntiers, MG_POLICY_MAX_TIERS);
	if (pol->nscopes > MG_POLICY_MAX_SCOPES)
		mg_report(&s, pol->scopes[MG_POLICY_MAX_SCOPES].loc, "more than %d scopes",
			  MG_POLICY_MAX_SCOPES);

	err = check_names(pol, &s);
	if (!err)
		err = check_levels(pol, &s);
	if (!err)
		err = check_cgroups(pol, &s);
	if (!err)
		mgp_check_overlaps(pol, &s);
	if (!err)
		check_budgets(pol, &s);
	if (!err && !(unsure & UNSURE_TIERS))
		err = check_refs(pol, &s);
	if (!err && !(unsure & UNSURE_TIERS))
		err = resolve_tiers(pol, &s, !(unsure & UNSURE_DERIVE));
	if (err)
		return err;
	return s.nerr ? -EINVAL : 0;
}

int mg_policy_validate(struct mg_policy *policy, struct mg_diags *diags)
{
	return mgp_validate(policy, diags, 0);
}
