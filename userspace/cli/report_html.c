// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The report as one self-contained HTML file: inline CSS, inline SVG
 * charts (report_svg.c), no script and no reference to anything outside
 * the file. Every number is the text of a cell that also names it in a
 * data-key attribute, the same names as in the JSON.
 */
#include "cli/report_html.h"

static const char mg_css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:60em}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{border:1px solid #ddd;padding:2px 8px;text-align:left}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	".meta{color:#555}.warn{color:#a40}"
	"svg{display:block;margin:.5em 0;background:#fafafa;border:1px solid #eee}"
	"rect.bar{fill:#c0392b}rect.on-span{fill:#f5b041;opacity:.5}"
	"circle.reload{fill:#27ae60}circle.failed{fill:#c0392b}"
	"circle.killswitch{fill:#e67e22}circle.off{fill:#7f8c8d}"
	"line.axis,line.lane{stroke:#999}text.tick{font-size:10px;fill:#555}"
	"text.end{text-anchor:end}";

void mg_html_text(FILE *out, const char *s)
{
	if (!s) {
		fputc('-', out);
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static void mg_cell(FILE *out, const char *s)
{
	fputs("<td>", out);
	mg_html_text(out, s);
	fputs("</td>", out);
}

static void mg_num(FILE *out, const char *key, long long v)
{
	fprintf(out, "<td class=\"n\" data-key=\"%s\">%lld</td>", key, v);
}

static void mg_time_cell(FILE *out, int64_t t)
{
	char buf[32];

	mg_report_format_time(t, buf);
	fprintf(out, "<td><time>%s</time></td>", buf);
}

static void mg_html_models(const struct mg_report *r, const struct mg_report_scope *s, FILE *out)
{
	if (r->live.known && r->live.folder_matches) {
		fprintf(out,
			"<h3>may load (policy in force)</h3>\n<table class=\"may-load\" "
			"data-count=\"%zu\"><tr><th>model</th><th>tier</th><th>licence</th></tr>\n",
			s->nmay_load);
		for (size_t i = 0; i < s->nmay_load; i++) {
			fputs("<tr>", out);
			mg_cell(out, s->may_load[i].model);
			mg_cell(out, s->may_load[i].tier);
			mg_cell(out, s->may_load[i].license);
			fputs("</tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	fputs("<h3>models seen in decisions</h3>\n<table class=\"models\"><tr><th>model</th>"
	      "<th>tier</th><th>loaded (audit opens)</th><th>refused</th><th>first</th><th>last</th>"
	      "</tr>\n",
	      out);
	for (size_t i = 0; i < s->nmodels; i++) {
		fputs("<tr>", out);
		mg_cell(out, s->models[i].name);
		mg_cell(out, s->models[i].tier);
		mg_num(out, "opens", (long long)s->models[i].audited);
		mg_num(out, "attempts", (long long)s->models[i].refused);
		mg_time_cell(out, s->models[i].first);
		mg_time_cell(out, s->models[i].last);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
	if (!s->nlicenses)
		return;
	fputs("<h3>licences in force</h3>\n<table class=\"licenses\"><tr><th>id</th>"
	      "<th>notAfter</th><th>days left</th></tr>\n",
	      out);
	for (size_t i = 0; i < s->nlicenses; i++) {
		fputs("<tr>", out);
		mg_cell(out, s->licenses[i].id);
		mg_time_cell(out, s->licenses[i].not_after);
		mg_num(out, "days_left", (long long)s->licenses[i].days_left);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void mg_html_scope(const struct mg_report *r, const struct mg_report_scope *s, FILE *out)
{
	fputs("<section class=\"scope\" data-scope=\"", out);
	mg_html_text(out, s->name ? s->name : "");
	fputs("\">\n<h2>scope ", out);
	mg_html_text(out, s->name ? s->name : "(outside every scope)");
	fputs("</h2>\n<p class=\"meta\">", out);
	if (s->in_policy) {
		fputs("max tier ", out);
		mg_html_text(out, s->max_tier);
		fputs(", cgroup ", out);
		mg_html_text(out, s->cgroup);
	} else {
		fputs(r->live.known ? "not in the policy in force" :
				      "no daemon runs: tier not known",
		      out);
	}
	fputs("</p>\n<table class=\"scope-totals\"><tr><th>violations</th><th>deny</th>"
	      "<th>kill</th><th>audit</th><th>rate-limited, not recorded</th></tr><tr>",
	      out);
	mg_num(out, "total", (long long)s->total);
	for (int v = 0; v < MG_REPORT_VERDICTS; v++)
		mg_num(out, mg_report_verdict_name(v), (long long)s->verdicts[v]);
	mg_num(out, "rate_suppressed", (long long)s->rate_suppressed);
	fprintf(out, "</tr></table>\n<h3>violations per %s</h3>\n", mg_report_bucket_name(r));
	mg_svg_violations(r, s, out);
	fputs("<table class=\"classes\"><tr><th>hook</th><th>reason</th><th>count</th>"
	      "<th>deny</th><th>kill</th><th>audit</th></tr>\n",
	      out);
	for (size_t i = 0; i < s->nclasses; i++) {
		const struct mg_report_class *c = &s->classes[i];

		fputs("<tr class=\"class\" data-hook=\"", out);
		mg_html_text(out, c->hook);
		fputs("\" data-reason=\"", out);
		mg_html_text(out, c->reason);
		fputs("\">", out);
		mg_cell(out, c->hook);
		mg_cell(out, c->reason);
		mg_num(out, "count", (long long)c->count);
		for (int v = 0; v < MG_REPORT_VERDICTS; v++)
			mg_num(out, mg_report_verdict_name(v), (long long)c->verdicts[v]);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
	mg_html_models(r, s, out);
	fputs("</section>\n", out);
}

static void mg_html_history(const struct mg_report *r, FILE *out)
{
	fputs("<section class=\"history\">\n<h2>kill switch and reloads</h2>\n", out);
	mg_svg_timeline(r, out);
	fputs("<table class=\"killswitch\"><tr><th>time</th><th>state</th><th>writes</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->nswitches; i++) {
		fputs("<tr>", out);
		mg_time_cell(out, r->switches[i].time);
		mg_cell(out, r->switches[i].on ? "on" : "off");
		mg_num(out, "changes", (long long)r->switches[i].changes);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n<table class=\"reloads\"><tr><th>time</th><th>result</th>"
	      "<th>generation</th><th>policy digest</th><th>mode</th><th>error</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->nreloads; i++) {
		const struct mg_report_reload *l = &r->reloads[i];

		fputs("<tr>", out);
		mg_time_cell(out, l->time);
		mg_cell(out, l->failed ? "failed" : "loaded");
		if (l->generation >= 0)
			mg_num(out, "generation", (long long)l->generation);
		else
			mg_cell(out, NULL);
		mg_cell(out, l->digest);
		mg_cell(out, l->mode);
		mg_cell(out, l->error);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n<table class=\"daemon-events\"><tr><th>time</th><th>event</th>"
	      "<th>detail</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->ndaemon; i++) {
		fputs("<tr>", out);
		mg_time_cell(out, r->daemon[i].time);
		mg_cell(out, r->daemon[i].type);
		mg_cell(out, r->daemon[i].detail);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

static void mg_html_input(const struct mg_report *r, FILE *out)
{
	fputs("<section class=\"input\">\n<h2>what was read</h2>\n<table class=\"files\">"
	      "<tr><th>file</th><th>lines</th><th>malformed</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->nsources; i++) {
		fputs("<tr>", out);
		mg_cell(out, r->sources[i].path);
		mg_num(out, "lines", (long long)r->sources[i].lines);
		mg_num(out, "malformed", (long long)r->sources[i].malformed);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n<ul class=\"malformed\">\n", out);
	for (size_t i = 0; i < r->nbad; i++) {
		fputs("<li class=\"warn\">", out);
		mg_html_text(out, r->bad[i].path);
		fprintf(out, ":%llu: ", (unsigned long long)r->bad[i].line);
		mg_html_text(out, r->bad[i].why);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n<h2>notes</h2>\n<ul class=\"notes\">\n", out);
	for (size_t i = 0; mg_report_notes[i]; i++) {
		fputs("<li>", out);
		mg_html_text(out, mg_report_notes[i]);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</section>\n", out);
}

static void mg_html_totals(const struct mg_report *r, FILE *out)
{
	uint64_t v[MG_REPORT_VERDICTS] = { 0 }, suppressed = 0, failed = 0;

	for (size_t i = 0; i < r->nscopes; i++) {
		for (int k = 0; k < MG_REPORT_VERDICTS; k++)
			v[k] += r->scopes[i].verdicts[k];
		suppressed += r->scopes[i].rate_suppressed;
	}
	for (size_t i = 0; i < r->nreloads; i++)
		failed += r->reloads[i].failed;
	fputs("<table class=\"totals\"><tr><th>violations</th><th>deny</th><th>kill</th>"
	      "<th>audit</th><th>rate-limited</th><th>events dropped</th><th>reloads</th>"
	      "<th>reloads refused</th><th>kill switch changes</th><th>lines read</th>"
	      "<th>malformed lines</th></tr>\n<tr>",
	      out);
	mg_num(out, "violations", (long long)r->decisions);
	for (int k = 0; k < MG_REPORT_VERDICTS; k++)
		mg_num(out, mg_report_verdict_name(k), (long long)v[k]);
	mg_num(out, "rate_suppressed", (long long)suppressed);
	mg_num(out, "events_dropped", (long long)r->events_dropped);
	mg_num(out, "reloads", (long long)(r->nreloads - failed));
	mg_num(out, "reloads_failed", (long long)failed);
	mg_num(out, "killswitch_changes", (long long)r->switch_changes);
	mg_num(out, "lines", (long long)r->lines);
	mg_num(out, "malformed", (long long)r->malformed);
	fputs("</tr></table>\n", out);
}

void mg_report_print_html(const struct mg_report *r, FILE *out)
{
	char a[32], b[32];

	mg_report_format_time(r->start, a);
	mg_report_format_time(r->end, b);
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<title>mguard compliance report %s to %s</title>\n<style>%s</style>\n"
		"</head><body>\n<h1>mguard compliance report</h1>\n"
		"<p class=\"meta\" data-since=\"%s\" data-until=\"%s\" data-bucket=\"%s\" "
		"data-buckets=\"%zu\">From <time>%s</time> to <time>%s</time>, by %s.",
		a, b, mg_css, a, b, mg_report_bucket_name(r), r->nbuckets, a, b,
		mg_report_bucket_name(r));
	mg_report_format_time(r->opts.now, a);
	fprintf(out, " Made <time>%s</time>.</p>\n<p class=\"daemon\">", a);
	if (r->live.known) {
		mg_report_format_time(r->live.loaded_at, a);
		fprintf(out, "Daemon running (pid %d), policy ", r->live.pid);
		mg_html_text(out, r->live.policy_dir);
		fprintf(out, " loaded <time>%s</time>, sha256 <code>", a);
		mg_html_text(out, r->live.digest);
		fputs("</code>.", out);
	}
	if (r->live.why_not) {
		fputs(r->live.known ? " <span class=\"warn\">" : "<span class=\"warn\">Daemon: ",
		      out);
		mg_html_text(out, r->live.why_not);
		fputs(".</span>", out);
	}
	fputs("</p>\n", out);
	mg_html_totals(r, out);
	for (size_t i = 0; i < r->nscopes; i++)
		mg_html_scope(r, &r->scopes[i], out);
	mg_html_history(r, out);
	mg_html_input(r, out);
	fputs("</body></html>\n", out);
}
