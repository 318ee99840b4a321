/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The pieces of the report's HTML: text escaped for HTML, and the SVG charts. */
#ifndef MGUARD_REPORT_HTML_H
#define MGUARD_REPORT_HTML_H

#include <stdio.h>

#include "cli/report.h"

/* @s with &, <, >, " and ' escaped (NULL: "-"), for text and attribute values. */
void mg_html_text(FILE *out, const char *s);

/* A bar per bucket of @s's violations: svg.chart.violations, rect.bar[data-value]. */
void mg_svg_violations(const struct mg_report *r, const struct mg_report_scope *s, FILE *out);

/* The kill switch's changes and the reloads: svg.chart.timeline, circle.point[data-time]. */
void mg_svg_timeline(const struct mg_report *r, FILE *out);

#endif /* MGUARD_REPORT_HTML_H */
