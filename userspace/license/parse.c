// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Licence files: YAML read with libyaml's event API, as policy files are,
 * into a struct mg_license. All errors go to a struct mg_diags with their
 * file:line:col; nothing here prints.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <yaml.h>

#include "core/array.h"
#include "core/base64.h"
#include "core/util.h"
#include "core/utf8.h"
#include "core/yaml_reader.h"
#include "policy/policy.h"
#include "license/license.h"
#include "license/license_internal.h"

/* ---- Signature text -------------------------------------------------------- */

static long decode_sig(const char *s, uint8_t out[MG_LICENSE_SIG_LEN])
{
	size_t n = strlen(s), pad = 0;
	long bytes;

	if (!n || n % 4 || n > MG_LICENSE_MAX_STRING)
		return -EINVAL;
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (!mg_base64_char(s[i]))
			return -EINVAL;
	bytes = (long)(n / 4 * 3 - pad);
	if (bytes != MG_LICENSE_SIG_LEN)
		return bytes;
	/* Unused bits must be zero: only one text per signature. */
	if (mg_base64_decode(s, out, MG_LICENSE_SIG_LEN) != MG_LICENSE_SIG_LEN)
		return -EINVAL;
	return bytes;
}

/* ---- YAML events ----------------------------------------------------------- */

enum {
	KEY_API,
	KEY_KIND,
	KEY_ID,
	KEY_USE_CASE,
	KEY_SCOPE,
	KEY_MODELS,
	KEY_MAX_TIER,
	KEY_NOT_BEFORE,
	KEY_NOT_AFTER,
	KEY_ISSUER,
	KEY_EGRESS,
	KEY_BUDGET,
	KEY_SIGNATURE,
	KEY__N
};
static const char *const keys[KEY__N] = {
	"apiVersion", "kind",	  "id",	    "useCase", "scope",	       "models",    "maxTier",
	"notBefore",  "notAfter", "issuer", "egress",  "egressBudget", "signature",
};
static const unsigned int required_keys =
	(1u << KEY_API) | (1u << KEY_KIND) | (1u << KEY_ID) | (1u << KEY_USE_CASE) |
	(1u << KEY_SCOPE) | (1u << KEY_NOT_BEFORE) | (1u << KEY_NOT_AFTER) | (1u << KEY_ISSUER);

struct parser {
	struct mg_yaml y; /* its file is owned by lic->path */
	struct mg_license *lic;
	struct mg_loc *model_locs; /* where each of lic->models is */
	size_t egress_cap;	   /* room in lic->egress */
	bool times_ok;		   /* both times parsed */
	struct mg_loc not_after_loc;
};

/*
 * The current event is a value that must be a non-empty string of
 * at most MG_LICENSE_MAX_STRING bytes without control characters. Returns 0
 * with a copy in *ret, 1 when it is something else (reported), -1 to stop.
 * @what names it in messages ("'id'"); @bad, when not NULL, is the message
 * for a value that is not a string at all.
 */
static int get_str(struct parser *p, const char *what, const char *bad, char **ret,
		   struct mg_loc *ret_loc)
{
	const yaml_event_t *ev = &p->y.ev;
	const char *v;
	char *s;

	if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev)) {
		if (bad)
			return mg_yaml_reject(&p->y, "%s", bad) < 0 ? -1 : 1;
		return mg_yaml_reject(&p->y, "%s must be a string", what) < 0 ? -1 : 1;
	}
	v = (const char *)ev->data.scalar.value;
	if (ev->data.scalar.length > MG_LICENSE_MAX_STRING) {
		mg_yaml_report(&p->y, "%s is longer than %d bytes", what, MG_LICENSE_MAX_STRING);
		return 1;
	}
	if (strlen(v) != ev->data.scalar.length || mg_utf8_has_control(v)) {
		mg_yaml_report(&p->y, "%s must not contain control characters", what);
		return 1;
	}
	if (!*v) {
		mg_yaml_report(&p->y, "%s must not be empty", what);
		return 1;
	}
	s = strdup(v);
	if (!s) {
		mg_yaml_nomem(&p->y); /* stops the parser */
		return -1;
	}
	*ret = s;
	if (ret_loc)
		*ret_loc = mg_yaml_here(&p->y);
	return 0;
}

/* A string that names a scope, model or tier of a policy: @kind is "scope". */
static int get_name(struct parser *p, const char *what, const char *bad, const char *kind,
		    char **ret, struct mg_loc *ret_loc)
{
	struct mg_loc loc = { 0 };
	char *s = NULL;
	int r;

	r = get_str(p, what, bad, &s, &loc);
	if (r)
		return r;
	if (!mg_valid_name(s, MAX_NAME)) {
		mg_report(
			p->y.sink, loc,
			"invalid %s name '%s' (1 to %d of A-Z a-z 0-9 . _ -, starting with a letter or digit)",
			kind, s, MAX_NAME);
		free(s);
		return 1;
	}
	*ret = s;
	if (ret_loc)
		*ret_loc = loc;
	return 0;
}

/*
 * Next key of the root mapping. Returns 1 with the key's index in *ret and
 * the value's first event current, 0 at the end of the mapping, or -1.
 * Unknown, duplicate and non-string keys are reported and skipped.
 */
static int map_next(struct parser *p, struct mg_loc *seen, int *ret)
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

			for (size_t i = 0; i < KEY__N; i++)
				if (mg_yaml_scalar_is(&p->y.ev, keys[i]))
					idx = (int)i;
			if (idx < 0) {
				if (p->y.ev.data.scalar.length > MG_LICENSE_MAX_STRING ||
				    strlen(k) != p->y.ev.data.scalar.length ||
				    mg_utf8_has_control(k))
					mg_report(p->y.sink, kloc, "unknown key at top level");
				else
					mg_report(p->y.sink, kloc, "unknown key '%s' at top level",
						  k);
			} else if (seen[idx].file) {
				mg_report(p->y.sink, kloc,
					  "duplicate key '%s' (first defined at %s)", k,
					  mg_fmt_loc(where, sizeof(where), seen[idx]));
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

static int parse_fixed(struct parser *p, const char *key, const char *want)
{
	struct mg_loc loc = { 0 };
	char what[32];
	char *s = NULL;
	int r;

	snprintf(what, sizeof(what), "'%s'", key);
	r = get_str(p, what, NULL, &s, &loc);
	if (r)
		return r;
	if (strcmp(s, want) != 0)
		mg_report(p->y.sink, loc, "unsupported %s '%s' (expected '%s')", key, s, want);
	free(s);
	return 0;
}

static int parse_time(struct parser *p, const char *key, int64_t *ret, struct mg_loc *ret_loc)
{
	struct mg_loc loc = { 0 };
	char what[32];
	char *s = NULL;
	int r;

	snprintf(what, sizeof(what), "'%s'", key);
	r = get_str(p, what, NULL, &s, &loc);
	if (r)
		return r;
	if (mg_license_parse_time(s, ret)) {
		mg_report(p->y.sink, loc, "invalid %s '%s' (expected YYYY-MM-DDTHH:MM:SSZ, in UTC)",
			  key, s);
		r = 1;
	}
	free(s);
	if (ret_loc)
		*ret_loc = loc;
	return r;
}

static int parse_signature(struct parser *p)
{
	struct mg_license *l = p->lic;
	struct mg_loc loc = { 0 };
	long bytes;
	char *s = NULL;
	int r;

	r = get_str(p, "'signature'", NULL, &s, &loc);
	if (r)
		return r;
	bytes = decode_sig(s, l->signature);
	free(s);
	if (bytes < 0) {
		mg_report(p->y.sink, loc, "'signature' is not base64");
		return 1;
	}
	if (bytes != MG_LICENSE_SIG_LEN) {
		mg_report(p->y.sink, loc, "'signature' holds %ld bytes (expected %d)", bytes,
			  MG_LICENSE_SIG_LEN);
		return 1;
	}
	l->signed_ = 1;
	return 0;
}

static int add_model(struct parser *p, char *s, struct mg_loc loc)
{
	struct mg_license *l = p->lic;
	char where[LOC_TEXT_MAX];

	for (size_t i = 0; i < l->nmodels; i++) {
		if (strcmp(l->models[i], s) == 0) {
			mg_report(p->y.sink, loc,
				  "duplicate model '%s' in 'models' (first listed at %s)", s,
				  mg_fmt_loc(where, sizeof(where), p->model_locs[i]));
			free(s);
			return 0;
		}
	}
	if (!l->models) {
		l->models = calloc(MG_LICENSE_MAX_MODELS, sizeof(*l->models));
		p->model_locs = calloc(MG_LICENSE_MAX_MODELS, sizeof(*p->model_locs));
		if (!l->models || !p->model_locs) {
			free(s);
			return mg_yaml_nomem(&p->y);
		}
	}
	l->models[l->nmodels] = s;
	p->model_locs[l->nmodels] = loc;
	l->nmodels++;
	return 0;
}

static int parse_models(struct parser *p)
{
	struct mg_loc loc = mg_yaml_here(&p->y);
	size_t n = 0;

	if (p->y.ev.type != YAML_SEQUENCE_START_EVENT)
		return mg_yaml_reject(&p->y, "'models' must be a list of strings") < 0 ? -1 : 0;
	for (;;) {
		struct mg_loc sloc = { 0 };
		char *s = NULL;
		int r;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (++n > MG_LICENSE_MAX_MODELS) {
			if (n == MG_LICENSE_MAX_MODELS + 1)
				mg_yaml_report(&p->y, "'models' has more than %d entries",
					       MG_LICENSE_MAX_MODELS);
			if (mg_yaml_skip(&p->y))
				return -1;
			continue;
		}
		r = get_name(p, "model name", "'models' must be a list of strings", "model", &s,
			     &sloc);
		if (r < 0)
			return -1;
		if (r == 0 && add_model(p, s, sloc))
			return -1;
	}
	if (!n)
		mg_report(p->y.sink, loc, "'models' must not be empty");
	return 0;
}

/*
 * egress: where a process may still send once it has loaded a model under
 * this licence; each entry in the policy's egress syntax.
 */
static int parse_egress(struct parser *p)
{
	struct mg_license *l = p->lic;
	size_t n = 0;

	if (p->y.ev.type != YAML_SEQUENCE_START_EVENT)
		return mg_yaml_reject(&p->y, "'egress' must be a list of strings") < 0 ? -1 : 0;
	l->has_egress = 1;
	for (;;) {
		struct mg_egress_rule rule;
		struct mg_loc sloc = { 0 };
		const char *why = "invalid";
		char *str = NULL;
		int r;

		if (mg_yaml_next(&p->y))
			return -1;
		if (p->y.ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (++n > MG_LICENSE_MAX_EGRESS) {
			if (n == MG_LICENSE_MAX_EGRESS + 1)
				mg_yaml_report(&p->y, "'egress' has more than %d entries",
					       MG_LICENSE_MAX_EGRESS);
			if (mg_yaml_skip(&p->y))
				return -1;
			continue;
		}
		r = get_str(p, "egress entry", "'egress' must be a list of strings", &str, &sloc);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (strchr(str, ',') || mg_egress_parse(str, &rule, &why)) {
			mg_report(p->y.sink, sloc, "invalid egress '%s': %s", str,
				  strchr(str, ',') ? "a ',' is not allowed" : why);
			free(str);
			continue;
		}
		if (mg_array_reserve(&l->egress, &p->egress_cap, l->negress + 1,
				     sizeof(*l->egress))) {
			free(str);
			return mg_yaml_nomem(&p->y);
		}
		l->egress[l->negress++] = str;
	}
	return 0;
}

/* The document's root mapping. @arg: the parser. */
static int parse_top(void *arg)
{
	struct parser *p = arg;
	struct mg_license *l = p->lic;
	struct mg_loc seen[KEY__N] = { 0 };
	bool before_ok = false, after_ok = false;
	int r, k;

	l->loc = mg_yaml_here(&p->y);
	while ((r = map_next(p, seen, &k)) > 0) {
		switch (k) {
		case KEY_API:
			r = parse_fixed(p, "apiVersion", MG_LICENSE_API_VERSION);
			break;
		case KEY_KIND:
			r = parse_fixed(p, "kind", MG_LICENSE_KIND);
			break;
		case KEY_ID:
			r = get_str(p, "'id'", NULL, &l->id, NULL);
			break;
		case KEY_USE_CASE:
			r = get_str(p, "'useCase'", NULL, &l->use_case, NULL);
			break;
		case KEY_SCOPE:
			r = get_name(p, "'scope'", NULL, "scope", &l->scope, NULL);
			break;
		case KEY_MODELS:
			r = parse_models(p);
			break;
		case KEY_MAX_TIER:
			r = get_name(p, "'maxTier'", NULL, "tier", &l->max_tier, NULL);
			break;
		case KEY_NOT_BEFORE:
			r = parse_time(p, "notBefore", &l->not_before, NULL);
			before_ok = r == 0;
			break;
		case KEY_NOT_AFTER:
			r = parse_time(p, "notAfter", &l->not_after, &p->not_after_loc);
			after_ok = r == 0;
			break;
		case KEY_ISSUER:
			r = get_str(p, "'issuer'", NULL, &l->issuer, NULL);
			break;
		case KEY_EGRESS:
			r = parse_egress(p);
			break;
		case KEY_BUDGET:
			r = mgl_parse_budget(&p->y, p->lic);
			break;
		default:
			r = parse_signature(p);
			break;
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	for (size_t i = 0; i < KEY__N; i++)
		if ((required_keys & (1u << i)) && !seen[i].file)
			mg_report(p->y.sink, l->loc, "missing key '%s'", keys[i]);
	if (!seen[KEY_MODELS].file && !seen[KEY_MAX_TIER].file)
		mg_report(p->y.sink, l->loc, "at least one of 'models' and 'maxTier' is required");
	if (before_ok && after_ok && l->not_after <= l->not_before) {
		char a[MG_LICENSE_TIME_LEN], b[MG_LICENSE_TIME_LEN];

		mg_license_format_time(l->not_after, a);
		mg_license_format_time(l->not_before, b);
		mg_report(p->y.sink, p->not_after_loc, "notAfter %s is not after notBefore %s", a,
			  b);
	}
	return 0;
}

void mg_license_free(struct mg_license *l)
{
	if (!l)
		return;
	free(l->id);
	free(l->use_case);
	free(l->scope);
	free(l->issuer);
	free(l->max_tier);
	for (size_t i = 0; i < l->negress; i++)
		free(l->egress[i]);
	free(l->egress);
	for (size_t i = 0; i < l->nmodels; i++)
		free(l->models[i]);
	free(l->models);
	free(l->path);
	free(l);
}

int mg_license_parse_buffer(const char *name, const char *buf, size_t len, struct mg_license **ret,
			    struct mg_diags *diags)
{
	struct mg_sink sink = { .diags = diags };
	struct parser p = {};
	struct mg_license *l;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->path = strdup(name);
	if (!l->path) {
		free(l);
		return -ENOMEM;
	}
	l->loc.file = l->path;
	p.lic = l;

	if (len > MG_LICENSE_MAX_FILE_SIZE) {
		mg_report(&sink, (struct mg_loc){ .file = name }, "file is larger than %u KiB",
			  MG_LICENSE_MAX_FILE_SIZE >> 10);
		mg_license_free(l);
		return -EINVAL;
	}
	if (mg_yaml_open(&p.y, &sink, l->path, buf, len, MAX_DEPTH)) {
		mg_license_free(l);
		return -ENOMEM;
	}
	mg_yaml_document(&p.y, "license", parse_top, &p);
	mg_yaml_close(&p.y);
	free(p.model_locs);

	if (p.y.oom || sink.nerr) {
		mg_license_free(l);
		return p.y.oom ? -ENOMEM : -EINVAL;
	}
	*ret = l;
	return 0;
}

int mg_license_load(const char *path, struct mg_license **ret, struct mg_diags *diags)
{
	struct mg_loc loc = { .file = path };
	char *buf;
	size_t len;
	int err;

	/* One byte over the limit, so a file of exactly the limit reads fine. */
	err = mg_read_file(path, MG_LICENSE_MAX_FILE_SIZE + 1, &buf, &len);
	if (err == -EFBIG)
		mg_diag_add(diags, loc, "file is larger than %u KiB",
			    MG_LICENSE_MAX_FILE_SIZE >> 10);
	else if (err && err != -ENOMEM)
		mg_diag_add(diags, loc, "cannot read file: %s", strerror(-err));
	if (err)
		return err;
	err = mg_license_parse_buffer(path, buf, len, ret, diags);
	free(buf);
	return err;
}
