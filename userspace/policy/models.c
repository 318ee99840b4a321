// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The entries of a policy's 'models' list: files, metrics and digests. */
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

enum {
	MODEL_NAME,
	MODEL_TIER,
	MODEL_FILES,
	MODEL_METRICS,
	MODEL_SHA256,
	MODEL_MANIFEST,
	MODEL_VERITY,
	MODEL__N
};
static const char *const model_keys[MODEL__N] = { "name",   "tier",	"files", "metrics",
						  "sha256", "manifest", "verity" };
static const struct keytab model_kt = {
	"in model", model_keys, MODEL__N, (1u << MODEL_NAME) | (1u << MODEL_FILES), 0,
};

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
	if (mgp_grow(&m->files, m->nfiles, sizeof(*m->files)) ||
	    mgp_grow(&m->file_locs, m->nfiles, sizeof(*m->file_locs))) {
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
		if (mgp_grow(&m->metrics, m->nmetrics, sizeof(*m->metrics))) {
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

	if (mgp_parse_pairs(p, "'metrics' must be a mapping of metric names to numbers", add_metric,
			    m))
		return -1;
	if (m->nmetrics < 2)
		return 0;
	items = calloc(m->nmetrics, sizeof(*items));
	if (!items)
		return mg_yaml_nomem(&p->y);
	for (size_t i = 0; i < m->nmetrics; i++)
		items[i] = (struct item){ .key = m->metrics[i].name, .loc = m->metrics[i].loc };
	return mgp_report_dup_keys(p, items, m->nmetrics);
}

/* Exactly 64 hex digits, either case, into @out. */
static bool parse_sha256(const char *s, size_t n, uint8_t out[32])
{
	return n == 64 && mg_hex_decode(s, 32, out) == 0;
}

static int add_digest(struct parser *p, void *arg, char *path, struct mg_loc kloc, size_t i)
{
	struct mg_model *m = arg;
	const yaml_event_t *ev = &p->y.ev;
	struct mg_digest d = { .path = path, .loc = kloc };
	int r = 0;

	if (!mgp_path_ok(p, "sha256 path", path, PATH_NO_DOTDOT, kloc)) {
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
		if (mgp_grow(&m->digests, m->ndigests, sizeof(*m->digests))) {
			free(path);
			return mg_yaml_nomem(&p->y);
		}
		m->digests[m->ndigests++] = d;
		return 0;
	}
	free(path);
	return r;
}

static int report_dup_paths(struct parser *p, const struct mg_digest *v, size_t n)
{
	struct item *items;

	if (n < 2)
		return 0;
	items = calloc(n, sizeof(*items));
	if (!items)
		return mg_yaml_nomem(&p->y);
	for (size_t i = 0; i < n; i++)
		items[i] = (struct item){ .key = v[i].path, .loc = v[i].loc };
	return mgp_report_dup_keys(p, items, n);
}

static int parse_digests(struct parser *p, struct mg_model *m)
{
	if (mgp_parse_pairs(p, "'sha256' must be a mapping of paths to SHA-256 digests", add_digest,
			    m))
		return -1;
	return report_dup_paths(p, m->digests, m->ndigests);
}

#define VERITY_PREFIX "sha256:"

/* "sha256:" and 64 hex digits: an fs-verity file digest of SHA-256. */
static bool parse_verity(const char *s, size_t n, uint8_t out[32])
{
	size_t k = strlen(VERITY_PREFIX);

	return n > k && strncmp(s, VERITY_PREFIX, k) == 0 && parse_sha256(s + k, n - k, out);
}

static int add_verity(struct parser *p, void *arg, char *path, struct mg_loc kloc, size_t i)
{
	struct mg_model *m = arg;
	const yaml_event_t *ev = &p->y.ev;
	struct mg_digest d = { .path = path, .loc = kloc };
	int r = 0;

	if (!mgp_path_ok(p, "verity path", path, PATH_NO_DOTDOT, kloc)) {
		r = mg_yaml_skip(&p->y);
	} else if (ev->type != YAML_SCALAR_EVENT || mg_yaml_is_null(ev)) {
		if (mg_yaml_reject(&p->y,
				   "the fs-verity digest of '%s' must be a string 'sha256:' and 64 "
				   "hex digits",
				   path) < 0)
			r = -1;
	} else if (!parse_verity((const char *)ev->data.scalar.value, ev->data.scalar.length,
				 d.sha256)) {
		mg_yaml_report(&p->y,
			       "invalid fs-verity digest '%s' for '%s' (expected 'sha256:' and 64 "
			       "hex digits)",
			       (const char *)ev->data.scalar.value, path);
	} else {
		if (mgp_grow(&m->verity, m->nverity, sizeof(*m->verity))) {
			free(path);
			return mg_yaml_nomem(&p->y);
		}
		m->verity[m->nverity++] = d;
		return 0;
	}
	free(path);
	return r;
}

static int parse_verity_digests(struct parser *p, struct mg_model *m)
{
	if (mgp_parse_pairs(p, "'verity' must be a mapping of paths to fs-verity digests",
			    add_verity, m))
		return -1;
	return report_dup_paths(p, m->verity, m->nverity);
}

/*
 * Kernels that cannot check fs-verity, and the fallback engine, verify the
 * file by its SHA-256: a file under 'verity' must be under 'sha256' too.
 */
static void check_verity_has_sha256(struct parser *p, const struct mg_model *m)
{
	for (size_t i = 0; i < m->nverity; i++) {
		bool found = false;

		for (size_t j = 0; j < m->ndigests && !found; j++)
			found = strcmp(m->verity[i].path, m->digests[j].path) == 0;
		if (!found)
			mg_report(p->y.sink, m->verity[i].loc,
				  "'%s' has an fs-verity digest but no SHA-256: list it under "
				  "'sha256' too (kernels that cannot check fs-verity use it)",
				  m->verity[i].path);
	}
}

int mgp_parse_model(struct parser *p)
{
	struct mg_loc seen[MODEL__N] = { 0 };
	struct mg_policy *part = p->part;
	unsigned int before = p->y.sink->nerr;
	struct mg_model *m;
	int r, k;

	if (mgp_grow(&part->models, part->nmodels, sizeof(*m)))
		return mg_yaml_nomem(&p->y);
	m = &part->models[part->nmodels++];
	memset(m, 0, sizeof(*m));
	m->loc = mg_yaml_here(&p->y);

	while ((r = mgp_map_next(p, &model_kt, seen, &k)) > 0) {
		switch (k) {
		case MODEL_NAME:
			r = mgp_get_name(p, "model", &m->name);
			break;
		case MODEL_TIER:
			r = mgp_get_str(p, "'tier' must be a string", &m->tier, &m->tier_loc);
			break;
		case MODEL_FILES:
			r = mgp_parse_str_list(p, "files", true, add_file, m);
			break;
		case MODEL_METRICS:
			r = parse_metrics(p, m);
			break;
		case MODEL_MANIFEST:
			m->manifest_loc = mg_yaml_here(&p->y);
			if (mg_yaml_scalar_is(&p->y.ev, "strict"))
				m->manifest_strict = 1;
			else if (!mg_yaml_scalar_is(&p->y.ev, "open"))
				r = mg_yaml_reject(&p->y, "'manifest' must be strict or open") < 0 ?
					    -1 :
					    0;
			break;
		case MODEL_VERITY:
			r = parse_verity_digests(p, m);
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
	mgp_check_required(p, &model_kt, seen, m->loc, "model", m->name);
	check_verity_has_sha256(p, m);
	if (m->manifest_strict && !m->ndigests)
		mg_report(p->y.sink, m->manifest_loc,
			  "'manifest: strict' needs the model's files listed under 'sha256'");
	/* What went wrong may be what would have given the model its tier. */
	if (!m->tier && p->y.sink->nerr != before)
		p->derive_unsure = true;
	return 0;
}
