// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One policy file: its top-level keys, read with libyaml's event API into a
 * part of its own that is merged into the policy only when it is whole (or,
 * for a policy folder, with what it may have left out marked as unsure).
 */
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
	"at top level", top_keys, TOP__N, 1u << TOP_API, 1u << TOP_TIERS,
};

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
	struct mg_loc loc = { 0 };
	enum mg_policy_mode mode;
	char *s = NULL;
	int r;

	r = mgp_get_str(p, "'mode' must be a string", &s, &loc);
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
	struct mg_loc loc = { 0 };
	int found = -1;
	char *s = NULL;
	int r;

	r = mgp_get_str(p, "'unknownWeights' must be a string", &s, &loc);
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
	struct mg_loc loc = { 0 };
	char *s = NULL;
	int r;

	r = mgp_get_str(p, "'defaultTier' must be a string", &s, &loc);
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

	if (!mgp_path_ok(p, "key path", s, 0, loc)) {
		free(s);
		return 0;
	}
	return mgp_push_str(p, &part->trusted_keys, &part->trusted_key_locs, &part->ntrusted_keys,
			    s, loc);
}

static int parse_api_version(struct parser *p)
{
	struct mg_loc loc = { 0 };
	char *s = NULL;
	int r;

	r = mgp_get_str(p, "'apiVersion' must be a string", &s, &loc);
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

	while ((r = mgp_map_next(p, &top_kt, seen, &k)) > 0) {
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
			r = mgp_parse_str_list(p, "trustedKeys", false, add_trusted_key, p->part);
			break;
		case TOP_TIERS:
			before = p->y.sink->nerr;
			r = mgp_parse_entries(p, "tiers", true, mgp_parse_tier);
			if (p->y.sink->nerr != before)
				p->tiers_unsure = true;
			break;
		case TOP_MODELS:
			r = mgp_parse_entries(p, "models", false, mgp_parse_model);
			break;
		default:
			r = mgp_parse_entries(p, "scopes", false, mgp_parse_scope);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	mgp_check_required(p, &top_kt, seen, loc, NULL, NULL);
	return 0;
}

/*
 * Parse one file into @policy. With @keep_partial, what was understood of a
 * file with errors is merged too (so cross-file checks can run on it), and
 * UNSURE_* bits are added to *unsure for what it may have left out.
 */
int mgp_parse_into(struct mg_policy *policy, const char *name, const char *buf, size_t len,
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
	err = mgp_merge(policy, part);
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
	return mgp_parse_into(policy, name, buf, len, diags, false, NULL);
}
