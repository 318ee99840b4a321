// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Policy folders and their files: listing, reading, limits. */
#include "policy_fixture.h"

/* ---- Folders and files -------------------------------------------------- */

static void test_empty_folder(void **state)
{
	struct fx *fx = *state;

	put(fx, "notes.txt", "");
	assert_int_equal(mkdir(path_of(fx, "sub.yaml"), 0700), 0);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, NULL, 0, 0, "no policy files (*.yaml, *.yml) in '%D'");
	expect_count(fx, 1);
}

static void test_missing_folder(void **state)
{
	struct fx *fx = *state;

	strcat(fx->dir, "/nope");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, NULL, 0, 0, "cannot open policy folder '%D': No such file or directory");
	expect_count(fx, 1);
	fx->dir[strlen(fx->dir) - 5] = '\0';
}

static void test_folder_is_a_file(void **state)
{
	struct fx *fx = *state;

	put(fx, "f", "");
	strcat(fx->dir, "/f");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, NULL, 0, 0, "cannot open policy folder '%D': Not a directory");
	expect_count(fx, 1);
	fx->dir[strlen(fx->dir) - 2] = '\0';
}

/*
 * Permissions do not stop root: when the tests run as root, the load runs
 * with the effective uid of nobody (which also drops CAP_DAC_OVERRIDE).
 */
static uid_t as_nobody(void)
{
	uid_t was = geteuid();

	if (was == 0)
		assert_int_equal(seteuid(65534), 0);
	return was;
}

static void as_before(uid_t was)
{
	if (was == 0)
		assert_int_equal(seteuid(0), 0);
}

static void test_unreadable_folder(void **state)
{
	struct fx *fx = *state;
	uid_t was;
	int err;

	put(fx, "p.yaml", API);
	assert_int_equal(chmod(fx->dir, 0), 0);
	was = as_nobody();
	err = load(fx);
	as_before(was);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(chmod(fx->dir, 0700), 0);
	check_diag(fx, 0, NULL, 0, 0, "cannot open policy folder '%D': Permission denied");
	expect_count(fx, 1);
}

static void test_unreadable_file(void **state)
{
	struct fx *fx = *state;
	uid_t was;
	int err;

	put(fx, "p.yaml", API);
	assert_int_equal(chmod(base, 0755), 0);
	assert_int_equal(chmod(fx->dir, 0755), 0);
	assert_int_equal(chmod(path_of(fx, "p.yaml"), 0), 0);
	was = as_nobody();
	err = load(fx);
	as_before(was);
	assert_int_equal(chmod(fx->dir, 0700), 0);
	assert_int_equal(chmod(base, 0700), 0);
	assert_int_equal(err, -EINVAL);
	check_diag(fx, 0, "p.yaml", 0, 0, "cannot read file: Permission denied");
	expect_count(fx, 1);
}

static void test_dangling_symlink(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API);
	assert_int_equal(symlink("missing.yaml", path_of(fx, "b.yaml")), 0);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 0, 0, "cannot read file: No such file or directory");
	expect_count(fx, 1);
}

static void test_symlink_to_file(void **state)
{
	struct fx *fx = *state;

	put(fx, "real.txt", API "mode: audit\n");
	assert_int_equal(symlink("real.txt", path_of(fx, "p.yaml")), 0);
	load_ok(fx);
	assert_int_equal(fx->pol->mode, MG_POLICY_AUDIT);
}

static void test_file_too_large(void **state)
{
	struct fx *fx = *state;
	int fd;

	put(fx, "a.yaml", API);
	put(fx, "big.yaml", "");
	fd = open(path_of(fx, "big.yaml"), O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, MG_POLICY_MAX_FILE_SIZE + 1), 0);
	close(fd);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "big.yaml", 0, 0, "file is larger than 16 MiB");
	expect_count(fx, 1);
}

static void test_too_many_files(void **state)
{
	struct fx *fx = *state;
	char name[32];

	for (int i = 0; i < MG_POLICY_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "%03d.yml", i);
		put(fx, name, API);
	}
	load_ok(fx);
	assert_int_equal(fx->pol->nsources, MG_POLICY_MAX_FILES);
	mg_policy_free(fx->pol);
	fx->pol = NULL;

	put(fx, "extra.yaml", API);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, NULL, 0, 0, "too many policy files in '%D' (more than 256)");
	expect_count(fx, 1);
}

ERROR_TEST(test_empty_file, "", 0, 0, "empty policy file")
ERROR_TEST(test_comment_only_file, "# nothing yet\n\n   # at all\n", 0, 0, "empty policy file")
ERROR_TEST(test_null_document, "---\n", 0, 0, "empty policy file")
ERROR_TEST(test_second_document, API "---\n" API, 2, 1,
	   "only one YAML document per file is allowed")
ERROR_TEST(test_root_not_mapping, "- apiVersion: mguard/v1\n", 1, 1,
	   "a policy file must be a mapping")
ERROR_TEST(test_root_scalar, "mguard/v1\n", 1, 1, "a policy file must be a mapping")

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

		T(test_empty_folder),	   T(test_missing_folder),    T(test_folder_is_a_file),
		T(test_unreadable_folder), T(test_unreadable_file),   T(test_dangling_symlink),
		T(test_symlink_to_file),   T(test_file_too_large),    T(test_too_many_files),
		T(test_empty_file),	   T(test_comment_only_file), T(test_null_document),
		T(test_second_document),   T(test_root_not_mapping),  T(test_root_scalar),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
