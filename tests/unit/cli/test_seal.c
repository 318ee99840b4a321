// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard model seal DIR, where it must refuse. tmpfs never has fs-verity,
 * so a folder in /dev/shm is a file system without it on every kernel. The
 * sealing itself is tested by the kernel tier (t29) on an ext4 image made
 * with -O verity.
 */
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd_seal.h"

static char tmpdir[] = "/dev/shm/mg-seal-XXXXXX";

static int setup(void **state)
{
	assert_non_null(mkdtemp(tmpdir));
	mkdir(unit_path(tmpdir, "model"), 0755);
	mkdir(unit_path(tmpdir, "model/sub"), 0755);
	mkdir(unit_path(tmpdir, "empty"), 0755);
	unit_put(unit_path(tmpdir, "model/a.bin"), "a", 1);
	unit_put(unit_path(tmpdir, "model/sub/b.bin"), "b", 1);
	return 0;
}

static int teardown(void **state)
{
	return unit_rm_tree(tmpdir);
}

/* Seal @rel; its exit status, what it printed (*ret_out) and logged (*ret_err). */
static int seal(const char *rel, char **ret_out, char **ret_err)
{
	char *path = strdup(unit_path(tmpdir, rel));
	size_t len = 0;
	FILE *out;
	int saved, fd, rc;

	assert_non_null(path);
	*ret_out = NULL;
	out = open_memstream(ret_out, &len);
	assert_non_null(out);
	fflush(stderr);
	saved = dup(2);
	fd = open(unit_path(tmpdir, "err.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
	rc = mg_model_seal(path, out);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fclose(out);
	*ret_err = unit_slurp(unit_path(tmpdir, "err.txt"), NULL);
	free(path);
	return rc;
}

static void test_no_verity_support(void **state)
{
	char *out, *err;

	assert_int_equal(seal("model", &out, &err), 1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "has no fs-verity support"));
	assert_non_null(strstr(err, "/model/a.bin'")); /* the first file, in order */
	assert_non_null(strstr(err, "nothing was sealed"));
	free(out);
	free(err);
}

static void test_not_a_folder(void **state)
{
	char *out, *err;

	assert_int_equal(seal("model/a.bin", &out, &err), 1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "is not a folder (seal a model's folder)"));
	free(out);
	free(err);
}

static void test_missing_and_empty(void **state)
{
	char *out, *err;

	assert_int_equal(seal("absent", &out, &err), 1);
	assert_non_null(strstr(err, "cannot use '"));
	assert_non_null(strstr(err, "No such file or directory"));
	free(out);
	free(err);
	assert_int_equal(seal("empty", &out, &err), 1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "no regular file under '"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_verity_support),
		cmocka_unit_test(test_not_a_folder),
		cmocka_unit_test(test_missing_and_empty),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
