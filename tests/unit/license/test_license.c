// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "cli/cmd_license.h"
#include "license/license.h"

#define NAME	      "lic.yaml"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-01-01T00:00:00Z and 2027-01-01T00:00:00Z */
#define T_2026 1767225600
#define T_2027 1798761600

/* The lines of a good licence; tests swap one for a broken one. */
#define L_API	 "apiVersion: mguard/v1\n"
#define L_KIND	 "kind: License\n"
#define L_ID	 "id: lic-2026-0042\n"
#define L_USE	 "useCase: medical-summarisation\n"
#define L_SCOPE	 "scope: vllm\n"
#define L_MODELS "models: [llama-3.1-70b, mistral-7b]\n"
#define L_TIER	 "maxTier: controlled\n"
#define L_NB	 "notBefore: 2026-01-01T00:00:00Z\n"
#define L_NA	 "notAfter: 2027-01-01T00:00:00Z\n"
#define L_ISSUER "issuer: acme-compliance\n"

/* Base64 of 64 zero bytes, and a stem of it to build broken ones. */
#define B64_STEM "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define B64_ZERO B64_STEM "AAAAAAAAAAAAAAAAAAAA=="

#define GOOD L_API L_KIND L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB L_NA L_ISSUER

/* Lines 1 and 2, and everything after the scope (lines 6 to 10). */
#define HEAD L_API L_KIND
#define TAIL L_MODELS L_TIER L_NB L_NA L_ISSUER

#define CANONICAL_GOOD                      \
	"mguard-license-v1\n"               \
	"id=lic-2026-0042\n"                \
	"useCase=medical-summarisation\n"   \
	"scope=vllm\n"                      \
	"models=llama-3.1-70b,mistral-7b\n" \
	"maxTier=controlled\n"              \
	"notBefore=1767225600\n"            \
	"notAfter=1798761600\n"             \
	"issuer=acme-compliance\n"

static char base[PATH_MAX - 64];

static const char *path_of(const char *name)
{
	return unit_path(base, name);
}

static void put(const char *name, const char *text)
{
	unit_put(path_of(name), text, strlen(text));
}

/* A key that is not Ed25519, in PEM: @public selects which half. */
static void put_ec_key(const char *name, bool public)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	FILE *f = fopen(path_of(name), "w");

	assert_non_null(pkey);
	assert_non_null(f);
	if (public)
		assert_int_equal(PEM_write_PUBKEY(f, pkey), 1);
	else
		assert_int_equal(PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL), 1);
	assert_int_equal(fclose(f), 0);
	EVP_PKEY_free(pkey);
}

/* Keys a and b, made once for the whole group. */
static int group_setup(void **state)
{
	struct mg_diags diags = {};
	FILE *f;
	EVP_PKEY *pkey;

	if (unit_mkdtemp(base, sizeof(base), "license"))
		return -1;
	if (mg_license_keygen(path_of("a.key"), path_of("a.pub"), &diags) ||
	    mg_license_keygen(path_of("b.key"), path_of("b.pub"), &diags))
		return -1;
	mg_diags_free(&diags);

	/* An Ed25519 private key under a passphrase. */
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	f = fopen(path_of("enc.key"), "w");
	if (!pkey || !f)
		return -1;
	if (PEM_write_PrivateKey(f, pkey, EVP_aes_256_cbc(), (unsigned char *)"secret", 6, NULL,
				 NULL) != 1)
		return -1;
	fclose(f);
	EVP_PKEY_free(pkey);
	return 0;
}

static int group_teardown(void **state)
{
	return unit_rm_tree(base);
}

struct fx {
	struct mg_diags diags;
	struct mg_license *lic;
	struct mg_keyring *ring;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mg_license_free(fx->lic);
	mg_keyring_free(fx->ring);
	mg_diags_free(&fx->diags);
	free(fx);
	return 0;
}

static void dump(const struct fx *fx)
{
	if (fx->diags.n)
		mg_diags_print(&fx->diags, stderr);
}

/* Parse @text as NAME; on error *ret must not have been touched. */
static int parse(struct fx *fx, const char *text)
{
	struct mg_license sentinel, *l = &sentinel;
	int rc;

	mg_license_free(fx->lic);
	fx->lic = NULL;
	rc = mg_license_parse_buffer(NAME, text, strlen(text), &l, &fx->diags);
	if (rc) {
		assert_ptr_equal(l, &sentinel);
	} else {
		assert_ptr_not_equal(l, &sentinel);
		fx->lic = l;
	}
	return rc;
}

static void parse_ok(struct fx *fx, const char *text)
{
	int rc = parse(fx, text);

	if (rc)
		dump(fx);
	assert_int_equal(rc, 0);
	assert_int_equal(fx->diags.n, 0);
}

/* Diagnostic @i is @msg at @file:@line:@col. */
static void check_diag(const struct fx *fx, size_t i, const char *file, unsigned int line,
		       unsigned int col, const char *msg)
{
	const struct mg_diag *d;

	if (i >= fx->diags.n)
		dump(fx);
	assert_true(i < fx->diags.n);
	d = &fx->diags.v[i];
	if (strcmp(d->msg, msg) != 0)
		dump(fx);
	assert_string_equal(d->msg, msg);
	if (file)
		assert_string_equal(d->file, file);
	else
		assert_null(d->file);
	assert_int_equal(d->line, line);
	assert_int_equal(d->col, col);
}

static void expect_count(const struct fx *fx, size_t n)
{
	if (fx->diags.n != n)
		dump(fx);
	assert_int_equal(fx->diags.n, n);
}

static void expect_one(struct fx *fx, const char *text, unsigned int line, unsigned int col,
		       const char *msg)
{
	assert_int_equal(parse(fx, text), -EINVAL);
	check_diag(fx, 0, NAME, line, col, msg);
	expect_count(fx, 1);
}

#define ERROR_TEST(fn, text, line, col, msg)              \
	static void fn(void **state)                      \
	{                                                 \
		expect_one(*state, text, line, col, msg); \
	}

static void load_ring(struct fx *fx, const char *k1, const char *k2)
{
	const char *paths[2] = { k1 ? path_of(k1) : NULL, k2 ? path_of(k2) : NULL };
	int rc;

	mg_keyring_free(fx->ring);
	fx->ring = NULL;
	rc = mg_keyring_load(&fx->ring, paths, k2 ? 2 : k1 ? 1 : 0, &fx->diags);
	if (rc)
		dump(fx);
	assert_int_equal(rc, 0);
}

static void sign_ok(struct fx *fx, const char *key)
{
	int rc = mg_license_sign(fx->lic, path_of(key), &fx->diags);

	if (rc)
		dump(fx);
	assert_int_equal(rc, 0);
	assert_true(fx->lic->signed_);
}

/* fx->lic written out as text (malloc'd). */
static char *write_text(const struct fx *fx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mg_license_write(fx->lic, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The good licence signed with a.key, as text. */
static char *signed_good(struct fx *fx)
{
	parse_ok(fx, GOOD);
	sign_ok(fx, "a.key");
	return write_text(fx);
}

static void expect_verify(const struct fx *fx, int64_t now, int err, const char *reason)
{
	const char *why = "unset";

	assert_int_equal(mg_license_verify(fx->lic, fx->ring, now, &why), err);
	if (reason)
		assert_string_equal(why, reason);
	else
		assert_null(why);
}

/* ---- Parsing a good licence ---------------------------------------------- */

static void test_parse_good(void **state)
{
	struct fx *fx = *state;
	const struct mg_license *l;

	parse_ok(fx, GOOD);
	l = fx->lic;
	assert_string_equal(l->id, "lic-2026-0042");
	assert_string_equal(l->use_case, "medical-summarisation");
	assert_string_equal(l->scope, "vllm");
	assert_int_equal(l->nmodels, 2);
	assert_string_equal(l->models[0], "llama-3.1-70b");
	assert_string_equal(l->models[1], "mistral-7b");
	assert_string_equal(l->max_tier, "controlled");
	assert_int_equal(l->not_before, T_2026);
	assert_int_equal(l->not_after, T_2027);
	assert_string_equal(l->issuer, "acme-compliance");
	assert_false(l->signed_);
	assert_string_equal(l->path, NAME);
	assert_ptr_equal(l->loc.file, l->path);
	assert_int_equal(l->loc.line, 1);
	assert_int_equal(l->loc.col, 1);
}

static void test_parse_block_and_quoted(void **state)
{
	struct fx *fx = *state;
	const struct mg_license *l;

	parse_ok(fx, "# a licence\n"
		     "---\n"
		     "kind: 'License'\n"
		     "apiVersion: \"mguard/v1\"\n"
		     "id: \"lic: 7 # not a comment\"\n"
		     "useCase: résumés of trials\n"
		     "scope: vllm\n"
		     "models:\n"
		     "  - b-model\n"
		     "  - a-model\n"
		     "notBefore: \"2026-01-01T00:00:00Z\"\n"
		     "notAfter: 2026-01-01T00:00:01Z\n"
		     "issuer: 'Acme \"Compliance\"'\n"
		     "...\n");
	l = fx->lic;
	assert_string_equal(l->id, "lic: 7 # not a comment");
	assert_string_equal(l->use_case, "résumés of trials");
	assert_int_equal(l->nmodels, 2);
	assert_string_equal(l->models[0], "b-model");
	assert_null(l->max_tier);
	assert_int_equal(l->not_after - l->not_before, 1);
	assert_string_equal(l->issuer, "Acme \"Compliance\"");
}

static void test_parse_max_tier_only(void **state)
{
	struct fx *fx = *state;

	parse_ok(fx, HEAD L_ID L_USE L_SCOPE L_TIER L_NB L_NA L_ISSUER);
	assert_int_equal(fx->lic->nmodels, 0);
	assert_null(fx->lic->models);
	assert_string_equal(fx->lic->max_tier, "controlled");
}

static void test_parse_limits_ok(void **state)
{
	struct fx *fx = *state;
	char id[MG_LICENSE_MAX_STRING + 1];
	char *text, *p;
	size_t size = 64 * 1024;

	/* 256 models and a 256-byte id are fine. */
	memset(id, 'x', MG_LICENSE_MAX_STRING);
	id[MG_LICENSE_MAX_STRING] = '\0';
	text = malloc(size);
	assert_non_null(text);
	p = text + sprintf(text, HEAD "id: %s\n" L_USE L_SCOPE "models:\n", id);
	for (int i = 0; i < MG_LICENSE_MAX_MODELS; i++)
		p += sprintf(p, "- m%d\n", i);
	sprintf(p, L_NB L_NA L_ISSUER);
	parse_ok(fx, text);
	assert_int_equal(fx->lic->nmodels, MG_LICENSE_MAX_MODELS);
	assert_int_equal(strlen(fx->lic->id), MG_LICENSE_MAX_STRING);
	free(text);
}

/* ---- Parse errors, one class each ----------------------------------------- */

ERROR_TEST(test_err_syntax, HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB L_NA "issuer: 'acme\n", 11,
	   1, "found unexpected end of stream (while scanning a quoted scalar at 10:9)")
ERROR_TEST(test_err_not_mapping, "- a\n- b\n", 1, 1, "a license file must be a mapping")
ERROR_TEST(test_err_two_documents, GOOD "---\n" GOOD, 11, 1,
	   "only one YAML document per file is allowed")
ERROR_TEST(test_err_unknown_key, GOOD "expires: never\n", 11, 1,
	   "unknown key 'expires' at top level")
ERROR_TEST(test_err_duplicate_key, GOOD "scope: other\n", 11, 1,
	   "duplicate key 'scope' (first defined at " NAME ":5:1)")
ERROR_TEST(test_err_key_not_string, GOOD "[a]: b\n", 11, 1, "mapping keys must be strings")
ERROR_TEST(test_err_missing_key, HEAD L_USE L_SCOPE TAIL, 1, 1, "missing key 'id'")
ERROR_TEST(test_err_no_models_nor_tier, HEAD L_ID L_USE L_SCOPE L_NB L_NA L_ISSUER, 1, 1,
	   "at least one of 'models' and 'maxTier' is required")
ERROR_TEST(test_err_id_not_string, HEAD "id: {a: b}\n" L_USE L_SCOPE TAIL, 3, 5,
	   "'id' must be a string")
ERROR_TEST(test_err_id_null, HEAD "id:\n" L_USE L_SCOPE TAIL, 3, 4, "'id' must be a string")
ERROR_TEST(test_err_id_empty, HEAD "id: ''\n" L_USE L_SCOPE TAIL, 3, 5, "'id' must not be empty")
ERROR_TEST(test_err_control, HEAD L_ID "useCase: \"a\\tb\"\n" L_SCOPE TAIL, 4, 10,
	   "'useCase' must not contain control characters")
ERROR_TEST(test_err_c1_control, HEAD "id: \"a\\x9bb\"\n" L_USE L_SCOPE TAIL, 3, 5,
	   "'id' must not contain control characters")
ERROR_TEST(test_err_nul, HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB L_NA "issuer: \"a\\0b\"\n",
	   10, 9, "'issuer' must not contain control characters")
ERROR_TEST(
	test_err_scope_name, HEAD L_ID L_USE "scope: -vllm\n" TAIL, 5, 8,
	"invalid scope name '-vllm' (1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)")
ERROR_TEST(
	test_err_tier_name, HEAD L_ID L_USE L_SCOPE L_MODELS "maxTier: a/b\n" L_NB L_NA L_ISSUER, 7,
	10,
	"invalid tier name 'a/b' (1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)")
ERROR_TEST(test_err_models_not_list, HEAD L_ID L_USE L_SCOPE "models: llama\n" L_NB L_NA L_ISSUER,
	   6, 9, "'models' must be a list of strings")
ERROR_TEST(test_err_models_entry,
	   HEAD L_ID L_USE L_SCOPE "models: [a, {b: c}]\n" L_NB L_NA L_ISSUER, 6, 13,
	   "'models' must be a list of strings")
ERROR_TEST(
	test_err_model_name, HEAD L_ID L_USE L_SCOPE "models: [a, 'b,c']\n" L_NB L_NA L_ISSUER, 6,
	13,
	"invalid model name 'b,c' (1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)")
ERROR_TEST(test_err_models_empty, HEAD L_ID L_USE L_SCOPE "models: []\n" L_TIER L_NB L_NA L_ISSUER,
	   6, 9, "'models' must not be empty")
ERROR_TEST(test_err_model_duplicate,
	   HEAD L_ID L_USE L_SCOPE "models:\n- a\n- b\n- a\n" L_NB L_NA L_ISSUER, 9, 3,
	   "duplicate model 'a' in 'models' (first listed at " NAME ":7:3)")
ERROR_TEST(test_err_api_version, "apiVersion: mguard/v2\n" L_KIND L_ID L_USE L_SCOPE TAIL, 1, 13,
	   "unsupported apiVersion 'mguard/v2' (expected 'mguard/v1')")
ERROR_TEST(test_err_kind, L_API "kind: Policy\n" L_ID L_USE L_SCOPE TAIL, 2, 7,
	   "unsupported kind 'Policy' (expected 'License')")
ERROR_TEST(test_err_time_format,
	   HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER "notBefore: 2026-01-01\n" L_NA L_ISSUER, 8, 12,
	   "invalid notBefore '2026-01-01' (expected YYYY-MM-DDTHH:MM:SSZ, in UTC)")
ERROR_TEST(test_err_time_offset,
	   HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB
	   "notAfter: 2027-01-01T00:00:00+01:00\n" L_ISSUER,
	   9, 11,
	   "invalid notAfter '2027-01-01T00:00:00+01:00' (expected YYYY-MM-DDTHH:MM:SSZ, in UTC)")
ERROR_TEST(test_err_time_no_such_day,
	   HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB "notAfter: 2027-02-29T00:00:00Z\n" L_ISSUER,
	   9, 11, "invalid notAfter '2027-02-29T00:00:00Z' (expected YYYY-MM-DDTHH:MM:SSZ, in UTC)")
ERROR_TEST(test_err_time_order,
	   HEAD L_ID L_USE L_SCOPE L_MODELS L_TIER L_NB "notAfter: 2026-01-01T00:00:00Z\n" L_ISSUER,
	   9, 11, "notAfter 2026-01-01T00:00:00Z is not after notBefore 2026-01-01T00:00:00Z")
ERROR_TEST(test_err_anchor, HEAD "id: &x lic\n" L_USE L_SCOPE TAIL, 3, 5,
	   "anchors are not supported")
ERROR_TEST(test_err_tag, HEAD "id: !!str lic\n" L_USE L_SCOPE TAIL, 3, 5, "tags are not supported")
ERROR_TEST(test_err_sig_not_base64, GOOD "signature: not*base64\n", 11, 12,
	   "'signature' is not base64")
ERROR_TEST(test_err_sig_short, GOOD "signature: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
	   11, 12, "'signature' holds 36 bytes (expected 64)")

static void test_err_alias(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(parse(fx, HEAD "id: &x lic\nuseCase: *x\n" L_SCOPE TAIL), -EINVAL);
	check_diag(fx, 0, NAME, 3, 5, "anchors are not supported");
	check_diag(fx, 1, NAME, 4, 10, "aliases are not supported");
	expect_count(fx, 2);
}

static void test_err_empty_files(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(parse(fx, ""), -EINVAL);
	check_diag(fx, 0, NAME, 0, 0, "empty license file");
	assert_int_equal(parse(fx, "# nothing\n---\n"), -EINVAL);
	check_diag(fx, 1, NAME, 0, 0, "empty license file");
	expect_count(fx, 2);
}

static void test_err_many_at_once(void **state)
{
	struct fx *fx = *state;

	/* Every error is reported, not only the first. */
	assert_int_equal(parse(fx, "kind: x\nid: [1]\nscope: ''\nfoo: 1\n"), -EINVAL);
	check_diag(fx, 0, NAME, 1, 7, "unsupported kind 'x' (expected 'License')");
	check_diag(fx, 1, NAME, 2, 5, "'id' must be a string");
	check_diag(fx, 2, NAME, 3, 8, "'scope' must not be empty");
	check_diag(fx, 3, NAME, 4, 1, "unknown key 'foo' at top level");
	check_diag(fx, 4, NAME, 1, 1, "missing key 'apiVersion'");
	check_diag(fx, 5, NAME, 1, 1, "missing key 'useCase'");
	check_diag(fx, 6, NAME, 1, 1, "missing key 'notBefore'");
	check_diag(fx, 7, NAME, 1, 1, "missing key 'notAfter'");
	check_diag(fx, 8, NAME, 1, 1, "missing key 'issuer'");
	check_diag(fx, 9, NAME, 1, 1, "at least one of 'models' and 'maxTier' is required");
	expect_count(fx, 10);
}

static void test_err_string_too_long(void **state)
{
	struct fx *fx = *state;
	char text[1024];
	char id[MG_LICENSE_MAX_STRING + 2];

	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(text, sizeof(text), HEAD "id: %s\n" L_USE L_SCOPE TAIL, id);
	expect_one(fx, text, 3, 5, "'id' is longer than 256 bytes");
}

static void test_err_too_many_models(void **state)
{
	struct fx *fx = *state;
	char *text = malloc(64 * 1024), *p;

	assert_non_null(text);
	p = text + sprintf(text, HEAD L_ID L_USE L_SCOPE "models:\n");
	for (int i = 0; i < MG_LICENSE_MAX_MODELS + 2; i++)
		p += sprintf(p, "- m%d\n", i);
	sprintf(p, L_NB L_NA L_ISSUER);
	expect_one(fx, text, 6 + MG_LICENSE_MAX_MODELS + 1, 3,
		   "'models' has more than 256 entries");
	free(text);
}

static void test_err_file_too_large(void **state)
{
	struct fx *fx = *state;
	size_t len = MG_LICENSE_MAX_FILE_SIZE + 1;
	struct mg_license *l = NULL;
	char *text = malloc(len);

	assert_non_null(text);
	memset(text, '#', len);
	assert_int_equal(mg_license_parse_buffer(NAME, text, len, &l, &fx->diags), -EINVAL);
	assert_null(l);
	check_diag(fx, 0, NAME, 0, 0, "file is larger than 64 KiB");
	expect_count(fx, 1);

	/* Exactly the limit is read (and here is only a comment). */
	text[len - 2] = '\n';
	assert_int_equal(mg_license_parse_buffer(NAME, text, len - 1, &l, &fx->diags), -EINVAL);
	check_diag(fx, 1, NAME, 0, 0, "empty license file");
	free(text);
}

static void test_err_too_deep(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(parse(fx, HEAD "id: [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]\n"), -EINVAL);
	check_diag(fx, 0, NAME, 3, 5, "'id' must be a string");
	check_diag(fx, 1, NAME, 3, 20, "nesting is deeper than 16 levels");
	expect_count(fx, 2);
}

static void test_err_sig_forms(void **state)
{
	struct fx *fx = *state;
	char sig[128], text[1024];
	const struct {
		const char *sig;
		const char *msg;
	} cases[] = {
		/* 64 bytes but the unused bits are not zero */
		{ B64_STEM "AAAAAAAAAAAAAAAAAAAB==", "'signature' is not base64" },
		/* no padding */
		{ B64_STEM "AAAAAAAAAAAAAAAAAAAA", "'signature' is not base64" },
		/* a space inside (quoted, so YAML keeps it) */
		{ "'" B64_STEM " AAAAAAAAAAAAAAAAAAA=='", "'signature' is not base64" },
		/* 65 bytes */
		{ B64_STEM "AAAAAAAAAAAAAAAAAAAAA=", "'signature' holds 65 bytes (expected 64)" },
		/* = inside */
		{ "AAAA=AAA", "'signature' is not base64" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(sig, sizeof(sig), "%s", cases[i].sig);
		snprintf(text, sizeof(text), GOOD "signature: %s\n", sig);
		assert_int_equal(parse(fx, text), -EINVAL);
		check_diag(fx, i, NAME, 11, 12, cases[i].msg);
	}
	expect_count(fx, ARRAY_SIZE(cases));

	/* 64 zero bytes is well formed (it verifies with no key). */
	snprintf(text, sizeof(text), GOOD "signature: %s\n", B64_ZERO);
	mg_diags_free(&fx->diags);
	parse_ok(fx, text);
	assert_true(fx->lic->signed_);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, -EKEYREJECTED, "signature matches no trusted key");
}

static void test_load_missing_file(void **state)
{
	struct fx *fx = *state;
	struct mg_license *l = NULL;

	assert_int_equal(mg_license_load(path_of("nonexistent.yaml"), &l, &fx->diags), -ENOENT);
	assert_null(l);
	check_diag(fx, 0, path_of("nonexistent.yaml"), 0, 0,
		   "cannot read file: No such file or directory");
	expect_count(fx, 1);
}

static void test_load_file(void **state)
{
	struct fx *fx = *state;
	struct mg_license *l = NULL;

	put("good.yaml", GOOD);
	assert_int_equal(mg_license_load(path_of("good.yaml"), &l, &fx->diags), 0);
	fx->lic = l;
	assert_string_equal(l->path, path_of("good.yaml"));
	put("bad.yaml", GOOD "x: 1\n");
	assert_int_equal(mg_license_load(path_of("bad.yaml"), &l, &fx->diags), -EINVAL);
	check_diag(fx, 0, path_of("bad.yaml"), 11, 1, "unknown key 'x' at top level");
}

/* ---- Time ------------------------------------------------------------------- */

static void test_time(void **state)
{
	const struct {
		const char *text;
		int64_t t;
	} good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2026-01-01T00:00:00Z", T_2026 },
		{ "2024-02-29T12:34:56Z", 1709210096 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "0000-01-01T00:00:00Z", -62167219200 },
		{ "9999-12-31T23:59:59Z", 253402300799 },
	};
	const char *bad[] = {
		"",
		"2026-01-01",
		"2026-01-01T00:00:00",
		"2026-01-01T00:00:00z",
		"2026-01-01 00:00:00Z",
		"2026-01-01T00:00:00.5Z",
		"2026-01-01T00:00:00+00:00",
		"2026-1-01T00:00:00Z",
		"+026-01-01T00:00:00Z",
		"2026-00-01T00:00:00Z",
		"2026-13-01T00:00:00Z",
		"2026-01-00T00:00:00Z",
		"2026-01-32T00:00:00Z",
		"2026-04-31T00:00:00Z",
		"1900-02-29T00:00:00Z",
		"2026-01-01T24:00:00Z",
		"2026-01-01T00:60:00Z",
		"2026-12-31T23:59:60Z",
		"2026-01-01T00:00:00ZZ",
		"-001-01-01T00:00:00Z",
		"2026-01-01t00:00:00Z",
	};
	char buf[MG_LICENSE_TIME_LEN];
	int64_t t;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		t = 42;
		assert_int_equal(mg_license_parse_time(good[i].text, &t), 0);
		assert_int_equal(t, good[i].t);
		mg_license_format_time(good[i].t, buf);
		assert_string_equal(buf, good[i].text);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		t = 42;
		assert_int_equal(mg_license_parse_time(bad[i], &t), -EINVAL);
		assert_int_equal(t, 42);
	}
	/* Every day of four centuries round-trips. */
	for (int64_t d = -146097; d < 2 * 146097; d++) {
		mg_license_format_time(d * 86400 + 86399, buf);
		assert_int_equal(mg_license_parse_time(buf, &t), 0);
		assert_int_equal(t, d * 86400 + 86399);
	}
	/* Out of range clamps. */
	mg_license_format_time(INT64_MAX, buf);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	mg_license_format_time(INT64_MIN, buf);
	assert_string_equal(buf, "0000-01-01T00:00:00Z");
}

/* ---- Canonical form ---------------------------------------------------------- */

static void test_canonical_exact(void **state)
{
	struct fx *fx = *state;
	size_t len;
	char *buf;

	/* Models sorted, whatever order the file lists them in. */
	parse_ok(fx, HEAD L_ID L_USE L_SCOPE
		 "models: [mistral-7b, llama-3.1-70b]\n" L_TIER L_NB L_NA L_ISSUER);
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), 0);
	assert_string_equal(buf, CANONICAL_GOOD);
	assert_int_equal(len, strlen(CANONICAL_GOOD));
	free(buf);

	/* No models, no maxTier, times before 1970, text with spaces. */
	parse_ok(fx, HEAD "id: lic 1\nuseCase: 'a=b, c'\n" L_SCOPE "models: [B, a, A-1]\n"
			  "notBefore: 1960-01-01T00:00:00Z\nnotAfter: 1970-01-01T00:00:01Z\n"
			  "issuer: Acme Ltd.\n");
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), 0);
	assert_string_equal(buf, "mguard-license-v1\n"
				 "id=lic 1\n"
				 "useCase=a=b, c\n"
				 "scope=vllm\n"
				 "models=A-1,B,a\n"
				 "maxTier=\n"
				 "notBefore=-315619200\n"
				 "notAfter=1\n"
				 "issuer=Acme Ltd.\n");
	free(buf);

	parse_ok(fx, HEAD L_ID L_USE L_SCOPE L_TIER L_NB L_NA L_ISSUER);
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), 0);
	assert_non_null(strstr(buf, "\nmodels=\nmaxTier=controlled\n"));
	free(buf);
}

static void test_canonical_rejects_ambiguous(void **state)
{
	struct fx *fx = *state;
	char *saved, *bad;
	size_t len;
	char *buf = NULL;

	parse_ok(fx, GOOD);
	saved = fx->lic->models[0];
	bad = strdup("a,b");
	fx->lic->models[0] = bad;
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), -EINVAL);
	fx->lic->models[0] = saved;
	free(bad);

	saved = fx->lic->id;
	bad = strdup("x\nscope=other");
	fx->lic->id = bad;
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), -EINVAL);
	assert_int_equal(mg_license_write(fx->lic, stderr), -EINVAL);
	fx->lic->id = NULL;
	assert_int_equal(mg_license_canonical(fx->lic, &buf, &len), -EINVAL);
	fx->lic->id = saved;
	free(bad);
	assert_null(buf);
}

/* ---- Signing and verifying ----------------------------------------------------- */

static void test_sign_verify(void **state)
{
	struct fx *fx = *state;
	uint8_t first[MG_LICENSE_SIG_LEN];
	char *text;

	text = signed_good(fx);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026 + 100, 0, NULL);
	assert_int_equal(mg_license_verify(fx->lic, fx->ring, T_2026, NULL), 0);

	/* Ed25519 is deterministic: signing again gives the same bytes. */
	memcpy(first, fx->lic->signature, sizeof(first));
	sign_ok(fx, "a.key");
	assert_memory_equal(first, fx->lic->signature, sizeof(first));

	/* What was written reads back signed, with the same fields. */
	assert_non_null(strstr(text, "\nsignature: "));
	parse_ok(fx, text);
	assert_true(fx->lic->signed_);
	assert_memory_equal(first, fx->lic->signature, sizeof(first));
	assert_string_equal(fx->lic->scope, "vllm");
	expect_verify(fx, T_2027 - 1, 0, NULL);
	free(text);
}

static void test_write_exact(void **state)
{
	struct fx *fx = *state;
	char *text;

	parse_ok(fx, GOOD);
	text = write_text(fx);
	assert_string_equal(text, GOOD);
	free(text);
}

static void test_write_quotes(void **state)
{
	struct fx *fx = *state;
	char *canon1, *canon2, *text;
	size_t len1, len2;

	/* Text that YAML would read differently if written plain. */
	parse_ok(fx,
		 HEAD "id: 'null'\nuseCase: \"a: b # c, 'd' \\\"e\\\" - [f]\"\n" L_SCOPE
		      "models: ['true', '1e3', NULL-x]\n" L_NB L_NA "issuer: '  Acmé – “Ltd”  '\n");
	assert_string_equal(fx->lic->id, "null");
	sign_ok(fx, "a.key");
	assert_int_equal(mg_license_canonical(fx->lic, &canon1, &len1), 0);
	text = write_text(fx);

	parse_ok(fx, text);
	assert_int_equal(mg_license_canonical(fx->lic, &canon2, &len2), 0);
	assert_string_equal(canon1, canon2);
	assert_string_equal(fx->lic->issuer, "  Acmé – “Ltd”  ");
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, 0, NULL);
	free(canon1);
	free(canon2);
	free(text);
}

/* Sign the good licence, replace @from with @to in its text and verify it. */
static void expect_tampered(struct fx *fx, const char *from, const char *to)
{
	char *text = signed_good(fx), *out, *at;

	at = strstr(text, from);
	assert_non_null(at);
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) > 0);
	parse_ok(fx, out);
	assert_true(fx->lic->signed_);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026 + 1, -EKEYREJECTED, "signature matches no trusted key");
	free(out);
	free(text);
}

static void test_tampered_scope(void **state)
{
	expect_tampered(*state, "scope: vllm\n", "scope: batch\n");
}

static void test_tampered_not_after(void **state)
{
	expect_tampered(*state, "notAfter: 2027-01-01T00:00:00Z", "notAfter: 2037-01-01T00:00:00Z");
}

static void test_tampered_models(void **state)
{
	expect_tampered(*state, "models: [llama-3.1-70b, mistral-7b]",
			"models: [llama-3.1-70b, mistral-7b, frontier-x]");
}

static void test_tampered_max_tier(void **state)
{
	expect_tampered(*state, "maxTier: controlled\n", "maxTier: prohibited\n");
}

static void test_tampered_dropped_tier(void **state)
{
	expect_tampered(*state, "maxTier: controlled\n", "");
}

static void test_tampered_signature(void **state)
{
	struct fx *fx = *state;

	parse_ok(fx, GOOD);
	sign_ok(fx, "a.key");
	fx->lic->signature[17] ^= 0x01;
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, -EKEYREJECTED, "signature matches no trusted key");
}

static void test_reordered_is_same(void **state)
{
	struct fx *fx = *state;
	char *text = signed_good(fx), *out, *sig;

	/* Key order and model order are not signed: the same licence. */
	sig = strstr(text, "signature: ");
	assert_non_null(sig);
	assert_true(asprintf(&out,
			     "%s" L_ISSUER L_NA L_NB L_TIER
			     "models: [mistral-7b, llama-3.1-70b]\n" L_SCOPE L_USE L_ID HEAD,
			     sig) > 0);
	parse_ok(fx, out);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, 0, NULL);
	free(out);
	free(text);
}

static void test_wrong_key(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	load_ring(fx, "b.pub", NULL);
	expect_verify(fx, T_2026, -EKEYREJECTED, "signature matches no trusted key");
	/* Any key of the ring will do. */
	load_ring(fx, "b.pub", "a.pub");
	expect_verify(fx, T_2026, 0, NULL);
}

static void test_expired(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2027 - 1, 0, NULL);
	expect_verify(fx, T_2027, -EKEYEXPIRED, "expired on 2027-01-01T00:00:00Z");
	expect_verify(fx, INT64_MAX, -EKEYEXPIRED, "expired on 2027-01-01T00:00:00Z");
}

static void test_not_yet_valid(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, 0, NULL);
	expect_verify(fx, T_2026 - 1, -EKEYEXPIRED, "not valid before 2026-01-01T00:00:00Z");
	expect_verify(fx, INT64_MIN, -EKEYEXPIRED, "not valid before 2026-01-01T00:00:00Z");
}

static void test_signature_checked_before_time(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	load_ring(fx, "b.pub", NULL);
	expect_verify(fx, T_2027 + 1, -EKEYREJECTED, "signature matches no trusted key");
}

static void test_unsigned(void **state)
{
	struct fx *fx = *state;

	parse_ok(fx, GOOD);
	load_ring(fx, "a.pub", NULL);
	expect_verify(fx, T_2026, -EBADMSG, "not signed");
}

static void test_no_keys(void **state)
{
	struct fx *fx = *state;

	free(signed_good(fx));
	expect_verify(fx, T_2026, -ENOKEY, "no trusted keys");
	load_ring(fx, NULL, NULL);
	assert_int_equal(mg_keyring_size(fx->ring), 0);
	expect_verify(fx, T_2026, -ENOKEY, "no trusted keys");
}

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
		T(test_parse_good),
		T(test_parse_block_and_quoted),
		T(test_parse_max_tier_only),
		T(test_parse_limits_ok),
		T(test_err_syntax),
		T(test_err_empty_files),
		T(test_err_not_mapping),
		T(test_err_two_documents),
		T(test_err_unknown_key),
		T(test_err_duplicate_key),
		T(test_err_key_not_string),
		T(test_err_missing_key),
		T(test_err_no_models_nor_tier),
		T(test_err_id_not_string),
		T(test_err_id_null),
		T(test_err_id_empty),
		T(test_err_control),
		T(test_err_c1_control),
		T(test_err_nul),
		T(test_err_scope_name),
		T(test_err_tier_name),
		T(test_err_models_not_list),
		T(test_err_models_entry),
		T(test_err_model_name),
		T(test_err_models_empty),
		T(test_err_model_duplicate),
		T(test_err_api_version),
		T(test_err_kind),
		T(test_err_time_format),
		T(test_err_time_offset),
		T(test_err_time_no_such_day),
		T(test_err_time_order),
		T(test_err_anchor),
		T(test_err_tag),
		T(test_err_alias),
		T(test_err_sig_not_base64),
		T(test_err_sig_short),
		T(test_err_sig_forms),
		T(test_err_many_at_once),
		T(test_err_string_too_long),
		T(test_err_too_many_models),
		T(test_err_file_too_large),
		T(test_err_too_deep),
		T(test_load_missing_file),
		T(test_load_file),
		T(test_time),
		T(test_canonical_exact),
		T(test_canonical_rejects_ambiguous),
		T(test_sign_verify),
		T(test_write_exact),
		T(test_write_quotes),
		T(test_tampered_scope),
		T(test_tampered_not_after),
		T(test_tampered_models),
		T(test_tampered_max_tier),
		T(test_tampered_dropped_tier),
		T(test_tampered_signature),
		T(test_reordered_is_same),
		T(test_wrong_key),
		T(test_expired),
		T(test_not_yet_valid),
		T(test_signature_checked_before_time),
		T(test_unsigned),
		T(test_no_keys),
		T(test_keygen),
		T(test_keyring_errors),
		T(test_sign_errors),
		T(test_covers),
		T(test_cli),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
