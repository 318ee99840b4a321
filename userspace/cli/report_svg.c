// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The report's charts, as inline SVG: violations per bucket of one scope (a
 * bar per bucket, zero bars included), and a timeline of the kill switch
 * and the reloads (a point per change, a band while the switch is on).
 * Every bar and point carries its numbers in data-* attributes, so a reader
 * (or a test) needs no script to read them back.
 */
#include "cli/report_html.h"

#define MG_SVG_W     720
#define MG_SVG_H     160
#define MG_SVG_LEFT  48
#define MG_SVG_RIGHT 8
#define MG_SVG_TOP   10
#define MG_SVG_FOOT  22

static double mg_x(const struct mg_report *r, int64_t t)
{
	double span = (double)(r->end - r->start);
	double w = MG_SVG_W - MG_SVG_LEFT - MG_SVG_RIGHT;

	if (span <= 0)
		return MG_SVG_LEFT + w / 2;
	if (t < r->start)
		t = r->start;
	if (t > r->end)
		t = r->end;
	return MG_SVG_LEFT + w * (double)(t - r->start) / span;
}

static void mg_svg_axis(const struct mg_report *r, int64_t from, int64_t to, FILE *out)
{
	char a[32], b[32];
	int base = MG_SVG_H - MG_SVG_FOOT;

	mg_report_format_time(from, a);
	mg_report_format_time(to, b);
	fprintf(out,
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		"<text class=\"tick\" x=\"%d\" y=\"%d\">%s</text>"
		"<text class=\"tick end\" x=\"%d\" y=\"%d\">%s</text>\n",
		MG_SVG_LEFT, base, MG_SVG_W - MG_SVG_RIGHT, base, MG_SVG_LEFT, MG_SVG_H - 6, a,
		MG_SVG_W - MG_SVG_RIGHT, MG_SVG_H - 6, b);
}

void mg_svg_violations(const struct mg_report *r, const struct mg_report_scope *s, FILE *out)
{
	double w = (double)(MG_SVG_W - MG_SVG_LEFT - MG_SVG_RIGHT) / (double)r->nbuckets;
	int plot = MG_SVG_H - MG_SVG_FOOT - MG_SVG_TOP;
	uint64_t max = 1;
	char t[32];

	for (size_t b = 0; b < r->nbuckets; b++)
		if (s->series[b] > max)
			max = s->series[b];
	fprintf(out,
		"<svg class=\"chart violations\" data-buckets=\"%zu\" data-max=\"%llu\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n"
		"<title>violations per %s</title>\n",
		r->nbuckets, (unsigned long long)max, MG_SVG_W, MG_SVG_H, MG_SVG_W, MG_SVG_H,
		mg_report_bucket_name(r));
	fprintf(out,
		"<text class=\"tick\" x=\"2\" y=\"%d\">%llu</text>"
		"<text class=\"tick\" x=\"2\" y=\"%d\">0</text>\n",
		MG_SVG_TOP + 10, (unsigned long long)max, MG_SVG_H - MG_SVG_FOOT);
	for (size_t b = 0; b < r->nbuckets; b++) {
		double h = (double)plot * (double)s->series[b] / (double)max;

		mg_report_format_time(mg_report_bucket_start(r, b), t);
		fprintf(out,
			"<rect class=\"bar\" data-bucket=\"%zu\" data-start=\"%s\" "
			"data-value=\"%llu\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">"
			"<title>%s: %llu</title></rect>\n",
			b, t, (unsigned long long)s->series[b], MG_SVG_LEFT + w * (double)b + 0.5,
			(double)(MG_SVG_H - MG_SVG_FOOT) - h, w > 2 ? w - 1 : w, h, t,
			(unsigned long long)s->series[b]);
	}
	mg_svg_axis(r, mg_report_bucket_start(r, 0), mg_report_bucket_start(r, r->nbuckets - 1),
		    out);
	fputs("</svg>\n", out);
}

static void mg_svg_point(FILE *out, const char *cls, int64_t time, double x, int y,
			 const char *label)
{
	char t[32];

	mg_report_format_time(time, t);
	fprintf(out,
		"<circle class=\"point %s\" data-time=\"%s\" cx=\"%.2f\" cy=\"%d\" r=\"5\">"
		"<title>%s %s</title></circle>\n",
		cls, t, x, y, t, label);
}

void mg_svg_timeline(const struct mg_report *r, FILE *out)
{
	int ks_y = 40, rl_y = 95;
	bool on = r->switch_at_start;
	int64_t from = r->start;

	fprintf(out,
		"<svg class=\"chart timeline\" data-points=\"%zu\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\">\n"
		"<title>kill switch and reloads</title>\n"
		"<text class=\"tick\" x=\"2\" y=\"%d\">kill switch</text>"
		"<text class=\"tick\" x=\"2\" y=\"%d\">reloads</text>\n"
		"<line class=\"lane\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		"<line class=\"lane\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
		r->nswitches + r->nreloads, MG_SVG_W, MG_SVG_H, MG_SVG_W, MG_SVG_H, ks_y - 12,
		rl_y - 12, MG_SVG_LEFT, ks_y, MG_SVG_W - MG_SVG_RIGHT, ks_y, MG_SVG_LEFT, rl_y,
		MG_SVG_W - MG_SVG_RIGHT, rl_y);
	/* Bands while the kill switch is on. */
	for (size_t i = 0; i <= r->nswitches; i++) {
		bool last = i == r->nswitches;
		int64_t t = last ? r->end : r->switches[i].time;

		if (on && (last || !r->switches[i].on))
			fprintf(out,
				"<rect class=\"on-span\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
				"height=\"16\"/>\n",
				mg_x(r, from), ks_y - 8, mg_x(r, t) - mg_x(r, from));
		if (last)
			break;
		if (!on && r->switches[i].on)
			from = t;
		on = r->switches[i].on;
	}
	for (size_t i = 0; i < r->nswitches; i++)
		mg_svg_point(out, r->switches[i].on ? "killswitch on" : "killswitch off",
			     r->switches[i].time, mg_x(r, r->switches[i].time), ks_y,
			     r->switches[i].on ? "kill switch on" : "kill switch off");
	for (size_t i = 0; i < r->nreloads; i++)
		mg_svg_point(out, r->reloads[i].failed ? "reload failed" : "reload",
			     r->reloads[i].time, mg_x(r, r->reloads[i].time), rl_y,
			     r->reloads[i].failed ? "reload refused" : "policy put in force");
	mg_svg_axis(r, r->start, r->end, out);
	fputs("</svg>\n", out);
}
