// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Messages: the RFC 3339 time mguard.log lines start with. */
#include "unit.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

static void test_format_time(void **state)
{
	struct timespec ts = { .tv_sec = 1796160788, .tv_nsec = 7123456 };
	char buf[40];

	assert_int_equal(mg_log_format_time(buf, sizeof(buf), &ts), 24);
	assert_string_equal(buf, "2026-12-01T21:33:08.007Z");
	ts.tv_nsec = 999999999;
	mg_log_format_time(buf, sizeof(buf), &ts);
	assert_string_equal(buf, "2026-12-01T21:33:08.999Z");
	/* Too small a buffer: nothing, rather than a cut time. */
	assert_int_equal(mg_log_format_time(buf, 20, &ts), 0);
}

/* Run @fn with stderr in a file; return what it wrote. */
static char *capture_stderr(void (*fn)(void))
{
	char dir[PATH_MAX - 16], path[PATH_MAX], *text;
	int saved = dup(STDERR_FILENO);

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir), "log"), 0);
	snprintf(path, sizeof(path), "%s/err", dir);
	fflush(stderr);
	assert_non_null(freopen(path, "w", stderr));
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	text = unit_slurp(path, NULL);
	unit_rm_tree(dir);
	return text;
}

static void log_two(void)
{
	mg_log_timestamps = false;
	mg_info("plain");
	mg_log_timestamps = true;
	mg_err("timed %d", 42);
	mg_log_timestamps = false;
}

static void test_timestamps_on_request(void **state)
{
	char *text = capture_stderr(log_two);
	regex_t re;

	assert_non_null(text);
	assert_int_equal(
		regcomp(&re,
			"^mguard: plain\n"
			"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
			"mguard: error: timed 42\n$",
			REG_EXTENDED),
		0);
	if (regexec(&re, text, 0, NULL, 0))
		fail_msg("unexpected log text: '%s'", text);
	regfree(&re);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_timestamps_on_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
