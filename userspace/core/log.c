// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

bool mg_log_verbose;
bool mg_log_timestamps;

size_t mg_log_format_time(char *buf, size_t size, const struct timespec *ts)
{
	struct tm tm;
	size_t n;

	if (!gmtime_r(&ts->tv_sec, &tm))
		return 0;
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!n || n + sizeof(".000Z") > size)
		return 0;
	return n + snprintf(buf + n, size - n, ".%03ldZ", ts->tv_nsec / 1000000);
}

static void mg_vlog(const char *level, const char *fmt, va_list ap, const char *suffix)
{
	if (mg_log_timestamps) {
		struct timespec ts;
		char when[40];

		clock_gettime(CLOCK_REALTIME, &ts);
		if (mg_log_format_time(when, sizeof(when), &ts))
			fprintf(stderr, "%s ", when);
	}
	fputs("mguard: ", stderr);
	if (level)
		fprintf(stderr, "%s: ", level);
	vfprintf(stderr, fmt, ap);
	if (suffix)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
}

void mg_log(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mg_vlog(level, fmt, ap, NULL);
	va_end(ap);
}

int mg_log_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mg_vlog("error", fmt, ap, strerror(err < 0 ? -err : err));
	va_end(ap);
	return err < 0 ? err : -err;
}
