// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fs-verity digests: a model's 'verity' mapping, and the SHA-256 it needs beside it. */
#include "policy_fixture.h"

#define SUM		  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define VSUM		  "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef"
#define MODEL_WITH(extra) API "models: [{name: m, tier: general, files: [/srv/m/], " extra "}]\n"

static void test_verity_forms(void **state)
{
	struct fx *fx = *state;
	const struct mg_model *m;

	put(fx, "p.yaml",
	    API "models:\n  - name: m\n    tier: general\n    files: [/srv/m/]\n"
		"    sha256: {a.bin: " SUM ", /srv/m/b.bin: " SUM "}\n"
		"    verity:\n"
		"      a.bin: sha256:" VSUM "\n"
		"      /srv/m/b.bin: 'sha256:" VSUM "'\n");
	load_ok(fx);
	m = &fx->pol->models[0];
	assert_int_equal(m->nverity, 2);
	assert_string_equal(m->verity[0].path, "a.bin");
	assert_string_equal(m->verity[1].path, "/srv/m/b.bin");
	assert_int_equal(m->verity[0].sha256[0], 0x01);
	assert_int_equal(m->verity[0].sha256[31], 0xef);
	assert_memory_equal(m->verity[0].sha256, m->verity[1].sha256, 32);
	assert_loc(m->verity[1].loc, path_of(fx, "p.yaml"), 9, 7);
	/* The SHA-256 digests stay what they were. */
	assert_int_equal(m->ndigests, 2);
	assert_int_equal(m->digests[0].sha256[0], 0x9f);
}

#define VERITY_TEST(fn, pairs, col, msg) \
	ERROR_TEST(fn, MODEL_WITH("sha256: {a: " SUM "}, verity: " pairs), 2, col, msg)

VERITY_TEST(test_verity_no_prefix, "{a: " VSUM "}", 144,
	    "invalid fs-verity digest '" VSUM "' for 'a' (expected 'sha256:' and 64 hex digits)")
VERITY_TEST(test_verity_other_alg, "{a: 'sha512:" VSUM "'}", 144,
	    "invalid fs-verity digest 'sha512:" VSUM
	    "' for 'a' (expected 'sha256:' and 64 hex digits)")
VERITY_TEST(test_verity_short, "{a: 'sha256:" SUM "0'}", 144,
	    "invalid fs-verity digest 'sha256:" SUM "0' for 'a' (expected 'sha256:' and 64 hex "
	    "digits)")
VERITY_TEST(test_verity_prefix_only, "{a: 'sha256:'}", 144,
	    "invalid fs-verity digest 'sha256:' for 'a' (expected 'sha256:' and 64 hex digits)")
VERITY_TEST(test_verity_null, "{a: }", 144,
	    "the fs-verity digest of 'a' must be a string 'sha256:' and 64 hex digits")
VERITY_TEST(test_verity_dotdot, "{../a: 'sha256:" VSUM "'}", 141,
	    "invalid verity path '../a': must not contain '..' components")
VERITY_TEST(test_verity_not_mapping, "[a]", 140,
	    "'verity' must be a mapping of paths to fs-verity digests")
VERITY_TEST(test_verity_duplicate, "{a: 'sha256:" VSUM "', a: 'sha256:" VSUM "'}", 219,
	    "duplicate key 'a' (first defined at %D/p.yaml:2:141)")
ERROR_TEST(test_verity_without_sha256, MODEL_WITH("verity: {a.bin: 'sha256:" VSUM "'}"), 2, 62,
	   "'a.bin' has an fs-verity digest but no SHA-256: list it under 'sha256' too "
	   "(kernels that cannot check fs-verity use it)")

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_verity_forms),	       T(test_verity_no_prefix),   T(test_verity_other_alg),
		T(test_verity_short),	       T(test_verity_prefix_only), T(test_verity_null),
		T(test_verity_dotdot),	       T(test_verity_not_mapping), T(test_verity_duplicate),
		T(test_verity_without_sha256),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
