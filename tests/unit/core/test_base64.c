// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* core/base64: against RFC 4648's vectors and OpenSSL's encoder, and its canonical spelling. */
#include "unit.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/base64.h"

static void test_base64_rfc4648_vectors(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].in);
		char text[16];
		uint8_t back[8];

		assert_int_equal(MG_BASE64_LEN(n), strlen(v[i].out));
		mg_base64_encode((const uint8_t *)v[i].in, n, text);
		assert_string_equal(text, v[i].out);
		assert_int_equal(mg_base64_decode(v[i].out, back, sizeof(back)), (long)n);
		assert_memory_equal(back, v[i].in, n);
	}
}

/* Every length from 0 to 200 bytes, every byte value: the same text as OpenSSL's. */
static void test_base64_matches_openssl(void **state)
{
	uint8_t in[200], back[200];
	char ours[MG_BASE64_LEN(200) + 1];
	unsigned char theirs[MG_BASE64_LEN(200) + 1];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 11);
	for (size_t n = 0; n <= sizeof(in); n++) {
		int len = EVP_EncodeBlock(theirs, in, (int)n);

		mg_base64_encode(in, n, ours);
		assert_int_equal(len, (int)MG_BASE64_LEN(n));
		assert_string_equal(ours, (const char *)theirs);
		memset(back, 0, sizeof(back));
		assert_int_equal(mg_base64_decode(ours, back, sizeof(back)), (long)n);
		assert_memory_equal(back, in, n);
	}
}

static void test_base64_rejects_other_spellings(void **state)
{
	static const char *const bad[] = {
		"Zg=",	  /* length not a multiple of 4 */
		"Zh==",	  /* unused bits set */
		"Zm9=",	  /* unused bits set */
		"Zg=a",	  /* '=' inside */
		"====",	  /* padding only */
		"Z===",	  /* three '=' */
		"Zm 9",	  /* a space */
		"Zm9v\n", /* a line break */
		"Zm-_",	  /* the URL alphabet */
		"=Zm9",	  /* '=' first */
	};
	uint8_t out[4] = { 1, 2, 3, 4 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mg_base64_decode(bad[i], out, sizeof(out)), -EINVAL);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[3], 4);
	assert_true(mg_base64_char('+'));
	assert_true(mg_base64_char('/'));
	assert_false(mg_base64_char('='));
	assert_false(mg_base64_char('-'));
}

static void test_base64_no_room(void **state)
{
	uint8_t out[2] = { 7, 7 };

	assert_int_equal(mg_base64_decode("Zm9v", out, sizeof(out)), -ENOSPC);
	assert_int_equal(out[0], 7);
	assert_int_equal(mg_base64_decode("Zm8=", out, sizeof(out)), 2);
	assert_memory_equal(out, "fo", 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_rfc4648_vectors),
		cmocka_unit_test(test_base64_matches_openssl),
		cmocka_unit_test(test_base64_rejects_other_spellings),
		cmocka_unit_test(test_base64_no_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
