// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Outputs against model folders: refused where written bytes would load as a model. */
#include "policy_fixture.h"

#define MODELS                                                \
	"models:\n" MODEL("m", "general", "[/srv/models/m/]") \
		MODEL("f", "general", "[/srv/gguf/one.gguf]")

static void test_output_holds_model(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API MODELS "scopes:\n  - {name: s, cgroup: /s, maxTier: general, outputs: [/srv/]}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 10, 55,
		   "output folder '/srv/' of scope 's' holds '/srv/models/m/' of model 'm' "
		   "(%D/p.yaml:5:13): what the scope writes there would load as that model");
	check_diag(fx, 1, "p.yaml", 10, 55,
		   "output folder '/srv/' of scope 's' holds '/srv/gguf/one.gguf' of model 'f' "
		   "(%D/p.yaml:8:13): what the scope writes there would load as that model");
	expect_count(fx, 2);
}

static void test_output_inside_model(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API MODELS
	    "scopes:\n  - {name: s, cgroup: /s, maxTier: general, outputs: [/srv/models/m/cache]}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(
		fx, 0, "p.yaml", 10, 55,
		"output folder '/srv/models/m/cache' of scope 's' is inside '/srv/models/m/' of "
		"model 'm' (%D/p.yaml:5:13): what the scope writes there would load as that model");
	expect_count(fx, 1);
}

/* A model folder inside another scope's outputs is refused too; names that only share a prefix are not. */
static void test_model_in_other_scopes_outputs(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API MODELS
	    "scopes:\n"
	    "  - {name: a, cgroup: /a, maxTier: general, outputs: [/srv/models-out/, /srv/gguf2/]}\n"
	    "  - {name: b, cgroup: /b, maxTier: general, outputs: [/srv/models]}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 11, 55,
		   "output folder '/srv/models' of scope 'b' holds '/srv/models/m/' of model 'm' "
		   "(%D/p.yaml:5:13): what the scope writes there would load as that model");
	expect_count(fx, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_output_holds_model),
		T(test_output_inside_model),
		T(test_model_in_other_scopes_outputs),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
