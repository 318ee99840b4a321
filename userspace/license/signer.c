// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Signing and checking bytes other than a licence (the audit trail's
 * checkpoints) with the same Ed25519 keys, and the short id that names a key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/hex.h"
#include "license/license.h"
#include "license/license_internal.h"

struct mg_signer {
	EVP_PKEY *pkey;
	char key_id[MG_KEY_ID_LEN + 1];
};

/* "ed25519:" and the first 8 bytes of the SHA-256 of the raw public key, in hex. */
static int make_key_id(EVP_PKEY *pkey, char out[MG_KEY_ID_LEN + 1])
{
	uint8_t raw[32], md[32];
	size_t len = sizeof(raw);
	unsigned int mdlen = sizeof(md);

	if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != sizeof(raw) ||
	    EVP_Digest(raw, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	memcpy(out, "ed25519:", 8);
	mg_hex_encode(md, 8, out + 8);
	return 0;
}

int mg_signer_load(const char *path, struct mg_signer **ret, struct mg_diags *diags)
{
	struct mg_loc loc = { .file = path };
	struct mg_signer *s;
	struct stat st;
	int err;

	if (stat(path, &st) < 0) {
		err = -errno;
		mg_diag_add(diags, loc, "cannot read key file: %s", strerror(-err));
		return err;
	}
	if (st.st_mode & 0007) {
		mg_diag_add(diags, loc,
			    "private key is accessible to every user (mode %04o): make it 0600",
			    (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	err = mgl_read_key(path, false, &s->pkey, diags);
	if (!err && make_key_id(s->pkey, s->key_id)) {
		mg_diag_add(diags, loc, "cannot read the public half of the key");
		err = -EIO;
	}
	if (err) {
		mg_signer_free(s);
		return err;
	}
	*ret = s;
	return 0;
}

const char *mg_signer_key_id(const struct mg_signer *s)
{
	return s->key_id;
}

int mg_signer_sign(const struct mg_signer *s, const void *data, size_t len,
		   uint8_t sig[MG_LICENSE_SIG_LEN])
{
	size_t siglen = MG_LICENSE_SIG_LEN;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int err = 0;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, data, len) != 1 || siglen != MG_LICENSE_SIG_LEN)
		err = -EIO;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return err;
}

int mg_signer_write_public(const struct mg_signer *s, FILE *out)
{
	int ok = PEM_write_PUBKEY(out, s->pkey) == 1;

	ERR_clear_error();
	return ok ? 0 : -EIO;
}

void mg_signer_free(struct mg_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->pkey);
	free(s);
}

int mg_keyring_verify_bytes(const struct mg_keyring *ring, const uint8_t sig[MG_LICENSE_SIG_LEN],
			    const void *data, size_t len, const char *key_id)
{
	char id[MG_KEY_ID_LEN + 1];
	bool known = false;

	if (!ring || !ring->n)
		return -ENOKEY;
	for (size_t i = 0; i < ring->n; i++) {
		EVP_MD_CTX *ctx;
		int ok;

		if (make_key_id(ring->keys[i], id) || strcmp(id, key_id))
			continue;
		known = true;
		ctx = EVP_MD_CTX_new();
		if (!ctx)
			return -ENOMEM;
		ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, ring->keys[i]) == 1 &&
		     EVP_DigestVerify(ctx, sig, MG_LICENSE_SIG_LEN, data, len) == 1;
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		if (ok)
			return 0;
	}
	return known ? -EBADMSG : -EKEYREJECTED;
}

int mg_keyring_key_id(const struct mg_keyring *ring, size_t i, char out[MG_KEY_ID_LEN + 1])
{
	if (!ring || i >= ring->n)
		return -ENOENT;
	return make_key_id(ring->keys[i], out);
}
