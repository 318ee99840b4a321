// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Egress budgets: 'egressBudget: {bytes: 200MiB, per: 1h}', sizes and durations. */
#include <errno.h>
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

/* A whole decimal number at the start of @s; the rest in *ret_end. -EINVAL, -ERANGE. */
static int parse_count(const char *s, uint64_t *ret, const char **ret_end)
{
	uint64_t v = 0;
	const char *c = s;

	if (*c < '0' || *c > '9')
		return -EINVAL;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	*ret = v;
	*ret_end = c;
	return 0;
}

int mg_size_parse(const char *text, uint64_t *ret)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {
		{ "", 1 },
		{ "B", 1 },
		{ "KiB", 1ull << 10 },
		{ "MiB", 1ull << 20 },
		{ "GiB", 1ull << 30 },
		{ "TiB", 1ull << 40 },
		{ "kB", 1000ull },
		{ "MB", 1000ull * 1000 },
		{ "GB", 1000ull * 1000 * 1000 },
		{ "TB", 1000ull * 1000 * 1000 * 1000 },
	};
	const char *end;
	uint64_t v;
	int r = parse_count(text, &v, &end);

	if (r)
		return r;
	for (size_t i = 0; i < MG_ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (!v)
			return -EINVAL;
		if (v > (UINT64_MAX >> 1) / units[i].mult)
			return -ERANGE;
		*ret = v * units[i].mult;
		return 0;
	}
	return -EINVAL;
}

int mg_duration_parse(const char *text, uint64_t *ret_ns)
{
	const char *end;
	uint64_t v, mult;
	int r = parse_count(text, &v, &end);

	if (r)
		return r;
	if (!strcmp(end, "s"))
		mult = 1;
	else if (!strcmp(end, "m"))
		mult = 60;
	else if (!strcmp(end, "h"))
		mult = 3600;
	else
		return -EINVAL;
	if (v > MG_BUDGET_MAX_PER_S / mult || v * mult < MG_BUDGET_MIN_PER_S)
		return -ERANGE;
	*ret_ns = v * mult * 1000000000ull;
	return 0;
}

enum {
	BUDGET_BYTES,
	BUDGET_PER,
	BUDGET__N
};
static const char *const budget_keys[BUDGET__N] = { "bytes", "per" };
static const struct keytab budget_kt = {
	"in egressBudget", budget_keys, BUDGET__N, (1u << BUDGET_BYTES) | (1u << BUDGET_PER), 0,
};

/* The value of 'bytes' or 'per': a scalar, parsed by @parse. 0, 1 when reported, -1. */
static int get_value(struct parser *p, const char *key, int (*parse)(const char *, uint64_t *),
		     const char *expect, uint64_t *ret)
{
	struct mg_loc loc;
	char bad[96], *s = NULL;
	int r;

	snprintf(bad, sizeof(bad), "'%s' must be %s", key, expect);
	r = mgp_get_str(p, bad, &s, &loc);
	if (r)
		return r;
	r = parse(s, ret);
	if (r == -ERANGE && parse == mg_duration_parse)
		mg_report(p->y.sink, loc, "invalid %s '%s': must be from %us to %llus", key, s,
			  MG_BUDGET_MIN_PER_S, (unsigned long long)MG_BUDGET_MAX_PER_S);
	else if (r == -ERANGE)
		mg_report(p->y.sink, loc, "invalid %s '%s': too large", key, s);
	else if (r)
		mg_report(p->y.sink, loc, "invalid %s '%s': must be %s", key, s, expect);
	free(s);
	return r ? 1 : 0;
}

int mgp_parse_budget(struct parser *p, struct mg_egress_budget *ret)
{
	struct mg_loc seen[BUDGET__N] = { 0 }, loc = mg_yaml_here(&p->y);
	uint64_t bytes = 0, per = 0;
	bool ok = true;
	int r, k;

	if (p->y.ev.type != YAML_MAPPING_START_EVENT)
		return mg_yaml_reject(
			       &p->y,
			       "'egressBudget' must be a mapping: {bytes: SIZE, per: DURATION}") <
				       0 ?
			       -1 :
			       0;
	while ((r = mgp_map_next(p, &budget_kt, seen, &k)) > 0) {
		if (k == BUDGET_BYTES)
			r = get_value(
				p, "bytes", mg_size_parse,
				"a positive size in bytes, KiB, MiB, GiB or TiB (e.g. 200MiB)",
				&bytes);
		else
			r = get_value(p, "per", mg_duration_parse,
				      "a duration in s, m or h (e.g. 1h)", &per);
		if (r < 0)
			return -1;
		if (r)
			ok = false;
	}
	if (r < 0)
		return -1;
	mgp_check_required(p, &budget_kt, seen, loc, "egressBudget", NULL);
	if (ok && bytes && per)
		*ret = (struct mg_egress_budget){ .bytes = bytes, .per_ns = per, .loc = loc };
	return 0;
}
