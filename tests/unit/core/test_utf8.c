// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* core/utf8: well-formed UTF-8 and control characters. */
#include "unit.h"

#include "core/utf8.h"

static void test_utf8_valid(void **state)
{
	static const char *const good[] = {
		"",
		"plain ASCII",
		"caf\xc3\xa9",	    /* U+00E9 */
		"\xe2\x82\xac",	    /* U+20AC */
		"\xf0\x9f\x98\x80", /* U+1F600 */
		"\xf4\x8f\xbf\xbf", /* U+10FFFF, the last */
		"\xed\x9f\xbf",	    /* U+D7FF, below the surrogates */
		"\xee\x80\x80",	    /* U+E000, above them */
	};
	static const char *const bad[] = {
		"\x80",			/* continuation first */
		"\xc3",			/* cut short */
		"\xc3\x28",		/* not a continuation */
		"\xc0\xaf",		/* overlong '/' */
		"\xe0\x80\xaf",		/* overlong, 3 bytes */
		"\xf0\x80\x80\xaf",	/* overlong, 4 bytes */
		"\xed\xa0\x80",		/* U+D800, a surrogate */
		"\xed\xbf\xbf",		/* U+DFFF */
		"\xf4\x90\x80\x80",	/* U+110000 */
		"\xf8\x88\x80\x80\x80", /* 5-byte form */
		"\xff",
		"ok \xe2\x82", /* cut short at the end */
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(mg_utf8_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(mg_utf8_valid(bad[i]));
}

static void test_utf8_has_control(void **state)
{
	assert_false(mg_utf8_has_control("lic-2026 caf\xc3\xa9 \xc2\xa0")); /* U+00A0 is not */
	assert_true(mg_utf8_has_control("a\tb"));
	assert_true(mg_utf8_has_control("a\nb"));
	assert_true(mg_utf8_has_control("\x1f"));
	assert_true(mg_utf8_has_control("del\x7f"));
	assert_true(mg_utf8_has_control("c1 \xc2\x80")); /* U+0080 */
	assert_true(mg_utf8_has_control("c1 \xc2\x9f")); /* U+009F */
	assert_false(mg_utf8_has_control(" ~"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_has_control),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
