// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Parsing licences: good ones, one error class each, and loading files. */
#include "license_fixture.h"

/* ---- Parsing a good licence ---------------------------------------------- */

static void test_parse_good(void **state)
{
	struct fx *fx = *state;
	const struct mg_license *l;

	parse_ok(fx, GOOD);
	l = fx->lic;
	assert_string_equal(l->id, "lic-2026-0042");
	assert_string_equal(l->use_case, "medical-summarisation");
	assert_string_equal(l->scope, "vllm");
	assert_int_equal(l->nmodels, 2);
	assert_string_equal(l->models[0], "llama-3.1-70b");
	assert_string_equal(l->models[1], "mistral-7b");
	assert_string_equal(l->max_tier, "controlled");
	assert_int_equal(l->not_before, T_2026);
	assert_int_equal(l->not_after, T_2027);
	assert_string_equal(l->issuer, "acme-compliance");
	assert_false(l->signed_);
	assert_string_equal(l->path, NAME);
	assert_ptr_equal(l->loc.file, l->path);
	assert_int_equal(l->loc.line, 1);
	assert_int_equal(l->loc.col, 1);
}

static void test_parse_block_and_quoted(void **state)
{
	struct fx *fx = *state;
	const struct mg_license *l;

	parse_ok(fx, "# a licence\n"
		     "---\n"
		     "kind: 'License'\n"
		     "apiVersion: \"mguard/v1\"\n"
		     "id: \"lic: 7 # not a comment\"\n"
		     "useCase: résumés of trials\n"
		     "scope: vllm\n"
		     "models:\n"
		     "  - b-model\n"
		     "  - a-model\n"
		     "notBefore: \"2026-01-01T00:00:00Z\"\n"
		     "notAfter: 2026-01-01T00:00:01Z\n"
		     "issuer: 'Acme \"Compliance\"'\n"
		     "...\n");
	l = fx->lic;
	assert_string_equal(l->id, "lic: 7 # not a comment");
	assert_string_equal(l->use_case, "résumés of trials");
	assert_int_equal(l->nmodels, 2);
	assert_string_equal(l->models[0], "b-model");
	assert_null(l->max_tier);
	assert_int_equal(l->not_after - l->not_before, 1);
	assert_string_equal(l->issuer, "Acme \"Compliance\"");
}

static void test_parse_max_tier_only(void **state)
{
	struct fx *fx = *state;

	parse_ok(fx, HEAD L_ID L_USE L_SCOPE L_TIER L_NB L_NA L_ISSUER);
	assert_int_equal(fx->lic->nmodels, 0);
	assert_null(fx->lic->models);
	assert_string_equal(fx->lic->max_tier, "controlled");
}

static void test_parse_limits_ok(void **state)
{
	struct fx *fx = *state;
	char id[MG_LICENSE_MAX_STRING + 1];
	char *text, *p;
	size_t size = 64 * 1024;

	/* 256 models and a 256-byte id are fine. */
	memset(id, 'x', MG_LICENSE_MAX_STRING);
	id[MG_LICENSE_MAX_STRING] = '\0';
	text = malloc(size);
	assert_non_null(text);
	p = text + sprintf(text, HEAD "id: %s\n" L_USE L_SCOPE "models:\n", id);
	for (int i = 0; i < MG_LICENSE_MAX_MODELS; i++)
		p += sprintf(p, "- m%d\n", i);
	sprintf(p, L_NB L_NA L_ISSUER);
	parse_ok(fx, text);
	assert_int_equal(fx->lic->nmodels, MG_LICENSE_MAX_MODELS);
	assert_int_equal(strlen(fx->lic->id), MG_LICENSE_MAX_STRING);
	free(text);
}

/* ---- Parse errors, one class each ----------------------------------------- */

ERROR_TEST(test_err_syntax, HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB L_NA "issuer: 'acme\n", 11,
	   1, "found unexpected end of stream (while scanning a quoted scalar at 10:9)")
ERROR_TEST(test_err_not_mapping, "- a\n- b\n", 1, 1, "a license file must be a mapping")
ERROR_TEST(test_err_two_documents, GOOD "---\n" GOOD, 11, 1,
	   "only one YAML document per file is allowed")
ERROR_TEST(test_err_unknown_key, GOOD "expires: never\n", 11, 1,
	   "unknown key 'expires' at top level")
ERROR_TEST(test_err_duplicate_key, GOOD "scope: other\n", 11, 1,
	   "duplicate key 'scope' (first defined at " NAME ":5:1)")
ERROR_TEST(test_err_key_not_string, GOOD "[a]: b\n", 11, 1, "mapping keys must be strings")
ERROR_TEST(test_err_missing_key, HEAD L_USE L_SCOPE TAIL, 1, 1, "missing key 'id'")
ERROR_TEST(test_err_no_models_nor_tier, HEAD L_ID L_USE L_SCOPE L_NB L_NA L_ISSUER, 1, 1,
	   "at least one of 'models' and 'maxTier' is required")
ERROR_TEST(test_err_id_not_string, HEAD "id: {a: b}\n" L_USE L_SCOPE TAIL, 3, 5,
	   "'id' must be a string")
ERROR_TEST(test_err_id_null, HEAD "id:\n" L_USE L_SCOPE TAIL, 3, 4, "'id' must be a string")
ERROR_TEST(test_err_id_empty, HEAD "id: ''\n" L_USE L_SCOPE TAIL, 3, 5, "'id' must not be empty")
ERROR_TEST(test_err_control, HEAD L_ID "useCase: \"a\\tb\"\n" L_SCOPE TAIL, 4, 10,
	   "'useCase' must not contain control characters")
ERROR_TEST(test_err_c1_control, HEAD "id: \"a\\x9bb\"\n" L_USE L_SCOPE TAIL, 3, 5,
	   "'id' must not contain control characters")
ERROR_TEST(test_err_nul, HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB L_NA "issuer: \"a\\0b\"\n",
	   10, 9, "'issuer' must not contain control characters")
ERROR_TEST(
	test_err_scope_name, HEAD L_ID L_USE "scope: -vllm\n" TAIL, 5, 8,
	"invalid scope name '-vllm' (1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)")
ERROR_TEST(
	test_err_tier_name, HEAD L_ID L_USE L_SCOPE L_MODELS "maxTier: a/b\n" L_NB L_NA L_ISSUER, 7,
	10,
	"invalid tier name 'a/b' (1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)")
ERROR_TEST(test_err_models_not_list, HEAD L_ID L_USE L_SCOPE "models: llama\n" L_NB L_NA L_ISSUER,
	   6, 9, "'models' must be a list of strings")
ERROR_TEST(test_err_models_entry,
	   HEAD L_ID L_USE L_SCOPE "models: [a, {b: c}]\n" L_NB L_NA L_ISSUER, 6, 13,
	   "'models' must be a list of strings")
ERROR_TEST(
	test_err_model_name, HEAD L_ID L_USE L_SCOPE "models: [a, 'b,c']\n" L_NB L_NA L_ISSUER, 6,
	13,
	"invalid model name 'b,c' (1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)")
ERROR_TEST(test_err_models_empty, HEAD L_ID L_USE L_SCOPE "models: []\n" L_TIER L_NB L_NA L_ISSUER,
	   6, 9, "'models' must not be empty")
ERROR_TEST(test_err_model_duplicate,
	   HEAD L_ID L_USE L_SCOPE "models:\n- a\n- b\n- a\n" L_NB L_NA L_ISSUER, 9, 3,
	   "duplicate model 'a' in 'models' (first listed at " NAME ":7:3)")
ERROR_TEST(test_err_api_version, "apiVersion: mguard/v2\n" L_KIND L_ID L_USE L_SCOPE TAIL, 1, 13,
	   "unsupported apiVersion 'mguard/v2' (expected 'mguard/v1')")
ERROR_TEST(test_err_kind, L_API "kind: Policy\n" L_ID L_USE L_SCOPE TAIL, 2, 7,
	   "unsupported kind 'Policy' (expected 'License')")
ERROR_TEST(test_err_time_format,
	   HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER "notBefore: 2026-01-01\n" L_NA L_ISSUER, 8, 12,
	   "invalid notBefore '2026-01-01' (expected YYYY-MM-DDTHH:MM:SSZ, in UTC)")
ERROR_TEST(test_err_time_offset,
	   HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB
	   "notAfter: 2027-01-01T00:00:00+01:00\n" L_ISSUER,
	   9, 11,
	   "invalid notAfter '2027-01-01T00:00:00+01:00' (expected YYYY-MM-DDTHH:MM:SSZ, in UTC)")
ERROR_TEST(test_err_time_no_such_day,
	   HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB "notAfter: 2027-02-29T00:00:00Z\n" L_ISSUER,
	   9, 11, "invalid notAfter '2027-02-29T00:00:00Z' (expected YYYY-MM-DDTHH:MM:SSZ, in UTC)")
ERROR_TEST(test_err_time_order,
	   HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB "notAfter: 2026-01-01T00:00:00Z\n" L_ISSUER,
	   9, 11, "notAfter 2026-01-01T00:00:00Z is not after notBefore 2026-01-01T00:00:00Z")
ERROR_TEST(test_err_anchor, HEAD "id: &x lic\n" L_USE L_SCOPE TAIL, 3, 5,
	   "anchors are not supported")
ERROR_TEST(test_err_tag, HEAD "id: !!str lic\n" L_USE L_SCOPE TAIL, 3, 5, "tags are not supported")
ERROR_TEST(test_err_budget_not_mapping, GOOD "egressBudget: 5\n", 11, 15,
	   "'egressBudget' must be a mapping: {bytes: SIZE, per: DURATION}")
ERROR_TEST(test_err_budget_half, GOOD "egressBudget: {bytes: 1MiB}\n", 11, 15,
	   "egressBudget needs both 'bytes' and 'per'")
ERROR_TEST(test_err_budget_bytes, GOOD "egressBudget: {bytes: lots, per: 1h}\n", 11, 23,
	   "invalid bytes 'lots': must be a size such as 200MiB or 1GB")
ERROR_TEST(test_err_budget_per, GOOD "egressBudget: {bytes: 1MiB, per: 0s}\n", 11, 34,
	   "invalid per '0s': must be a whole number of s, m or h, from 1s to 2592000s")
ERROR_TEST(test_err_budget_key, GOOD "egressBudget: {bytes: 1MiB, per: 1h, burst: 2}\n", 11, 38,
	   "unknown key in egressBudget (expected bytes, per)")
ERROR_TEST(test_err_sig_not_base64, GOOD "signature: not*base64\n", 11, 12,
	   "'signature' is not base64")
ERROR_TEST(test_err_sig_short, GOOD "signature: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
	   11, 12, "'signature' holds 36 bytes (expected 64)")

static void test_err_alias(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(parse(fx, HEAD "id: &x lic\nuseCase: *x\n" L_SCOPE TAIL), -EINVAL);
	check_diag(fx, 0, NAME, 3, 5, "anchors are not supported");
	check_diag(fx, 1, NAME, 4, 10, "aliases are not supported");
	expect_count(fx, 2);
}

static void test_err_empty_files(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(parse(fx, ""), -EINVAL);
	check_diag(fx, 0, NAME, 0, 0, "empty license file");
	assert_int_equal(parse(fx, "# nothing\n---\n"), -EINVAL);
	check_diag(fx, 1, NAME, 0, 0, "empty license file");
	expect_count(fx, 2);
}

static void test_err_many_at_once(void **state)
{
	struct fx *fx = *state;

	/* Every error is reported, not only the first. */
	assert_int_equal(parse(fx, "kind: x\nid: [1]\nscope: ''\nfoo: 1\n"), -EINVAL);
	check_diag(fx, 0, NAME, 1, 7, "unsupported kind 'x' (expected 'License')");
	check_diag(fx, 1, NAME, 2, 5, "'id' must be a string");
	check_diag(fx, 2, NAME, 3, 8, "'scope' must not be empty");
	check_diag(fx, 3, NAME, 4, 1, "unknown key 'foo' at top level");
	check_diag(fx, 4, NAME, 1, 1, "missing key 'apiVersion'");
	check_diag(fx, 5, NAME, 1, 1, "missing key 'useCase'");
	check_diag(fx, 6, NAME, 1, 1, "missing key 'notBefore'");
	check_diag(fx, 7, NAME, 1, 1, "missing key 'notAfter'");
	check_diag(fx, 8, NAME, 1, 1, "missing key 'issuer'");
	check_diag(fx, 9, NAME, 1, 1, "at least one of 'models' and 'maxTier' is required");
	expect_count(fx, 10);
}

static void test_err_string_too_long(void **state)
{
	struct fx *fx = *state;
	char text[1024];
	char id[MG_LICENSE_MAX_STRING + 2];

	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(text, sizeof(text), HEAD "id: %s\n" L_USE L_SCOPE TAIL, id);
	expect_one(fx, text, 3, 5, "'id' is longer than 256 bytes");
}

static void test_err_too_many_models(void **state)
{
	struct fx *fx = *state;
	char *text = malloc(64 * 1024), *p;

	assert_non_null(text);
	p = text + sprintf(text, HEAD L_ID L_USE L_SCOPE "models:\n");
	for (int i = 0; i < MG_LICENSE_MAX_MODELS + 2; i++)
		p += sprintf(p, "- m%d\n", i);
	sprintf(p, L_NB L_NA L_ISSUER);
	expect_one(fx, text, 6 + MG_LICENSE_MAX_MODELS + 1, 3,
		   "'models' has more than 256 entries");
	free(text);
}

static void test_err_file_too_large(void **state)
{
	struct fx *fx = *state;
	size_t len = MG_LICENSE_MAX_FILE_SIZE + 1;
	struct mg_license *l = NULL;
	char *text = malloc(len);

	assert_non_null(text);
	memset(text, '#', len);
	assert_int_equal(mg_license_parse_buffer(NAME, text, len, &l, &fx->diags), -EINVAL);
	assert_null(l);
	check_diag(fx, 0, NAME, 0, 0, "file is larger than 64 KiB");
	expect_count(fx, 1);

	/* Exactly the limit is read (and here is only a comment). */
	text[len - 2] = '\n';
	assert_int_equal(mg_license_parse_buffer(NAME, text, len - 1, &l, &fx->diags), -EINVAL);
	check_diag(fx, 1, NAME, 0, 0, "empty license file");
	free(text);
}

static void test_err_too_deep(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(parse(fx, HEAD "id: [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]\n"), -EINVAL);
	check_diag(fx, 0, NAME, 3, 5, "'id' must be a string");
	check_diag(fx, 1, NAME, 3, 20, "nesting is deeper than 16 levels");
	expect_count(fx, 2);
}

static void test_err_sig_forms(void **state)
{
	struct fx *fx = *state;
	char sig[128], text[1024];
	const struct {
		const char *sig;
		const char *msg;
	} cases[] = {
		/* 64 bytes but the unused bits are not zero */
		{ B64_STEM "AAAAAAAAAAAAAAAAAAAB==", "'signature' is not base64" },
		/* no padding */
		{ B64_STEM "AAAAAAAAAAAAAAAAAAAA", "'signature' is not base64" },
		/* a space inside (quoted, so YAML keeps it) */
		{ "'" B64_STEM " AAAAAAAAAAAAAAAAAAA=='", "'signature' is not base64" },
		/* 65 bytes */
		{ B64_STEM "AAAAAAAAAAAAAAAAAAAAA=", "'signature' holds 65 bytes (expected 64)" },
		/* = inside */
		{ "AAAA=AAA", "'signature' is not base64" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(sig, sizeof(sig), "%s", cases[i].sig);
		snprintf(text, sizeof(text), GOOD "signature: %s\n", sig);
		assert_int_equal(parse(fx, text), -EINVAL);
		check_diag(fx, i, NAME, 11, 12, cases[i].msg);
	}
	expect_count(fx, ARRAY_SIZE(cases));

	/* 64 zero bytes is well formed (it verifies with no key). */
	snprintf(text, sizeof(text), GOOD "signature: %s\n", B64_ZERO);
	mg_diags_free(&fx->diags);
	parse_ok(fx, text);
	assert_true(fx->lic->signed_);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, -EKEYREJECTED, "signature matches no trusted key");
}

static void test_load_missing_file(void **state)
{
	struct fx *fx = *state;
	struct mg_license *l = NULL;

	assert_int_equal(mg_license_load(path_of("nonexistent.yaml"), &l, &fx->diags), -ENOENT);
	assert_null(l);
	check_diag(fx, 0, path_of("nonexistent.yaml"), 0, 0,
		   "cannot read file: No such file or directory");
	expect_count(fx, 1);
}

static void test_load_file(void **state)
{
	struct fx *fx = *state;
	struct mg_license *l = NULL;

	put("good.yaml", GOOD);
	assert_int_equal(mg_license_load(path_of("good.yaml"), &l, &fx->diags), 0);
	fx->lic = l;
	assert_string_equal(l->path, path_of("good.yaml"));
	put("bad.yaml", GOOD "x: 1\n");
	assert_int_equal(mg_license_load(path_of("bad.yaml"), &l, &fx->diags), -EINVAL);
	check_diag(fx, 0, path_of("bad.yaml"), 11, 1, "unknown key 'x' at top level");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {

		T(test_parse_good),
		T(test_parse_block_and_quoted),
		T(test_parse_max_tier_only),
		T(test_parse_limits_ok),
		T(test_err_syntax),
		T(test_err_empty_files),
		T(test_err_not_mapping),
		T(test_err_two_documents),
		T(test_err_unknown_key),
		T(test_err_duplicate_key),
		T(test_err_key_not_string),
		T(test_err_missing_key),
		T(test_err_no_models_nor_tier),
		T(test_err_id_not_string),
		T(test_err_id_null),
		T(test_err_id_empty),
		T(test_err_control),
		T(test_err_c1_control),
		T(test_err_nul),
		T(test_err_scope_name),
		T(test_err_tier_name),
		T(test_err_models_not_list),
		T(test_err_models_entry),
		T(test_err_model_name),
		T(test_err_models_empty),
		T(test_err_model_duplicate),
		T(test_err_api_version),
		T(test_err_kind),
		T(test_err_time_format),
		T(test_err_time_offset),
		T(test_err_time_no_such_day),
		T(test_err_time_order),
		T(test_err_anchor),
		T(test_err_tag),
		T(test_err_alias),
		T(test_err_budget_not_mapping),
		T(test_err_budget_half),
		T(test_err_budget_bytes),
		T(test_err_budget_per),
		T(test_err_budget_key),
		T(test_err_sig_not_base64),
		T(test_err_sig_short),
		T(test_err_sig_forms),
		T(test_err_many_at_once),
		T(test_err_string_too_long),
		T(test_err_too_many_models),
		T(test_err_file_too_large),
		T(test_err_too_deep),
		T(test_load_missing_file),
		T(test_load_file),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
