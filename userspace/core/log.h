/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Messages for the operator, on stderr: lowercase, the error first, the
 * subject quoted. The policy and compile code never logs (it returns
 * diagnostics); the loader, daemon and CLI do.
 */
#ifndef MGUARD_LOG_H
#define MGUARD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

void mg_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log "msg: strerror(-err)" and return err (a negative errno). */
int mg_log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern bool mg_log_verbose;

/*
 * Start each message with its RFC 3339 time in UTC, to the millisecond
 * ("2026-12-01T21:53:08.123Z mguard: ..."): set where messages go to a file
 * (mguard.log) rather than to a terminal or the journal, which time them.
 */
extern bool mg_log_timestamps;

/* @ts as RFC 3339 UTC with milliseconds into @buf; its length, or 0 when it does not fit. */
size_t mg_log_format_time(char *buf, size_t size, const struct timespec *ts);

#define mg_err(...)  mg_log("error", __VA_ARGS__)
#define mg_warn(...) mg_log("warning", __VA_ARGS__)
#define mg_info(...) mg_log(NULL, __VA_ARGS__)
#define mg_debug(...)                                 \
	do {                                          \
		if (mg_log_verbose)                   \
			mg_log("debug", __VA_ARGS__); \
	} while (0)

#endif /* MGUARD_LOG_H */
