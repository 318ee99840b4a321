// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The core helpers: hex and growable arrays. */
#include "unit.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/hex.h"

static void test_hex_round_trip(void **state)
{
	const uint8_t in[] = { 0x00, 0x7f, 0x80, 0xff, 0x1a };
	uint8_t back[sizeof(in)];
	char s[2 * sizeof(in) + 1];

	mg_hex_encode(in, sizeof(in), s);
	assert_string_equal(s, "007f80ff1a");
	assert_int_equal(mg_hex_decode("007F80FF1a", sizeof(back), back), 0);
	assert_memory_equal(back, in, sizeof(in));
}

static void test_hex_rejects_non_digits(void **state)
{
	uint8_t out[2] = { 0xaa, 0xbb };

	assert_int_equal(mg_hex_decode("0g12", 2, out), -EINVAL);
	assert_int_equal(mg_hex_decode("12", 2, out), -EINVAL); /* the NUL is not a digit */
	assert_int_equal(out[0], 0xaa);
	assert_int_equal(out[1], 0xbb);
	assert_int_equal(mg_hex_digit('F'), 15);
	assert_int_equal(mg_hex_digit(' '), -1);
}

static void test_array_push_grows_and_zeroes(void **state)
{
	uint64_t *v = NULL;
	size_t n = 0, cap = 0;

	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t *slot = mg_array_push(&v, &n, &cap, sizeof(*v));

		assert_non_null(slot);
		assert_int_equal(*slot, 0);
		*slot = i;
	}
	assert_int_equal(n, 1000);
	assert_true(cap >= 1000);
	for (uint64_t i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	free(v);
}

static void test_array_reserve_refuses_overflow(void **state)
{
	char *v = NULL;
	size_t cap = 0;

	assert_int_equal(mg_array_reserve(&v, &cap, SIZE_MAX, 2), -ENOMEM);
	assert_null(v);
	assert_int_equal(cap, 0);
	assert_int_equal(mg_array_reserve(&v, &cap, 10, 1), 0);
	assert_int_equal(cap, 16);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_round_trip),
		cmocka_unit_test(test_hex_rejects_non_digits),
		cmocka_unit_test(test_array_push_grows_and_zeroes),
		cmocka_unit_test(test_array_reserve_refuses_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
