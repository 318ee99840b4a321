// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The entries of a policy's 'scopes' list: cgroup, tier, routes, GPUs. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/hex.h"
#include "core/util.h"
#include "core/yaml_reader.h"
#include "policy/policy.h"
#include "policy/policy_internal.h"

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
	"in scope", scope_keys,
	SCOPE__N,   (1u << SCOPE_NAME) | (1u << SCOPE_CGROUP) | (1u << SCOPE_MAX_TIER),
	0,
};

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
	if (mgp_grow(&sc->egress, sc->negress, sizeof(*sc->egress)))
		return mg_yaml_nomem(&p->y);
	rule.loc = loc;
	sc->egress[sc->negress++] = rule;
	return 0;
}

static int add_license(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_scope *sc = arg;

	if (!mgp_path_ok(p, "license path", s, 0, loc)) {
		free(s);
		return 0;
	}
	return mgp_push_str(p, &sc->licenses, &sc->license_locs, &sc->nlicenses, s, loc);
}

static int add_output(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_scope *sc = arg;

	if (!mgp_path_ok(p, "output folder", s, PATH_ABSOLUTE | PATH_NO_DOTS, loc)) {
		free(s);
		return 0;
	}
	return mgp_push_str(p, &sc->outputs, &sc->output_locs, &sc->noutputs, s, loc);
}

static int add_read(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_scope *sc = arg;

	if (!mgp_path_ok(p, "readable path", s, PATH_ABSOLUTE | PATH_NO_DOTS, loc)) {
		free(s);
		return 0;
	}
	return mgp_push_str(p, &sc->reads, &sc->read_locs, &sc->nreads, s, loc);
}

static int add_unix_socket(struct parser *p, void *arg, char *s, struct mg_loc loc, size_t i)
{
	struct mg_scope *sc = arg;

	if (!mgp_path_ok(p, "UNIX socket path", s, PATH_ABSOLUTE | PATH_NO_DOTS, loc)) {
		free(s);
		return 0;
	}
	return mgp_push_str(p, &sc->unix_sockets, &sc->unix_socket_locs, &sc->nunix_sockets, s,
			    loc);
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
			if (mg_hex_digit(*s++) < 0)
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
		return mg_yaml_reject(&p->y, GPUS_BAD) < 0 ? -1 : 1;
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
		struct mg_gpu g = { 0 };
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
		if (mgp_grow(&sc->gpus, sc->ngpus, sizeof(*sc->gpus))) {
			free(g.uuid);
			return mg_yaml_nomem(&p->y);
		}
		sc->gpus[sc->ngpus++] = g;
	}
}

int mgp_parse_scope(struct parser *p)
{
	struct mg_loc seen[SCOPE__N] = { 0 };
	struct mg_policy *part = p->part;
	struct mg_scope *sc;
	const char *why;
	int r, k;

	if (mgp_grow(&part->scopes, part->nscopes, sizeof(*sc)))
		return mg_yaml_nomem(&p->y);
	sc = &part->scopes[part->nscopes++];
	memset(sc, 0, sizeof(*sc));
	sc->loc = mg_yaml_here(&p->y);

	while ((r = mgp_map_next(p, &scope_kt, seen, &k)) > 0) {
		switch (k) {
		case SCOPE_NAME:
			r = mgp_get_name(p, "scope", &sc->name);
			break;
		case SCOPE_CGROUP:
			r = mgp_get_str(p, "'cgroup' must be a string", &sc->cgroup,
					&sc->cgroup_loc);
			if (r == 0 && (why = cgroup_problem(sc->cgroup))) {
				mg_report(p->y.sink, sc->cgroup_loc, "invalid cgroup '%s': %s",
					  sc->cgroup, why);
				free(sc->cgroup);
				sc->cgroup = NULL;
			}
			break;
		case SCOPE_MAX_TIER:
			r = mgp_get_str(p, "'maxTier' must be a string", &sc->max_tier,
					&sc->max_tier_loc);
			break;
		case SCOPE_EGRESS:
			r = mgp_parse_str_list(p, "egress", false, add_egress, sc);
			break;
		case SCOPE_LICENSES:
			r = mgp_parse_str_list(p, "licenses", false, add_license, sc);
			break;
		case SCOPE_OUTPUTS:
			r = mgp_parse_str_list(p, "outputs", false, add_output, sc);
			break;
		case SCOPE_READS:
			r = mgp_parse_str_list(p, "reads", false, add_read, sc);
			break;
		case SCOPE_UNIX_SOCKETS:
			r = mgp_parse_str_list(p, "unixSockets", false, add_unix_socket, sc);
			break;
		case SCOPE_ALLOW_DEBUG:
			r = mgp_get_bool(p, "allowDebug", &sc->allow_debug);
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
	mgp_check_required(p, &scope_kt, seen, sc->loc, "scope", sc->name);
	return 0;
}
