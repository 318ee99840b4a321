// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Egress budgets: sizes, durations, the egressBudget mapping, nesting. */
#include "policy_fixture.h"

#include "core/util.h"

static void test_sizes(void **state)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} ok[] = {
		{ "1", 1 },
		{ "512B", 512 },
		{ "4KiB", 4096 },
		{ "200MiB", 200ull << 20 },
		{ "3GiB", 3ull << 30 },
		{ "2TiB", 2ull << 40 },
		{ "5kB", 5000 },
		{ "7MB", 7000000 },
		{ "1GB", 1000000000 },
	};
	static const char *const bad[] = { "",	    "0",  "0MiB", "MiB", "1.5GiB", "10 MiB",
					   "10mib", "-1", "1KB",  "1Ki", "0x10" };
	uint64_t v;

	for (size_t i = 0; i < MG_ARRAY_SIZE(ok); i++) {
		assert_int_equal(mg_size_parse(ok[i].text, &v), 0);
		assert_true(v == ok[i].bytes);
	}
	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++)
		assert_int_equal(mg_size_parse(bad[i], &v), -EINVAL);
	assert_int_equal(mg_size_parse("99999999999TiB", &v), -ERANGE);
	assert_int_equal(mg_size_parse("99999999999999999999", &v), -ERANGE);
}

static void test_durations(void **state)
{
	uint64_t ns;

	assert_int_equal(mg_duration_parse("5s", &ns), 0);
	assert_true(ns == 5000000000ull);
	assert_int_equal(mg_duration_parse("15m", &ns), 0);
	assert_true(ns == 900ull * 1000000000ull);
	assert_int_equal(mg_duration_parse("1h", &ns), 0);
	assert_true(ns == 3600ull * 1000000000ull);
	assert_int_equal(mg_duration_parse("720h", &ns), 0);
	assert_int_equal(mg_duration_parse("721h", &ns), -ERANGE);
	assert_int_equal(mg_duration_parse("0s", &ns), -ERANGE);
	assert_int_equal(mg_duration_parse("1d", &ns), -EINVAL);
	assert_int_equal(mg_duration_parse("1", &ns), -EINVAL);
	assert_int_equal(mg_duration_parse("h", &ns), -EINVAL);
	assert_int_equal(mg_duration_parse("1.5h", &ns), -EINVAL);
}

#define SCOPE_BUDGET(b) \
	API "scopes: [{name: s, cgroup: /s, maxTier: general, egressBudget: " b "}]\n"

static void test_budget_parsed(void **state)
{
	struct fx *fx = *state;
	const struct mg_scope *sc;

	put(fx, "p.yaml", SCOPE_BUDGET("{bytes: 200MiB, per: 1h}"));
	load_ok(fx);
	sc = &fx->pol->scopes[0];
	assert_true(sc->budget.bytes == 200ull << 20);
	assert_true(sc->budget.per_ns == 3600ull * 1000000000ull);
	assert_loc(sc->budget.loc, path_of(fx, "p.yaml"), 2, 64);
}

static void test_no_budget(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", API "scopes: [{name: s, cgroup: /s, maxTier: general}]\n");
	load_ok(fx);
	assert_true(fx->pol->scopes[0].budget.bytes == 0);
}

ERROR_TEST(
	test_budget_bad_size, SCOPE_BUDGET("{bytes: 200MB/s, per: 1h}"), 2, 72,
	"invalid bytes '200MB/s': must be a positive size in bytes, KiB, MiB, GiB or TiB (e.g. 200MiB)")
ERROR_TEST(
	test_budget_zero, SCOPE_BUDGET("{bytes: 0, per: 1h}"), 2, 72,
	"invalid bytes '0': must be a positive size in bytes, KiB, MiB, GiB or TiB (e.g. 200MiB)")
ERROR_TEST(test_budget_bad_per, SCOPE_BUDGET("{bytes: 1GiB, per: 1 day}"), 2, 83,
	   "invalid per '1 day': must be a duration in s, m or h (e.g. 1h)")
ERROR_TEST(test_budget_long_per, SCOPE_BUDGET("{bytes: 1GiB, per: 9999h}"), 2, 83,
	   "invalid per '9999h': must be from 1s to 2592000s")
ERROR_TEST(test_budget_missing_per, SCOPE_BUDGET("{bytes: 1GiB}"), 2, 64,
	   "missing key 'per' in egressBudget")
ERROR_TEST(test_budget_unknown_key, SCOPE_BUDGET("{bytes: 1GiB, per: 1h, burst: 2}"), 2, 87,
	   "unknown key 'burst' in egressBudget")
ERROR_TEST(test_budget_not_mapping, SCOPE_BUDGET("200MiB"), 2, 64,
	   "'egressBudget' must be a mapping: {bytes: SIZE, per: DURATION}")
ERROR_TEST(test_budget_list, SCOPE_BUDGET("[1, 2]"), 2, 64,
	   "'egressBudget' must be a mapping: {bytes: SIZE, per: DURATION}")

static void test_budget_nested(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API
	    "scopes:\n"
	    "  - {name: outer, cgroup: /a, maxTier: general}\n"
	    "  - {name: inner, cgroup: /a/b, maxTier: general, egressBudget: {bytes: 1GiB, per: 1h}}\n"
	    "  - {name: holder, cgroup: /c, maxTier: general, egressBudget: {bytes: 1GiB, per: 1h}}\n"
	    "  - {name: held, cgroup: /c/d, maxTier: general}\n"
	    "  - {name: beside, cgroup: /ab, maxTier: general, egressBudget: {bytes: 1GiB, per: 1h}}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(
		fx, 0, "p.yaml", 4, 65,
		"scope 'inner' has an egressBudget but is inside scope 'outer' (cgroup '/a'): a scope with a budget must not be nested");
	check_diag(
		fx, 1, "p.yaml", 5, 64,
		"scope 'holder' has an egressBudget but holds scope 'held' (cgroup '/c/d'): a scope with a budget must not be nested");
	expect_count(fx, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		cmocka_unit_test(test_sizes), cmocka_unit_test(test_durations),
		T(test_budget_parsed),	      T(test_no_budget),
		T(test_budget_bad_size),      T(test_budget_zero),
		T(test_budget_bad_per),	      T(test_budget_long_per),
		T(test_budget_missing_per),   T(test_budget_unknown_key),
		T(test_budget_not_mapping),   T(test_budget_list),
		T(test_budget_nested),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
