// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Licence times: parsing and formatting UTC timestamps. */
#include "license_fixture.h"

/* ---- Time ------------------------------------------------------------------- */

static void test_time(void **state)
{
	const struct {
		const char *text;
		int64_t t;
	} good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2026-01-01T00:00:00Z", T_2026 },
		{ "2024-02-29T12:34:56Z", 1709210096 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "0000-01-01T00:00:00Z", -62167219200 },
		{ "9999-12-31T23:59:59Z", 253402300799 },
	};
	const char *bad[] = {
		"",
		"2026-01-01",
		"2026-01-01T00:00:00",
		"2026-01-01T00:00:00z",
		"2026-01-01 00:00:00Z",
		"2026-01-01T00:00:00.5Z",
		"2026-01-01T00:00:00+00:00",
		"2026-1-01T00:00:00Z",
		"+026-01-01T00:00:00Z",
		"2026-00-01T00:00:00Z",
		"2026-13-01T00:00:00Z",
		"2026-01-00T00:00:00Z",
		"2026-01-32T00:00:00Z",
		"2026-04-31T00:00:00Z",
		"1900-02-29T00:00:00Z",
		"2026-01-01T24:00:00Z",
		"2026-01-01T00:60:00Z",
		"2026-12-31T23:59:60Z",
		"2026-01-01T00:00:00ZZ",
		"-001-01-01T00:00:00Z",
		"2026-01-01t00:00:00Z",
	};
	char buf[MG_LICENSE_TIME_LEN];
	int64_t t;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		t = 42;
		assert_int_equal(mg_license_parse_time(good[i].text, &t), 0);
		assert_int_equal(t, good[i].t);
		mg_license_format_time(good[i].t, buf);
		assert_string_equal(buf, good[i].text);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		t = 42;
		assert_int_equal(mg_license_parse_time(bad[i], &t), -EINVAL);
		assert_int_equal(t, 42);
	}
	/* Every day of four centuries round-trips. */
	for (int64_t d = -146097; d < 2 * 146097; d++) {
		mg_license_format_time(d * 86400 + 86399, buf);
		assert_int_equal(mg_license_parse_time(buf, &t), 0);
		assert_int_equal(t, d * 86400 + 86399);
	}
	/* Out of range clamps. */
	mg_license_format_time(INT64_MAX, buf);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	mg_license_format_time(INT64_MIN, buf);
	assert_string_equal(buf, "0000-01-01T00:00:00Z");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {

		T(test_time),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
