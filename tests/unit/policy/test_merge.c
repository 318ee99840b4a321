// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Several policy files: checks across them and top-level settings merged. */
#include "policy_fixture.h"

/* ---- Across files ------------------------------------------------------- */

static void test_duplicate_names(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml",
	    API
	    "tiers: [{name: t, level: 1}]\n"
	    "models:\n" MODEL("m", "t", "[/a]") "scopes: [{name: s, cgroup: /a, maxTier: t}]\n");
	put(fx, "b.yaml",
	    API
	    "tiers: [{name: t, level: 2}]\n"
	    "models:\n" MODEL("m", "t", "[/b]") "scopes: [{name: s, cgroup: /b, maxTier: t}]\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 2, 9,
		   "duplicate tier name 't' (first defined at %D/a.yaml:2:9)");
	check_diag(fx, 1, "b.yaml", 4, 5,
		   "duplicate model name 'm' (first defined at %D/a.yaml:4:5)");
	check_diag(fx, 2, "b.yaml", 7, 10,
		   "duplicate scope name 's' (first defined at %D/a.yaml:7:10)");
	expect_count(fx, 3);
}

/* A file listed by two models is allowed (it takes the higher tier later on). */
static void test_file_in_two_models(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "models:\n" MODEL("m", "general", "[/w/a, /w/b]"));
	put(fx, "b.yaml", API "models:\n" MODEL("n", "prohibited", "[/w/b]"));
	load_ok(fx);
	assert_int_equal(fx->pol->nmodels, 2);
	assert_string_equal(fx->pol->models[1].files[0], "/w/b");
}

static void test_duplicate_cgroup(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API "scopes:\n  - {name: a, cgroup: /x, maxTier: general}\n"
		"  - {name: b, cgroup: /x, maxTier: general}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 4, 23,
		   "duplicate cgroup '/x' (first used by scope 'a' at %D/p.yaml:3:23)");
	expect_count(fx, 1);
}

static void test_unknown_tier(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers: [{name: low, level: 1}]\n");
	put(fx, "b.yaml",
	    API "models:\n" MODEL("m", "lowe",
				  "[/m]") "scopes: [{name: s, cgroup: /s, maxTier: Low}]\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 4, 11, "unknown tier 'lowe'");
	check_diag(fx, 1, "b.yaml", 6, 41, "unknown tier 'Low'");
	expect_count(fx, 2);
}

/* Every error of every file is reported, in file order. */
static void test_all_errors_reported(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", "apiVersion: v1\nmode: loud\nmodels:\n" MODEL("m", "general", "[x]"));
	put(fx, "b.yaml", "models: [{name: m, tier: general, files: [/y]}]\nx: 1\n");
	put(fx, "c.yaml", API "mode: [\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 1, 13, "unsupported apiVersion 'v1' (expected 'mguard/v1')");
	check_diag(fx, 1, "a.yaml", 2, 7, "invalid mode 'loud' (expected enforce or audit)");
	check_diag(fx, 2, "a.yaml", 6, 13, "file path 'x' is not absolute");
	check_diag(fx, 3, "b.yaml", 2, 1, "unknown key 'x' at top level");
	check_diag(fx, 4, "b.yaml", 1, 1, "missing key 'apiVersion'");
	check_diag(fx, 5, "c.yaml", 2, 7, "'mode' must be a string");
	check_diag(fx, 6, "c.yaml", 3, 1,
		   "did not find expected node content (while parsing a flow node at 3:1)");
	check_diag(fx, 7, "b.yaml", 1, 10,
		   "duplicate model name 'm' (first defined at %D/a.yaml:4:5)");
	expect_count(fx, 8);
}

/* A tiers file that does not parse does not make every reference an error. */
static void test_no_cascade_from_broken_tiers(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers:\n  - {name: gold, level: 1}\n  - {name: silver, level: x}\n");
	put(fx, "b.yaml",
	    API "models:\n" MODEL("m", "silver", "[/m]") MODEL("n", "bronze", "[/n]"));
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 4, 27,
		   "invalid tier level 'x' (must be an integer from 1 to 1000)");
	expect_count(fx, 1);
}

static void test_no_cascade_from_syntax_error(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers: [{name: gold, level: 1}\n");
	put(fx, "b.yaml", API "models:\n" MODEL("m", "gold", "[/m]"));
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 3, 1,
		   "did not find expected ',' or ']' (while parsing a flow sequence at 2:8)");
	expect_count(fx, 1);
}

/* ---- Top level: unknownWeights, defaultTier, trustedKeys ---------------- */

static void test_unknown_weights_values(void **state)
{
	static const struct {
		const char *text;
		enum mg_unknown_weights want;
	} cases[] = {
		{ API "unknownWeights: deny\n", MG_UNKNOWN_DENY },
		{ API "unknownWeights: audit\n", MG_UNKNOWN_AUDIT },
		{ API "unknownWeights: 'allow'\n", MG_UNKNOWN_ALLOW },
	};
	struct fx *fx = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(fx, "p.yaml", cases[i].text);
		load_ok(fx);
		assert_int_equal(fx->pol->unknown_weights, cases[i].want);
		assert_loc(fx->pol->unknown_weights_loc, path_of(fx, "p.yaml"), 2, 17);
		mg_policy_free(fx->pol);
		fx->pol = NULL;
	}
}

ERROR_TEST(test_unknown_weights_invalid, API "unknownWeights: block\n", 2, 17,
	   "invalid unknownWeights 'block' (expected deny, audit or allow)")
ERROR_TEST(test_unknown_weights_not_string, API "unknownWeights: [deny]\n", 2, 17,
	   "'unknownWeights' must be a string")
ERROR_TEST(test_unknown_weights_twice_in_file, API "unknownWeights: deny\nunknownWeights: allow\n",
	   3, 1, "duplicate key 'unknownWeights' (first defined at %D/p.yaml:2:1)")

static void test_unknown_weights_twice(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "unknownWeights: audit\n");
	put(fx, "b.yaml", API "unknownWeights: allow\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 2, 17,
		   "'unknownWeights' is already set (first set at %D/a.yaml:2:17)");
	expect_count(fx, 1);
}

static void test_default_tier_in_other_file(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "defaultTier: low\nmodels:\n  - {name: m, files: [/m]}\n");
	put(fx, "b.yaml", API "tiers: [{name: low, level: 1}, {name: high, level: 2}]\n");
	load_ok(fx);
	assert_string_equal(fx->pol->default_tier, "low");
	assert_loc(fx->pol->default_tier_loc, path_of(fx, "a.yaml"), 2, 14);
	assert_ptr_equal(fx->pol->models[0].resolved_tier, &fx->pol->tiers[0]);
	assert_string_equal(fx->pol->models[0].tier_reason, "defaultTier");
}

static void test_default_tier_twice(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "defaultTier: general\n");
	put(fx, "b.yaml", API "defaultTier: controlled\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 2, 14,
		   "'defaultTier' is already set (first set at %D/a.yaml:2:14)");
	expect_count(fx, 1);
}

/* An unknown defaultTier is one error, not one more for each model it would have caught. */
ERROR_TEST(test_default_tier_unknown,
	   API "defaultTier: generall\nmodels:\n  - {name: m, files: [/m]}\n", 2, 14,
	   "unknown tier 'generall'")
ERROR_TEST(test_default_tier_not_string, API "defaultTier: {name: general}\n", 2, 14,
	   "'defaultTier' must be a string")

static void test_trusted_keys_merged(void **state)
{
	struct fx *fx = *state;
	const struct mg_policy *p;
	char *s;

	put(fx, "a.yaml", API "trustedKeys: [/etc/keys/a.pem, ./b.pem]\n");
	put(fx, "b.yaml", API "trustedKeys:\n  - ../shared/c.pem\n");
	load_ok(fx);
	p = fx->pol;
	assert_int_equal(p->ntrusted_keys, 3);
	assert_string_equal(p->trusted_keys[0], "/etc/keys/a.pem");
	assert_string_equal(p->trusted_keys[1], "./b.pem");
	assert_string_equal(p->trusted_keys[2], "../shared/c.pem");
	assert_loc(p->trusted_key_locs[1], path_of(fx, "a.yaml"), 2, 32);
	assert_loc(p->trusted_key_locs[2], path_of(fx, "b.yaml"), 3, 5);

	s = mg_policy_path(p, p->trusted_keys[0]);
	assert_string_equal(s, "/etc/keys/a.pem");
	free(s);
	s = mg_policy_path(p, p->trusted_keys[2]);
	assert_string_equal(s, path_of(fx, "../shared/c.pem"));
	free(s);
}

ERROR_TEST(test_trusted_keys_not_list, API "trustedKeys: /etc/k.pem\n", 2, 14,
	   "'trustedKeys' must be a list of strings")
ERROR_TEST(test_trusted_keys_empty_path, API "trustedKeys: [a.pem, '']\n", 2, 22,
	   "invalid key path '': must not be empty")

static void test_trusted_keys_long_path(void **state)
{
	static char text[PATH_MAX + 64];
	struct fx *fx = *state;
	size_t n;

	n = snprintf(text, sizeof(text), API "trustedKeys: [");
	memset(text + n, 'k', PATH_MAX);
	snprintf(text + n + PATH_MAX, sizeof(text) - n - PATH_MAX, "]\n");
	expect_one(fx, text, 2, 15, "key path is longer than 4095 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

		T(test_duplicate_names),
		T(test_file_in_two_models),
		T(test_duplicate_cgroup),
		T(test_unknown_tier),
		T(test_all_errors_reported),
		T(test_no_cascade_from_broken_tiers),
		T(test_no_cascade_from_syntax_error),
		T(test_unknown_weights_values),
		T(test_unknown_weights_invalid),
		T(test_unknown_weights_not_string),
		T(test_unknown_weights_twice_in_file),
		T(test_unknown_weights_twice),
		T(test_default_tier_in_other_file),
		T(test_default_tier_twice),
		T(test_default_tier_unknown),
		T(test_default_tier_not_string),
		T(test_trusted_keys_merged),
		T(test_trusted_keys_not_list),
		T(test_trusted_keys_empty_path),
		T(test_trusted_keys_long_path),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
