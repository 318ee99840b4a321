// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The report's times: RFC 3339 and ages for --since and --until, the
 * window the report covers, its buckets (hours for a span up to two days,
 * days beyond) and every series over them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/report.h"
#include "core/civil_time.h"
#include "license/license.h"

static bool mg_digits(const char *s, int n, unsigned int *ret)
{
	*ret = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*ret = *ret * 10 + (s[i] - '0');
	}
	return true;
}

int mg_report_parse_rfc3339(const char *s, int64_t *ret)
{
	unsigned int y, mo, d, h, mi, sec, oh, om;
	const char *p;
	int64_t off = 0;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -EINVAL;
	if (!mg_digits(s, 4, &y) || !mg_digits(s + 5, 2, &mo) || !mg_digits(s + 8, 2, &d) ||
	    !mg_digits(s + 11, 2, &h) || !mg_digits(s + 14, 2, &mi) || !mg_digits(s + 17, 2, &sec))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mg_days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 60)
		return -EINVAL;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
		   mg_digits(p + 1, 2, &oh) && mg_digits(p + 4, 2, &om) && oh < 24 && om < 60) {
		off = (int64_t)(oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
	} else {
		return -EINVAL;
	}
	if (sec == 60)
		sec = 59; /* a leap second: the second before it */
	*ret = mg_days_from_civil(y, mo, d) * MG_SECS_PER_DAY + h * 3600 + mi * 60 + sec - off;
	return 0;
}

int mg_report_parse_when(const char *s, int64_t now, int64_t *ret)
{
	static const struct {
		char unit;
		int64_t secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 } };
	unsigned long long n;
	char *end;

	if (!mg_report_parse_rfc3339(s, ret))
		return 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || !end[0] || end[1] || n > 100ull * 366 * 86400)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (units[i].unit == *end) {
			if (n > (unsigned long long)(100ll * 366 * 86400 / units[i].secs))
				return -EINVAL;
			*ret = now - (int64_t)n * units[i].secs;
			return 0;
		}
	}
	return -EINVAL;
}

void mg_report_format_time(int64_t t, char *buf)
{
	mg_license_format_time(t, buf);
}

const char *mg_report_bucket_name(const struct mg_report *r)
{
	return r->bucket == MG_REPORT_HOUR ? "hour" : "day";
}

/* The start of the bucket of @size seconds that holds @t. */
static int64_t mg_floor(int64_t t, int64_t size)
{
	int64_t q = t / size;

	if (t % size < 0)
		q--;
	return q * size;
}

static uint64_t *mg_series(const struct mg_report *r, const struct mg_report_class *c)
{
	uint64_t *v = calloc(r->nbuckets ? r->nbuckets : 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < c->ntimes; i++) {
		int64_t b = (mg_floor(c->times[i], r->bucket) - r->bucket0) / r->bucket;

		if (b >= 0 && (size_t)b < r->nbuckets)
			v[b]++;
	}
	return v;
}

/* Seconds of [start, end] with the kill switch on. */
static int64_t mg_switch_on_secs(const struct mg_report *r)
{
	int64_t total = 0, from = r->start;
	bool on = r->switch_at_start;

	for (size_t i = 0; i < r->nswitches; i++) {
		const struct mg_report_switch *k = &r->switches[i];

		if (on && !k->on)
			total += k->time - from;
		else if (!on && k->on)
			from = k->time;
		on = k->on;
	}
	if (on && r->end > from)
		total += r->end - from;
	return total;
}

int mg_report_finish(struct mg_report *r)
{
	int64_t span;

	r->start = r->opts.since != MG_REPORT_NO_TIME ? r->opts.since :
		   r->first != MG_REPORT_NO_TIME      ? r->first :
							r->opts.now;
	/* "Since T" runs to now; with neither bound, the lines' own span. */
	r->end = r->opts.until != MG_REPORT_NO_TIME ? r->opts.until :
		 r->opts.since != MG_REPORT_NO_TIME ? r->opts.now :
		 r->last != MG_REPORT_NO_TIME	    ? r->last :
						      r->opts.now;
	if (r->end < r->start)
		r->end = r->start;
	span = r->end - r->start;
	r->bucket = span <= MG_REPORT_HOURLY_MAX ? MG_REPORT_HOUR : MG_REPORT_DAY;
	r->bucket0 = mg_floor(r->start, r->bucket);
	r->nbuckets = (size_t)((mg_floor(r->end, r->bucket) - r->bucket0) / r->bucket) + 1;
	r->switch_at_start = r->switch_seen == 1;
	r->switch_on_secs = mg_switch_on_secs(r);

	for (size_t i = 0; i < r->nscopes; i++) {
		struct mg_report_scope *s = &r->scopes[i];

		s->series = calloc(r->nbuckets, sizeof(*s->series));
		if (!s->series)
			return -ENOMEM;
		for (size_t j = 0; j < s->nclasses; j++) {
			struct mg_report_class *c = &s->classes[j];

			c->series = mg_series(r, c);
			if (!c->series)
				return -ENOMEM;
			for (size_t b = 0; b < r->nbuckets; b++)
				s->series[b] += c->series[b];
		}
	}
	return 0;
}
