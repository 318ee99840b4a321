// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* policy show --offline: a policy for another machine, none of whose files are here. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/show.h"
#include "compile/compile.h"
#include "policy/policy.h"

static char *show(const char *dir, bool offline, bool json, int *ret_err)
{
	struct mg_compile_opts opts = { .cgroup_root = "/",
					.no_cgroups = 1,
					.check_only = offline };
	struct mg_diags diags = {};
	struct mg_policy *p = NULL;
	struct mg_image *img = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	assert_int_equal(mg_policy_load_dir(dir, &p, &diags), 0);
	*ret_err = mg_compile(p, &opts, &img, &diags);
	mg_diags_free(&diags);
	if (*ret_err) {
		mg_policy_free(p);
		return NULL;
	}
	out = open_memstream(&text, &len);
	assert_non_null(out);
	mg_show_policy(p, img, json, out);
	fclose(out);
	mg_image_free(img);
	mg_policy_free(p);
	return text;
}

static void test_offline_shows_tiers_and_scopes(void **state)
{
	int err;
	char *text = show("policies/examples/vllm", true, false, &err);

	assert_int_equal(err, 0);
	assert_non_null(strstr(text, "(offline: files, cgroups and GPUs not looked up)"));
	assert_non_null(
		strstr(text, "llama-3.1-70b            controlled       1 paths  (mmlu >= 85"));
	assert_non_null(strstr(text, "scope vllm\n  cgroup   /system.slice/vllm.service"));
	assert_non_null(
		strstr(text, "loads    llama-3.1-8b, llama-3.1-70b (licence lic-2026-0042)"));
	assert_non_null(strstr(text, "gpus     0 1"));
	free(text);
	text = show("policies/examples/ollama", true, true, &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(text, "\"name\":\"ollama-library\",\"tier\":\"general\""));
	free(text);
}

/* What a model's content is checked against: digest counts and the manifest. */
static void test_offline_shows_digests(void **state)
{
	static const char policy[] =
		"apiVersion: mguard/v1\n"
		"tiers:\n"
		"  - {name: general, level: 1}\n"
		"models:\n"
		"  - name: sealed\n"
		"    tier: general\n"
		"    files: [/srv/models/sealed/]\n"
		"    manifest: strict\n"
		"    sha256:\n"
		"      a.bin: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
		"      b.bin: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
		"    verity:\n"
		"      a.bin: sha256:3fd1b5ab4e1e0b7c0f5e4d2a9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b\n"
		"  - name: plain\n"
		"    tier: general\n"
		"    files: [/srv/models/plain/]\n";
	char dir[] = "/tmp/mg-show-digests-XXXXXX";
	char *text;
	int err;

	assert_non_null(mkdtemp(dir));
	unit_put(unit_path(dir, "policy.yaml"), policy, sizeof(policy) - 1);
	text = show(dir, true, false, &err);
	assert_int_equal(err, 0);
	assert_non_null(
		strstr(text, "digests: sha256 on 2 files, fs-verity on 1, manifest strict\n"));
	/* A model that lists no digests gets no such line. */
	assert_null(strstr(text, "fs-verity on 0"));
	free(text);
	text = show(dir, true, true, &err);
	assert_int_equal(err, 0);
	assert_non_null(
		strstr(text, "\"sha256_files\":2,\"verity_files\":1,\"manifest\":\"strict\"}"));
	assert_non_null(
		strstr(text, "\"sha256_files\":0,\"verity_files\":0,\"manifest\":\"open\"}"));
	free(text);
	assert_int_equal(unit_rm_tree(dir), 0);
}

/* The neighbour: without --offline the same policy needs its files, which are not here. */
static void test_online_needs_the_files(void **state)
{
	int err;
	char *text = show("policies/examples/vllm", false, false, &err);

	assert_null(text);
	assert_int_not_equal(err, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offline_shows_tiers_and_scopes),
		cmocka_unit_test(test_offline_shows_digests),
		cmocka_unit_test(test_online_needs_the_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
