// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A licence's egressBudget: what a process that loaded a model under it may
 * send per window, in the policy's form, {bytes: SIZE, per: DURATION}
 * (policy/budget.c reads sizes and durations for both).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>

#include "core/yaml_reader.h"
#include "license/license_internal.h"
#include "policy/policy.h"

/* The scalar value of 'bytes' or 'per', current in @y: NULL when it is something else (reported). */
static const char *mgl_budget_scalar(struct mg_yaml *y, const char *key)
{
	const yaml_event_t *ev = &y->ev;

	if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev) ||
	    strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length) {
		mg_yaml_reject(y, "'%s' must be a string", key);
		return NULL;
	}
	return (const char *)ev->data.scalar.value;
}

int mgl_parse_budget(struct mg_yaml *y, struct mg_license *l)
{
	struct mg_loc loc = mg_yaml_here(y);
	uint64_t bytes = 0, per = 0;
	bool failed = false;

	if (y->ev.type != YAML_MAPPING_START_EVENT)
		return mg_yaml_reject(y, "'egressBudget' must be a mapping: {bytes: SIZE, per: "
					 "DURATION}") < 0 ?
			       -1 :
			       0;
	for (;;) {
		const char *key = NULL, *val;
		int r;

		if (mg_yaml_next(y))
			return -1;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (mg_yaml_scalar_is(&y->ev, "bytes"))
			key = bytes ? NULL : "bytes";
		else if (mg_yaml_scalar_is(&y->ev, "per"))
			key = per ? NULL : "per";
		else
			mg_yaml_report(y, "unknown key in egressBudget (expected bytes, per)");
		if (!key &&
		    (mg_yaml_scalar_is(&y->ev, "bytes") || mg_yaml_scalar_is(&y->ev, "per")))
			mg_yaml_report(y, "duplicate key '%s' in egressBudget",
				       (const char *)y->ev.data.scalar.value);
		if (mg_yaml_next(y))
			return -1;
		if (!key) {
			failed = true;
			if (mg_yaml_skip(y))
				return -1;
			continue;
		}
		val = mgl_budget_scalar(y, key);
		if (!val) {
			failed = true;
			continue;
		}
		if (key[0] == 'p') {
			r = mg_duration_parse(val, &per);
			if (r)
				mg_yaml_report(
					y,
					"invalid per '%s': must be a whole number of s, m or h, "
					"from %us to %llus",
					val, MG_BUDGET_MIN_PER_S,
					(unsigned long long)MG_BUDGET_MAX_PER_S);
		} else {
			r = mg_size_parse(val, &bytes);
			if (r)
				mg_yaml_report(
					y,
					"invalid bytes '%s': must be a size such as 200MiB or 1GB",
					val);
		}
		failed |= r != 0;
	}
	if (failed)
		return 0;
	if (!bytes || !per) {
		mg_report(y->sink, loc, "egressBudget needs both 'bytes' and 'per'");
		return 0;
	}
	l->budget_bytes = bytes;
	l->budget_per_ns = per;
	return 0;
}
