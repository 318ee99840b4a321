// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Models: optional tier, metrics and sha256 digests. */
#include "policy_fixture.h"

/* ---- Models: optional tier, metrics, sha256 ----------------------------- */

#define MODEL_WITH(extra) API "models:\n  - {name: m, tier: general, files: [/m], " extra "}\n"

static void test_metrics_numbers(void **state)
{
	static const struct {
		const char *name;
		double value;
	} want[] = {
		{ "a", 85 },  { "b", -3 }, { "c", 1e25 },   { "d", 1.2e24 },
		{ "e", 0.5 }, { "f", 7 },  { "g", 2.5e-7 }, { "H_2", 0 },
	};
	struct fx *fx = *state;
	const struct mg_model *m;

	put(fx, "p.yaml",
	    API "models:\n  - name: m\n    tier: general\n    files: [/m]\n    metrics:\n"
		"      a: 85\n      b: -3\n      c: 1e25\n      d: 1.2E+24\n      e: .5\n"
		"      f: +7\n      g: 2.5e-7\n      H_2: 0\n");
	load_ok(fx);
	m = &fx->pol->models[0];
	assert_int_equal(m->nmetrics, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < m->nmetrics; i++) {
		assert_string_equal(m->metrics[i].name, want[i].name);
		assert_true(m->metrics[i].value == want[i].value);
		assert_loc(m->metrics[i].loc, path_of(fx, "p.yaml"), 7 + i, 7);
	}
}

#define METRIC_TEST(fn, metrics, col, msg) \
	ERROR_TEST(fn, MODEL_WITH("metrics: " metrics), 3, col, msg)

METRIC_TEST(test_metric_name_digit, "{1x: 1}", 53,
	    "invalid metric name '1x' (1 to 32 of A-Z a-z 0-9 _, starting with a letter)")
METRIC_TEST(test_metric_name_dash, "{mm-lu: 1}", 53,
	    "invalid metric name 'mm-lu' (1 to 32 of A-Z a-z 0-9 _, starting with a letter)")
METRIC_TEST(
	test_metric_name_long, "{a23456789012345678901234567890123: 1}", 53,
	"invalid metric name 'a23456789012345678901234567890123' (1 to 32 of A-Z a-z 0-9 _, starting with a letter)")
METRIC_TEST(test_metric_name_null, "{~: 1}", 53, "mapping keys must be strings")
METRIC_TEST(test_metric_quoted, "{mmlu: '85'}", 59,
	    "metric 'mmlu' must be a number, not a quoted string")
METRIC_TEST(test_metric_word, "{mmlu: high}", 59,
	    "invalid value 'high' for metric 'mmlu' (expected a finite number)")
METRIC_TEST(test_metric_inf, "{mmlu: .inf}", 59,
	    "invalid value '.inf' for metric 'mmlu' (expected a finite number)")
METRIC_TEST(test_metric_hex, "{mmlu: 0x1F}", 59,
	    "invalid value '0x1F' for metric 'mmlu' (expected a finite number)")
METRIC_TEST(test_metric_huge, "{flops: 1e400}", 60,
	    "invalid value '1e400' for metric 'flops' (expected a finite number)")
METRIC_TEST(test_metric_bool, "{mmlu: true}", 59,
	    "invalid value 'true' for metric 'mmlu' (expected a finite number)")
METRIC_TEST(test_metric_null, "{mmlu: ~}", 59, "metric 'mmlu' must be a number")
METRIC_TEST(test_metric_list, "{mmlu: [85]}", 59, "metric 'mmlu' must be a number")
METRIC_TEST(test_metric_key_list, "{[a]: 1}", 53, "mapping keys must be strings")
METRIC_TEST(test_metrics_not_mapping, "[mmlu, 85]", 52,
	    "'metrics' must be a mapping of metric names to numbers")
METRIC_TEST(test_metric_duplicate, "{mmlu: 85, x: 1, mmlu: 86}", 69,
	    "duplicate key 'mmlu' (first defined at %D/p.yaml:3:53)")

static void test_metrics_too_many(void **state)
{
	struct fx *fx = *state;
	char text[4096];
	size_t n;

	n = snprintf(text, sizeof(text), "%s",
		     API "models:\n  - name: m\n    tier: general\n    files: [/m]\n"
			 "    metrics:\n");
	for (int i = 0; i <= MG_POLICY_MAX_METRICS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, "      m%d: %d\n", i, i);
	expect_one(fx, text, 7 + MG_POLICY_MAX_METRICS, 7, "too many metrics (at most 64)");
}

static void test_metrics_at_limit(void **state)
{
	struct fx *fx = *state;
	char text[4096];
	size_t n;

	n = snprintf(text, sizeof(text), "%s",
		     API "models:\n  - name: m\n    tier: general\n    files: [/m]\n"
			 "    metrics:\n");
	for (int i = 0; i < MG_POLICY_MAX_METRICS; i++)
		n += snprintf(text + n, sizeof(text) - n, "      m%d: %d\n", i, i);
	put(fx, "p.yaml", text);
	load_ok(fx);
	assert_int_equal(fx->pol->models[0].nmetrics, MG_POLICY_MAX_METRICS);
	assert_true(fx->pol->models[0].metrics[63].value == 63);
}

#define SHA_LOWER "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_UPPER "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

static void test_sha256_forms(void **state)
{
	struct fx *fx = *state;
	const struct mg_model *m;

	put(fx, "p.yaml",
	    API "models:\n  - name: m\n    tier: general\n    files: [/srv/m/]\n    sha256:\n"
		"      model.safetensors: " SHA_UPPER "\n"
		"      ./sub/config.json: '" SHA_LOWER "'\n"
		"      /srv/m/tokenizer.json: " SHA_LOWER "\n"
		"      a..b/.c: " SHA_LOWER "\n");
	load_ok(fx);
	m = &fx->pol->models[0];
	assert_int_equal(m->ndigests, 4);
	assert_string_equal(m->digests[0].path, "model.safetensors");
	assert_string_equal(m->digests[1].path, "./sub/config.json");
	assert_string_equal(m->digests[2].path, "/srv/m/tokenizer.json");
	assert_string_equal(m->digests[3].path, "a..b/.c");
	assert_memory_equal(m->digests[0].sha256, m->digests[1].sha256, 32);
	assert_int_equal(m->digests[0].sha256[0], 0x9f);
	assert_int_equal(m->digests[0].sha256[31], 0x08);
	assert_loc(m->digests[2].loc, path_of(fx, "p.yaml"), 9, 7);
}

#define SHA_TEST(fn, pairs, col, msg) ERROR_TEST(fn, MODEL_WITH("sha256: " pairs), 3, col, msg)

#define SHA_63 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0"

SHA_TEST(test_sha256_short, "{a: " SHA_63 "}", 55,
	 "invalid sha256 '" SHA_63 "' for 'a' (expected 64 hex digits)")
SHA_TEST(test_sha256_long, "{a: " SHA_LOWER "0}", 55,
	 "invalid sha256 '" SHA_LOWER "0' for 'a' (expected 64 hex digits)")
SHA_TEST(test_sha256_not_hex, "{a: " SHA_63 "g}", 55,
	 "invalid sha256 '" SHA_63 "g' for 'a' (expected 64 hex digits)")
SHA_TEST(test_sha256_prefixed, "{a: 'sha256:" SHA_LOWER "'}", 55,
	 "invalid sha256 'sha256:" SHA_LOWER "' for 'a' (expected 64 hex digits)")
SHA_TEST(test_sha256_list, "{a: [" SHA_LOWER "]}", 55,
	 "the sha256 of 'a' must be a string of 64 hex digits")
SHA_TEST(test_sha256_null, "{a: }", 55, "the sha256 of 'a' must be a string of 64 hex digits")
SHA_TEST(test_sha256_empty_path, "{'': " SHA_LOWER "}", 52,
	 "invalid sha256 path '': must not be empty")
SHA_TEST(test_sha256_dotdot, "{a/../b: " SHA_LOWER "}", 52,
	 "invalid sha256 path 'a/../b': must not contain '..' components")
SHA_TEST(test_sha256_dotdot_start, "{../b: " SHA_LOWER "}", 52,
	 "invalid sha256 path '../b': must not contain '..' components")
SHA_TEST(test_sha256_dotdot_end, "{/srv/m/..: " SHA_LOWER "}", 52,
	 "invalid sha256 path '/srv/m/..': must not contain '..' components")
SHA_TEST(test_sha256_not_mapping, "[a]", 51,
	 "'sha256' must be a mapping of paths to SHA-256 digests")
SHA_TEST(test_sha256_duplicate, "{a: " SHA_LOWER ", a: " SHA_UPPER "}", 121,
	 "duplicate key 'a' (first defined at %D/p.yaml:3:52)")

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

		T(test_metrics_numbers),     T(test_metric_name_digit), T(test_metric_name_dash),
		T(test_metric_name_long),    T(test_metric_name_null),	T(test_metric_quoted),
		T(test_metric_word),	     T(test_metric_inf),	T(test_metric_hex),
		T(test_metric_huge),	     T(test_metric_bool),	T(test_metric_null),
		T(test_metric_list),	     T(test_metric_key_list),	T(test_metrics_not_mapping),
		T(test_metric_duplicate),    T(test_metrics_too_many),	T(test_metrics_at_limit),
		T(test_sha256_forms),	     T(test_sha256_short),	T(test_sha256_long),
		T(test_sha256_not_hex),	     T(test_sha256_prefixed),	T(test_sha256_list),
		T(test_sha256_null),	     T(test_sha256_empty_path), T(test_sha256_dotdot),
		T(test_sha256_dotdot_start), T(test_sha256_dotdot_end), T(test_sha256_not_mapping),
		T(test_sha256_duplicate),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
