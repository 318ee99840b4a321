// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Scope selectors in a policy: cgroupPattern and bind, with their errors at file:line:col. */
#include "policy_fixture.h"

#define PATTERN_TEST(fn, pat, col, msg)                                                            \
	ERROR_TEST(fn, API "scopes: [{name: s, maxTier: general, cgroupPattern: '" pat "'}]\n", 2, \
		   col, msg)

PATTERN_TEST(test_pattern_relative, "machine.slice/libpod-*.scope", 53,
	     "invalid cgroupPattern 'machine.slice/libpod-*.scope': must start with '/' (a path "
	     "below the cgroup2 mount)")
PATTERN_TEST(test_pattern_first_component, "/*.service", 53,
	     "invalid cgroupPattern '/*.service': its first component must be fixed (no '*'): the "
	     "programs attach there, never on the root cgroup")
PATTERN_TEST(
	test_pattern_double_star, "/kubepods.slice/**", 53,
	"invalid cgroupPattern '/kubepods.slice/**': '**' is not supported: '*' matches within "
	"one path component")
PATTERN_TEST(test_pattern_no_star, "/system.slice/vllm.service", 53,
	     "invalid cgroupPattern '/system.slice/vllm.service': has no '*': use 'cgroup' for an "
	     "exact path")
PATTERN_TEST(test_pattern_dotdot, "/system.slice/../x-*", 53,
	     "invalid cgroupPattern '/system.slice/../x-*': has a '.' or '..' component")

ERROR_TEST(test_cgroup_with_star,
	   API "scopes: [{name: s, maxTier: general, cgroup: '/machine.slice/libpod-*.scope'}]\n",
	   2, 46, "invalid cgroup '/machine.slice/libpod-*.scope': '*' is for 'cgroupPattern'")
ERROR_TEST(test_cgroup_and_pattern,
	   API "scopes: [{name: s, maxTier: general, cgroup: /a, cgroupPattern: '/a/*'}]\n", 2, 65,
	   "a scope has 'cgroup' or 'cgroupPattern', not both")
ERROR_TEST(test_bind_unknown,
	   API "scopes: [{name: s, maxTier: general, cgroupPattern: '/a/*', bind: label}]\n", 2, 67,
	   "invalid bind 'label': 'cgroup' (the kernel binds every cgroup at the path or pattern) "
	   "or 'annotation' (mguard oci-hook binds annotated containers)")
ERROR_TEST(test_bind_annotation_exact,
	   API "scopes: [{name: s, maxTier: general, cgroup: /a, bind: annotation}]\n", 2, 56,
	   "'bind: annotation' needs a 'cgroupPattern' (where the runtime makes the containers' "
	   "cgroups)")

static void test_runtime_patterns(void **state)
{
	struct fx *fx = *state;
	const struct mg_scope *sc;

	put(fx, "p.yaml",
	    API
	    "scopes:\n"
	    "  - {name: units, maxTier: general, cgroupPattern: '/system.slice/vllm-*.service'}\n"
	    "  - {name: pods, maxTier: general,\n"
	    "     cgroupPattern: '/kubepods.slice/*/kubepods-*-pod*.slice'}\n"
	    "  - {name: vllm, maxTier: general, bind: annotation,\n"
	    "     cgroupPattern: '/machine.slice/libpod-*.scope'}\n"
	    "  - {name: llama, maxTier: general, bind: annotation,\n"
	    "     cgroupPattern: '/machine.slice/libpod-*.scope'}\n");
	load_ok(fx);
	assert_int_equal(fx->pol->nscopes, 4);
	sc = &fx->pol->scopes[0];
	assert_true(sc->cgroup_pattern);
	assert_int_equal(sc->bind, MG_BIND_CGROUP);
	assert_string_equal(sc->cgroup, "/system.slice/vllm-*.service");
	assert_loc(sc->cgroup_loc, path_of(fx, "p.yaml"), 3, 52);
	/* Two annotation scopes share a pattern: the annotation says which. */
	assert_int_equal(fx->pol->scopes[2].bind, MG_BIND_ANNOTATION);
	assert_int_equal(fx->pol->scopes[3].bind, MG_BIND_ANNOTATION);
}

ERROR_TEST(test_pattern_duplicate,
	   API "scopes:\n  - {name: a, maxTier: general, cgroupPattern: '/m/x-*'}\n"
	       "  - {name: b, maxTier: general, cgroupPattern: '/m/x-*'}\n",
	   4, 48, "duplicate cgroup '/m/x-*' (first used by scope 'a' at %D/p.yaml:3:48)")

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_pattern_relative),      T(test_pattern_first_component),
		T(test_pattern_double_star),   T(test_pattern_no_star),
		T(test_pattern_dotdot),	       T(test_cgroup_with_star),
		T(test_cgroup_and_pattern),    T(test_bind_unknown),
		T(test_bind_annotation_exact), T(test_runtime_patterns),
		T(test_pattern_duplicate),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
