// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

bool mg_log_verbose;

static void mg_vlog(const char *level, const char *fmt, va_list ap, const char *suffix)
{
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
