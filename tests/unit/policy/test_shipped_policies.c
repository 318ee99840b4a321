// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every policy this repository ships parses, validates and compiles (licences
 * verified) with no error and no warning. Run from the repository root.
 */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include "compile/compile.h"
#include "policy/policy.h"

static void check_policy(const char *dir)
{
	struct mg_compile_opts opts = { .check_only = 1, .cgroup_root = "/" };
	struct mg_diags diags = {};
	struct mg_policy *p = NULL;
	struct mg_image *img = NULL;
	int err;

	err = mg_policy_load_dir(dir, &p, &diags);
	if (!err)
		err = mg_compile(p, &opts, &img, &diags);
	if (err || diags.n) {
		mg_diags_print(&diags, stderr);
		fail_msg("policy '%s': %d, %zu diagnostics", dir, err, diags.n);
	}
	assert_true(p->nscopes > 0);
	mg_image_free(img);
	mg_policy_free(p);
}

static void test_default(void **state)
{
	check_policy("policies/default");
}

static void test_vllm(void **state)
{
	struct mg_compile_opts opts = { .check_only = 1, .cgroup_root = "/" };
	struct mg_diags diags = {};
	struct mg_policy *p = NULL;
	struct mg_image *img = NULL;

	check_policy("policies/examples/vllm");
	/* The 70B model is controlled by its MMLU, and its licence is accepted. */
	assert_int_equal(mg_policy_load_dir("policies/examples/vllm", &p, &diags), 0);
	assert_int_equal(mg_compile(p, &opts, &img, &diags), 0);
	assert_string_equal(p->models[1].name, "llama-3.1-70b");
	assert_string_equal(p->models[1].resolved_tier->name, "controlled");
	assert_string_equal(p->models[1].tier_reason, "mmlu >= 85 (mmlu = 86)");
	assert_string_equal(p->models[0].tier_reason, "defaultTier");
	assert_int_equal(img->nlicenses, 1);
	assert_string_equal(img->licenses[0].id, "lic-2026-0042");
	assert_int_equal(img->licenses[0].key.model_id, 2);
	mg_image_free(img);
	mg_policy_free(p);
}

static void test_llama_cpp(void **state)
{
	check_policy("policies/examples/llama-cpp");
}

/* The policy of the Kubernetes DaemonSet (deploy/kubernetes/policy, its ConfigMap's source). */
static void test_kubernetes(void **state)
{
	check_policy("deploy/kubernetes/policy");
}

static void test_ollama(void **state)
{
	check_policy("policies/examples/ollama");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),	   cmocka_unit_test(test_vllm),
		cmocka_unit_test(test_llama_cpp),  cmocka_unit_test(test_ollama),
		cmocka_unit_test(test_kubernetes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
