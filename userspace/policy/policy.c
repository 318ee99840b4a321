// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Policy files: YAML read with libyaml's event API straight into the policy
 * model. Every file is parsed on its own into a part that is then merged,
 * so a file with errors never leaves a half-built entry in a policy that is
 * handed out; all errors go to a struct mg_diags with their file:line:col.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include <linux/types.h>

#include "mguard_abi.h"
#include "policy/policy.h"
#include "core/util.h"
#include "core/yaml_reader.h"

_Static_assert(MG_POLICY_MAX_SCOPES == MG_MAX_SCOPES, "the scope limit is the ABI's");

#define LOC_TEXT_MAX (PATH_MAX + 32)

/*
 * Grow an array about to receive its element @n: capacities are powers of
 * two, so the capacity follows from the count. Only for arrays built here.
 */
static int grow(void *arrp, size_t n, size_t size)
{
	void **arr = arrp;
	size_t cap;
	void *v;

	if (n & (n - 1))
		return 0;
	cap = n ? n * 2 : 1;
	if (cap > SIZE_MAX / size)
		return -ENOMEM;
	v = realloc(*arr, cap * size);
	if (!v)
		return -ENOMEM;
	*arr = v;
	return 0;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct mg_policy *mg_policy_new(void)
{
	return calloc(1, sizeof(struct mg_policy));
}

void mg_policy_free(struct mg_policy *policy)
{
	if (!policy)
		return;
	for (size_t i = 0; i < policy->ntiers; i++) {
		struct mg_tier *t = &policy->tiers[i];

		free(t->name);
		for (size_t j = 0; j < t->nwhen; j++) {
			free(t->when[j].metric);
			free(t->when[j].text);
		}
		free(t->when);
	}
	for (size_t i = 0; i < policy->nmodels; i++) {
		struct mg_model *m = &policy->models[i];

		free(m->name);
		free(m->tier);
		free_strs(m->files, m->nfiles);
		free(m->file_locs);
		for (size_t j = 0; j < m->nmetrics; j++)
			free(m->metrics[j].name);
		free(m->metrics);
		for (size_t j = 0; j < m->ndigests; j++)
			free(m->digests[j].path);
		free(m->digests);
		free(m->tier_reason);
	}
	for (size_t i = 0; i < policy->nscopes; i++) {
		struct mg_scope *sc = &policy->scopes[i];

		free(sc->name);
		free(sc->cgroup);
		free(sc->max_tier);
		free(sc->egress);
		free_strs(sc->licenses, sc->nlicenses);
		free(sc->license_locs);
		free_strs(sc->outputs, sc->noutputs);
		free(sc->output_locs);
		free_strs(sc->unix_sockets, sc->nunix_sockets);
		free(sc->unix_socket_locs);
		free_strs(sc->reads, sc->nreads);
		free(sc->read_locs);
		for (size_t j = 0; j < sc->ngpus; j++)
			free(sc->gpus[j].uuid);
		free(sc->gpus);
	}
	free_strs(policy->sources, policy->nsources);
	free_strs(policy->trusted_keys, policy->ntrusted_keys);
	free(policy->trusted_key_locs);
	free(policy->tiers);
	free(policy->models);
	free(policy->scopes);
	free(policy->default_tier);
	free(policy->dir);
	free(policy);
}

const struct mg_tier *mg_policy_find_tier(const struct mg_policy *policy, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < policy->ntiers; i++)
		if (policy->tiers[i].name && strcmp(policy->tiers[i].name, name) == 0)
			return &policy->tiers[i];
	return NULL;
}

/* What is wrong with a scope's cgroup path, or NULL. */
static const char *cgroup_problem(const char *s)
{
	size_t n = strlen(s);

	if (s[0] != '/')
		return "must be an absolute path";
	if (n == 1)
		return "the root cgroup cannot be a scope";
	if (strstr(s, "//"))
		return "must not contain '//'";
	if (s[n - 1] == '/')
		return "must not end with '/'";
	for (const char *c = s + 1; c; c = strchr(c, '/')) {
		size_t len;

		if (*c == '/')
			c++;
		len = strcspn(c, "/");
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return "must not contain '.' or '..' components";
	}
	if (n >= PATH_MAX)
		return "is too long";
	return NULL;
}

enum {
	PATH_ABSOLUTE = 1u << 0,  /* must start with '/' */
	PATH_NO_DOTDOT = 1u << 1, /* no '..' component */
	PATH_NO_DOTS = 1u << 2,	  /* no '.' or '..' component */
};

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

/* ---- Repeated keys ------------------------------------------------------- */

struct item {
	const char *key;
	const char *owner; /* name of the entry it belongs to, or NULL */
	struct mg_loc loc;
	const struct item *first; /* the earlier item with the same key */
};

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
static int find_dups(struct item *items, size_t n)
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

/* ---- YAML events -------------------------------------------------------- */

struct keytab {
	const char *where; /* "in tier": for "unknown key 'x' in tier" */
	const char *const *keys;
	size_t nkeys;
	unsigned int required; /* bit i: keys[i] must be present */
};

enum {
	TOP_API,
	TOP_MODE,
	TOP_UNKNOWN_WEIGHTS,
	TOP_DEFAULT_TIER,
	TOP_TRUSTED_KEYS,
	TOP_TIERS,
	TOP_MODELS,
	TOP_SCOPES,
	TOP__N
};
static const char *const top_keys[TOP__N] = {
	"apiVersion",  "mode",	"unknownWeights", "defaultTier",
	"trustedKeys", "tiers", "models",	  "scopes",
};
static const struct keytab top_kt = {
	"at top level",
	top_keys,
	TOP__N,
	1u << TOP_API,
};

enum {
	TIER_NAME,
	TIER_LEVEL,
	TIER_REQUIRES_LICENSE,
	TIER_WHEN,
	TIER__N
};
static const char *const tier_keys[TIER__N] = { "name", "level", "requiresLicense", "when" };
static const struct keytab tier_kt = {
	"in tier",
	tier_keys,
	TIER__N,
	(1u << TIER_NAME) | (1u << TIER_LEVEL),
};

enum {
	MODEL_NAME,
	MODEL_TIER,
	MODEL_FILES,
	MODEL_METRICS,
	MODEL_SHA256,
	MODEL__N
};
static const char *const model_keys[MODEL__N] = { "name", "tier", "files", "metrics", "sha256" };
static const struct keytab model_kt = {
	"in model",
	model_keys,
	MODEL__N,
	(1u << MODEL_NAME) | (1u << MODEL_FILES),
};

enum {
	SCOPE_NAME,
	SCOPE_CGROUP,
	SCOPE_MAX_TIER,
	SCOPE_EGRESS,
	SCOPE_LICENSES,
	SCOPE_OUTPUTS,
	SCOPE_GPUS,
	SCOPE_UNIX_SOCKETS,
	SCOPE_READS,
	SCOPE_ALLOW_DEBUG,
	SCOPE__N
};
static const char *const scope_keys[SCOPE__N] = {
	"name",	   "cgroup", "maxTier",	    "egress", "licenses",
	"outputs", "gpus",   "unixSockets", "reads",  "allowDebug",
};
static const struct keytab scope_kt = {
	"in scope",
	scope_keys,
	SCOPE__N,
	(1u << SCOPE_NAME) | (1u << SCOPE_CGROUP) | (1u << SCOPE_MAX_TIER),
};

struct parser {
	struct mg_yaml y;	     /* its file is owned by part->sources */
	const struct mg_policy *dst; /* the policy this file is merged into */
	struct mg_policy *part;	     /* what this file defines */
	bool tiers_unsure;	     /* some tier of this file may be missing */
	bool derive_unsure;	     /* what gives some model its tier may be missing */
};

/*
 * The current event is a value that must be a string. Returns 0 with a copy
 * in *ret, 1 when it is something else (reported with @bad), -1 to stop.
 */
static int get_str(struct parser *p, const char *bad, char **ret, struct mg_loc *ret_loc)
{
	const yaml_event_t *ev = &p->y.ev;
	const char *v;
	char *s;

	if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev))
		return mg_yaml_reject(&p->y, "%s", bad);
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
static int map_next(struct parser *p, const struct keytab *kt, struct mg_loc *seen, int *ret)
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
				if (kt == &top_kt && idx == TOP_TIERS)
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

static void check_required(struct parser *p, const struct keytab *kt, const struct mg_loc *seen,
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

static int get_name(struct parser *p, const char *kind, char **ret)
{
	struct mg_loc loc;
	char *s;
	int r;

	r = get_str(p, "'name' must be a string", &s, &loc);
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
static int parse_str_list(struct parser *p, const char *key, bool nonempty,
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
		struct mg_loc sloc;
		char *s;
		int r;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		r = get_str(p, bad, &s, &sloc);
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
static int parse_pairs(struct parser *p, const char *bad,
		       int (*pair)(struct parser *, void *, char *, struct mg_loc, size_t),
		       void *arg)
{
	size_t i = 0;

	if (p->y.ev.type != YAML_MAPPING_START_EVENT)
		return mg_yaml_reject(&p->y, "%s", bad) < 0 ? -1 : 0;
	for (;;) {
		struct mg_loc kloc;
		char *key = NULL;
		int r;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		r = get_str(p, "mapping keys must be strings", &key, &kloc);
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
static int report_dup_keys(struct parser *p, struct item *items, size_t n)
{
	char where[LOC_TEXT_MAX];

	if (find_dups(items, n)) {
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
static int push_str(struct parser *p, char ***v, struct mg_loc **locs, size_t *n, char *s,
		    struct mg_loc loc)
{
	if (grow(v, *n, sizeof(**v)) || grow(locs, *n, sizeof(**locs))) {
		free(s);
		return mg_yaml_nomem(&p->y);
	}
	(*v)[*n] = s;
	(*locs)[*n] = loc;
	(*n)++;
	return 0;
}

/* Whether @s is usable as a @what ("license path") under @rules; reported when not. */
static bool path_ok(struct parser *p, const char *what, const char *s, unsigned int rules,
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

static int get_bool(struct parser *p, const char *key, int *ret)
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
	return mg_yaml_reject(&p->y, "'%s' must be true or false", key);
}

/* Calls @entry for each mapping of a list, with its MAPPING_START current. */
static int parse_entries(struct parser *p, const char *key, bool nonempty,
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

static int get_level(struct parser *p, unsigned int *ret)
{
	const yaml_event_t *ev = &p->y.ev;
	unsigned int level = 0;
	const char *v;
	size_t n;

	if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev))
		return mg_yaml_reject(&p->y, "'level' must be an integer from 1 to 1000");
	v = (const char *)ev->data.scalar.value;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		mg_yaml_report(&p->y, "'level' must be an integer, not a quoted string");
		return 1;
	}
	n = ev->data.scalar.length;
	if (n >= 1 && n <= 4 && v[0] >= '1' && v[0] <= '9') {
		for (size_t i = 0; i < n && level <= 1000; i++)
			level = v[i] >= '0' && v[i] <= '9' ?
					level * 10 + (unsigned int)(v[i] - '0') :
					1001;
	} else {
		level = 1001;
	}
	if (level < 1 || level > 1000) {
		mg_report(p->y.sink, mg_yaml_here(&p->y),
			  "invalid tier level '%s' (must be an integer from 1 to 1000)", v);
		return 1;
	}
	*ret = level;
	return 0;
}

static int add_condition(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_tier *t = arg;
	struct mg_condition c = { 0 };
	const char *why = "invalid";
	int err;

	if (i == MG_POLICY_MAX_CONDITIONS)
		mg_report(p->y.sink, loc, "too many conditions in 'when' (at most %d)",
			  MG_POLICY_MAX_CONDITIONS);
	if (i >= MG_POLICY_MAX_CONDITIONS) {
		free(s);
		return 0;
	}
	err = mg_condition_parse(s, &c, &why);
	if (err == -ENOMEM) {
		free(s);
		return mg_yaml_nomem(&p->y);
	}
	if (err) {
		mg_report(p->y.sink, loc, "invalid condition '%s': %s", s, why);
		free(s);
		return 0;
	}
	if (grow(&t->when, t->nwhen, sizeof(*t->when))) {
		free(c.metric);
		free(s);
		return mg_yaml_nomem(&p->y);
	}
	c.text = s;
	c.loc = loc;
	t->when[t->nwhen++] = c;
	return 0;
}

static int parse_tier(struct parser *p)
{
	struct mg_loc seen[TIER__N] = { 0 };
	struct mg_policy *part = p->part;
	struct mg_tier *t;
	int r, k;

	if (grow(&part->tiers, part->ntiers, sizeof(*t)))
		return mg_yaml_nomem(&p->y);
	t = &part->tiers[part->ntiers++];
	memset(t, 0, sizeof(*t));
	t->loc = mg_yaml_here(&p->y);

	while ((r = map_next(p, &tier_kt, seen, &k)) > 0) {
		switch (k) {
		case TIER_NAME:
			r = get_name(p, "tier", &t->name);
			break;
		case TIER_LEVEL:
			r = get_level(p, &t->level);
			break;
		case TIER_REQUIRES_LICENSE:
			r = get_bool(p, "requiresLicense", &t->requires_license);
			break;
		default:
			r = parse_str_list(p, "when", false, add_condition, t);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	check_required(p, &tier_kt, seen, t->loc, "tier", t->name);
	return 0;
}

static int add_file(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_model *m = arg;

	if (s[0] != '/') {
		mg_report(p->y.sink, loc, "file path '%s' is not absolute", s);
		free(s);
		return 0;
	}
	if (strlen(s) >= PATH_MAX) {
		mg_report(p->y.sink, loc, "file path is longer than %d bytes", PATH_MAX - 1);
		free(s);
		return 0;
	}
	if (grow(&m->files, m->nfiles, sizeof(*m->files)) ||
	    grow(&m->file_locs, m->nfiles, sizeof(*m->file_locs))) {
		free(s);
		return mg_yaml_nomem(&p->y);
	}
	m->files[m->nfiles] = s;
	m->file_locs[m->nfiles] = loc;
	m->nfiles++;
	return 0;
}

static int add_metric(struct parser *p, void *arg, char *name, struct mg_loc kloc, size_t i)
{
	struct mg_model *m = arg;
	const yaml_event_t *ev = &p->y.ev;
	double value;
	int r = 0;

	if (i == MG_POLICY_MAX_METRICS)
		mg_report(p->y.sink, kloc, "too many metrics (at most %d)", MG_POLICY_MAX_METRICS);
	if (i >= MG_POLICY_MAX_METRICS) {
		r = mg_yaml_skip(&p->y);
	} else if (!mg_metric_name_valid(name)) {
		mg_report(
			p->y.sink, kloc,
			"invalid metric name '%s' (1 to %d of A-Z a-z 0-9 _, starting with a letter)",
			name, MG_POLICY_MAX_METRIC_NAME);
		r = mg_yaml_skip(&p->y);
	} else if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev)) {
		if (mg_yaml_reject(&p->y, "metric '%s' must be a number", name) < 0)
			r = -1;
	} else if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		mg_yaml_report(&p->y, "metric '%s' must be a number, not a quoted string", name);
	} else if (mg_number_parse((const char *)ev->data.scalar.value, &value)) {
		mg_report(p->y.sink, mg_yaml_here(&p->y),
			  "invalid value '%s' for metric '%s' (expected a finite number)",
			  (const char *)ev->data.scalar.value, name);
	} else {
		if (grow(&m->metrics, m->nmetrics, sizeof(*m->metrics))) {
			free(name);
			return mg_yaml_nomem(&p->y);
		}
		m->metrics[m->nmetrics++] = (struct mg_metric){
			.name = name,
			.value = value,
			.loc = kloc,
		};
		return 0;
	}
	free(name);
	return r;
}

static int parse_metrics(struct parser *p, struct mg_model *m)
{
	struct item *items;

	if (parse_pairs(p, "'metrics' must be a mapping of metric names to numbers", add_metric, m))
		return -1;
	if (m->nmetrics < 2)
		return 0;
	items = calloc(m->nmetrics, sizeof(*items));
	if (!items)
		return mg_yaml_nomem(&p->y);
	for (size_t i = 0; i < m->nmetrics; i++)
		items[i] = (struct item){ .key = m->metrics[i].name, .loc = m->metrics[i].loc };
	return report_dup_keys(p, items, m->nmetrics);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 64 hex digits, either case, into @out. */
static bool parse_sha256(const char *s, size_t n, uint8_t out[32])
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < 32; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static int add_digest(struct parser *p, void *arg, char *path, struct mg_loc kloc, size_t i)
{
	struct mg_model *m = arg;
	const yaml_event_t *ev = &p->y.ev;
	struct mg_digest d = { .path = path, .loc = kloc };
	int r = 0;

	if (!path_ok(p, "sha256 path", path, PATH_NO_DOTDOT, kloc)) {
		r = mg_yaml_skip(&p->y);
	} else if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev)) {
		if (mg_yaml_reject(&p->y, "the sha256 of '%s' must be a string of 64 hex digits",
				   path) < 0)
			r = -1;
	} else if (!parse_sha256((const char *)ev->data.scalar.value, ev->data.scalar.length,
				 d.sha256)) {
		mg_yaml_report(&p->y, "invalid sha256 '%s' for '%s' (expected 64 hex digits)",
			       (const char *)ev->data.scalar.value, path);
	} else {
		if (grow(&m->digests, m->ndigests, sizeof(*m->digests))) {
			free(path);
			return mg_yaml_nomem(&p->y);
		}
		m->digests[m->ndigests++] = d;
		return 0;
	}
	free(path);
	return r;
}

static int parse_digests(struct parser *p, struct mg_model *m)
{
	struct item *items;

	if (parse_pairs(p, "'sha256' must be a mapping of paths to SHA-256 digests", add_digest, m))
		return -1;
	if (m->ndigests < 2)
		return 0;
	items = calloc(m->ndigests, sizeof(*items));
	if (!items)
		return mg_yaml_nomem(&p->y);
	for (size_t i = 0; i < m->ndigests; i++)
		items[i] = (struct item){ .key = m->digests[i].path, .loc = m->digests[i].loc };
	return report_dup_keys(p, items, m->ndigests);
}

static int parse_model(struct parser *p)
{
	struct mg_loc seen[MODEL__N] = { 0 };
	struct mg_policy *part = p->part;
	unsigned int before = p->y.sink->nerr;
	struct mg_model *m;
	int r, k;

	if (grow(&part->models, part->nmodels, sizeof(*m)))
		return mg_yaml_nomem(&p->y);
	m = &part->models[part->nmodels++];
	memset(m, 0, sizeof(*m));
	m->loc = mg_yaml_here(&p->y);

	while ((r = map_next(p, &model_kt, seen, &k)) > 0) {
		switch (k) {
		case MODEL_NAME:
			r = get_name(p, "model", &m->name);
			break;
		case MODEL_TIER:
			r = get_str(p, "'tier' must be a string", &m->tier, &m->tier_loc);
			break;
		case MODEL_FILES:
			r = parse_str_list(p, "files", true, add_file, m);
			break;
		case MODEL_METRICS:
			r = parse_metrics(p, m);
			break;
		default:
			r = parse_digests(p, m);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	check_required(p, &model_kt, seen, m->loc, "model", m->name);
	/* What went wrong may be what would have given the model its tier. */
	if (!m->tier && p->y.sink->nerr != before)
		p->derive_unsure = true;
	return 0;
}

static int add_egress(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_scope *sc = arg;
	struct mg_egress_rule rule;
	const char *why = "invalid";

	if (mg_egress_parse(s, &rule, &why)) {
		mg_report(p->y.sink, loc, "invalid egress '%s': %s", s, why);
		free(s);
		return 0;
	}
	free(s);
	if (grow(&sc->egress, sc->negress, sizeof(*sc->egress)))
		return mg_yaml_nomem(&p->y);
	rule.loc = loc;
	sc->egress[sc->negress++] = rule;
	return 0;
}

static int add_license(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_scope *sc = arg;

	if (!path_ok(p, "license path", s, 0, loc)) {
		free(s);
		return 0;
	}
	return push_str(p, &sc->licenses, &sc->license_locs, &sc->nlicenses, s, loc);
}

static int add_output(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_scope *sc = arg;

	if (!path_ok(p, "output folder", s, PATH_ABSOLUTE | PATH_NO_DOTS, loc)) {
		free(s);
		return 0;
	}
	return push_str(p, &sc->outputs, &sc->output_locs, &sc->noutputs, s, loc);
}

static int add_read(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_scope *sc = arg;

	if (!path_ok(p, "readable path", s, PATH_ABSOLUTE | PATH_NO_DOTS, loc)) {
		free(s);
		return 0;
	}
	return push_str(p, &sc->reads, &sc->read_locs, &sc->nreads, s, loc);
}

static int add_unix_socket(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_scope *sc = arg;

	if (!path_ok(p, "UNIX socket path", s, PATH_ABSOLUTE | PATH_NO_DOTS, loc)) {
		free(s);
		return 0;
	}
	return push_str(p, &sc->unix_sockets, &sc->unix_socket_locs, &sc->nunix_sockets, s, loc);
}

#define GPUS_BAD "'gpus' must be all, none or a list of GPU indexes and UUIDs"

/* "GPU-" then 8-4-4-4-12 hex digits. */
static bool valid_gpu_uuid(const char *s)
{
	static const unsigned int groups[] = { 8, 4, 4, 4, 12 };

	if (strncmp(s, "GPU-", 4) != 0)
		return false;
	s += 4;
	for (size_t g = 0; g < MG_ARRAY_SIZE(groups); g++) {
		if (g && *s++ != '-')
			return false;
		for (unsigned int j = 0; j < groups[g]; j++)
			if (hex_value(*s++) < 0)
				return false;
	}
	return *s == '\0';
}

/* An index from 0 to 255, in decimal without leading zeros. */
static bool parse_gpu_index(const char *s, unsigned int *ret)
{
	size_t n = strlen(s);
	unsigned int v = 0;

	if (!n || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > 255)
		return false;
	*ret = v;
	return true;
}

/* One item of a 'gpus' list. Returns 0 with *ret filled, 1 when reported, -1 to stop. */
static int get_gpu(struct parser *p, struct mg_gpu *ret)
{
	const yaml_event_t *ev = &p->y.ev;
	const char *v;
	char *uuid;

	if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev))
		return mg_yaml_reject(&p->y, GPUS_BAD);
	v = (const char *)ev->data.scalar.value;
	if (strlen(v) != ev->data.scalar.length) {
		mg_yaml_report(&p->y, "strings must not contain NUL characters");
		return 1;
	}
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    ((v[0] >= '0' && v[0] <= '9') || v[0] == '-' || v[0] == '+')) {
		*ret = (struct mg_gpu){ .kind = MG_GPU_INDEX, .loc = mg_yaml_here(&p->y) };
		if (parse_gpu_index(v, &ret->index))
			return 0;
		mg_report(p->y.sink, mg_yaml_here(&p->y),
			  "invalid GPU index '%s' (must be an integer from 0 to 255)", v);
		return 1;
	}
	if (strcmp(v, "all") == 0 || strcmp(v, "none") == 0) {
		mg_yaml_report(&p->y, "'%s' is not allowed in a list of GPUs", v);
		return 1;
	}
	if (strncmp(v, "GPU-", 4) != 0) {
		mg_report(p->y.sink, mg_yaml_here(&p->y),
			  "invalid GPU '%s' (expected an index from 0 to 255 or GPU-<uuid>)", v);
		return 1;
	}
	if (!valid_gpu_uuid(v)) {
		mg_report(p->y.sink, mg_yaml_here(&p->y),
			  "invalid GPU UUID '%s' (expected GPU- and 8-4-4-4-12 hex digits)", v);
		return 1;
	}
	uuid = strdup(v);
	if (!uuid)
		return mg_yaml_nomem(&p->y);
	*ret = (struct mg_gpu){ .kind = MG_GPU_UUID, .uuid = uuid, .loc = mg_yaml_here(&p->y) };
	return 0;
}

/* The GPU of @sc that @g names too (UUIDs compare without case), or NULL. */
static const struct mg_gpu *find_gpu(const struct mg_scope *sc, const struct mg_gpu *g)
{
	for (size_t i = 0; i < sc->ngpus; i++) {
		const struct mg_gpu *o = &sc->gpus[i];

		if (o->kind != g->kind)
			continue;
		if (g->kind == MG_GPU_INDEX ? o->index == g->index :
					      strcasecmp(o->uuid, g->uuid) == 0)
			return o;
	}
	return NULL;
}

static int parse_gpus(struct parser *p, struct mg_scope *sc)
{
	char where[LOC_TEXT_MAX];
	size_t n = 0;

	if (p->y.ev.type == YAML_SCALAR_EVENT && !mg_yaml_is_null(&p->y.ev)) {
		if (mg_yaml_scalar_is(&p->y.ev, "none"))
			return 0;
		if (!mg_yaml_scalar_is(&p->y.ev, "all")) {
			mg_report(
				p->y.sink, mg_yaml_here(&p->y),
				"invalid gpus '%s' (expected all, none or a list of GPU indexes and UUIDs)",
				(const char *)p->y.ev.data.scalar.value);
			return 1;
		}
		sc->gpus = calloc(1, sizeof(*sc->gpus));
		if (!sc->gpus)
			return mg_yaml_nomem(&p->y);
		sc->gpus[0] = (struct mg_gpu){ .kind = MG_GPU_ALL, .loc = mg_yaml_here(&p->y) };
		sc->ngpus = 1;
		return 0;
	}
	if (p->y.ev.type != YAML_SEQUENCE_START_EVENT)
		return mg_yaml_reject(&p->y, GPUS_BAD) < 0 ? -1 : 0;
	for (;;) {
		const struct mg_gpu *first;
		struct mg_gpu g;
		int r;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (n == MG_POLICY_MAX_GPUS)
			mg_yaml_report(&p->y, "too many GPUs (at most %d)", MG_POLICY_MAX_GPUS);
		if (n++ >= MG_POLICY_MAX_GPUS) {
			if (mg_yaml_skip(&p->y))
				return -1;
			continue;
		}
		r = get_gpu(p, &g);
		if (r < 0)
			return -1;
		if (r)
			continue;
		first = find_gpu(sc, &g);
		if (first) {
			mg_report(p->y.sink, g.loc, "duplicate GPU '%s' (first listed at %s)",
				  (const char *)p->y.ev.data.scalar.value,
				  mg_fmt_loc(where, sizeof(where), first->loc));
			free(g.uuid);
			continue;
		}
		if (grow(&sc->gpus, sc->ngpus, sizeof(*sc->gpus))) {
			free(g.uuid);
			return mg_yaml_nomem(&p->y);
		}
		sc->gpus[sc->ngpus++] = g;
	}
}

static int parse_scope(struct parser *p)
{
	struct mg_loc seen[SCOPE__N] = { 0 };
	struct mg_policy *part = p->part;
	struct mg_scope *sc;
	const char *why;
	int r, k;

	if (grow(&part->scopes, part->nscopes, sizeof(*sc)))
		return mg_yaml_nomem(&p->y);
	sc = &part->scopes[part->nscopes++];
	memset(sc, 0, sizeof(*sc));
	sc->loc = mg_yaml_here(&p->y);

	while ((r = map_next(p, &scope_kt, seen, &k)) > 0) {
		switch (k) {
		case SCOPE_NAME:
			r = get_name(p, "scope", &sc->name);
			break;
		case SCOPE_CGROUP:
			r = get_str(p, "'cgroup' must be a string", &sc->cgroup, &sc->cgroup_loc);
			if (r == 0 && (why = cgroup_problem(sc->cgroup))) {
				mg_report(p->y.sink, sc->cgroup_loc, "invalid cgroup '%s': %s",
					  sc->cgroup, why);
				free(sc->cgroup);
				sc->cgroup = NULL;
			}
			break;
		case SCOPE_MAX_TIER:
			r = get_str(p, "'maxTier' must be a string", &sc->max_tier,
				    &sc->max_tier_loc);
			break;
		case SCOPE_EGRESS:
			r = parse_str_list(p, "egress", false, add_egress, sc);
			break;
		case SCOPE_LICENSES:
			r = parse_str_list(p, "licenses", false, add_license, sc);
			break;
		case SCOPE_OUTPUTS:
			r = parse_str_list(p, "outputs", false, add_output, sc);
			break;
		case SCOPE_READS:
			r = parse_str_list(p, "reads", false, add_read, sc);
			break;
		case SCOPE_UNIX_SOCKETS:
			r = parse_str_list(p, "unixSockets", false, add_unix_socket, sc);
			break;
		case SCOPE_ALLOW_DEBUG:
			r = get_bool(p, "allowDebug", &sc->allow_debug);
			break;
		default:
			r = parse_gpus(p, sc);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	check_required(p, &scope_kt, seen, sc->loc, "scope", sc->name);
	return 0;
}

/* A top-level setting that one file at most makes: false (reported) when @first is a place. */
static bool set_once(struct parser *p, const char *key, struct mg_loc first, struct mg_loc loc)
{
	char where[LOC_TEXT_MAX];

	if (!first.file)
		return true;
	mg_report(p->y.sink, loc, "'%s' is already set (first set at %s)", key,
		  mg_fmt_loc(where, sizeof(where), first));
	return false;
}

static int parse_mode(struct parser *p)
{
	struct mg_loc loc;
	enum mg_policy_mode mode;
	char *s;
	int r;

	r = get_str(p, "'mode' must be a string", &s, &loc);
	if (r)
		return r;
	if (strcmp(s, "enforce") == 0) {
		mode = MG_POLICY_ENFORCE;
	} else if (strcmp(s, "audit") == 0) {
		mode = MG_POLICY_AUDIT;
	} else {
		mg_report(p->y.sink, loc, "invalid mode '%s' (expected enforce or audit)", s);
		free(s);
		return 1;
	}
	free(s);
	if (!set_once(p, "mode", p->dst->mode_loc, loc))
		return 1;
	p->part->mode = mode;
	p->part->mode_loc = loc;
	return 0;
}

static int parse_unknown_weights(struct parser *p)
{
	static const char *const names[] = {
		[MG_UNKNOWN_DENY] = "deny",
		[MG_UNKNOWN_AUDIT] = "audit",
		[MG_UNKNOWN_ALLOW] = "allow",
	};
	struct mg_loc loc;
	int found = -1;
	char *s;
	int r;

	r = get_str(p, "'unknownWeights' must be a string", &s, &loc);
	if (r)
		return r;
	for (size_t i = 0; i < MG_ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0)
			found = (int)i;
	if (found < 0)
		mg_report(p->y.sink, loc,
			  "invalid unknownWeights '%s' (expected deny, audit or allow)", s);
	free(s);
	if (found < 0 || !set_once(p, "unknownWeights", p->dst->unknown_weights_loc, loc))
		return 1;
	p->part->unknown_weights = (enum mg_unknown_weights)found;
	p->part->unknown_weights_loc = loc;
	return 0;
}

static int parse_default_tier(struct parser *p)
{
	struct mg_loc loc;
	char *s;
	int r;

	r = get_str(p, "'defaultTier' must be a string", &s, &loc);
	if (r)
		return r;
	if (!set_once(p, "defaultTier", p->dst->default_tier_loc, loc)) {
		free(s);
		return 1;
	}
	p->part->default_tier = s;
	p->part->default_tier_loc = loc;
	return 0;
}

static int add_trusted_key(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_policy *part = arg;

	if (!path_ok(p, "key path", s, 0, loc)) {
		free(s);
		return 0;
	}
	return push_str(p, &part->trusted_keys, &part->trusted_key_locs, &part->ntrusted_keys, s,
			loc);
}

static int parse_api_version(struct parser *p)
{
	struct mg_loc loc;
	char *s;
	int r;

	r = get_str(p, "'apiVersion' must be a string", &s, &loc);
	if (r)
		return r;
	if (strcmp(s, MG_POLICY_API_VERSION) != 0)
		mg_report(p->y.sink, loc, "unsupported apiVersion '%s' (expected '%s')", s,
			  MG_POLICY_API_VERSION);
	free(s);
	return 0;
}

/* The document's root mapping. @arg: the parser. */
static int parse_top(void *arg)
{
	struct parser *p = arg;
	struct mg_loc seen[TOP__N] = { 0 };
	struct mg_loc loc = mg_yaml_here(&p->y);
	unsigned int before;
	int r, k;

	while ((r = map_next(p, &top_kt, seen, &k)) > 0) {
		switch (k) {
		case TOP_API:
			r = parse_api_version(p);
			break;
		case TOP_MODE:
			r = parse_mode(p);
			break;
		case TOP_UNKNOWN_WEIGHTS:
			r = parse_unknown_weights(p);
			break;
		case TOP_DEFAULT_TIER:
			before = p->y.sink->nerr;
			r = parse_default_tier(p);
			if (p->y.sink->nerr != before)
				p->derive_unsure = true;
			break;
		case TOP_TRUSTED_KEYS:
			r = parse_str_list(p, "trustedKeys", false, add_trusted_key, p->part);
			break;
		case TOP_TIERS:
			before = p->y.sink->nerr;
			r = parse_entries(p, "tiers", true, parse_tier);
			if (p->y.sink->nerr != before)
				p->tiers_unsure = true;
			break;
		case TOP_MODELS:
			r = parse_entries(p, "models", false, parse_model);
			break;
		default:
			r = parse_entries(p, "scopes", false, parse_scope);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	check_required(p, &top_kt, seen, loc, NULL, NULL);
	return 0;
}

/* Forget the tiers resolved by an earlier validation (they point into dst->tiers). */
static void forget_resolved(struct mg_policy *pol)
{
	for (size_t i = 0; i < pol->nmodels; i++) {
		free(pol->models[i].tier_reason);
		pol->models[i].tier_reason = NULL;
		pol->models[i].resolved_tier = NULL;
	}
}

/* Move everything @src holds to the end of @dst; all or nothing. */
static int merge(struct mg_policy *dst, struct mg_policy *src)
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
		forget_resolved(dst);
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

/* What a file with errors may have left out, so that checks built on it would mislead. */
enum {
	UNSURE_TIERS = 1u << 0,	 /* tiers: no reference checks */
	UNSURE_DERIVE = 1u << 1, /* what gives models their tier: no "has no tier" */
	UNSURE_ALL = UNSURE_TIERS | UNSURE_DERIVE,
};

/*
 * Parse one file into @policy. With @keep_partial, what was understood of a
 * file with errors is merged too (so cross-file checks can run on it), and
 * UNSURE_* bits are added to *unsure for what it may have left out.
 */
static int parse_into(struct mg_policy *policy, const char *name, const char *buf, size_t len,
		      struct mg_diags *diags, bool keep_partial, unsigned int *unsure)
{
	struct mg_sink sink = { .diags = diags };
	struct parser p = { .dst = policy };
	struct mg_policy *part;
	int err;

	part = mg_policy_new();
	if (!part)
		return -ENOMEM;
	part->sources = malloc(sizeof(*part->sources));
	if (!part->sources)
		goto nomem;
	part->sources[0] = strdup(name);
	if (!part->sources[0])
		goto nomem;
	part->nsources = 1;
	p.part = part;

	if (mg_yaml_open(&p.y, &sink, part->sources[0], buf, len, MG_POLICY_MAX_DEPTH))
		goto nomem;
	mg_yaml_document(&p.y, "policy", parse_top, &p);
	mg_yaml_close(&p.y);

	if (p.y.oom)
		goto nomem;
	if (sink.nerr && !keep_partial) {
		mg_policy_free(part);
		return -EINVAL;
	}
	if (unsure && (p.y.stop || p.tiers_unsure))
		*unsure |= UNSURE_ALL;
	if (unsure && p.derive_unsure)
		*unsure |= UNSURE_DERIVE;
	err = merge(policy, part);
	mg_policy_free(part);
	if (err)
		return err;
	return sink.nerr ? -EINVAL : 0;

nomem:
	mg_policy_free(part);
	return -ENOMEM;
}

int mg_policy_parse_buffer(struct mg_policy *policy, const char *name, const char *buf, size_t len,
			   struct mg_diags *diags)
{
	return parse_into(policy, name, buf, len, diags, false, NULL);
}

/* ---- Validation ---------------------------------------------------------- */

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
	int err = find_dups(items, n);

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

/* Two scopes on one cgroup would each claim it. */
static int check_cgroups(struct mg_policy *pol, struct mg_sink *s)
{
	struct item *items;
	size_t n = 0;

	items = calloc(pol->nscopes + 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < pol->nscopes; i++) {
		const struct mg_scope *sc = &pol->scopes[i];

		if (sc->cgroup)
			items[n++] = (struct item){ .key = sc->cgroup,
						    .owner = sc->name,
						    .loc = sc->cgroup_loc };
	}
	return check_unique(s, items, n, DUP_CGROUP);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
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
	qsort(names, n, sizeof(*names), cmp_str);

	for (size_t i = 0; i < pol->nmodels; i++) {
		const struct mg_model *m = &pol->models[i];

		if (m->tier && !bsearch(&m->tier, names, n, sizeof(*names), cmp_str))
			mg_report(s, m->tier_loc, "unknown tier '%s'", m->tier);
	}
	for (size_t i = 0; i < pol->nscopes; i++) {
		const struct mg_scope *sc = &pol->scopes[i];

		if (sc->max_tier && !bsearch(&sc->max_tier, names, n, sizeof(*names), cmp_str))
			mg_report(s, sc->max_tier_loc, "unknown tier '%s'", sc->max_tier);
	}
	if (pol->default_tier && !bsearch(&pol->default_tier, names, n, sizeof(*names), cmp_str))
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

static int validate(struct mg_policy *pol, struct mg_diags *diags, unsigned int unsure)
{
	struct mg_sink s = { .diags = diags };
	int err;

	forget_resolved(pol);
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
	return validate(policy, diags, 0);
}

/* ---- Policy folders ------------------------------------------------------ */

static bool is_policy_file_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *path;

	if (asprintf(&path, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name) < 0)
		return NULL;
	return path;
}

char *mg_policy_path(const struct mg_policy *policy, const char *path)
{
	if (path[0] == '/' || !policy->dir)
		return strdup(path);
	return join(policy->dir, path);
}

/*
 * The names of the policy files of @dir, sorted. Returns 0, -EINVAL when
 * the folder cannot be used (reported), or -ENOMEM.
 */
static int list_dir(const char *dir, struct mg_sink *s, char ***ret_names, size_t *ret_n)
{
	const struct mg_loc noloc = { 0 };
	char **names = NULL;
	size_t n = 0;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		mg_report(s, noloc, "cannot open policy folder '%s': %s", dir, strerror(errno));
		return -EINVAL;
	}
	for (;;) {
		struct dirent *de;
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				mg_report(s, noloc, "cannot read policy folder '%s': %s", dir,
					  strerror(errno));
				err = -EINVAL;
			}
			break;
		}
		if (!is_policy_file_name(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0) {
			int e = errno;
			char *path = join(dir, de->d_name);

			if (!path) {
				err = -ENOMEM;
				break;
			}
			mg_report(s, (struct mg_loc){ .file = path }, "cannot read file: %s",
				  strerror(e));
			free(path);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (n == MG_POLICY_MAX_FILES) {
			mg_report(s, noloc, "too many policy files in '%s' (more than %d)", dir,
				  MG_POLICY_MAX_FILES);
			err = -EINVAL;
			break;
		}
		if (grow(&names, n, sizeof(*names)) || !(names[n] = strdup(de->d_name))) {
			err = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!err && !n && !s->nerr) {
		mg_report(s, noloc, "no policy files (*.yaml, *.yml) in '%s'", dir);
		err = -EINVAL;
	}
	if (err) {
		while (n--)
			free(names[n]);
		free(names);
		return err;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	*ret_names = names;
	*ret_n = n;
	return 0;
}

int mg_policy_load_dir(const char *dir, struct mg_policy **ret, struct mg_diags *diags)
{
	struct mg_sink s = { .diags = diags };
	struct mg_policy *pol = NULL;
	char **names = NULL;
	size_t n = 0;
	unsigned int unsure = 0;
	bool failed = false;
	int err;

	err = list_dir(dir, &s, &names, &n);
	if (err)
		return err;
	if (s.nerr) {
		unsure = UNSURE_ALL;
		failed = true;
	}

	pol = mg_policy_new();
	if (!pol) {
		err = -ENOMEM;
		goto out;
	}
	pol->dir = strdup(dir);
	if (!pol->dir) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char *path = join(dir, names[i]);
		char *buf;
		size_t len;

		if (!path) {
			err = -ENOMEM;
			goto out;
		}
		/* One byte over the limit, so a file of exactly the limit reads fine. */
		err = mg_read_file(path, MG_POLICY_MAX_FILE_SIZE + 1, &buf, &len);
		if (err == -EFBIG)
			mg_report(&s, (struct mg_loc){ .file = path }, "file is larger than %u MiB",
				  MG_POLICY_MAX_FILE_SIZE >> 20);
		else if (err && err != -ENOMEM)
			mg_report(&s, (struct mg_loc){ .file = path }, "cannot read file: %s",
				  strerror(-err));
		if (err) {
			free(path);
			if (err == -ENOMEM)
				goto out;
			unsure = UNSURE_ALL;
			failed = true;
			continue;
		}
		err = parse_into(pol, path, buf, len, diags, true, &unsure);
		free(buf);
		free(path);
		if (err == -ENOMEM)
			goto out;
		if (err)
			failed = true;
	}

	err = validate(pol, diags, unsure);
	if (!err && failed)
		err = -EINVAL;
out:
	while (n--)
		free(names[n]);
	free(names);
	if (err) {
		mg_policy_free(pol);
		return err;
	}
	*ret = pol;
	return 0;
}
