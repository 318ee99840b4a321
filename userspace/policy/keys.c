// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The policy parser's key-table reader: mappings read against a table of
 * known keys (unknown, repeated and missing keys reported), lists of
 * strings, mappings of the user's keys, and the checks on paths written in
 * a policy. What every section parser (tiers, models, scopes, top level)
 * builds on.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/array.h"
#include "core/util.h"
#include "core/yaml_reader.h"
#include "policy/policy.h"
#include "policy/policy_internal.h"

int mgp_grow(void *arrp, size_t n, size_t size)
{
	/* mg_array_reserve()'s rule: 16, then doubled; 0 for an empty array. */
	size_t cap = n ? 16 : 0;

	while (cap && cap < n && cap <= SIZE_MAX / 2)
		cap *= 2;
	return mg_array_reserve(arrp, &cap, n + 1, size);
}

/* What is wrong with a path written in a policy, under @rules, or NULL. */
static const char *path_problem(const char *s, unsigned int rules)
{
	if (!*s)
		return "must not be empty";
	if ((rules & PATH_ABSOLUTE) && s[0] != '/')
		return "must be an absolute path";
	for (const char *c = s; *c; c += strcspn(c, "/")) {
		size_t len;

		c += strspn(c, "/");
		len = strcspn(c, "/");
		if ((rules & PATH_NO_DOTS) &&
		    ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.')))
			return "must not contain '.' or '..' components";
		if ((rules & PATH_NO_DOTDOT) && len == 2 && c[0] == '.' && c[1] == '.')
			return "must not contain '..' components";
	}
	return NULL;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

/* Set ->first of every item whose key an earlier item has; O(n log n). */
int mgp_find_dups(struct item *items, size_t n)
{
	struct item **v;

	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = &items[i];
	qsort(v, n, sizeof(*v), cmp_item);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i]->key, v[i - 1]->key) == 0)
			v[i]->first = v[i - 1]->first ? v[i - 1]->first : v[i - 1];
	free(v);
	return 0;
}

/*
 * The current event is a value that must be a string. Returns 0 with a copy
 * in *ret, 1 when it is something else (reported with @bad), -1 to stop.
 */
int mgp_get_str(struct parser *p, const char *bad, char **ret, struct mg_loc *ret_loc)
{
	const yaml_event_t *ev = &p->y.ev;
	const char *v;
	char *s;

	if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev))
		return mg_yaml_reject(&p->y, "%s", bad) < 0 ? -1 : 1;
	v = (const char *)ev->data.scalar.value;
	if (strlen(v) != ev->data.scalar.length) {
		mg_yaml_report(&p->y, "strings must not contain NUL characters");
		return 1;
	}
	s = strdup(v);
	if (!s)
		return mg_yaml_nomem(&p->y);
	*ret = s;
	if (ret_loc)
		*ret_loc = mg_yaml_here(&p->y);
	return 0;
}

/*
 * Next key of the mapping being read. Returns 1 with the key's index in *ret
 * and the value's first event current, 0 at the end of the mapping, or -1.
 * Unknown, duplicate and non-string keys are reported and skipped.
 */
int mgp_map_next(struct parser *p, const struct keytab *kt, struct mg_loc *seen, int *ret)
{
	char where[LOC_TEXT_MAX];

	for (;;) {
		struct mg_loc kloc;
		int idx = -1;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		kloc = mg_yaml_here(&p->y);
		if (p->y.ev.type == YAML_SCALAR_EVENT) {
			const char *k = (const char *)p->y.ev.data.scalar.value;

			for (size_t i = 0; i < kt->nkeys; i++)
				if (mg_yaml_scalar_is(&p->y.ev, kt->keys[i]))
					idx = (int)i;
			if (idx < 0) {
				mg_report(p->y.sink, kloc, "unknown key '%s' %s", k, kt->where);
			} else if (seen[idx].file) {
				mg_report(p->y.sink, kloc,
					  "duplicate key '%s' (first defined at %s)", k,
					  mg_fmt_loc(where, sizeof(where), seen[idx]));
				if (kt->unsure_tiers & (1u << idx))
					p->tiers_unsure = true;
				idx = -1;
			} else {
				seen[idx] = kloc;
			}
		} else if (mg_yaml_reject(&p->y, "mapping keys must be strings") < 0) {
			return -1;
		}
		if (mg_yaml_next(&p->y))
			return -1;
		if (idx >= 0) {
			*ret = idx;
			return 1;
		}
		if (mg_yaml_skip(&p->y))
			return -1;
	}
}

void mgp_check_required(struct parser *p, const struct keytab *kt, const struct mg_loc *seen,
			struct mg_loc loc, const char *kind, const char *name)
{
	for (size_t i = 0; i < kt->nkeys; i++) {
		if (!(kt->required & (1u << i)) || seen[i].file)
			continue;
		const char *key = kt->keys[i];

		if (name)
			mg_report(p->y.sink, loc, "missing key '%s' in %s '%s'", key, kind, name);
		else if (kind)
			mg_report(p->y.sink, loc, "missing key '%s' in %s", key, kind);
		else
			mg_report(p->y.sink, loc, "missing key '%s'", key);
	}
}

int mgp_get_name(struct parser *p, const char *kind, char **ret)
{
	struct mg_loc loc = { 0 };
	char *s = NULL;
	int r;

	r = mgp_get_str(p, "'name' must be a string", &s, &loc);
	if (r)
		return r;
	if (!mg_valid_name(s, MG_POLICY_MAX_NAME)) {
		mg_report(
			p->y.sink, loc,
			"invalid %s name '%s' (1 to %d of A-Z a-z 0-9 . _ -, starting with a letter or digit)",
			kind, s, MG_POLICY_MAX_NAME);
		free(s);
		return 1;
	}
	*ret = s;
	return 0;
}

/*
 * Calls @add for each string of a list, with the string (which it takes), its
 * location and its index among the list's items; @key names the list.
 */
int mgp_parse_str_list(struct parser *p, const char *key, bool nonempty,
		       int (*add)(struct parser *, void *, char *, struct mg_loc, size_t),
		       void *arg)
{
	struct mg_loc loc = mg_yaml_here(&p->y);
	char bad[64];
	size_t n = 0;

	snprintf(bad, sizeof(bad), "'%s' must be a list of strings", key);
	if (p->y.ev.type != YAML_SEQUENCE_START_EVENT)
		return mg_yaml_reject(&p->y, "%s", bad) < 0 ? -1 : 0;
	for (;;) {
		struct mg_loc sloc = { 0 };
		char *s = NULL;
		int r;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		r = mgp_get_str(p, bad, &s, &sloc);
		if (r < 0)
			return -1;
		if (r == 0 && add(p, arg, s, sloc, n))
			return -1;
		n++;
	}
	if (nonempty && !n)
		mg_report(p->y.sink, loc, "'%s' must not be empty", key);
	return 0;
}

/*
 * Calls @pair for each entry of a mapping with keys of the user's choosing,
 * with the key (which it takes), its location and its index, and the value's
 * first event current; @pair consumes the value.
 */
int mgp_parse_pairs(struct parser *p, const char *bad,
		    int (*pair)(struct parser *, void *, char *, struct mg_loc, size_t), void *arg)
{
	size_t i = 0;

	if (p->y.ev.type != YAML_MAPPING_START_EVENT)
		return mg_yaml_reject(&p->y, "%s", bad) < 0 ? -1 : 0;
	for (;;) {
		struct mg_loc kloc = { 0 };
		char *key = NULL;
		int r;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		r = mgp_get_str(p, "mapping keys must be strings", &key, &kloc);
		if (r < 0 || mg_yaml_next(&p->y)) {
			free(key);
			return -1;
		}
		if (r) {
			if (mg_yaml_skip(&p->y))
				return -1;
			continue;
		}
		if (pair(p, arg, key, kloc, i++))
			return -1;
	}
}

/* Report the items whose key an earlier item has, as repeated mapping keys. Frees @items. */
int mgp_report_dup_keys(struct parser *p, struct item *items, size_t n)
{
	char where[LOC_TEXT_MAX];

	if (mgp_find_dups(items, n)) {
		free(items);
		return mg_yaml_nomem(&p->y);
	}
	for (size_t i = 0; i < n; i++)
		if (items[i].first)
			mg_report(p->y.sink, items[i].loc,
				  "duplicate key '%s' (first defined at %s)", items[i].key,
				  mg_fmt_loc(where, sizeof(where), items[i].first->loc));
	free(items);
	return 0;
}

/* Append @s (which it takes) and @loc to a list of strings and their locations. */
int mgp_push_str(struct parser *p, char ***v, struct mg_loc **locs, size_t *n, char *s,
		 struct mg_loc loc)
{
	if (mgp_grow(v, *n, sizeof(**v)) || mgp_grow(locs, *n, sizeof(**locs))) {
		free(s);
		return mg_yaml_nomem(&p->y);
	}
	(*v)[*n] = s;
	(*locs)[*n] = loc;
	(*n)++;
	return 0;
}

/* Whether @s is usable as a @what ("license path") under @rules; reported when not. */
bool mgp_path_ok(struct parser *p, const char *what, const char *s, unsigned int rules,
		 struct mg_loc loc)
{
	const char *why;

	if (strlen(s) >= PATH_MAX) {
		mg_report(p->y.sink, loc, "%s is longer than %d bytes", what, PATH_MAX - 1);
		return false;
	}
	why = path_problem(s, rules);
	if (why)
		mg_report(p->y.sink, loc, "invalid %s '%s': %s", what, s, why);
	return !why;
}

int mgp_get_bool(struct parser *p, const char *key, int *ret)
{
	const yaml_event_t *ev = &p->y.ev;

	if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (mg_yaml_scalar_is(ev, "true")) {
			*ret = 1;
			return 0;
		}
		if (mg_yaml_scalar_is(ev, "false")) {
			*ret = 0;
			return 0;
		}
	}
	return mg_yaml_reject(&p->y, "'%s' must be true or false", key) < 0 ? -1 : 1;
}

/* Calls @entry for each mapping of a list, with its MAPPING_START current. */
int mgp_parse_entries(struct parser *p, const char *key, bool nonempty,
		      int (*entry)(struct parser *))
{
	struct mg_loc loc = mg_yaml_here(&p->y);
	size_t n = 0;

	if (p->y.ev.type != YAML_SEQUENCE_START_EVENT)
		return mg_yaml_reject(&p->y, "'%s' must be a list of mappings", key) < 0 ? -1 : 0;
	for (;;) {
		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		n++;
		if (p->y.ev.type != YAML_MAPPING_START_EVENT) {
			if (mg_yaml_reject(&p->y, "'%s' must be a list of mappings", key) < 0)
				return -1;
			continue;
		}
		if (entry(p))
			return -1;
	}
	if (nonempty && !n)
		mg_report(p->y.sink, loc, "'%s' must not be empty", key);
	return 0;
}

int mgp_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}
