// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One policy file as YAML: syntax, keys, value types, names. */
#include "policy_fixture.h"

/* ---- YAML --------------------------------------------------------------- */

ERROR_TEST(test_syntax_error, API "mode: \"audit\n", 3, 1,
	   "found unexpected end of stream (while scanning a quoted scalar at 2:7)")

/* What was read before a syntax error is checked too (libyaml ended the model's mapping). */
static void test_syntax_error_after_content(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", API "models:\n  - name: m\n   tier: x\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 3, 5, "missing key 'files' in model 'm'");
	check_diag(fx, 1, "p.yaml", 4, 4,
		   "did not find expected '-' indicator (while parsing a block collection at 3:3)");
	expect_count(fx, 2);
}

static void test_syntax_error_no_context(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", API "mode: a: b\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 2, 7, "invalid mode 'a' (expected enforce or audit)");
	check_diag(fx, 1, "p.yaml", 2, 8, "mapping values are not allowed in this context");
	expect_count(fx, 2);
}
/* Columns count characters: the 2-byte e-acute is one column. */
ERROR_TEST(test_invalid_utf8, API "# caf\xc3\xa9 \xff\n", 2, 8, "invalid leading UTF-8 octet")
ERROR_TEST(test_control_character, API "mode: \"\x01\"\n", 2, 8,
	   "control characters are not allowed")
ERROR_TEST(test_anchor, "apiVersion: &v mguard/v1\n", 1, 13, "anchors are not supported")
ERROR_TEST(test_alias, API "models: *m\n", 2, 9, "aliases are not supported")
ERROR_TEST(test_tag, API "mode: !!str audit\n", 2, 7, "tags are not supported")
ERROR_TEST(test_key_not_string, API "[a, b]: 1\n", 2, 1, "mapping keys must be strings")
ERROR_TEST(test_nul_in_string, API "models:\n  - {name: \"a\\0b\", tier: general, files: [/m]}\n",
	   3, 12, "strings must not contain NUL characters")

static void test_too_deep(void **state)
{
	struct fx *fx = *state;
	char text[256];
	size_t n;

	/* The root mapping, then 16 lists: 17 levels. */
	n = snprintf(text, sizeof(text), API "models: ");
	for (int i = 0; i < MG_POLICY_MAX_DEPTH; i++)
		text[n++] = '[';
	for (int i = 0; i < MG_POLICY_MAX_DEPTH; i++)
		text[n++] = ']';
	snprintf(text + n, sizeof(text) - n, "\n");
	put(fx, "p.yaml", text);
	assert_int_equal(load(fx), -EINVAL);
	/* The outer list's item is reported before the nesting stops the file. */
	check_diag(fx, 0, "p.yaml", 2, 10, "'models' must be a list of mappings");
	check_diag(fx, 1, "p.yaml", 2, 24, "nesting is deeper than 16 levels");
	expect_count(fx, 2);
}

static void test_deep_enough(void **state)
{
	struct fx *fx = *state;

	char text[256];
	size_t n;

	/* 16 levels: the root mapping and 15 lists. */
	n = snprintf(text, sizeof(text), API "foo: ");
	for (int i = 0; i < MG_POLICY_MAX_DEPTH - 1; i++)
		text[n++] = '[';
	for (int i = 0; i < MG_POLICY_MAX_DEPTH - 1; i++)
		text[n++] = ']';
	snprintf(text + n, sizeof(text) - n, "\n");
	put(fx, "p.yaml", text);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 2, 1, "unknown key 'foo' at top level");
	expect_count(fx, 1);
}

/* ---- Keys --------------------------------------------------------------- */

ERROR_TEST(test_api_missing, "mode: audit\n", 1, 1, "missing key 'apiVersion'")
ERROR_TEST(test_api_wrong, "apiVersion: mguard/v2\n", 1, 13,
	   "unsupported apiVersion 'mguard/v2' (expected 'mguard/v1')")
ERROR_TEST(test_api_not_string, "apiVersion: [mguard/v1]\n", 1, 13, "'apiVersion' must be a string")
ERROR_TEST(test_mode_invalid, API "mode: strict\n", 2, 7,
	   "invalid mode 'strict' (expected enforce or audit)")
ERROR_TEST(test_mode_null, API "mode: ~\n", 2, 7, "'mode' must be a string")
ERROR_TEST(test_unknown_top_key, API "model:\n  - name: m\n", 2, 1,
	   "unknown key 'model' at top level")
ERROR_TEST(test_unknown_tier_key, API "tiers:\n  - {name: a, level: 1, colour: red}\n", 3, 25,
	   "unknown key 'colour' in tier")
ERROR_TEST(test_unknown_model_key, API "models:\n" MODEL("m", "general", "[/m]") "    size: 7\n", 6,
	   5, "unknown key 'size' in model")
ERROR_TEST(test_unknown_scope_key,
	   API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n    Egress: []\n", 6, 5,
	   "unknown key 'Egress' in scope")
ERROR_TEST(test_duplicate_key,
	   API "models:\n  - name: m\n    tier: general\n    tier: general\n    files: [/m]\n", 5,
	   5, "duplicate key 'tier' (first defined at %D/p.yaml:4:5)")
ERROR_TEST(test_duplicate_top_key, API "mode: audit\nmode: audit\n", 3, 1,
	   "duplicate key 'mode' (first defined at %D/p.yaml:2:1)")

static void test_missing_keys(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API "tiers:\n  - {level: 1}\n  - {name: t}\n"
		"models:\n  - name: m\n  - {files: [/x]}\n"
		"scopes:\n  - {egress: []}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 3, 5, "missing key 'name' in tier");
	check_diag(fx, 1, "p.yaml", 4, 5, "missing key 'level' in tier 't'");
	check_diag(fx, 2, "p.yaml", 6, 5, "missing key 'files' in model 'm'");
	check_diag(fx, 3, "p.yaml", 7, 5, "missing key 'name' in model");
	check_diag(fx, 4, "p.yaml", 9, 5, "missing key 'name' in scope");
	check_diag(fx, 5, "p.yaml", 9, 5, "missing key 'maxTier' in scope");
	check_diag(fx, 6, "p.yaml", 9, 5, "missing key 'cgroup' (or 'cgroupPattern') in scope");
	expect_count(fx, 7);
}

/* ---- Types -------------------------------------------------------------- */

ERROR_TEST(test_files_not_list, API "models:\n" MODEL("m", "general", "/m"), 5, 12,
	   "'files' must be a list of strings")
ERROR_TEST(test_files_item_not_string, API "models:\n" MODEL("m", "general", "[/a, [b]]"), 5, 17,
	   "'files' must be a list of strings")
ERROR_TEST(test_files_empty, API "models:\n" MODEL("m", "general", "[]"), 5, 12,
	   "'files' must not be empty")
ERROR_TEST(test_files_relative, API "models:\n" MODEL("m", "general", "[/a, models/x]"), 5, 17,
	   "file path 'models/x' is not absolute")
ERROR_TEST(test_name_not_string, API "models:\n" MODEL("{a: 1}", "general", "[/m]"), 3, 11,
	   "'name' must be a string")
ERROR_TEST(test_tier_not_string, API "models:\n" MODEL("m", "[general]", "[/m]"), 4, 11,
	   "'tier' must be a string")
ERROR_TEST(test_tiers_not_list, API "tiers: general\n", 2, 8, "'tiers' must be a list of mappings")
ERROR_TEST(test_tiers_item_not_mapping, API "tiers: [general]\n", 2, 9,
	   "'tiers' must be a list of mappings")
ERROR_TEST(test_tiers_empty, API "tiers: []\n", 2, 8, "'tiers' must not be empty")
ERROR_TEST(test_models_null, API "models:\n", 2, 8, "'models' must be a list of mappings")
ERROR_TEST(test_scopes_item_not_mapping, API "scopes:\n  - demo\n", 3, 5,
	   "'scopes' must be a list of mappings")
ERROR_TEST(test_egress_not_list,
	   API "scopes: [{name: s, cgroup: /s, maxTier: general, egress: 10.0.0.1}]\n", 2, 58,
	   "'egress' must be a list of strings")
ERROR_TEST(test_cgroup_not_string, API "scopes: [{name: s, cgroup: {a: b}, maxTier: general}]\n", 2,
	   28, "'cgroup' must be a string")
ERROR_TEST(test_max_tier_null, API "scopes: [{name: s, cgroup: /s, maxTier: null}]\n", 2, 41,
	   "'maxTier' must be a string")

/* ---- Names -------------------------------------------------------------- */

#define NAME_RULE "(1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)"

ERROR_TEST(test_name_leading_dash, API "models:\n" MODEL("-m", "general", "[/m]"), 3, 11,
	   "invalid model name '-m' " NAME_RULE)
ERROR_TEST(test_name_space, API "tiers: [{name: 'a b', level: 1}]\n", 2, 16,
	   "invalid tier name 'a b' " NAME_RULE)
ERROR_TEST(test_name_slash, API "scopes: [{name: a/b, cgroup: /s, maxTier: general}]\n", 2, 17,
	   "invalid scope name 'a/b' " NAME_RULE)
ERROR_TEST(test_name_empty, API "models:\n" MODEL("''", "general", "[/m]"), 3, 11,
	   "invalid model name '' " NAME_RULE)
ERROR_TEST(
	test_name_too_long,
	API "models:\n" MODEL("a234567890123456789012345678901234567890123456789012345678901234",
			      "general", "[/m]"),
	3, 11,
	"invalid model name 'a234567890123456789012345678901234567890123456789012345678901234' " NAME_RULE)

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

		T(test_syntax_error),
		T(test_syntax_error_after_content),
		T(test_syntax_error_no_context),
		T(test_invalid_utf8),
		T(test_control_character),
		T(test_anchor),
		T(test_alias),
		T(test_tag),
		T(test_key_not_string),
		T(test_nul_in_string),
		T(test_too_deep),
		T(test_deep_enough),
		T(test_api_missing),
		T(test_api_wrong),
		T(test_api_not_string),
		T(test_mode_invalid),
		T(test_mode_null),
		T(test_unknown_top_key),
		T(test_unknown_tier_key),
		T(test_unknown_model_key),
		T(test_unknown_scope_key),
		T(test_duplicate_key),
		T(test_duplicate_top_key),
		T(test_missing_keys),
		T(test_files_not_list),
		T(test_files_item_not_string),
		T(test_files_empty),
		T(test_files_relative),
		T(test_name_not_string),
		T(test_tier_not_string),
		T(test_tiers_not_list),
		T(test_tiers_item_not_mapping),
		T(test_tiers_empty),
		T(test_models_null),
		T(test_scopes_item_not_mapping),
		T(test_egress_not_list),
		T(test_cgroup_not_string),
		T(test_max_tier_null),
		T(test_name_leading_dash),
		T(test_name_space),
		T(test_name_slash),
		T(test_name_empty),
		T(test_name_too_long),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
