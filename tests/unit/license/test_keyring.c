// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Key pairs, keyrings and signing errors. */
#include "license_fixture.h"

/* ---- Keys ---------------------------------------------------------------------- */

static void test_keygen(void **state)
{
	struct fx *fx = *state;
	struct stat st;
	char *pem;

	assert_int_equal(stat(path_of("a.key"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	pem = unit_slurp(path_of("a.key"), NULL);
	assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----\n"));
	free(pem);
	pem = unit_slurp(path_of("a.pub"), NULL);
	assert_true(strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
	free(pem);

	/* Never overwrites; a half-made pair is not left behind. */
	assert_int_equal(mg_license_keygen(path_of("a.key"), path_of("c.pub"), &fx->diags),
			 -EEXIST);
	check_diag(fx, 0, path_of("a.key"), 0, 0, "file exists: refusing to overwrite it");
	assert_int_equal(access(path_of("c.pub"), F_OK), -1);
	assert_int_equal(mg_license_keygen(path_of("c.key"), path_of("a.pub"), &fx->diags),
			 -EEXIST);
	check_diag(fx, 1, path_of("a.pub"), 0, 0, "file exists: refusing to overwrite it");
	assert_int_equal(access(path_of("c.key"), F_OK), -1);
	assert_int_equal(mg_license_keygen(path_of("no/such.key"), path_of("c.pub"), &fx->diags),
			 -ENOENT);
	check_diag(fx, 2, path_of("no/such.key"), 0, 0,
		   "cannot create file: No such file or directory");
	expect_count(fx, 3);
	load_ring(fx, "a.pub", "b.pub");
	assert_int_equal(mg_keyring_size(fx->ring), 2);
}

static void test_keyring_errors(void **state)
{
	struct fx *fx = *state;
	struct mg_keyring *ring = NULL;
	static const char *many[MG_LICENSE_MAX_KEYS + 1];
	const char *paths[5];

	put("junk.pem", "hello\n");
	put_ec_key("ec.pub", true);
	paths[0] = path_of("nonexistent.pem");
	paths[1] = path_of("junk.pem");
	paths[2] = path_of("ec.pub");
	paths[3] = path_of("a.key"); /* a private key is not a public key */
	paths[4] = path_of("a.pub"); /* fine, but the ring is refused */
	assert_int_equal(mg_keyring_load(&ring, paths, 5, &fx->diags), -EINVAL);
	assert_null(ring);
	check_diag(fx, 0, paths[0], 0, 0, "cannot read file: No such file or directory");
	check_diag(fx, 1, paths[1], 0, 0, "not a PEM public key");
	check_diag(fx, 2, paths[2], 0, 0, "not an Ed25519 public key (it is EC)");
	check_diag(fx, 3, paths[3], 0, 0, "not a PEM public key");
	expect_count(fx, 4);

	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = paths[4];
	assert_int_equal(mg_keyring_load(&ring, many, ARRAY_SIZE(many), &fx->diags), -EINVAL);
	check_diag(fx, 4, NULL, 0, 0, "more than 64 trusted keys");
	assert_null(ring);
}

static void test_sign_errors(void **state)
{
	struct fx *fx = *state;

	put_ec_key("ec.key", false);
	parse_ok(fx, GOOD);
	assert_int_equal(mg_license_sign(fx->lic, path_of("a.pub"), &fx->diags), -EINVAL);
	check_diag(fx, 0, path_of("a.pub"), 0, 0, "not an unencrypted PEM private key");
	assert_int_equal(mg_license_sign(fx->lic, path_of("ec.key"), &fx->diags), -EINVAL);
	check_diag(fx, 1, path_of("ec.key"), 0, 0, "not an Ed25519 private key (it is EC)");
	/* No passphrase prompt: an encrypted key is refused. */
	assert_int_equal(mg_license_sign(fx->lic, path_of("enc.key"), &fx->diags), -EINVAL);
	check_diag(fx, 2, path_of("enc.key"), 0, 0, "not an unencrypted PEM private key");
	assert_int_equal(mg_license_sign(fx->lic, path_of("nonexistent.key"), &fx->diags), -ENOENT);
	check_diag(fx, 3, path_of("nonexistent.key"), 0, 0,
		   "cannot read file: No such file or directory");
	expect_count(fx, 4);
	assert_false(fx->lic->signed_);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {

		T(test_keygen),
		T(test_keyring_errors),
		T(test_sign_errors),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
