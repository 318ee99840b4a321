// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The report as one JSON object (docs/report.md), by the one JSON writer. */
#include "cli/report.h"
#include "core/json.h"

/* The notes every report carries: what the numbers can and cannot say. */
const char *const mg_report_notes[] = {
	"allowed opens are not recorded in events: 'loaded' lists models whose files were opened "
	"and allowed under audit mode (verdict audit); 'may_load' is what the policy in force "
	"allows, shown only while a daemon runs",
	"violations are decisions that were not a plain allow: deny, kill, and audit (allowed, "
	"recorded); decisions suppressed by a scope's rate limit are counted in rate_suppressed",
	NULL,
};

static void mg_time(struct mg_json *j, const char *key, int64_t t)
{
	char buf[32];

	if (t == MG_REPORT_NO_TIME) {
		mg_json_null(j, key);
		return;
	}
	mg_report_format_time(t, buf);
	mg_json_str(j, key, buf);
}

static void mg_series(struct mg_json *j, const struct mg_report *r, const uint64_t *v)
{
	mg_json_array_begin(j, "series");
	for (size_t b = 0; b < r->nbuckets; b++)
		mg_json_u64(j, NULL, v ? v[b] : 0);
	mg_json_array_end(j);
}

static void mg_verdicts(struct mg_json *j, const uint64_t *v)
{
	for (int i = 0; i < MG_REPORT_VERDICTS; i++)
		mg_json_u64(j, mg_report_verdict_name(i), v[i]);
}

static void mg_json_scope(struct mg_json *j, const struct mg_report *r,
			  const struct mg_report_scope *s)
{
	mg_json_object_begin(j, NULL);
	mg_json_str(j, "name", s->name);
	mg_json_bool(j, "in_policy", s->in_policy);
	mg_json_str(j, "cgroup", s->cgroup);
	mg_json_str(j, "max_tier", s->max_tier);
	if (r->live.known && r->live.folder_matches) {
		mg_json_array_begin(j, "may_load");
		for (size_t i = 0; i < s->nmay_load; i++) {
			mg_json_object_begin(j, NULL);
			mg_json_str(j, "model", s->may_load[i].model);
			mg_json_str(j, "tier", s->may_load[i].tier);
			mg_json_str(j, "license", s->may_load[i].license);
			mg_json_object_end(j);
		}
		mg_json_array_end(j);
	} else {
		mg_json_null(j, "may_load");
	}
	mg_json_array_begin(j, "loaded");
	for (size_t i = 0; i < s->nmodels; i++) {
		if (!s->models[i].audited)
			continue;
		mg_json_object_begin(j, NULL);
		mg_json_str(j, "model", s->models[i].name);
		mg_json_str(j, "tier", s->models[i].tier);
		mg_json_u64(j, "opens", s->models[i].audited);
		mg_time(j, "first", s->models[i].first);
		mg_time(j, "last", s->models[i].last);
		mg_json_object_end(j);
	}
	mg_json_array_end(j);
	mg_json_array_begin(j, "refused");
	for (size_t i = 0; i < s->nmodels; i++) {
		if (!s->models[i].refused)
			continue;
		mg_json_object_begin(j, NULL);
		mg_json_str(j, "model", s->models[i].name);
		mg_json_str(j, "tier", s->models[i].tier);
		mg_json_u64(j, "attempts", s->models[i].refused);
		mg_time(j, "first", s->models[i].first);
		mg_time(j, "last", s->models[i].last);
		mg_json_object_end(j);
	}
	mg_json_array_end(j);
	mg_json_array_begin(j, "licenses");
	for (size_t i = 0; i < s->nlicenses; i++) {
		mg_json_object_begin(j, NULL);
		mg_json_str(j, "id", s->licenses[i].id);
		mg_time(j, "not_after", s->licenses[i].not_after);
		mg_json_i64(j, "days_left", s->licenses[i].days_left);
		mg_json_object_end(j);
	}
	mg_json_array_end(j);
	mg_json_object_begin(j, "violations");
	mg_json_u64(j, "total", s->total);
	mg_verdicts(j, s->verdicts);
	mg_json_object_begin(j, "by_tier");
	for (size_t i = 0; i < s->ntiers; i++)
		mg_json_u64(j, s->tiers[i].tier, s->tiers[i].count);
	mg_json_object_end(j);
	mg_series(j, r, s->series);
	mg_json_array_begin(j, "classes");
	for (size_t i = 0; i < s->nclasses; i++) {
		const struct mg_report_class *c = &s->classes[i];

		mg_json_object_begin(j, NULL);
		mg_json_str(j, "hook", c->hook);
		mg_json_str(j, "reason", c->reason);
		mg_json_u64(j, "count", c->count);
		mg_verdicts(j, c->verdicts);
		mg_series(j, r, c->series);
		mg_json_object_end(j);
	}
	mg_json_array_end(j);
	mg_json_object_end(j);
	mg_json_u64(j, "rate_suppressed", s->rate_suppressed);
	mg_json_object_end(j);
}

static void mg_json_input(struct mg_json *j, const struct mg_report *r)
{
	mg_json_object_begin(j, "input");
	mg_json_array_begin(j, "files");
	for (size_t i = 0; i < r->nsources; i++) {
		mg_json_object_begin(j, NULL);
		mg_json_str(j, "path", r->sources[i].path);
		mg_json_u64(j, "lines", r->sources[i].lines);
		mg_json_u64(j, "malformed", r->sources[i].malformed);
		mg_json_object_end(j);
	}
	mg_json_array_end(j);
	mg_json_u64(j, "lines", r->lines);
	mg_json_u64(j, "malformed", r->malformed);
	mg_json_array_begin(j, "malformed_lines");
	for (size_t i = 0; i < r->nbad; i++) {
		mg_json_object_begin(j, NULL);
		mg_json_str(j, "path", r->bad[i].path);
		mg_json_u64(j, "line", r->bad[i].line);
		mg_json_str(j, "why", r->bad[i].why);
		mg_json_object_end(j);
	}
	mg_json_array_end(j);
	mg_json_u64(j, "outside_window", r->outside);
	mg_json_u64(j, "unknown_type", r->unknown_type);
	mg_json_u64(j, "other_schema", r->other_schema);
	mg_json_object_end(j);
}

static void mg_json_history(struct mg_json *j, const struct mg_report *r)
{
	mg_json_array_begin(j, "reloads");
	for (size_t i = 0; i < r->nreloads; i++) {
		const struct mg_report_reload *l = &r->reloads[i];

		mg_json_object_begin(j, NULL);
		mg_time(j, "time", l->time);
		mg_json_str(j, "result", l->failed ? "failed" : "loaded");
		if (l->generation >= 0)
			mg_json_i64(j, "generation", l->generation);
		else
			mg_json_null(j, "generation");
		mg_json_str(j, "policy_digest", l->digest);
		mg_json_str(j, "previous_digest", l->previous_digest);
		mg_json_str(j, "mode", l->mode);
		mg_json_str(j, "policy_dir", l->policy_dir);
		if (l->scopes >= 0)
			mg_json_i64(j, "scopes", l->scopes);
		else
			mg_json_null(j, "scopes");
		mg_json_str(j, "error", l->error);
		mg_json_object_end(j);
	}
	mg_json_array_end(j);
	mg_json_object_begin(j, "killswitch");
	mg_json_str(j, "at_start", r->switch_at_start ? "on" : "off");
	mg_json_i64(j, "on_seconds", r->switch_on_secs);
	mg_json_array_begin(j, "changes");
	for (size_t i = 0; i < r->nswitches; i++) {
		const struct mg_report_switch *k = &r->switches[i];

		mg_json_object_begin(j, NULL);
		mg_time(j, "time", k->time);
		mg_json_str(j, "state", k->on ? "on" : "off");
		mg_json_str(j, "previous", k->previous < 0 ? NULL : k->previous ? "on" : "off");
		mg_json_u64(j, "changes", k->changes);
		mg_json_object_end(j);
	}
	mg_json_array_end(j);
	mg_json_object_end(j);
	mg_json_array_begin(j, "daemon_events");
	for (size_t i = 0; i < r->ndaemon; i++) {
		mg_json_object_begin(j, NULL);
		mg_time(j, "time", r->daemon[i].time);
		mg_json_str(j, "type", r->daemon[i].type);
		mg_json_str(j, "detail", r->daemon[i].detail);
		mg_json_object_end(j);
	}
	mg_json_array_end(j);
}

void mg_report_print_json(const struct mg_report *r, FILE *out)
{
	uint64_t v[MG_REPORT_VERDICTS] = { 0 }, suppressed = 0, failed = 0;
	struct mg_json j;

	for (size_t i = 0; i < r->nscopes; i++) {
		for (int k = 0; k < MG_REPORT_VERDICTS; k++)
			v[k] += r->scopes[i].verdicts[k];
		suppressed += r->scopes[i].rate_suppressed;
	}
	for (size_t i = 0; i < r->nreloads; i++)
		failed += r->reloads[i].failed;

	mg_json_init(&j, out);
	mg_json_object_begin(&j, NULL);
	mg_json_u64(&j, "schema", MG_REPORT_SCHEMA);
	mg_time(&j, "generated_at", r->opts.now);
	mg_json_object_begin(&j, "window");
	mg_time(&j, "since", r->start);
	mg_time(&j, "until", r->end);
	mg_json_bool(&j, "since_given", r->opts.since != MG_REPORT_NO_TIME);
	mg_json_bool(&j, "until_given", r->opts.until != MG_REPORT_NO_TIME);
	mg_json_str(&j, "bucket", mg_report_bucket_name(r));
	mg_json_i64(&j, "bucket_seconds", r->bucket);
	mg_json_array_begin(&j, "buckets");
	for (size_t b = 0; b < r->nbuckets; b++)
		mg_time(&j, NULL, mg_report_bucket_start(r, b));
	mg_json_array_end(&j);
	mg_json_object_end(&j);

	mg_json_object_begin(&j, "daemon");
	mg_json_bool(&j, "running", r->live.known);
	if (r->live.known)
		mg_json_i64(&j, "pid", r->live.pid);
	else
		mg_json_null(&j, "pid");
	mg_json_str(&j, "policy_dir", r->live.policy_dir);
	mg_json_str(&j, "policy_digest", r->live.digest);
	mg_time(&j, "loaded_at", r->live.known ? r->live.loaded_at : MG_REPORT_NO_TIME);
	mg_json_bool(&j, "policy_folder_matches", r->live.folder_matches);
	mg_json_str(&j, "note", r->live.why_not);
	mg_json_object_end(&j);

	mg_json_input(&j, r);

	mg_json_object_begin(&j, "totals");
	mg_json_u64(&j, "violations", r->decisions);
	mg_verdicts(&j, v);
	mg_json_u64(&j, "rate_suppressed", suppressed);
	mg_json_u64(&j, "events_dropped", r->events_dropped);
	mg_json_u64(&j, "reloads", r->nreloads - failed);
	mg_json_u64(&j, "reloads_failed", failed);
	mg_json_u64(&j, "killswitch_changes", r->switch_changes);
	mg_json_object_end(&j);

	mg_json_array_begin(&j, "scopes");
	for (size_t i = 0; i < r->nscopes; i++)
		mg_json_scope(&j, r, &r->scopes[i]);
	mg_json_array_end(&j);
	mg_json_history(&j, r);
	mg_json_array_begin(&j, "notes");
	for (size_t i = 0; mg_report_notes[i]; i++)
		mg_json_str(&j, NULL, mg_report_notes[i]);
	mg_json_array_end(&j);
	mg_json_object_end(&j);
	mg_json_end_line(&j);
}
