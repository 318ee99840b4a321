// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Signing, writing and verifying licences, and tampering with them. */
#include "license_fixture.h"

/* ---- Signing and verifying ----------------------------------------------------- */

static void test_sign_verify(void **state)
{
	struct fx *fx = *state;
	uint8_t first[MG_LICENSE_SIG_LEN];
	char *text;

	text = signed_good(fx);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026 + 100, 0, NULL);
	assert_int_equal(mg_license_verify(fx->lic, fx->ring, T_2026, NULL), 0);

	/* Ed25519 is deterministic: signing again gives the same bytes. */
	memcpy(first, fx->lic->signature, sizeof(first));
	sign_ok(fx, "a.key");
	assert_memory_equal(first, fx->lic->signature, sizeof(first));

	/* What was written reads back signed, with the same fields. */
	assert_non_null(strstr(text, "\nsignature: "));
	parse_ok(fx, text);
	assert_true(fx->lic->signed_);
	assert_memory_equal(first, fx->lic->signature, sizeof(first));
	assert_string_equal(fx->lic->scope, "vllm");
	expect_verify(fx, T_2027 - 1, 0, NULL);
	free(text);
}

static void test_write_exact(void **state)
{
	struct fx *fx = *state;
	char *text;

	parse_ok(fx, GOOD);
	text = write_text(fx);
	assert_string_equal(text, GOOD);
	free(text);
}

static void test_write_quotes(void **state)
{
	struct fx *fx = *state;
	char *canon1, *canon2, *text;
	size_t len1, len2;

	/* Text that YAML would read differently if written plain. */
	parse_ok(fx,
		 HEAD "id: 'null'\nuseCase: \"a: b # c, 'd' \\\"e\\\" - [f]\"\n" L_SCOPE
		      "models: ['true', '1e3', NULL-x]\n" L_NB L_NA "issuer: '  Acmé – “Ltd”  '\n");
	assert_string_equal(fx->lic->id, "null");
	sign_ok(fx, "a.key");
	assert_int_equal(mg_license_canonical(fx->lic, &canon1, &len1), 0);
	text = write_text(fx);

	parse_ok(fx, text);
	assert_int_equal(mg_license_canonical(fx->lic, &canon2, &len2), 0);
	assert_string_equal(canon1, canon2);
	assert_string_equal(fx->lic->issuer, "  Acmé – “Ltd”  ");
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, 0, NULL);
	free(canon1);
	free(canon2);
	free(text);
}

/* Sign the good licence, replace @from with @to in its text and verify it. */
static void expect_tampered(struct fx *fx, const char *from, const char *to)
{
	char *text = signed_good(fx), *out, *at;

	at = strstr(text, from);
	assert_non_null(at);
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) > 0);
	parse_ok(fx, out);
	assert_true(fx->lic->signed_);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026 + 1, -EKEYREJECTED, "signature matches no trusted key");
	free(out);
	free(text);
}

static void test_tampered_scope(void **state)
{
	expect_tampered(*state, "scope: vllm\n", "scope: batch\n");
}

static void test_tampered_not_after(void **state)
{
	expect_tampered(*state, "notAfter: 2027-01-01T00:00:00Z", "notAfter: 2037-01-01T00:00:00Z");
}

static void test_tampered_models(void **state)
{
	expect_tampered(*state, "models: [llama-3.1-70b, mistral-7b]",
			"models: [llama-3.1-70b, mistral-7b, frontier-x]");
}

static void test_tampered_max_tier(void **state)
{
	expect_tampered(*state, "maxTier: controlled\n", "maxTier: prohibited\n");
}

static void test_tampered_dropped_tier(void **state)
{
	expect_tampered(*state, "maxTier: controlled\n", "");
}

/*
 * A licence's egressBudget is signed: written and read back it verifies;
 * raised, or dropped, it does not.
 */
static void test_budget_signed(void **state)
{
	struct fx *fx = *state;
	char *text, *raised, *dropped, *at;

	parse_ok(fx, GOOD "egressBudget: {bytes: 200MiB, per: 1h}\n");
	sign_ok(fx, "a.key");
	text = write_text(fx);
	assert_non_null(strstr(text, "\negressBudget: {bytes: 209715200, per: 3600s}\n"));
	parse_ok(fx, text);
	assert_int_equal(fx->lic->budget_bytes, 200ull << 20);
	assert_int_equal(fx->lic->budget_per_ns, 3600ull * 1000000000);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026 + 1, 0, NULL);

	at = strstr(text, "209715200");
	assert_non_null(at);
	assert_true(asprintf(&raised, "%.*s%s%s", (int)(at - text), text, "2097152000",
			     at + strlen("209715200")) > 0);
	parse_ok(fx, raised);
	expect_verify(fx, T_2026 + 1, -EKEYREJECTED, "signature matches no trusted key");
	at = strstr(text, "egressBudget: ");
	assert_true(asprintf(&dropped, "%.*s%s", (int)(at - text), text, strchr(at, '\n') + 1) > 0);
	parse_ok(fx, dropped);
	assert_int_equal(fx->lic->budget_bytes, 0);
	expect_verify(fx, T_2026 + 1, -EKEYREJECTED, "signature matches no trusted key");
	free(raised);
	free(dropped);
	free(text);
}

static void test_tampered_signature(void **state)
{
	struct fx *fx = *state;

	parse_ok(fx, GOOD);
	sign_ok(fx, "a.key");
	fx->lic->signature[17] ^= 0x01;
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, -EKEYREJECTED, "signature matches no trusted key");
}

static void test_reordered_is_same(void **state)
{
	struct fx *fx = *state;
	char *text = signed_good(fx), *out, *sig;

	/* Key order and model order are not signed: the same licence. */
	sig = strstr(text, "signature: ");
	assert_non_null(sig);
	assert_true(asprintf(&out,
			     "%s" L_ISSUER L_NA L_NB L_TIER
			     "models: [mistral-7b, llama-3.1-70b]\n" L_SCOPE L_USE L_ID HEAD,
			     sig) > 0);
	parse_ok(fx, out);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, 0, NULL);
	free(out);
	free(text);
}

static void test_wrong_key(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	load_ring(fx, "b.pub", NULL);
	expect_verify(fx, T_2026, -EKEYREJECTED, "signature matches no trusted key");
	/* Any key of the ring will do. */
	load_ring(fx, "b.pub", "a.pub");
	expect_verify(fx, T_2026, 0, NULL);
}

static void test_expired(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2027 - 1, 0, NULL);
	expect_verify(fx, T_2027, -EKEYEXPIRED, "expired on 2027-01-01T00:00:00Z");
	expect_verify(fx, INT64_MAX, -EKEYEXPIRED, "expired on 2027-01-01T00:00:00Z");
}

static void test_not_yet_valid(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, 0, NULL);
	expect_verify(fx, T_2026 - 1, -EKEYEXPIRED, "not valid before 2026-01-01T00:00:00Z");
	expect_verify(fx, INT64_MIN, -EKEYEXPIRED, "not valid before 2026-01-01T00:00:00Z");
}

static void test_signature_checked_before_time(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	load_ring(fx, "b.pub", NULL);
	expect_verify(fx, T_2027 + 1, -EKEYREJECTED, "signature matches no trusted key");
}

static void test_unsigned(void **state)
{
	struct fx *fx = *state;

	parse_ok(fx, GOOD);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, -EBADMSG, "not signed");
}

static void test_no_keys(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	expect_verify(fx, T_2026, -ENOKEY, "no trusted keys");
	load_ring(fx, NULL, NULL);
	assert_int_equal(mg_keyring_size(fx->ring), 0);
	expect_verify(fx, T_2026, -ENOKEY, "no trusted keys");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {

		T(test_sign_verify),
		T(test_write_exact),
		T(test_write_quotes),
		T(test_tampered_scope),
		T(test_tampered_not_after),
		T(test_tampered_models),
		T(test_tampered_max_tier),
		T(test_tampered_dropped_tier),
		T(test_budget_signed),
		T(test_tampered_signature),
		T(test_reordered_is_same),
		T(test_wrong_key),
		T(test_expired),
		T(test_not_yet_valid),
		T(test_signature_checked_before_time),
		T(test_unsigned),
		T(test_no_keys),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
