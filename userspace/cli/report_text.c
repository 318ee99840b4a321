// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The report for a terminal: a few lines per scope, the histories in brief. */
#include "cli/report.h"

#define MG_TEXT_LIST_MAX 8 /* items of a list before "and N more" */

static const char *mg_t(int64_t t, char *buf)
{
	mg_report_format_time(t, buf);
	return buf;
}

static const char *mg_scope_name(const struct mg_report_scope *s)
{
	return s->name ? s->name : "(outside every scope)";
}

static void mg_text_scope(const struct mg_report *r, const struct mg_report_scope *s, FILE *out)
{
	size_t shown = 0, busiest = 0;
	char t[32];

	fprintf(out, "\nscope %s", mg_scope_name(s));
	if (s->in_policy)
		fprintf(out, "  max tier %s  cgroup %s", s->max_tier, s->cgroup);
	else if (r->live.known)
		fputs("  (not in the policy in force)", out);
	fputc('\n', out);
	if (r->live.known && r->live.folder_matches) {
		fputs("  may load:", out);
		for (size_t i = 0; i < s->nmay_load; i++) {
			fprintf(out, "%s %s (%s", i ? "," : "", s->may_load[i].model,
				s->may_load[i].tier ? s->may_load[i].tier : "?");
			if (s->may_load[i].license)
				fprintf(out, ", licence %s", s->may_load[i].license);
			fputc(')', out);
		}
		fputs(s->nmay_load ? "\n" : " nothing\n", out);
	}
	for (size_t i = 0, n = 0; i < s->nmodels; i++) {
		if (!s->models[i].audited)
			continue;
		fprintf(out, "%s %s/%s x%llu",
			n++ ? "," : "  loaded (audit mode):", s->models[i].name,
			s->models[i].tier ? s->models[i].tier : "?",
			(unsigned long long)s->models[i].audited);
		shown = 1;
	}
	if (shown)
		fputc('\n', out);
	shown = 0;
	for (size_t i = 0, n = 0; i < s->nmodels; i++) {
		if (!s->models[i].refused)
			continue;
		fprintf(out, "%s %s/%s x%llu", n++ ? "," : "  refused:", s->models[i].name,
			s->models[i].tier ? s->models[i].tier : "?",
			(unsigned long long)s->models[i].refused);
		shown = 1;
	}
	if (shown)
		fputc('\n', out);
	for (size_t i = 0; i < s->nlicenses; i++)
		fprintf(out, "  licence %s until %s (%lld days left)\n", s->licenses[i].id,
			mg_t(s->licenses[i].not_after, t), (long long)s->licenses[i].days_left);
	fprintf(out, "  violations %llu (deny %llu, kill %llu, audit %llu)",
		(unsigned long long)s->total, (unsigned long long)s->verdicts[MG_REPORT_DENY],
		(unsigned long long)s->verdicts[MG_REPORT_KILL],
		(unsigned long long)s->verdicts[MG_REPORT_AUDIT]);
	for (size_t i = 0; i < s->nclasses && i < MG_TEXT_LIST_MAX; i++)
		fprintf(out, "%s %s/%s %llu", i ? "," : ":", s->classes[i].hook,
			s->classes[i].reason, (unsigned long long)s->classes[i].count);
	if (s->nclasses > MG_TEXT_LIST_MAX)
		fprintf(out, ", and %zu more classes", s->nclasses - MG_TEXT_LIST_MAX);
	fputc('\n', out);
	if (s->total) {
		for (size_t b = 1; b < r->nbuckets; b++)
			if (s->series[b] > s->series[busiest])
				busiest = b;
		fprintf(out, "  busiest %s: %s, %llu\n", mg_report_bucket_name(r),
			mg_t(mg_report_bucket_start(r, busiest), t),
			(unsigned long long)s->series[busiest]);
	}
	if (s->rate_suppressed)
		fprintf(out, "  rate limit: %llu decisions not recorded one by one\n",
			(unsigned long long)s->rate_suppressed);
}

static void mg_text_history(const struct mg_report *r, FILE *out)
{
	size_t failed = 0;
	char t[32];

	fprintf(out, "\nkill switch: %s at the start, %llu changes, on for %lld s\n",
		r->switch_at_start ? "on" : "off", (unsigned long long)r->switch_changes,
		(long long)r->switch_on_secs);
	for (size_t i = 0; i < r->nswitches && i < MG_TEXT_LIST_MAX; i++)
		fprintf(out, "  %s %s%s\n", mg_t(r->switches[i].time, t),
			r->switches[i].on ? "on" : "off",
			r->switches[i].changes > 1 ? " (set more than once within a second)" : "");
	for (size_t i = 0; i < r->nreloads; i++)
		failed += r->reloads[i].failed;
	fprintf(out, "reloads: %zu put in force, %zu refused\n", r->nreloads - failed, failed);
	for (size_t i = 0; i < r->nreloads && i < MG_TEXT_LIST_MAX; i++) {
		const struct mg_report_reload *l = &r->reloads[i];

		if (l->failed)
			fprintf(out, "  %s refused: %s\n", mg_t(l->time, t),
				l->error ? l->error : "?");
		else
			fprintf(out, "  %s generation %lld %s (%s)\n", mg_t(l->time, t),
				(long long)l->generation, l->digest ? l->digest : "?",
				l->mode ? l->mode : "?");
	}
	if (r->nreloads > MG_TEXT_LIST_MAX)
		fprintf(out, "  and %zu more (--json for all)\n", r->nreloads - MG_TEXT_LIST_MAX);
}

void mg_report_print_text(const struct mg_report *r, FILE *out)
{
	uint64_t v[MG_REPORT_VERDICTS] = { 0 };
	char a[32], b[32];

	for (size_t i = 0; i < r->nscopes; i++)
		for (int k = 0; k < MG_REPORT_VERDICTS; k++)
			v[k] += r->scopes[i].verdicts[k];
	fprintf(out, "mguard report: %s to %s (%zu %s buckets)\n", mg_t(r->start, a),
		mg_t(r->end, b), r->nbuckets, mg_report_bucket_name(r));
	if (r->live.known)
		fprintf(out, "daemon: running, pid %d, policy %s loaded %s\n", r->live.pid,
			r->live.policy_dir ? r->live.policy_dir : "?", mg_t(r->live.loaded_at, a));
	if (r->live.why_not)
		fprintf(out, "%s%s\n", r->live.known ? "  " : "daemon: ", r->live.why_not);
	fprintf(out, "input: %zu files, %llu lines, %llu malformed, %llu outside the window\n",
		r->nsources, (unsigned long long)r->lines, (unsigned long long)r->malformed,
		(unsigned long long)r->outside);
	for (size_t i = 0; i < r->nbad && i < 3; i++)
		fprintf(out, "  malformed: %s:%llu: %s\n", r->bad[i].path,
			(unsigned long long)r->bad[i].line, r->bad[i].why);
	fprintf(out, "violations: %llu (deny %llu, kill %llu, audit %llu), events dropped %llu\n",
		(unsigned long long)r->decisions, (unsigned long long)v[MG_REPORT_DENY],
		(unsigned long long)v[MG_REPORT_KILL], (unsigned long long)v[MG_REPORT_AUDIT],
		(unsigned long long)r->events_dropped);
	for (size_t i = 0; i < r->nscopes; i++)
		mg_text_scope(r, &r->scopes[i], out);
	mg_text_history(r, out);
	fputs("\nnotes:\n", out);
	for (size_t i = 0; mg_report_notes[i]; i++)
		fprintf(out, "  - %s\n", mg_report_notes[i]);
}
