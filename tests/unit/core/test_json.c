// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* core/json: the one JSON writer, its escaper and UTF-8 checks. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

/* @s (@n bytes) escaped, as a NUL-terminated string to free(). */
static char *escape(const char *s, size_t n)
{
	struct mg_json_buf o = {};
	char *buf;

	mg_jb_string_len(&o, s, n);
	buf = malloc(o.len + 1);
	assert_non_null(buf);
	o = (struct mg_json_buf){ .buf = buf, .size = o.len };
	mg_jb_string_len(&o, s, n);
	buf[o.len] = '\0';
	return buf;
}

static void check(const char *in, size_t n, const char *want)
{
	char *got = escape(in, n);

	assert_string_equal(got, want);
	free(got);
}

static void test_ascii_and_escapes(void **state)
{
	check("", 0, "\"\"");
	check("plain text", 10, "\"plain text\"");
	check("q\"b\\s/", 6, "\"q\\\"b\\\\s/\"");
	check("\n\t\r\b\f", 5, "\"\\n\\t\\r\\u0008\\u000c\"");
	check("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	/* A NUL inside the given length is a character like any other. */
	check("a\0b", 3, "\"a\\u0000b\"");
}

static void test_utf8_kept_when_valid(void **state)
{
	check("\xc3\xa9", 2, "\"\xc3\xa9\"");		      /* é */
	check("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");	      /* € */
	check("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\""); /* U+1F600 */
	check("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	/* C1 controls are escaped: terminals act on them. */
	check("\xc2\x9b", 2, "\"\\u009b\"");
	check("\xc2\xa0", 2, "\"\xc2\xa0\"");
}

static void test_invalid_utf8_replaced(void **state)
{
	check("\xff", 1, "\"\\ufffd\"");
	check("a\x80z", 3, "\"a\\ufffdz\"");
	/* Overlong, surrogate, beyond U+10FFFF: one replacement per byte. */
	check("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	check("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	check("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* A sequence cut by the end of the string. */
	check("x\xe2\x82", 3, "\"x\\ufffd\\ufffd\"");
	check("\xe2\x82x", 3, "\"\\ufffd\\ufffdx\"");
}

static void test_buffer_measured_never_overrun(void **state)
{
	char buf[8];
	struct mg_json_buf o = { .buf = buf, .size = 4 };

	memset(buf, 'X', sizeof(buf));
	mg_jb_string(&o, "abcdef");
	assert_int_equal(o.len, 8);
	assert_int_equal(buf[4], 'X');
	o = (struct mg_json_buf){ .buf = buf, .size = sizeof(buf) };
	mg_jb_u64_width(&o, 7, 3);
	mg_jb_i64(&o, -12);
	assert_int_equal(o.len, 6);
	assert_memory_equal(buf, "007-12", 6);
}

static char *render_file(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	fn(out);
	fclose(out);
	return buf;
}

static void write_nested(FILE *out)
{
	struct mg_json j;

	mg_json_init(&j, out);
	mg_json_object_begin(&j, NULL);
	mg_json_str(&j, "state", "running");
	mg_json_u64(&j, "pid", 42);
	mg_json_i64(&j, "offset", -1);
	mg_json_bool(&j, "ok", true);
	mg_json_null(&j, "none");
	mg_json_str(&j, "null_str", NULL);
	mg_json_array_begin(&j, "scopes");
	mg_json_object_begin(&j, NULL);
	mg_json_str(&j, "name", "a\"b");
	mg_json_object_end(&j);
	mg_json_object_begin(&j, NULL);
	mg_json_object_end(&j);
	mg_json_array_end(&j);
	mg_json_array_begin(&j, "empty");
	mg_json_array_end(&j);
	mg_json_raw(&j, "n", "1.5");
	mg_json_object_end(&j);
	mg_json_end_line(&j);
}

static void test_file_writer_places_commas(void **state)
{
	char *s = render_file(write_nested);

	assert_string_equal(s,
			    "{\"state\":\"running\",\"pid\":42,\"offset\":-1,\"ok\":true,"
			    "\"none\":null,\"null_str\":null,\"scopes\":[{\"name\":\"a\\\"b\"},{}],"
			    "\"empty\":[],\"n\":1.5}\n");
	free(s);
}

static void write_long(FILE *out)
{
	char s[2000];

	/* Long enough for the piecewise path; a 2-byte sequence straddles every 64 bytes. */
	for (size_t i = 0; i < sizeof(s) - 1; i += 3) {
		s[i] = 'a';
		if (i + 2 < sizeof(s) - 1) {
			s[i + 1] = '\xc3';
			s[i + 2] = '\xa9';
		} else {
			s[i + 1] = '\0';
		}
	}
	s[sizeof(s) - 1] = '\0';
	mg_json_write_string(out, s);
}

static void test_long_string_same_as_buffer(void **state)
{
	char s[2000], *got, *want;

	for (size_t i = 0; i < sizeof(s) - 1; i += 3) {
		s[i] = 'a';
		if (i + 2 < sizeof(s) - 1) {
			s[i + 1] = '\xc3';
			s[i + 2] = '\xa9';
		} else {
			s[i + 1] = '\0';
		}
	}
	s[sizeof(s) - 1] = '\0';
	got = render_file(write_long);
	want = escape(s, strlen(s));
	assert_string_equal(got, want);
	assert_null(strstr(got, "\\ufffd"));
	free(got);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_and_escapes),
		cmocka_unit_test(test_utf8_kept_when_valid),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_buffer_measured_never_overrun),
		cmocka_unit_test(test_file_writer_places_commas),
		cmocka_unit_test(test_long_string_same_as_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
