// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Strict manifests: 'manifest: strict' on a model, and what it needs. */
#include "policy_fixture.h"

#define SUM		  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define MODEL_WITH(extra) API "models: [{name: m, tier: general, files: [/srv/m/], " extra "}]\n"

static void test_strict(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", MODEL_WITH("manifest: strict, sha256: {a.bin: " SUM "}"));
	load_ok(fx);
	assert_int_equal(fx->pol->models[0].manifest_strict, 1);
}

static void test_open_and_absent(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", MODEL_WITH("manifest: open"));
	load_ok(fx);
	assert_int_equal(fx->pol->models[0].manifest_strict, 0);
}

ERROR_TEST(test_strict_without_digests, MODEL_WITH("manifest: strict"), 2, 63,
	   "'manifest: strict' needs the model's files listed under 'sha256'")
ERROR_TEST(test_bad_value, MODEL_WITH("manifest: exact"), 2, 63,
	   "'manifest' must be strict or open")

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_strict),
		T(test_open_and_absent),
		T(test_strict_without_digests),
		T(test_bad_value),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
