// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Tiers: levels, requiresLicense, when conditions, and the tier models derive. */
#include "policy_fixture.h"

/* ---- Tier levels -------------------------------------------------------- */

#define LEVEL_TEST(fn, level, msg) \
	ERROR_TEST(fn, API "tiers: [{name: a, level: " level "}]\n", 2, 26, msg)

LEVEL_TEST(test_level_zero, "0", "invalid tier level '0' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_over, "1001", "invalid tier level '1001' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_negative, "-1", "invalid tier level '-1' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_fraction, "1.5",
	   "invalid tier level '1.5' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_octal, "010", "invalid tier level '010' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_huge, "99999999999999999999",
	   "invalid tier level '99999999999999999999' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_quoted, "\"2\"", "'level' must be an integer, not a quoted string")
LEVEL_TEST(test_level_list, "[2]", "'level' must be an integer from 1 to 1000")

static void test_level_duplicate(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers:\n  - {name: a, level: 1}\n  - {name: b, level: 2}\n");
	put(fx, "b.yaml", API "tiers:\n  - {name: c, level: 2}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 3, 5,
		   "duplicate tier level 2 (first used by tier 'b' at %D/a.yaml:4:5)");
	expect_count(fx, 1);
}

static void test_too_many_tiers(void **state)
{
	struct fx *fx = *state;
	char text[2048];
	size_t n;

	n = snprintf(text, sizeof(text), API "tiers:\n");
	for (int i = 1; i <= MG_POLICY_MAX_TIERS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, "  - {name: t%d, level: %d}\n", i, i);
	put(fx, "p.yaml", text);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 19, 5, "too many tiers (17, at most 16)");
	expect_count(fx, 1);
}

/* ---- Tiers: requiresLicense, when ---------------------------------------- */

#define TIER_WITH(extra) API "tiers: [{name: a, level: 1, " extra "}]\n"

static void test_requires_license(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API "tiers:\n  - {name: a, level: 1, requiresLicense: false}\n"
		"  - {name: b, level: 2, requiresLicense: true}\n");
	load_ok(fx);
	assert_false(fx->pol->tiers[0].requires_license);
	assert_true(fx->pol->tiers[1].requires_license);
}

ERROR_TEST(test_requires_license_yes, TIER_WITH("requiresLicense: yes"), 2, 46,
	   "'requiresLicense' must be true or false")
ERROR_TEST(test_requires_license_quoted, TIER_WITH("requiresLicense: 'true'"), 2, 46,
	   "'requiresLicense' must be true or false")
ERROR_TEST(test_requires_license_capital, TIER_WITH("requiresLicense: True"), 2, 46,
	   "'requiresLicense' must be true or false")
ERROR_TEST(test_requires_license_list, TIER_WITH("requiresLicense: [true]"), 2, 46,
	   "'requiresLicense' must be true or false")

static void test_when_forms(void **state)
{
	static const struct {
		const char *metric;
		enum mg_cond_op op;
		double value;
	} want[] = {
		{ "mmlu", MG_COND_GE, 85 },    { "mmlu", MG_COND_GE, 85 },
		{ "flops", MG_COND_GT, 1e25 }, { "flops_total", MG_COND_LE, 1.2e24 },
		{ "delta", MG_COND_LT, -3 },   { "Score2", MG_COND_EQ, 0.5 },
		{ "x", MG_COND_GE, 1e-3 },
	};
	struct fx *fx = *state;
	const struct mg_tier *t;

	put(fx, "p.yaml",
	    API "tiers:\n  - name: a\n    level: 1\n    when:\n"
		"      - mmlu>=85\n"
		"      - \"  mmlu >= 85  \"\n"
		"      - flops > 1e25\n"
		"      - flops_total<=1.2E+24\n"
		"      - delta < -3\n"
		"      - 'Score2 == .5'\n"
		"      - \"x\\t>=\\t1e-3\"\n");
	load_ok(fx);
	t = &fx->pol->tiers[0];
	assert_int_equal(t->nwhen, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < t->nwhen; i++) {
		assert_string_equal(t->when[i].metric, want[i].metric);
		assert_int_equal(t->when[i].op, want[i].op);
		assert_true(t->when[i].value == want[i].value);
		assert_int_equal(t->when[i].loc.line, 6 + i);
		assert_int_equal(t->when[i].loc.col, 9);
	}
	/* The text is kept as written. */
	assert_string_equal(t->when[0].text, "mmlu>=85");
	assert_string_equal(t->when[1].text, "  mmlu >= 85  ");
}

#define WHEN_TEST(fn, cond, msg) ERROR_TEST(fn, TIER_WITH("when: ['" cond "']"), 2, 36, msg)

WHEN_TEST(test_when_bad_op, "mmlu => 85",
	  "invalid condition 'mmlu => 85': expected >=, >, <=, < or ==")
WHEN_TEST(test_when_single_equals, "mmlu = 85",
	  "invalid condition 'mmlu = 85': expected >=, >, <=, < or ==")
WHEN_TEST(test_when_no_op, "mmlu", "invalid condition 'mmlu': expected >=, >, <=, < or ==")
WHEN_TEST(test_when_reversed, "85 <= mmlu",
	  "invalid condition '85 <= mmlu': expected a metric name")
WHEN_TEST(test_when_empty, "", "invalid condition '': expected a metric name")
WHEN_TEST(test_when_no_number,
	  "mmlu >=", "invalid condition 'mmlu >=': expected a number after '>='")
WHEN_TEST(test_when_bad_number, "mmlu >= 85%",
	  "invalid condition 'mmlu >= 85%': invalid number '85%'")
WHEN_TEST(test_when_two_numbers, "mmlu >= 8 5",
	  "invalid condition 'mmlu >= 8 5': invalid number '8 5'")
WHEN_TEST(test_when_hex, "mmlu >= 0x10", "invalid condition 'mmlu >= 0x10': invalid number '0x10'")
WHEN_TEST(test_when_inf, "mmlu >= inf", "invalid condition 'mmlu >= inf': invalid number 'inf'")
WHEN_TEST(test_when_nan, "mmlu == nan", "invalid condition 'mmlu == nan': invalid number 'nan'")
WHEN_TEST(test_when_huge, "flops > 1e999",
	  "invalid condition 'flops > 1e999': number '1e999' is out of range")
WHEN_TEST(
	test_when_long_metric, "a23456789012345678901234567890123 > 1",
	"invalid condition 'a23456789012345678901234567890123 > 1': metric name is longer than 32 characters")
WHEN_TEST(test_when_metric_dash, "mm-lu > 1",
	  "invalid condition 'mm-lu > 1': expected >=, >, <=, < or ==")
ERROR_TEST(test_when_not_list, TIER_WITH("when: mmlu >= 85"), 2, 35,
	   "'when' must be a list of strings")
ERROR_TEST(test_when_item_not_string, TIER_WITH("when: [{mmlu: 85}]"), 2, 36,
	   "'when' must be a list of strings")

static void test_when_metric_32(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", TIER_WITH("when: ['a2345678901234567890123456789012 > 1']"));
	load_ok(fx);
	assert_string_equal(fx->pol->tiers[0].when[0].metric, "a2345678901234567890123456789012");
}

static void test_when_too_many(void **state)
{
	struct fx *fx = *state;
	char text[2048];
	size_t n;

	n = snprintf(text, sizeof(text), API "tiers:\n  - name: a\n    level: 1\n    when:\n");
	for (int i = 0; i <= MG_POLICY_MAX_CONDITIONS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, "      - m%d > %d\n", i, i);
	expect_one(fx, text, 6 + MG_POLICY_MAX_CONDITIONS, 9,
		   "too many conditions in 'when' (at most 16)");
}

static void test_when_at_limit(void **state)
{
	struct fx *fx = *state;
	char text[2048];
	size_t n;

	n = snprintf(text, sizeof(text), API "tiers:\n  - name: a\n    level: 1\n    when:\n");
	for (int i = 0; i < MG_POLICY_MAX_CONDITIONS; i++)
		n += snprintf(text + n, sizeof(text) - n, "      - m%d > %d\n", i, i);
	put(fx, "p.yaml", text);
	load_ok(fx);
	assert_int_equal(fx->pol->tiers[0].nwhen, MG_POLICY_MAX_CONDITIONS);
	assert_string_equal(fx->pol->tiers[0].when[15].text, "m15 > 15");
}

/* ---- Tier derivation ---------------------------------------------------- */

#define DERIVE_TIERS                                                            \
	API "tiers:\n"                                                          \
	    "  - {name: low, level: 1}\n"                                       \
	    "  - {name: mid, level: 5, when: ['mmlu >= 70', 'arena>1200']}\n"   \
	    "  - {name: high, level: 9, when: ['mmlu>=85', 'flops >= 1e25']}\n" \
	    "  - {name: odd, level: 3, when: ['mmlu == 92.5']}\n"

static void test_derive(void **state)
{
	static const struct {
		const char *tier;
		const char *reason;
	} want[] = {
		{ "high", "explicit" }, /* explicit beats metrics */
		{ "low", "explicit" },
		{ "high", "mmlu>=85 (mmlu = 92.5)" }, /* the highest of odd, mid, high */
		{ "mid", "mmlu >= 70 (mmlu = 70)" },
		{ "mid", "arena>1200 (arena = 1250.5)" }, /* the second condition */
		{ "high", "flops >= 1e25 (flops = 3e+25)" },
		{ "low", "defaultTier" }, /* holds nothing */
		{ "low", "defaultTier" }, /* no metrics */
	};
	struct fx *fx = *state;
	const struct mg_policy *p;

	put(fx, "a.yaml", DERIVE_TIERS "defaultTier: low\n");
	put(fx, "b.yaml",
	    API "models:\n"
		"  - {name: m0, tier: high, files: [/m0], metrics: {mmlu: 10}}\n"
		"  - {name: m1, tier: low, files: [/m1], metrics: {mmlu: 99}}\n"
		"  - {name: m2, files: [/m2], metrics: {mmlu: 92.5}}\n"
		"  - {name: m3, files: [/m3], metrics: {mmlu: 70, arena: 1250.5}}\n"
		"  - {name: m4, files: [/m4], metrics: {mmlu: 10, arena: 1250.5}}\n"
		"  - {name: m5, files: [/m5], metrics: {arena: 2000, flops: 3e25}}\n"
		"  - {name: m6, files: [/m6], metrics: {mmlu: 69.9, arena: 1200, MMLU: 99}}\n"
		"  - {name: m7, files: [/m7]}\n");
	load_ok(fx);
	p = fx->pol;
	assert_int_equal(p->nmodels, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < p->nmodels; i++) {
		const struct mg_model *m = &p->models[i];
		const struct mg_tier *t;
		char *reason;

		assert_non_null(m->resolved_tier);
		assert_string_equal(m->resolved_tier->name, want[i].tier);
		assert_string_equal(m->tier_reason, want[i].reason);

		/* The same answer from the function itself. */
		t = mg_policy_model_tier(p, m, &reason);
		assert_ptr_equal(t, m->resolved_tier);
		assert_string_equal(reason, want[i].reason);
		free(reason);
		assert_ptr_equal(mg_policy_model_tier(p, m, NULL), t);
	}
}

/* Without a default, a model that no condition catches has no tier. */
static void test_derive_none(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    DERIVE_TIERS "models:\n"
			 "  - {name: ok, files: [/a], metrics: {mmlu: 90}}\n"
			 "  - name: weak\n    files: [/b]\n    metrics: {mmlu: 10}\n"
			 "  - {name: bare, files: [/c]}\n"
			 "  - {name: other, files: [/d], metrics: {accuracy: 99}}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(
		fx, 0, "p.yaml", 9, 5,
		"model 'weak' has no tier: no 'tier', no tier condition holds on its metrics, and no 'defaultTier'");
	check_diag(
		fx, 1, "p.yaml", 12, 5,
		"model 'bare' has no tier: no 'tier', no tier condition holds on its metrics, and no 'defaultTier'");
	check_diag(
		fx, 2, "p.yaml", 13, 5,
		"model 'other' has no tier: no 'tier', no tier condition holds on its metrics, and no 'defaultTier'");
	expect_count(fx, 3);
}

/* With the default tiers (no conditions) a model needs 'tier' or 'defaultTier'. */
ERROR_TEST(
	test_derive_default_tiers, API "models:\n  - {name: m, files: [/m], metrics: {mmlu: 99}}\n",
	3, 5,
	"model 'm' has no tier: no 'tier', no tier condition holds on its metrics, and no 'defaultTier'")

/* An unknown explicit tier is one error. */
ERROR_TEST(test_derive_unknown_explicit,
	   DERIVE_TIERS "defaultTier: low\nmodels:\n  - {name: m, tier: top, files: [/m]}\n", 9, 21,
	   "unknown tier 'top'")

/* What went wrong in a model may be what would have given it a tier: not reported twice. */
static void test_derive_no_cascade(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", DERIVE_TIERS);
	put(fx, "b.yaml",
	    API "models:\n"
		"  - {name: m, files: [/m], metrics: {mmlu: 9O}}\n"
		"  - {name: n, tier: [high], files: [/n]}\n"
		"  - {name: o, Tier: high, files: [/o]}\n"
		"  - {name: p, files: [/p]}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 3, 44,
		   "invalid value '9O' for metric 'mmlu' (expected a finite number)");
	check_diag(fx, 1, "b.yaml", 4, 21, "'tier' must be a string");
	check_diag(fx, 2, "b.yaml", 5, 15, "unknown key 'Tier' in model");
	expect_count(fx, 3);
}

static void test_derive_no_cascade_default_tier(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "defaultTier: [general]\n");
	put(fx, "b.yaml", API "models:\n  - {name: m, files: [/m]}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 2, 14, "'defaultTier' must be a string");
	expect_count(fx, 1);
}

/* A broken condition makes tiers unsure: nothing about models' tiers is reported. */
static void test_derive_no_cascade_condition(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers: [{name: t, level: 1, when: ['mmlu => 1']}]\n");
	put(fx, "b.yaml", API "models:\n  - {name: m, files: [/m], metrics: {mmlu: 2}}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 2, 36,
		   "invalid condition 'mmlu => 1': expected >=, >, <=, < or ==");
	expect_count(fx, 1);
}

/* In memory: validation resolves again, after documents that add tiers. */
static void test_derive_in_memory(void **state)
{
	static const char models[] =
		API "defaultTier: base\n"
		    "models:\n  - {name: m, files: [/m], metrics: {mmlu: 90}}\n";
	static const char low[] = API "tiers: [{name: base, level: 1}]\n";
	static const char top[] = API "tiers: [{name: top, level: 2, when: ['mmlu > 80']}]\n";
	struct fx *fx = *state;
	struct mg_policy *p = mg_policy_new();
	const struct mg_model *m;
	char *s;

	assert_non_null(p);
	fx->pol = p;
	assert_int_equal(mg_policy_parse_buffer(p, "models", models, strlen(models), &fx->diags),
			 0);
	assert_int_equal(mg_policy_parse_buffer(p, "base", low, strlen(low), &fx->diags), 0);
	assert_null(p->dir);
	s = mg_policy_path(p, "keys/k.pem");
	assert_string_equal(s, "keys/k.pem");
	free(s);

	assert_int_equal(mg_policy_validate(p, &fx->diags), 0);
	m = &p->models[0];
	assert_string_equal(m->resolved_tier->name, "base");
	assert_string_equal(m->tier_reason, "defaultTier");
	/* Validating twice frees nothing twice and leaks nothing. */
	assert_int_equal(mg_policy_validate(p, &fx->diags), 0);
	assert_string_equal(m->tier_reason, "defaultTier");

	assert_int_equal(mg_policy_parse_buffer(p, "top", top, strlen(top), &fx->diags), 0);
	m = &p->models[0];
	assert_null(m->resolved_tier);
	assert_null(m->tier_reason);
	assert_int_equal(mg_policy_validate(p, &fx->diags), 0);
	assert_string_equal(m->resolved_tier->name, "top");
	assert_string_equal(m->tier_reason, "mmlu > 80 (mmlu = 90)");
	expect_count(fx, 0);
}

/* A document with an error in the new keys changes nothing either. */
static void test_parse_buffer_new_keys_error(void **state)
{
	static const char bad[] =
		API "defaultTier: general\nunknownWeights: allow\n"
		    "trustedKeys: [k.pem]\nmodels:\n  - {name: m, files: [/m], metrics: {x: y}}\n";
	struct fx *fx = *state;
	struct mg_policy *p = mg_policy_new();

	assert_non_null(p);
	fx->pol = p;
	assert_int_equal(mg_policy_parse_buffer(p, "bad", bad, strlen(bad), &fx->diags), -EINVAL);
	expect_count(fx, 1);
	assert_null(p->default_tier);
	assert_null(p->unknown_weights_loc.file);
	assert_int_equal(p->unknown_weights, MG_UNKNOWN_DENY);
	assert_int_equal(p->ntrusted_keys, 0);
	assert_int_equal(p->nmodels, 0);
	assert_int_equal(p->nsources, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

		T(test_level_zero),
		T(test_level_over),
		T(test_level_negative),
		T(test_level_fraction),
		T(test_level_octal),
		T(test_level_huge),
		T(test_level_quoted),
		T(test_level_list),
		T(test_level_duplicate),
		T(test_too_many_tiers),
		T(test_requires_license),
		T(test_requires_license_yes),
		T(test_requires_license_quoted),
		T(test_requires_license_capital),
		T(test_requires_license_list),
		T(test_when_forms),
		T(test_when_bad_op),
		T(test_when_single_equals),
		T(test_when_no_op),
		T(test_when_reversed),
		T(test_when_empty),
		T(test_when_no_number),
		T(test_when_bad_number),
		T(test_when_two_numbers),
		T(test_when_hex),
		T(test_when_inf),
		T(test_when_nan),
		T(test_when_huge),
		T(test_when_long_metric),
		T(test_when_metric_dash),
		T(test_when_not_list),
		T(test_when_item_not_string),
		T(test_when_metric_32),
		T(test_when_too_many),
		T(test_when_at_limit),
		T(test_derive),
		T(test_derive_none),
		T(test_derive_default_tiers),
		T(test_derive_unknown_explicit),
		T(test_derive_no_cascade),
		T(test_derive_no_cascade_default_tier),
		T(test_derive_no_cascade_condition),
		T(test_derive_in_memory),
		T(test_parse_buffer_new_keys_error),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
