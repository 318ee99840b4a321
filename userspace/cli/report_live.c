// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The report's live part: what the running daemon has in force, from its
 * state file (daemon/state.c: scopes with their tier ceiling, licences with
 * notAfter) and from its policy folder compiled without look-ups (what each
 * scope may load), but only while that folder is still the one loaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/report.h"
#include "cli/show.h"
#include "compile/compile.h"
#include "core/array.h"
#include "core/util.h"
#include "daemon/state.h"
#include "policy/policy.h"

static int mg_live_why(struct mg_report *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	free(r->live.why_not);
	r->live.why_not = NULL;
	va_start(ap, fmt);
	n = vasprintf(&r->live.why_not, fmt, ap);
	va_end(ap);
	return n < 0 ? -ENOMEM : 0;
}

static int64_t mg_days_left(int64_t not_after, int64_t now)
{
	int64_t d = not_after - now;

	return d >= 0 ? d / 86400 : -((-d + 86399) / 86400);
}

/* One "scope" or "license" record of the state file, its fields split. */
static int mg_live_record(struct mg_report *r, char **f, int n)
{
	struct mg_report_scope *s;

	if (n == 5 && !strcmp(f[0], "scope")) {
		s = mg_report_scope(r, f[1]);
		if (!s)
			return -ENOMEM;
		s->in_policy = true;
		free(s->cgroup);
		free(s->max_tier);
		s->cgroup = strdup(f[2]);
		s->max_tier = strdup(f[4]);
		return s->cgroup && s->max_tier ? 0 : -ENOMEM;
	}
	if (n == 4 && !strcmp(f[0], "license")) {
		struct mg_report_license *l;

		s = mg_report_scope(r, f[2]);
		if (!s)
			return -ENOMEM;
		l = mg_array_push(&s->licenses, &s->nlicenses, &s->licenses_cap, sizeof(*l));
		if (!l)
			return -ENOMEM;
		l->not_after = atoll(f[3]);
		l->days_left = mg_days_left(l->not_after, r->opts.now);
		l->id = strdup(f[1]);
		return l->id ? 0 : -ENOMEM;
	}
	if (n == 2 && !strcmp(f[0], "policy"))
		return (r->live.policy_dir = strdup(f[1])) ? 0 : -ENOMEM;
	if (n == 2 && !strcmp(f[0], "digest"))
		return (r->live.digest = strdup(f[1])) ? 0 : -ENOMEM;
	if (n == 2 && !strcmp(f[0], "loaded"))
		r->live.loaded_at = atoll(f[1]);
	return 0;
}

static int mg_live_state(struct mg_report *r, const char *path)
{
	char *text, *line, *save = NULL;
	size_t len;
	int err;

	err = mg_read_file(path, 1u << 24, &text, &len);
	if (err)
		return err;
	for (line = strtok_r(text, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		char *f[5] = { 0 };
		int n = 0;

		for (char *p = line, *tab; n < 5; p = tab + 1) {
			f[n++] = p;
			tab = strchr(p, '\t');
			if (!tab)
				break;
			*tab = '\0';
		}
		err = mg_live_record(r, f, n);
	}
	free(text);
	return err;
}

/* What each scope of the policy may load, from the folder in force. */
static int mg_live_may_load(struct mg_report *r)
{
	struct mg_compile_opts opts = { .cgroup_root = "/", .check_only = 1, .no_cgroups = 1 };
	struct mg_diags diags = {};
	struct mg_policy *p = NULL;
	struct mg_image *img = NULL;
	char digest[65];
	int err;

	opts.now = r->opts.now;
	err = mg_policy_load_dir(r->live.policy_dir, &p, &diags);
	if (!err)
		err = mg_compile(p, &opts, &img, &diags);
	mg_diags_free(&diags);
	if (err == -ENOMEM)
		goto out;
	if (err || mg_policy_digest(p, digest)) {
		err = mg_live_why(r,
				  "the policy folder '%s' no longer compiles: what each scope "
				  "may load is not known",
				  r->live.policy_dir);
		goto out;
	}
	r->live.folder_matches = r->live.digest && !strcmp(digest, r->live.digest);
	if (!r->live.folder_matches) {
		err = mg_live_why(r,
				  "the policy folder '%s' changed since it was loaded: what "
				  "each scope may load is not shown",
				  r->live.policy_dir);
		goto out;
	}
	for (size_t i = 0; i < img->nscopes && !err; i++) {
		struct mg_report_scope *s = mg_report_scope(r, img->scopes[i].name);

		if (!s) {
			err = -ENOMEM;
			break;
		}
		for (size_t j = 0; j < p->nmodels && !err; j++) {
			const struct mg_image_license *lic;
			struct mg_report_may_load *m;
			const char *tier = mg_image_tier_name(img, img->model_tiers[j]);

			if (!mg_scope_may_load(p, img, i, j, &lic))
				continue;
			m = mg_array_push(&s->may_load, &s->nmay_load, &s->may_load_cap,
					  sizeof(*m));
			if (!m) {
				err = -ENOMEM;
				break;
			}
			m->model = strdup(p->models[j].name);
			m->tier = tier ? strdup(tier) : NULL;
			m->license = lic ? strdup(lic->id) : NULL;
			if (!m->model || (tier && !m->tier) || (lic && !m->license))
				err = -ENOMEM;
		}
	}
out:
	mg_image_free(img);
	mg_policy_free(p);
	return err;
}

int mg_report_add_live(struct mg_report *r, const char *state_path, int pid, const char *why_not)
{
	int err;

	if (!pid)
		return mg_live_why(r, "%s", why_not ? why_not : "no daemon runs");
	err = mg_live_state(r, state_path);
	if (err == -ENOMEM)
		return err;
	if (err)
		return mg_live_why(r, "the daemon (pid %d) has no readable state file '%s': %s",
				   pid, state_path, strerror(-err));
	r->live.known = true;
	r->live.pid = pid;
	if (!r->live.policy_dir)
		return mg_live_why(r, "the state file '%s' names no policy folder", state_path);
	return mg_live_may_load(r);
}
