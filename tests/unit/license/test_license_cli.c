// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Whether a licence covers a model, and the licence command line. */
#include "license_fixture.h"

/* ---- Coverage -------------------------------------------------------------------- */

static void test_covers(void **state)
{
	struct fx *fx = *state;
	const struct mg_license *l;

	/* models [llama-3.1-70b, mistral-7b], maxTier controlled */
	parse_ok(fx, GOOD);
	l = fx->lic;
	assert_true(mg_license_covers(l, "llama-3.1-70b", 3, 2));
	assert_true(mg_license_covers(l, "mistral-7b", 0, 0));
	assert_true(mg_license_covers(l, "other", 2, 2));
	assert_true(mg_license_covers(l, "other", 1, 2));
	assert_false(mg_license_covers(l, "other", 3, 2));
	assert_false(mg_license_covers(l, "other", 0, 2));     /* tier unknown */
	assert_false(mg_license_covers(l, "other", 1, 0));     /* maxTier not in the policy */
	assert_false(mg_license_covers(l, "llama-3.1", 3, 2)); /* names match whole */
	assert_false(mg_license_covers(l, "LLAMA-3.1-70B", 3, 2));
	assert_true(mg_license_covers(l, NULL, 2, 2));

	/* Names only: a tier level never covers. */
	parse_ok(fx, HEAD L_ID L_USE L_SCOPE L_MODELS L_NB L_NA L_ISSUER);
	l = fx->lic;
	assert_true(mg_license_covers(l, "mistral-7b", 5, 0));
	assert_false(mg_license_covers(l, "other", 1, 1000));
	assert_false(mg_license_covers(l, NULL, 1, 1000));

	/* Tier only. */
	parse_ok(fx, HEAD L_ID L_USE L_SCOPE L_TIER L_NB L_NA L_ISSUER);
	l = fx->lic;
	assert_true(mg_license_covers(l, "anything", 2, 2));
	assert_false(mg_license_covers(l, "mistral-7b", 3, 2));
}

/* ---- The command line ------------------------------------------------------------- */

/* Run "mguard license ARGS..." (NULL-terminated) with stdout and stderr captured. */
#define run_cli(...) unit_run_cli(mg_cmd_license, "license", base, __VA_ARGS__)

static void test_cli(void **state)
{
	char line[2 * PATH_MAX], signed_path[PATH_MAX], draft[PATH_MAX];
	char *text;

	snprintf(draft, sizeof(draft), "%s", path_of("draft.yaml"));
	snprintf(signed_path, sizeof(signed_path), "%s", path_of("signed.yaml"));
	put("draft.yaml", HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER
	    "notBefore: 2000-01-01T00:00:00Z\nnotAfter: 9999-01-01T00:00:00Z\n" L_ISSUER);

	/* Usage errors: exit 2 with one line. */
	unit_expect_cli(run_cli(NULL), 2, "",
			"mguard: error: missing license command (try 'mguard license help')\n");
	unit_expect_cli(
		run_cli("frobnicate", NULL), 2, "",
		"mguard: error: unknown license command 'frobnicate' (try 'mguard license help')\n");
	unit_expect_cli(
		run_cli("verify", draft, NULL), 2, "",
		"mguard: error: missing '--key' (try 'mguard license verify --key PUBLIC.pem "
		"[--key PUBLIC.pem]... LICENSE.yaml')\n");
	unit_expect_cli(
		run_cli("sign", "--key", NULL), 2, "",
		"mguard: error: option '--key' needs an argument (try 'mguard license sign --key "
		"PRIVATE.pem LICENSE.yaml [-o OUT]')\n");
	unit_expect_cli(
		run_cli("verify", "-o", "x", "--key", "k", draft, NULL), 2, "",
		"mguard: error: unknown option '-o' (try 'mguard license verify --key PUBLIC.pem "
		"[--key PUBLIC.pem]... LICENSE.yaml')\n");
	unit_expect_cli(
		run_cli("keygen", "--frob", "a", "b", NULL), 2, "",
		"mguard: error: unknown option '--frob' (try 'mguard license keygen PRIVATE.pem "
		"PUBLIC.pem')\n");
	unit_expect_cli(run_cli("keygen", "a", NULL), 2, "",
			"mguard: error: expected 2 key files, got 1 (try 'mguard license keygen "
			"PRIVATE.pem PUBLIC.pem')\n");
	unit_expect_cli(
		run_cli("sign", "-x", NULL), 2, "",
		"mguard: error: unknown option '-x' (try 'mguard license sign --key PRIVATE.pem "
		"LICENSE.yaml [-o OUT]')\n");
	unit_expect_cli(run_cli("help", NULL), 0, NULL, "");

	/* keygen */
	unit_expect_cli(run_cli("keygen", path_of("cli.key"), path_of("cli.pub"), NULL), 0, NULL,
			"");
	snprintf(line, sizeof(line),
		 "%s: file exists: refusing to overwrite it\n"
		 "mguard: error: no key pair was made\n",
		 path_of("cli.key"));
	unit_expect_cli(run_cli("keygen", path_of("cli.key"), path_of("x.pub"), NULL), 1, "", line);

	/* An unsigned draft. */
	snprintf(line, sizeof(line), "mguard: error: license 'lic-2026-0042' (%s): not signed\n",
		 draft);
	unit_expect_cli(run_cli("verify", "--key", path_of("cli.pub"), draft, NULL), 1, "", line);

	/* sign to a file, options after the operand, then verify. */
	unit_expect_cli(
		run_cli("sign", draft, "--key", path_of("cli.key"), "-o", signed_path, NULL), 0, "",
		NULL);
	unit_expect_cli(run_cli("verify", "--key", path_of("a.pub"), "--key", path_of("cli.pub"),
				signed_path, NULL),
			0, "license 'lic-2026-0042': valid until 9999-01-01T00:00:00Z\n", "");
	snprintf(line, sizeof(line),
		 "mguard: error: license 'lic-2026-0042' (%s): signature matches no trusted key\n",
		 signed_path);
	unit_expect_cli(run_cli("verify", "--key", path_of("a.pub"), signed_path, NULL), 1, "",
			line);

	/* sign to standard output: the same text. */
	text = unit_slurp(signed_path, NULL);
	unit_expect_cli(run_cli("sign", "--key", path_of("cli.key"), draft, NULL), 0, text, "");
	free(text);

	/* Errors in the file or the keys: diagnostics, then one line. */
	put("broken.yaml", GOOD "x: 1\n");
	snprintf(line, sizeof(line),
		 "%s:11:1: unknown key 'x' at top level\n"
		 "mguard: error: license file '%s' has errors\n",
		 path_of("broken.yaml"), path_of("broken.yaml"));
	unit_expect_cli(run_cli("verify", "--key", path_of("a.pub"), path_of("broken.yaml"), NULL),
			1, "", line);
	snprintf(line, sizeof(line),
		 "%s: not a PEM public key\n"
		 "mguard: error: license file '%s' not verified: a trusted key has errors\n",
		 path_of("a.key"), signed_path);
	unit_expect_cli(run_cli("verify", "--key", path_of("a.key"), signed_path, NULL), 1, "",
			line);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {

		T(test_covers),
		T(test_cli),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
