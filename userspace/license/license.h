/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Licences for controlled models: a YAML file naming the scope it is issued
 * to, the models it covers and when it is valid, signed with Ed25519 by an
 * issuer whose public key the policy trusts. Nothing here prints: errors go
 * to a struct mg_diags, or come back as a reason string.
 */
#ifndef MGUARD_LICENSE_H
#define MGUARD_LICENSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/diag.h"

#define MG_LICENSE_API_VERSION "mguard/v1"
#define MG_LICENSE_KIND	       "License"

/* Limits on input, checked while parsing (absurd input is an error). */
#define MG_LICENSE_MAX_FILE_SIZE (64u << 10) /* bytes per licence or key file */
#define MG_LICENSE_MAX_STRING	 256	     /* bytes of id, useCase, issuer */
#define MG_LICENSE_MAX_MODELS	 256
#define MG_LICENSE_MAX_KEYS	 64 /* trusted keys in a keyring */
#define MG_LICENSE_MAX_EGRESS	 64 /* egress entries */

#define MG_LICENSE_SIG_LEN 64 /* Ed25519 */

/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL. */
#define MG_LICENSE_TIME_LEN 21

struct mg_license {
	char *id;
	char *use_case;
	char *scope; /* the policy scope it is issued to */
	char *issuer;
	char *max_tier; /* tier name, or NULL */
	char **models;	/* model names as written, in file order */
	size_t nmodels;
	char **egress; /* where a process may send once it loaded a covered model */
	size_t negress;
	int has_egress; /* 'egress' was given (even empty: nowhere) */
	/* egressBudget: what a process it narrows may send per window; bytes 0: none. */
	uint64_t budget_bytes;
	uint64_t budget_per_ns; /* whole seconds */
	int64_t not_before;	/* unix seconds: valid from not_before ... */
	int64_t not_after;	/* ... up to, not including, not_after */
	uint8_t signature[MG_LICENSE_SIG_LEN];
	int signed_;	   /* signature holds one */
	struct mg_loc loc; /* the root mapping; loc.file is path */
	char *path;	   /* the name it was parsed under */
};

/*
 * Parse one licence held in memory (@buf need not be NUL-terminated); @name
 * is used in diagnostics and kept in the licence's path. Returns 0 and a
 * licence in *ret, -EINVAL when it has errors (all appended to @diags with
 * their file:line:col) or -ENOMEM; *ret is untouched on error.
 */
int mg_license_parse_buffer(const char *name, const char *buf, size_t len, struct mg_license **ret,
			    struct mg_diags *diags);

/* Read @path (at most MG_LICENSE_MAX_FILE_SIZE bytes) and parse it. */
int mg_license_load(const char *path, struct mg_license **ret, struct mg_diags *diags);

void mg_license_free(struct mg_license *l);

/*
 * The bytes a signature covers: "mguard-license-v1\n" then one "key=value\n"
 * line per field in this order: id, useCase, scope, models (the names sorted
 * with strcmp, joined by ','), maxTier (empty when none), notBefore,
 * notAfter (decimal unix seconds), issuer, and, only when the licence has
 * it, egress (the entries as written, joined by ','), and, only when it has
 * one, egressBudget (bytes, '/', seconds, in decimal). Returns 0 and a malloc'd,
 * NUL-terminated buffer, -EINVAL when a field is missing or holds a
 * character that would make the form ambiguous, or -ENOMEM.
 */
int mg_license_canonical(const struct mg_license *l, char **ret_buf, size_t *ret_len);

/* Trusted Ed25519 public keys. */
struct mg_keyring;

/*
 * Load @n PEM public keys. A file that cannot be read, is not a PEM public
 * key or holds a key other than Ed25519 is an error, reported against its
 * path. Returns 0 and a keyring in *ret (empty when @n is 0), -EINVAL when
 * any key failed (all reported in @diags) or -ENOMEM; *ret is untouched on
 * error.
 */
int mg_keyring_load(struct mg_keyring **ret, const char *const *paths, size_t n,
		    struct mg_diags *diags);
size_t mg_keyring_size(const struct mg_keyring *ring);
void mg_keyring_free(struct mg_keyring *ring);

/*
 * Whether @l is signed by a key of @ring (NULL is an empty keyring) and valid
 * at @now (unix seconds): the signature is checked first, then the time.
 * Returns 0, or a negative errno with a reason in *ret_reason (held in
 * thread-local storage, valid until this thread's next call):
 *   -EBADMSG       "not signed"
 *   -ENOKEY        "no trusted keys"
 *   -EKEYREJECTED  "signature matches no trusted key"
 *   -EKEYEXPIRED   "expired on 2027-01-01T00:00:00Z",
 *                  "not valid before 2026-01-01T00:00:00Z"
 *   -EINVAL, -ENOMEM with the matching reason
 */
int mg_license_verify(const struct mg_license *l, const struct mg_keyring *ring, int64_t now,
		      const char **ret_reason);

/*
 * Whether @l covers the model @model whose tier has level @level, where
 * @max_level is the level of the licence's maxTier in the policy (0 when it
 * has none or the policy lacks that tier): the model is listed by name, or
 * 0 < @level <= @max_level. A level of 0 (tier unknown) is covered by name
 * only. The caller checks that l->scope is the scope asking.
 */
bool mg_license_covers(const struct mg_license *l, const char *model, unsigned int level,
		       unsigned int max_level);

/*
 * Make an Ed25519 key pair: the private key in PEM (PKCS#8) at
 * @private_path with mode 0600, the public key in PEM at @public_path. An
 * existing file is never overwritten; @public_path NULL writes only the
 * private key. Returns 0, or a negative errno with
 * the reason in @diags (nothing is left behind).
 */
int mg_license_keygen(const char *private_path, const char *public_path, struct mg_diags *diags);

/*
 * Sign @l with the unencrypted PEM Ed25519 private key at @private_key_path,
 * filling its signature. Returns 0, or a negative errno with the reason in
 * @diags (@l unchanged).
 */
int mg_license_sign(struct mg_license *l, const char *private_key_path, struct mg_diags *diags);

/*
 * Write @l as a licence file, with its signature when it has one; what is
 * written parses back to the same canonical form. Returns 0, -EINVAL (see
 * mg_license_canonical), -ENOMEM or -EIO.
 */
int mg_license_write(const struct mg_license *l, FILE *out);

/*
 * RFC 3339 in UTC with 'Z' only and no fraction: "YYYY-MM-DDTHH:MM:SSZ",
 * years 0000 to 9999. Parse returns 0 or -EINVAL; format writes
 * MG_LICENSE_TIME_LEN bytes (a time outside those years is clamped).
 */
int mg_license_parse_time(const char *s, int64_t *ret);
void mg_license_format_time(int64_t t, char buf[MG_LICENSE_TIME_LEN]);

/*
 * Other bytes signed with the same keys: the audit trail's checkpoints.
 * A key is named by its id, "ed25519:" and 16 hex digits (the start of the
 * SHA-256 of the raw public key).
 */
#define MG_KEY_ID_LEN 24

struct mg_signer;

/*
 * Load the unencrypted PEM Ed25519 private key at @path. A file that any
 * user may read (mode & 0007) is refused with -EPERM. Returns 0, or a
 * negative errno with the reason in @diags.
 */
int mg_signer_load(const char *path, struct mg_signer **ret, struct mg_diags *diags);
const char *mg_signer_key_id(const struct mg_signer *s);
/* Sign @len bytes at @data. Returns 0, -ENOMEM or -EIO. */
int mg_signer_sign(const struct mg_signer *s, const void *data, size_t len,
		   uint8_t sig[MG_LICENSE_SIG_LEN]);
/* The public key in PEM, to @out. Returns 0 or -EIO. */
int mg_signer_write_public(const struct mg_signer *s, FILE *out);
void mg_signer_free(struct mg_signer *s);

/*
 * Whether @sig over @data is by the key of @ring whose id is @key_id.
 * Returns 0, -ENOKEY (empty ring), -EKEYREJECTED (no key of the ring has
 * that id), -EBADMSG (the key has it but the signature does not verify) or
 * -ENOMEM.
 */
int mg_keyring_verify_bytes(const struct mg_keyring *ring, const uint8_t sig[MG_LICENSE_SIG_LEN],
			    const void *data, size_t len, const char *key_id);
/* The id of key @i of @ring into @out. Returns 0, -ENOENT or -EIO. */
int mg_keyring_key_id(const struct mg_keyring *ring, size_t i, char out[MG_KEY_ID_LEN + 1]);

#endif /* MGUARD_LICENSE_H */
