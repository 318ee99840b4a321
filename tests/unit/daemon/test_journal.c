// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Events to journald: the structured fields, and a failed send counted. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "daemon/journal.h"

/* What the fake journal got last, as "FIELD=value" strings. */
static char sent[MG_JOURNAL_FIELDS][8192];
static int nsent;
static int answer; /* what the fake sd_journal_sendv() returns */

static int fake_sendv(const struct iovec *iov, int n)
{
	nsent = n;
	for (int i = 0; i < n && i < MG_JOURNAL_FIELDS; i++)
		snprintf(sent[i], sizeof(sent[i]), "%.*s", (int)iov[i].iov_len,
			 (const char *)iov[i].iov_base);
	return answer;
}

static void test_fields(void **state)
{
	static const char *const want[] = {
		"MESSAGE={\"hook\":\"file_open\"}",
		"PRIORITY=4",
		"SYSLOG_IDENTIFIER=mguard",
		"MGUARD_SCOPE=vllm",
		"MGUARD_VERDICT=kill",
		"MGUARD_HOOK=file_open",
		"MGUARD_ENGINE=tracepoint-kill",
		"MGUARD_REASON=tier",
		"MGUARD_PID=10",
		"MGUARD_TID=11",
		"MGUARD_COMM=python3",
		"MGUARD_CGROUP_ID=77",
		"MGUARD_GENERATION=2",
	};
	struct mg_event e = unit_file_event("a.safetensors");
	const char *line = "{\"hook\":\"file_open\"}\n";
	struct mg_journal j;

	mg_journal_init(&j, fake_sendv);
	answer = 0;
	assert_int_equal(mg_journal_send(&j, &e, unit_file_image(), line, strlen(line)), 0);
	assert_int_equal(nsent, MG_ARRAY_SIZE(want));
	for (size_t i = 0; i < MG_ARRAY_SIZE(want); i++)
		assert_string_equal(sent[i], want[i]);
	assert_int_equal(j.sent, 1);
	assert_int_equal(j.failed, 0);

	/* Audit is a notice; a scope the image does not name is "unknown". */
	e.verdict = MG_VERDICT_AUDIT;
	e.scope_id = 9;
	assert_int_equal(mg_journal_send(&j, &e, unit_file_image(), line, strlen(line)), 0);
	assert_string_equal(sent[1], "PRIORITY=5");
	assert_string_equal(sent[3], "MGUARD_SCOPE=unknown");
	assert_string_equal(sent[4], "MGUARD_VERDICT=audit");
	mg_journal_free(&j);
}

static void test_long_message(void **state)
{
	struct mg_event e = unit_file_event("x");
	struct mg_journal j;
	char *line = malloc(6001);

	assert_non_null(line);
	memset(line, 'a', 6000);
	line[6000] = '\n';
	mg_journal_init(&j, fake_sendv);
	answer = 0;
	assert_int_equal(mg_journal_send(&j, &e, NULL, line, 6001), 0);
	assert_int_equal(strlen(sent[0]), strlen("MESSAGE=") + 6000);
	assert_string_equal(sent[3], "MGUARD_SCOPE=unknown");
	free(line);
	mg_journal_free(&j);
}

/* No journald (as on a host without systemd): the error is returned and counted. */
static void test_send_failure(void **state)
{
	struct mg_event e = unit_file_event("a");
	struct mg_journal j;

	mg_journal_init(&j, fake_sendv);
	answer = -ENOENT;
	assert_int_equal(mg_journal_send(&j, &e, NULL, "{}\n", 3), -ENOENT);
	assert_int_equal(mg_journal_send(&j, &e, NULL, "{}\n", 3), -ENOENT);
	assert_int_equal(j.failed, 2);
	assert_int_equal(j.sent, 0);
	assert_int_equal(j.last_err, -ENOENT);
	mg_journal_free(&j);

	/*
	 * The real sd_journal_sendv(): libsystemd drops an entry without a word
	 * when there is no journald socket (ENOENT), as on this host; with one,
	 * the entry is sent. Either way it answers 0 and nothing breaks.
	 */
	mg_journal_init(&j, NULL);
	assert_int_equal(mg_journal_send(&j, &e, NULL, "{}\n", 3), 0);
	assert_int_equal(j.sent, 1);
	mg_journal_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_send_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
