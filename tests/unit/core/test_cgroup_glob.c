// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Scope selectors: the matcher on the shared case table, validation, anchors, the scan. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cgroup_glob.h"

#define MG_CASES "tests/data/cgroup_glob_cases.txt"

static void test_case_table(void **state)
{
	char line[1024], pat[512], path[512], want[8];
	FILE *f = fopen(MG_CASES, "r");
	int n = 0, bad = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(sscanf(line, "%511s %511s %7s", pat, path, want), 3);
		if (mg_cgroup_glob_match(pat, path) != !strcmp(want, "yes")) {
			print_error("case %s %s: expected %s\n", pat, path, want);
			bad++;
		}
		n++;
	}
	fclose(f);
	assert_true(n >= 20);
	assert_int_equal(bad, 0);
}

static void test_exact_paths_and_bounds(void **state)
{
	char longpath[600];

	assert_true(mg_cgroup_glob_match("/a/b", "/a/b"));
	assert_false(mg_cgroup_glob_match("/a/b", "/a/bc"));
	assert_false(mg_cgroup_glob_match("/a/b", "/a"));
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	/* Longer than the kernel examines: no match on either side. */
	assert_false(mg_cgroup_glob_match("/*", longpath));
}

static void test_pattern_problems(void **state)
{
	assert_null(mg_cgroup_pattern_problem("/machine.slice/libpod-*.scope"));
	assert_null(mg_cgroup_pattern_problem("/kubepods.slice/*/kubepods-*-pod*.slice"));
	assert_non_null(mg_cgroup_pattern_problem("machine.slice/libpod-*.scope"));
	assert_non_null(mg_cgroup_pattern_problem("/*.service"));
	assert_non_null(mg_cgroup_pattern_problem("/system.slice/**"));
	assert_non_null(mg_cgroup_pattern_problem("/system.slice//x-*"));
	assert_non_null(mg_cgroup_pattern_problem("/system.slice/../x-*"));
	assert_non_null(mg_cgroup_pattern_problem("/system.slice/vllm.service"));
	assert_non_null(mg_cgroup_pattern_problem("/a/*/"));
}

static void test_anchor(void **state)
{
	char buf[256];

	assert_int_equal(
		mg_cgroup_pattern_anchor("/machine.slice/libpod-*.scope", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/machine.slice");
	assert_int_equal(mg_cgroup_pattern_anchor("/kubepods.slice/*/x-*", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/kubepods.slice");
	assert_int_equal(mg_cgroup_pattern_anchor("/system.slice/vllm.service", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/system.slice");
	assert_int_equal(mg_cgroup_pattern_anchor("/top", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static int collect(const char *rel, void *arg)
{
	char *out = arg;

	strcat(out, rel);
	strcat(out, " ");
	return 0;
}

/* The scan over a folder tree laid out like a cgroup hierarchy. */
static void test_scan_binds_existing(void **state)
{
	char dir[256];
	const char *dirs[] = { "/machine.slice", "/machine.slice/libpod-a.scope",
			       "/machine.slice/libpod-a.scope/container",
			       "/machine.slice/other.scope", "/system.slice" };
	char path[4096], out[1024] = "";

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir), "cgscan"), 0);

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	assert_int_equal(mg_cgroup_glob_scan(dir, "/machine.slice/libpod-*.scope", collect, out),
			 0);
	assert_string_equal(out, "/machine.slice/libpod-a.scope ");
	assert_int_equal(unit_rm_tree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_table),
		cmocka_unit_test(test_exact_paths_and_bounds),
		cmocka_unit_test(test_pattern_problems),
		cmocka_unit_test(test_anchor),
		cmocka_unit_test(test_scan_binds_existing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
