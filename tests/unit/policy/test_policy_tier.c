// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Conditions, numbers and metric names, and tier derivation on policies built by hand. */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_number_good(void **state)
{
	static const struct {
		const char *text;
		double value;
	} cases[] = {
		{ "0", 0 },
		{ "85", 85 },
		{ "-3", -3 },
		{ "+7", 7 },
		{ "1e25", 1e25 },
		{ "1.2e24", 1.2e24 },
		{ "1.2E+24", 1.2e24 },
		{ "2.5e-7", 2.5e-7 },
		{ ".5", 0.5 },
		{ "5.", 5 },
		{ "-0.25", -0.25 },
		{ "007", 7 },
		{ "1e-400", 0 }, /* underflows to zero: finite */
		{ "1.7976931348623157e308", 1.7976931348623157e308 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		double v = -1;

		assert_int_equal(mg_number_parse(cases[i].text, &v), 0);
		assert_true(v == cases[i].value);
	}
}

static void test_number_bad(void **state)
{
	static const char *const invalid[] = {
		"",    "-",    "+",	".",   "e5", "1e", "1e+", "1.2.3", "0x10",  "inf", "-inf",
		"nan", ".inf", "1_000", "1,5", " 1", "1 ", "85%", "--1",   "1e5.5", "one",
	};
	static const char *const range[] = { "1e309", "-1e309", "1e99999999999999999999" };

	for (size_t i = 0; i < N(invalid); i++) {
		double v = 42;

		assert_int_equal(mg_number_parse(invalid[i], &v), -EINVAL);
		assert_true(v == 42);
	}
	for (size_t i = 0; i < N(range); i++) {
		double v = 42;

		assert_int_equal(mg_number_parse(range[i], &v), -ERANGE);
		assert_true(v == 42);
	}
}

static void test_metric_names(void **state)
{
	static const char *const good[] = {
		"a",
		"mmlu",
		"MMLU",
		"training_flops",
		"x1",
		"a_",
		"a2345678901234567890123456789012",
	};
	static const char *const bad[] = {
		"", "1a", "_a", "a-b", "a.b", "a b", "é", "a23456789012345678901234567890123",
	};

	for (size_t i = 0; i < N(good); i++)
		assert_true(mg_metric_name_valid(good[i]));
	for (size_t i = 0; i < N(bad); i++)
		assert_false(mg_metric_name_valid(bad[i]));
}

static void test_condition_good(void **state)
{
	static const struct {
		const char *text;
		const char *metric;
		enum mg_cond_op op;
		double value;
	} cases[] = {
		{ "mmlu >= 85", "mmlu", MG_COND_GE, 85 },
		{ "mmlu>=85", "mmlu", MG_COND_GE, 85 },
		{ "  mmlu\t>=  85 ", "mmlu", MG_COND_GE, 85 },
		{ "flops > 1e25", "flops", MG_COND_GT, 1e25 },
		{ "flops>1.2e24", "flops", MG_COND_GT, 1.2e24 },
		{ "x <= -3", "x", MG_COND_LE, -3 },
		{ "x<-3", "x", MG_COND_LT, -3 },
		{ "x == 0.5", "x", MG_COND_EQ, 0.5 },
		{ "x==-.5", "x", MG_COND_EQ, -0.5 },
		{ "A_1 < +2", "A_1", MG_COND_LT, 2 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct mg_condition c = { .text = NULL };
		const char *err = NULL;

		assert_int_equal(mg_condition_parse(cases[i].text, &c, &err), 0);
		assert_null(err);
		assert_string_equal(c.metric, cases[i].metric);
		assert_int_equal(c.op, cases[i].op);
		assert_true(c.value == cases[i].value);
		assert_null(c.text);
		free(c.metric);
	}
}

static void test_condition_bad(void **state)
{
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
		{ "", "expected a metric name" },
		{ "   ", "expected a metric name" },
		{ ">= 85", "expected a metric name" },
		{ "85 <= mmlu", "expected a metric name" },
		{ "_x > 1", "expected a metric name" },
		{ "mmlu", "expected >=, >, <=, < or ==" },
		{ "mmlu => 85", "expected >=, >, <=, < or ==" },
		{ "mmlu = 85", "expected >=, >, <=, < or ==" },
		{ "mmlu != 85", "expected >=, >, <=, < or ==" },
		{ "mmlu =< 85", "expected >=, >, <=, < or ==" },
		{ "mm.lu > 1", "expected >=, >, <=, < or ==" },
		{ "mmlu >=", "expected a number after '>='" },
		{ "mmlu <  ", "expected a number after '<'" },
		{ "mmlu >== 85", "invalid number '= 85'" },
		{ "mmlu >= 85 and x", "invalid number '85 and x'" },
		{ "mmlu >= 0x10", "invalid number '0x10'" },
		{ "mmlu >= nan", "invalid number 'nan'" },
		{ "mmlu >= 1e999", "number '1e999' is out of range" },
		{ "a23456789012345678901234567890123 > 1",
		  "metric name is longer than 32 characters" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct mg_condition c = { .metric = NULL };
		const char *err = NULL;

		assert_int_equal(mg_condition_parse(cases[i].text, &c, &err), -EINVAL);
		assert_non_null(err);
		assert_string_equal(err, cases[i].err);
		assert_null(c.metric);
	}
	/* The message is optional. */
	assert_int_equal(mg_condition_parse("x", &(struct mg_condition){ 0 }, NULL), -EINVAL);
}

/* ---- mg_policy_model_tier on a policy built by hand --------------------- */

static struct mg_condition conds_b[] = {
	{ .metric = "mmlu", .op = MG_COND_GE, .value = 70, .text = "mmlu >= 70" },
};
static struct mg_condition conds_c[] = {
	{ .metric = "mmlu", .op = MG_COND_GE, .value = 85, .text = "mmlu >= 85" },
	{ .metric = "flops", .op = MG_COND_GT, .value = 1e25, .text = "flops>1e25" },
};
static struct mg_condition conds_d[] = {
	{ .metric = "mmlu", .op = MG_COND_EQ, .value = 90, .text = "mmlu == 90" },
	{ .metric = "mmlu", .op = MG_COND_LT, .value = 0, .text = "mmlu < 0" },
	{ .metric = "mmlu", .op = MG_COND_LE, .value = -1, .text = "mmlu <= -1" },
};

/* Listed out of level order: the highest level wins, not the last or first. */
static struct mg_tier tiers[] = {
	{ .name = "c", .level = 30, .when = conds_c, .nwhen = N(conds_c) },
	{ .name = "a", .level = 1 },
	{ .name = "d", .level = 20, .when = conds_d, .nwhen = N(conds_d) },
	{ .name = "b", .level = 10, .when = conds_b, .nwhen = N(conds_b) },
};

static const struct mg_tier *derive(const char *default_tier, const char *tier,
				    struct mg_metric *metrics, size_t nmetrics, char **reason)
{
	struct mg_policy pol = {
		.tiers = tiers,
		.ntiers = N(tiers),
		.default_tier = (char *)default_tier,
	};
	struct mg_model m = {
		.name = "m",
		.tier = (char *)tier,
		.metrics = metrics,
		.nmetrics = nmetrics,
	};

	return mg_policy_model_tier(&pol, &m, reason);
}

static void expect_tier(const char *default_tier, const char *tier, struct mg_metric *metrics,
			size_t nmetrics, const char *want, const char *want_reason)
{
	const struct mg_tier *t;
	char *reason = (char *)"untouched";

	t = derive(default_tier, tier, metrics, nmetrics, &reason);
	if (!want) {
		assert_null(t);
		assert_int_equal(errno, ENOENT);
		assert_null(reason);
		return;
	}
	assert_non_null(t);
	assert_string_equal(t->name, want);
	assert_string_equal(reason, want_reason);
	free(reason);
	assert_ptr_equal(derive(default_tier, tier, metrics, nmetrics, NULL), t);
}

static void test_model_tier(void **state)
{
	struct mg_metric none[] = { { .name = "other", .value = 99 } };
	struct mg_metric low[] = { { .name = "mmlu", .value = 50 } };
	struct mg_metric mid[] = { { .name = "mmlu", .value = 72.5 } };
	struct mg_metric eq[] = { { .name = "mmlu", .value = 90 } };
	struct mg_metric high[] = { { .name = "mmlu", .value = 85 } };
	struct mg_metric flops[] = {
		{ .name = "mmlu", .value = 1 },
		{ .name = "flops", .value = 2e25 },
	};
	struct mg_metric edge[] = { { .name = "flops", .value = 1e25 } };
	struct mg_metric neg[] = { { .name = "mmlu", .value = -1 } };

	expect_tier(NULL, "a", eq, N(eq), "a", "explicit");
	expect_tier("b", "d", NULL, 0, "d", "explicit");
	expect_tier(NULL, "nope", eq, N(eq), NULL, NULL);
	expect_tier(NULL, NULL, mid, N(mid), "b", "mmlu >= 70 (mmlu = 72.5)");
	/* mmlu 90 holds b (10), c (30) and d (20): c. */
	expect_tier(NULL, NULL, eq, N(eq), "c", "mmlu >= 85 (mmlu = 90)");
	expect_tier(NULL, NULL, high, N(high), "c", "mmlu >= 85 (mmlu = 85)");
	expect_tier(NULL, NULL, flops, N(flops), "c", "flops>1e25 (flops = 2e+25)");
	expect_tier("a", NULL, edge, N(edge), "a", "defaultTier");
	/* The first condition of the tier that holds is the reason. */
	expect_tier(NULL, NULL, neg, N(neg), "d", "mmlu < 0 (mmlu = -1)");
	expect_tier("a", NULL, low, N(low), "a", "defaultTier");
	expect_tier("a", NULL, none, N(none), "a", "defaultTier");
	expect_tier("b", NULL, NULL, 0, "b", "defaultTier");
	expect_tier(NULL, NULL, low, N(low), NULL, NULL);
	expect_tier(NULL, NULL, NULL, 0, NULL, NULL);
	expect_tier("unknown", NULL, NULL, 0, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_good),   cmocka_unit_test(test_number_bad),
		cmocka_unit_test(test_metric_names),  cmocka_unit_test(test_condition_good),
		cmocka_unit_test(test_condition_bad), cmocka_unit_test(test_model_tier),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
