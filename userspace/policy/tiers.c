// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The entries of a policy's 'tiers' list. */
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

enum {
	TIER_NAME,
	TIER_LEVEL,
	TIER_REQUIRES_LICENSE,
	TIER_WHEN,
	TIER__N
};
static const char *const tier_keys[TIER__N] = { "name", "level", "requiresLicense", "when" };
static const struct keytab tier_kt = {
	"in tier", tier_keys, TIER__N, (1u << TIER_NAME) | (1u << TIER_LEVEL), 0,
};

static int get_level(struct parser *p, unsigned int *ret)
{
	const yaml_event_t *ev = &p->y.ev;
	unsigned int level = 0;
	const char *v;
	size_t n;

	if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev)) {
		if (mg_yaml_reject(&p->y, "'level' must be an integer from 1 to 1000") < 0)
			return -1;
		return 1;
	}
	v = (const char *)ev->data.scalar.value;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		mg_yaml_report(&p->y, "'level' must be an integer, not a quoted string");
		return 1;
	}
	n = ev->data.scalar.length;
	if (n >= 1 && n <= 4 && v[0] >= '1' && v[0] <= '9') {
		for (size_t i = 0; i < n && level <= MG_POLICY_MAX_LEVEL; i++)
			level = v[i] >= '0' && v[i] <= '9' ?
					level * 10 + (unsigned int)(v[i] - '0') :
					MG_POLICY_MAX_LEVEL + 1;
	} else {
		level = MG_POLICY_MAX_LEVEL + 1;
	}
	if (level < 1 || level > MG_POLICY_MAX_LEVEL) {
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
	if (mgp_grow(&t->when, t->nwhen, sizeof(*t->when))) {
		free(c.metric);
		free(s);
		return mg_yaml_nomem(&p->y);
	}
	c.text = s;
	c.loc = loc;
	t->when[t->nwhen++] = c;
	return 0;
}

int mgp_parse_tier(struct parser *p)
{
	struct mg_loc seen[TIER__N] = { 0 };
	struct mg_policy *part = p->part;
	struct mg_tier *t;
	int r, k;

	if (mgp_grow(&part->tiers, part->ntiers, sizeof(*t)))
		return mg_yaml_nomem(&p->y);
	t = &part->tiers[part->ntiers++];
	memset(t, 0, sizeof(*t));
	t->loc = mg_yaml_here(&p->y);

	while ((r = mgp_map_next(p, &tier_kt, seen, &k)) > 0) {
		switch (k) {
		case TIER_NAME:
			r = mgp_get_name(p, "tier", &t->name);
			break;
		case TIER_LEVEL:
			r = get_level(p, &t->level);
			break;
		case TIER_REQUIRES_LICENSE:
			r = mgp_get_bool(p, "requiresLicense", &t->requires_license);
			break;
		default:
			r = mgp_parse_str_list(p, "when", false, add_condition, t);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	mgp_check_required(p, &tier_kt, seen, t->loc, "tier", t->name);
	return 0;
}
