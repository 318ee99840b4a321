/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The fixture the licence tests share: a good licence line by line, a
 * folder of keys per test group, parsing, signing and checks on the
 * diagnostics. Each test file compiles what it uses.
 */
#ifndef MGUARD_TEST_LICENSE_FIXTURE_H
#define MGUARD_TEST_LICENSE_FIXTURE_H

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

static inline const char *path_of(const char *name)
{
	return unit_path(base, name);
}

static inline void put(const char *name, const char *text)
{
	unit_put(path_of(name), text, strlen(text));
}

/* A key that is not Ed25519, in PEM: @public selects which half. */
static inline void put_ec_key(const char *name, bool public)
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
static inline int group_setup(void **state)
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

static inline int group_teardown(void **state)
{
	return unit_rm_tree(base);
}

struct fx {
	struct mg_diags diags;
	struct mg_license *lic;
	struct mg_keyring *ring;
};

static inline int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	*state = fx;
	return 0;
}

static inline int teardown(void **state)
{
	struct fx *fx = *state;

	mg_license_free(fx->lic);
	mg_keyring_free(fx->ring);
	mg_diags_free(&fx->diags);
	free(fx);
	return 0;
}

static inline void dump(const struct fx *fx)
{
	if (fx->diags.n)
		mg_diags_print(&fx->diags, stderr);
}

/* Parse @text as NAME; on error *ret must not have been touched. */
static inline int parse(struct fx *fx, const char *text)
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

static inline void parse_ok(struct fx *fx, const char *text)
{
	int rc = parse(fx, text);

	if (rc)
		dump(fx);
	assert_int_equal(rc, 0);
	assert_int_equal(fx->diags.n, 0);
}

/* Diagnostic @i is @msg at @file:@line:@col. */
static inline void check_diag(const struct fx *fx, size_t i, const char *file, unsigned int line,
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

static inline void expect_count(const struct fx *fx, size_t n)
{
	if (fx->diags.n != n)
		dump(fx);
	assert_int_equal(fx->diags.n, n);
}

static inline void expect_one(struct fx *fx, const char *text, unsigned int line, unsigned int col,
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

static inline void load_ring(struct fx *fx, const char *k1, const char *k2)
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

static inline void sign_ok(struct fx *fx, const char *key)
{
	int rc = mg_license_sign(fx->lic, path_of(key), &fx->diags);

	if (rc)
		dump(fx);
	assert_int_equal(rc, 0);
	assert_true(fx->lic->signed_);
}

/* fx->lic written out as text (malloc'd). */
static inline char *write_text(const struct fx *fx)
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
static inline char *signed_good(struct fx *fx)
{
	parse_ok(fx, GOOD);
	sign_ok(fx, "a.key");
	return write_text(fx);
}

static inline void expect_verify(const struct fx *fx, int64_t now, int err, const char *reason)
{
	const char *why = "unset";

	assert_int_equal(mg_license_verify(fx->lic, fx->ring, now, &why), err);
	if (reason)
		assert_string_equal(why, reason);
	else
		assert_null(why);
}

#endif /* MGUARD_TEST_LICENSE_FIXTURE_H */
