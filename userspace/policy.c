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

#include "policy.h"
#include "util.h"

#define LOC_TEXT_MAX (PATH_MAX + 32)

/* Where errors go, and how many there were (mg_diag_add may drop one). */
struct sink {
	struct mg_diags *diags;
	unsigned int nerr;
};

static void report(struct sink *s, struct mg_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct sink *s, struct mg_loc loc, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	s->nerr++;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	mg_diag_add(s->diags, loc, "%s", msg);
	free(msg);
}

static const char *fmt_loc(char *buf, size_t size, struct mg_loc loc)
{
	if (!loc.file)
		snprintf(buf, size, "built-in defaults");
	else if (loc.line)
		snprintf(buf, size, "%s:%u:%u", loc.file, loc.line, loc.col);
	else
		snprintf(buf, size, "%s", loc.file);
	return buf;
}

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

struct mg_policy *mg_policy_new(void)
{
	return calloc(1, sizeof(struct mg_policy));
}

void mg_policy_free(struct mg_policy *policy)
{
	if (!policy)
		return;
	for (size_t i = 0; i < policy->ntiers; i++)
		free(policy->tiers[i].name);
	for (size_t i = 0; i < policy->nmodels; i++) {
		struct mg_model *m = &policy->models[i];

		free(m->name);
		free(m->tier);
		for (size_t j = 0; j < m->nfiles; j++)
			free(m->files[j]);
		free(m->files);
		free(m->file_locs);
	}
	for (size_t i = 0; i < policy->nscopes; i++) {
		struct mg_scope *sc = &policy->scopes[i];

		free(sc->name);
		free(sc->cgroup);
		free(sc->max_tier);
		free(sc->egress);
	}
	for (size_t i = 0; i < policy->nsources; i++)
		free(policy->sources[i]);
	free(policy->tiers);
	free(policy->models);
	free(policy->scopes);
	free(policy->sources);
	free(policy);
}

const struct mg_tier *mg_policy_find_tier(const struct mg_policy *policy, const char *name)
{
	for (size_t i = 0; i < policy->ntiers; i++)
		if (policy->tiers[i].name && strcmp(policy->tiers[i].name, name) == 0)
			return &policy->tiers[i];
	return NULL;
}

/* Names: [A-Za-z0-9][A-Za-z0-9._-]{0,62} */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > MG_POLICY_MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
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

/* ---- YAML events -------------------------------------------------------- */

struct keytab {
	const char *where;		/* "in tier": for "unknown key 'x' in tier" */
	const char *const *keys;
	size_t nkeys;
	unsigned int required;		/* bit i: keys[i] must be present */
};

enum { TOP_API, TOP_MODE, TOP_TIERS, TOP_MODELS, TOP_SCOPES, TOP__N };
static const char *const top_keys[TOP__N] = {
	"apiVersion", "mode", "tiers", "models", "scopes",
};
static const struct keytab top_kt = {
	"at top level", top_keys, TOP__N, 1u << TOP_API,
};

enum { TIER_NAME, TIER_LEVEL, TIER__N };
static const char *const tier_keys[TIER__N] = { "name", "level" };
static const struct keytab tier_kt = {
	"in tier", tier_keys, TIER__N, (1u << TIER_NAME) | (1u << TIER_LEVEL),
};

enum { MODEL_NAME, MODEL_TIER, MODEL_FILES, MODEL__N };
static const char *const model_keys[MODEL__N] = { "name", "tier", "files" };
static const struct keytab model_kt = {
	"in model", model_keys, MODEL__N,
	(1u << MODEL_NAME) | (1u << MODEL_TIER) | (1u << MODEL_FILES),
};

enum { SCOPE_NAME, SCOPE_CGROUP, SCOPE_MAX_TIER, SCOPE_EGRESS, SCOPE__N };
static const char *const scope_keys[SCOPE__N] = { "name", "cgroup", "maxTier", "egress" };
static const struct keytab scope_kt = {
	"in scope", scope_keys, SCOPE__N,
	(1u << SCOPE_NAME) | (1u << SCOPE_CGROUP) | (1u << SCOPE_MAX_TIER),
};

struct parser {
	struct sink *sink;
	yaml_parser_t yaml;
	yaml_event_t ev;		/* the current event, when have_ev */
	bool have_ev;
	const char *file;		/* owned by part->sources */
	const char *buf;
	size_t len;
	const struct mg_policy *dst;	/* the policy this file is merged into */
	struct mg_policy *part;		/* what this file defines */
	unsigned int depth;
	bool stop;			/* no more events: syntax error, too deep, no memory */
	bool oom;
	bool tiers_unsure;		/* some tier of this file may be missing */
};

static struct mg_loc mark_loc(const struct parser *p, yaml_mark_t m)
{
	return (struct mg_loc){
		.file = p->file,
		.line = (unsigned int)m.line + 1,
		.col = (unsigned int)m.column + 1,
	};
}

static struct mg_loc here(const struct parser *p)
{
	return mark_loc(p, p->ev.start_mark);
}

static int nomem(struct parser *p)
{
	p->oom = true;
	p->stop = true;
	return -1;
}

/* libyaml counts lines and characters (not bytes) from 0; reader errors give a byte offset. */
static struct mg_loc offset_loc(const struct parser *p, size_t offset)
{
	struct mg_loc loc = { .file = p->file, .line = 1, .col = 1 };

	if (offset > p->len)
		offset = p->len;
	for (size_t i = 0; i < offset; i++) {
		unsigned char c = (unsigned char)p->buf[i];

		if (c == '\n') {
			loc.line++;
			loc.col = 1;
		} else if ((c & 0xc0) != 0x80) {
			loc.col++;
		}
	}
	return loc;
}

static void yaml_error(struct parser *p)
{
	const yaml_parser_t *y = &p->yaml;
	const char *problem = y->problem ? y->problem : "invalid YAML";

	switch (y->error) {
	case YAML_MEMORY_ERROR:
		nomem(p);
		break;
	case YAML_READER_ERROR:
		report(p->sink, offset_loc(p, y->problem_offset), "%s", problem);
		break;
	default:
		if (y->context)
			report(p->sink, mark_loc(p, y->problem_mark), "%s (%s at %zu:%zu)", problem,
			       y->context, y->context_mark.line + 1, y->context_mark.column + 1);
		else
			report(p->sink, mark_loc(p, y->problem_mark), "%s", problem);
		break;
	}
}

static bool is_start(const yaml_event_t *ev)
{
	return ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT;
}

static bool is_end(const yaml_event_t *ev)
{
	return ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT;
}

/* Move to the next event. Returns -1 when parsing has stopped. */
static int next(struct parser *p)
{
	yaml_event_t *ev = &p->ev;
	yaml_char_t *anchor = NULL, *tag = NULL;

	if (p->have_ev) {
		yaml_event_delete(ev);
		p->have_ev = false;
	}
	if (p->stop)
		return -1;
	if (!yaml_parser_parse(&p->yaml, ev)) {
		yaml_error(p);
		p->stop = true;
		return -1;
	}
	p->have_ev = true;

	switch (ev->type) {
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_ALIAS_EVENT:
		report(p->sink, here(p), "aliases are not supported");
		break;
	default:
		break;
	}
	if (is_start(ev) && ++p->depth > MG_POLICY_MAX_DEPTH) {
		report(p->sink, here(p), "nesting is deeper than %d levels", MG_POLICY_MAX_DEPTH);
		p->stop = true;
		return -1;
	}
	if (is_end(ev))
		p->depth--;
	if (anchor)
		report(p->sink, here(p), "anchors are not supported");
	if (tag)
		report(p->sink, here(p), "tags are not supported");
	return 0;
}

/* Skip the node whose first event is the current one; ends on its last event. */
static int skip_node(struct parser *p)
{
	unsigned int level;

	if (!is_start(&p->ev))
		return 0;
	for (level = 1; level;) {
		if (next(p))
			return -1;
		if (is_start(&p->ev))
			level++;
		else if (is_end(&p->ev))
			level--;
	}
	return 0;
}

/*
 * The current node is not what was expected: report it (an alias was
 * reported already) and skip it. Returns 1, or -1 when parsing stopped.
 */
static int reject(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int reject(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->ev.type != YAML_ALIAS_EVENT) {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = NULL;
		va_end(ap);
		if (!msg)
			return nomem(p);
		report(p->sink, here(p), "%s", msg);
		free(msg);
	}
	return skip_node(p) ? -1 : 1;
}

static bool scalar_is(const yaml_event_t *ev, const char *s)
{
	return ev->data.scalar.length == strlen(s) &&
	       memcmp(ev->data.scalar.value, s, ev->data.scalar.length) == 0;
}

static bool is_null(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (scalar_is(ev, "") || scalar_is(ev, "~") || scalar_is(ev, "null") ||
		scalar_is(ev, "Null") || scalar_is(ev, "NULL"));
}

/*
 * The current event is a value that must be a string. Returns 0 with a copy
 * in *ret, 1 when it is something else (reported with @bad), -1 to stop.
 */
static int get_str(struct parser *p, const char *bad, char **ret, struct mg_loc *ret_loc)
{
	const yaml_event_t *ev = &p->ev;
	const char *v;
	char *s;

	if (ev->type != YAML_SCALAR_EVENT || is_null(ev))
		return reject(p, "%s", bad);
	v = (const char *)ev->data.scalar.value;
	if (strlen(v) != ev->data.scalar.length) {
		report(p->sink, here(p), "strings must not contain NUL characters");
		return 1;
	}
	s = strdup(v);
	if (!s)
		return nomem(p);
	*ret = s;
	if (ret_loc)
		*ret_loc = here(p);
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

		if (next(p))
			return -1;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		kloc = here(p);
		if (p->ev.type == YAML_SCALAR_EVENT) {
			const char *k = (const char *)p->ev.data.scalar.value;

			for (size_t i = 0; i < kt->nkeys; i++)
				if (scalar_is(&p->ev, kt->keys[i]))
					idx = (int)i;
			if (idx < 0) {
				report(p->sink, kloc, "unknown key '%s' %s", k, kt->where);
			} else if (seen[idx].file) {
				report(p->sink, kloc, "duplicate key '%s' (first defined at %s)", k,
				       fmt_loc(where, sizeof(where), seen[idx]));
				if (kt == &top_kt && idx == TOP_TIERS)
					p->tiers_unsure = true;
				idx = -1;
			} else {
				seen[idx] = kloc;
			}
		} else if (reject(p, "mapping keys must be strings") < 0) {
			return -1;
		}
		if (next(p))
			return -1;
		if (idx >= 0) {
			*ret = idx;
			return 1;
		}
		if (skip_node(p))
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
			report(p->sink, loc, "missing key '%s' in %s '%s'", key, kind, name);
		else if (kind)
			report(p->sink, loc, "missing key '%s' in %s", key, kind);
		else
			report(p->sink, loc, "missing key '%s'", key);
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
	if (!valid_name(s)) {
		report(p->sink, loc,
		       "invalid %s name '%s' (1 to %d of A-Z a-z 0-9 . _ -, starting with a letter or digit)",
		       kind, s, MG_POLICY_MAX_NAME);
		free(s);
		return 1;
	}
	*ret = s;
	return 0;
}

/* Calls @add for each string of a list (it takes the string); @key names the list. */
static int parse_str_list(struct parser *p, const char *key, bool nonempty,
			  int (*add)(struct parser *, void *, char *, struct mg_loc), void *arg)
{
	struct mg_loc loc = here(p);
	char bad[64];
	size_t n = 0;

	snprintf(bad, sizeof(bad), "'%s' must be a list of strings", key);
	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
		return reject(p, "%s", bad) < 0 ? -1 : 0;
	for (;;) {
		struct mg_loc sloc;
		char *s;
		int r;

		if (next(p))
			return -1;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		n++;
		r = get_str(p, bad, &s, &sloc);
		if (r < 0)
			return -1;
		if (r == 0 && add(p, arg, s, sloc))
			return -1;
	}
	if (nonempty && !n)
		report(p->sink, loc, "'%s' must not be empty", key);
	return 0;
}

/* Calls @entry for each mapping of a list, with its MAPPING_START current. */
static int parse_entries(struct parser *p, const char *key, bool nonempty,
			 int (*entry)(struct parser *))
{
	struct mg_loc loc = here(p);
	size_t n = 0;

	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
		return reject(p, "'%s' must be a list of mappings", key) < 0 ? -1 : 0;
	for (;;) {
		if (next(p))
			return -1;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		n++;
		if (p->ev.type != YAML_MAPPING_START_EVENT) {
			if (reject(p, "'%s' must be a list of mappings", key) < 0)
				return -1;
			continue;
		}
		if (entry(p))
			return -1;
	}
	if (nonempty && !n)
		report(p->sink, loc, "'%s' must not be empty", key);
	return 0;
}

static int get_level(struct parser *p, unsigned int *ret)
{
	const yaml_event_t *ev = &p->ev;
	unsigned int level = 0;
	const char *v;
	size_t n;

	if (ev->type != YAML_SCALAR_EVENT || is_null(ev))
		return reject(p, "'level' must be an integer from 1 to 1000");
	v = (const char *)ev->data.scalar.value;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		report(p->sink, here(p), "'level' must be an integer, not a quoted string");
		return 1;
	}
	n = ev->data.scalar.length;
	if (n >= 1 && n <= 4 && v[0] >= '1' && v[0] <= '9') {
		for (size_t i = 0; i < n && level <= 1000; i++)
			level = v[i] >= '0' && v[i] <= '9' ? level * 10 + (unsigned int)(v[i] - '0')
							 : 1001;
	} else {
		level = 1001;
	}
	if (level < 1 || level > 1000) {
		report(p->sink, here(p),
		       "invalid tier level '%s' (must be an integer from 1 to 1000)", v);
		return 1;
	}
	*ret = level;
	return 0;
}

static int parse_tier(struct parser *p)
{
	struct mg_loc seen[TIER__N] = { 0 };
	struct mg_policy *part = p->part;
	struct mg_tier *t;
	int r, k;

	if (grow(&part->tiers, part->ntiers, sizeof(*t)))
		return nomem(p);
	t = &part->tiers[part->ntiers++];
	memset(t, 0, sizeof(*t));
	t->loc = here(p);

	while ((r = map_next(p, &tier_kt, seen, &k)) > 0) {
		if (k == TIER_NAME)
			r = get_name(p, "tier", &t->name);
		else
			r = get_level(p, &t->level);
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	check_required(p, &tier_kt, seen, t->loc, "tier", t->name);
	return 0;
}

static int add_file(struct parser *p, void *arg, char *s, struct mg_loc loc)
{
	struct mg_model *m = arg;

	if (s[0] != '/') {
		report(p->sink, loc, "file path '%s' is not absolute", s);
		free(s);
		return 0;
	}
	if (strlen(s) >= PATH_MAX) {
		report(p->sink, loc, "file path is longer than %d bytes", PATH_MAX - 1);
		free(s);
		return 0;
	}
	if (grow(&m->files, m->nfiles, sizeof(*m->files)) ||
	    grow(&m->file_locs, m->nfiles, sizeof(*m->file_locs))) {
		free(s);
		return nomem(p);
	}
	m->files[m->nfiles] = s;
	m->file_locs[m->nfiles] = loc;
	m->nfiles++;
	return 0;
}

static int parse_model(struct parser *p)
{
	struct mg_loc seen[MODEL__N] = { 0 };
	struct mg_policy *part = p->part;
	struct mg_model *m;
	int r, k;

	if (grow(&part->models, part->nmodels, sizeof(*m)))
		return nomem(p);
	m = &part->models[part->nmodels++];
	memset(m, 0, sizeof(*m));
	m->loc = here(p);

	while ((r = map_next(p, &model_kt, seen, &k)) > 0) {
		switch (k) {
		case MODEL_NAME:
			r = get_name(p, "model", &m->name);
			break;
		case MODEL_TIER:
			r = get_str(p, "'tier' must be a string", &m->tier, &m->tier_loc);
			break;
		default:
			r = parse_str_list(p, "files", true, add_file, m);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	check_required(p, &model_kt, seen, m->loc, "model", m->name);
	return 0;
}

static int add_egress(struct parser *p, void *arg, char *s, struct mg_loc loc)
{
	struct mg_scope *sc = arg;
	struct mg_egress_rule rule;
	const char *why = "invalid";

	if (mg_egress_parse(s, &rule, &why)) {
		report(p->sink, loc, "invalid egress '%s': %s", s, why);
		free(s);
		return 0;
	}
	free(s);
	if (grow(&sc->egress, sc->negress, sizeof(*sc->egress)))
		return nomem(p);
	rule.loc = loc;
	sc->egress[sc->negress++] = rule;
	return 0;
}

static int parse_scope(struct parser *p)
{
	struct mg_loc seen[SCOPE__N] = { 0 };
	struct mg_policy *part = p->part;
	struct mg_scope *sc;
	const char *why;
	int r, k;

	if (grow(&part->scopes, part->nscopes, sizeof(*sc)))
		return nomem(p);
	sc = &part->scopes[part->nscopes++];
	memset(sc, 0, sizeof(*sc));
	sc->loc = here(p);

	while ((r = map_next(p, &scope_kt, seen, &k)) > 0) {
		switch (k) {
		case SCOPE_NAME:
			r = get_name(p, "scope", &sc->name);
			break;
		case SCOPE_CGROUP:
			r = get_str(p, "'cgroup' must be a string", &sc->cgroup, &sc->cgroup_loc);
			if (r == 0 && (why = cgroup_problem(sc->cgroup))) {
				report(p->sink, sc->cgroup_loc, "invalid cgroup '%s': %s",
				       sc->cgroup, why);
				free(sc->cgroup);
				sc->cgroup = NULL;
			}
			break;
		case SCOPE_MAX_TIER:
			r = get_str(p, "'maxTier' must be a string", &sc->max_tier,
				    &sc->max_tier_loc);
			break;
		default:
			r = parse_str_list(p, "egress", false, add_egress, sc);
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

static int parse_mode(struct parser *p)
{
	struct mg_loc loc;
	char where[LOC_TEXT_MAX];
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
		report(p->sink, loc, "invalid mode '%s' (expected enforce or audit)", s);
		free(s);
		return 1;
	}
	free(s);
	if (p->dst->mode_loc.file) {
		report(p->sink, loc, "'mode' is already set (first set at %s)",
		       fmt_loc(where, sizeof(where), p->dst->mode_loc));
		return 1;
	}
	p->part->mode = mode;
	p->part->mode_loc = loc;
	return 0;
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
		report(p->sink, loc, "unsupported apiVersion '%s' (expected '%s')", s,
		       MG_POLICY_API_VERSION);
	free(s);
	return 0;
}

/* The document's root mapping. */
static int parse_top(struct parser *p)
{
	struct mg_loc seen[TOP__N] = { 0 };
	struct mg_loc loc = here(p);
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
		case TOP_TIERS:
			before = p->sink->nerr;
			r = parse_entries(p, "tiers", true, parse_tier);
			if (p->sink->nerr != before)
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

static int parse_stream(struct parser *p)
{
	struct mg_loc file_loc = { .file = p->file };

	if (next(p) || next(p))		/* STREAM-START, then a document or STREAM-END */
		return -1;
	if (p->ev.type == YAML_STREAM_END_EVENT) {
		report(p->sink, file_loc, "empty policy file");
		return 0;
	}
	if (next(p))			/* the root node */
		return -1;
	if (p->ev.type == YAML_MAPPING_START_EVENT) {
		if (parse_top(p))
			return -1;
	} else if (is_null(&p->ev)) {
		report(p->sink, file_loc, "empty policy file");
	} else if (reject(p, "a policy file must be a mapping") < 0) {
		return -1;
	}
	/* DOCUMENT-END, then STREAM-END or the start of another document */
	if (next(p) || next(p))
		return -1;
	if (p->ev.type == YAML_DOCUMENT_START_EVENT)
		report(p->sink, here(p), "only one YAML document per file is allowed");
	return 0;
}

/* Move everything @src holds to the end of @dst; all or nothing. */
static int merge(struct mg_policy *dst, struct mg_policy *src)
{
	struct mg_tier *tiers = NULL;
	struct mg_model *models = NULL;
	struct mg_scope *scopes = NULL;
	char **sources = NULL;

#define RESERVE(field, n, var)                                                         \
	do {                                                                           \
		if (src->n) {                                                          \
			var = realloc(dst->field, (dst->n + src->n) * sizeof(*var));    \
			if (!var)                                                      \
				return -ENOMEM;                                        \
			dst->field = var;                                              \
		}                                                                      \
	} while (0)
#define MOVE(field, n)                                                                 \
	do {                                                                           \
		if (src->n)                                                            \
			memcpy(dst->field + dst->n, src->field, src->n * sizeof(*src->field)); \
		dst->n += src->n;                                                      \
		src->n = 0;                                                            \
	} while (0)

	RESERVE(tiers, ntiers, tiers);
	RESERVE(models, nmodels, models);
	RESERVE(scopes, nscopes, scopes);
	RESERVE(sources, nsources, sources);
	MOVE(tiers, ntiers);
	MOVE(models, nmodels);
	MOVE(scopes, nscopes);
	MOVE(sources, nsources);
#undef RESERVE
#undef MOVE

	if (src->mode_loc.file) {
		dst->mode = src->mode;
		dst->mode_loc = src->mode_loc;
	}
	return 0;
}

/*
 * Parse one file into @policy. With @keep_partial, what was understood of a
 * file with errors is merged too (so cross-file checks can run on it), and
 * *unsure is set when tiers it may define are missing.
 */
static int parse_into(struct mg_policy *policy, const char *name, const char *buf, size_t len,
		      struct mg_diags *diags, bool keep_partial, bool *unsure)
{
	struct sink sink = { .diags = diags };
	struct parser p = {
		.sink = &sink,
		.buf = buf,
		.len = len,
		.dst = policy,
	};
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
	p.file = part->sources[0];
	p.part = part;

	if (!yaml_parser_initialize(&p.yaml))
		goto nomem;
	yaml_parser_set_input_string(&p.yaml, (const unsigned char *)buf, len);
	parse_stream(&p);
	if (p.have_ev)
		yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.yaml);

	if (p.oom)
		goto nomem;
	if (sink.nerr && !keep_partial) {
		mg_policy_free(part);
		return -EINVAL;
	}
	if (unsure && (p.stop || p.tiers_unsure))
		*unsure = true;
	err = merge(policy, part);
	mg_policy_free(part);
	if (err)
		return err;
	return sink.nerr ? -EINVAL : 0;

nomem:
	mg_policy_free(part);
	return -ENOMEM;
}

int mg_policy_parse_buffer(struct mg_policy *policy, const char *name, const char *buf,
			   size_t len, struct mg_diags *diags)
{
	return parse_into(policy, name, buf, len, diags, false, NULL);
}

/* ---- Validation ---------------------------------------------------------- */

struct item {
	const char *key;
	const char *owner;		/* name of the entry it belongs to, or NULL */
	struct mg_loc loc;
	const struct item *first;	/* the earlier item with the same key */
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

enum dup_kind { DUP_TIER, DUP_LEVEL, DUP_MODEL, DUP_SCOPE, DUP_CGROUP };

static void report_dups(struct sink *s, const struct item *items, size_t n, enum dup_kind kind)
{
	char where[LOC_TEXT_MAX];

	for (size_t i = 0; i < n; i++) {
		const struct item *it = &items[i];
		const char *owner;

		if (!it->first)
			continue;
		fmt_loc(where, sizeof(where), it->first->loc);
		owner = it->first->owner ? it->first->owner : "?";
		switch (kind) {
		case DUP_TIER:
			report(s, it->loc, "duplicate tier name '%s' (first defined at %s)",
			       it->key, where);
			break;
		case DUP_LEVEL:
			report(s, it->loc,
			       "duplicate tier level %s (first used by tier '%s' at %s)",
			       it->key, owner, where);
			break;
		case DUP_MODEL:
			report(s, it->loc, "duplicate model name '%s' (first defined at %s)",
			       it->key, where);
			break;
		case DUP_SCOPE:
			report(s, it->loc, "duplicate scope name '%s' (first defined at %s)",
			       it->key, where);
			break;
		case DUP_CGROUP:
			report(s, it->loc,
			       "duplicate cgroup '%s' (first used by scope '%s' at %s)",
			       it->key, owner, where);
			break;
		}
	}
}

/* Report repeated keys among @n items filled by the caller. Frees @items. */
static int check_unique(struct sink *s, struct item *items, size_t n, enum dup_kind kind)
{
	int err = find_dups(items, n);

	if (!err)
		report_dups(s, items, n, kind);
	free(items);
	return err;
}

static int check_names(struct mg_policy *pol, struct sink *s)
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

static int check_levels(struct mg_policy *pol, struct sink *s)
{
	char (*text)[12];
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
static int check_cgroups(struct mg_policy *pol, struct sink *s)
{
	struct item *items;
	size_t n = 0;

	items = calloc(pol->nscopes + 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < pol->nscopes; i++) {
		const struct mg_scope *sc = &pol->scopes[i];

		if (sc->cgroup)
			items[n++] = (struct item){ .key = sc->cgroup, .owner = sc->name,
						    .loc = sc->cgroup_loc };
	}
	return check_unique(s, items, n, DUP_CGROUP);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_refs(struct mg_policy *pol, struct sink *s)
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
			report(s, m->tier_loc, "unknown tier '%s'", m->tier);
	}
	for (size_t i = 0; i < pol->nscopes; i++) {
		const struct mg_scope *sc = &pol->scopes[i];

		if (sc->max_tier && !bsearch(&sc->max_tier, names, n, sizeof(*names), cmp_str))
			report(s, sc->max_tier_loc, "unknown tier '%s'", sc->max_tier);
	}
	free(names);
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

static int validate(struct mg_policy *pol, struct mg_diags *diags, bool refs)
{
	struct sink s = { .diags = diags };
	int err;

	if (!pol->ntiers) {
		err = add_default_tiers(pol);
		if (err)
			return err;
	}
	if (pol->ntiers > MG_POLICY_MAX_TIERS)
		report(&s, pol->tiers[MG_POLICY_MAX_TIERS].loc, "too many tiers (%zu, at most %d)",
		       pol->ntiers, MG_POLICY_MAX_TIERS);

	err = check_names(pol, &s);
	if (!err)
		err = check_levels(pol, &s);
	if (!err)
		err = check_cgroups(pol, &s);
	if (!err && refs)
		err = check_refs(pol, &s);
	if (err)
		return err;
	return s.nerr ? -EINVAL : 0;
}

int mg_policy_validate(struct mg_policy *policy, struct mg_diags *diags)
{
	return validate(policy, diags, true);
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

/*
 * The names of the policy files of @dir, sorted. Returns 0, -EINVAL when
 * the folder cannot be used (reported), or -ENOMEM.
 */
static int list_dir(const char *dir, struct sink *s, char ***ret_names, size_t *ret_n)
{
	const struct mg_loc noloc = { 0 };
	char **names = NULL;
	size_t n = 0;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		report(s, noloc, "cannot open policy folder '%s': %s", dir, strerror(errno));
		return -EINVAL;
	}
	for (;;) {
		struct dirent *de;
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				report(s, noloc, "cannot read policy folder '%s': %s", dir,
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
			report(s, (struct mg_loc){ .file = path }, "cannot read file: %s",
			       strerror(e));
			free(path);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (n == MG_POLICY_MAX_FILES) {
			report(s, noloc, "too many policy files in '%s' (more than %d)", dir,
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
		report(s, noloc, "no policy files (*.yaml, *.yml) in '%s'", dir);
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
	struct sink s = { .diags = diags };
	struct mg_policy *pol = NULL;
	char **names = NULL;
	size_t n = 0;
	bool unsure = false, failed = false;
	int err;

	err = list_dir(dir, &s, &names, &n);
	if (err)
		return err;
	if (s.nerr)
		unsure = failed = true;

	pol = mg_policy_new();
	if (!pol) {
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
			report(&s, (struct mg_loc){ .file = path }, "file is larger than %u MiB",
			       MG_POLICY_MAX_FILE_SIZE >> 20);
		else if (err && err != -ENOMEM)
			report(&s, (struct mg_loc){ .file = path }, "cannot read file: %s",
			       strerror(-err));
		if (err) {
			free(path);
			if (err == -ENOMEM)
				goto out;
			unsure = failed = true;
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

	err = validate(pol, diags, !unsure);
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
