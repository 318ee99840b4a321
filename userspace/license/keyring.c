// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Ed25519 keys read from PEM files, and the keyring of trusted ones. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/util.h"
#include "license/license.h"
#include "license/license_internal.h"

/* ---- Keys -------------------------------------------------------------------- */

/* Never ask for a passphrase: library code has no terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	return -1;
}

static const char *key_type(EVP_PKEY *pkey)
{
	const char *name = EVP_PKEY_get0_type_name(pkey);

	return name ? name : "unknown";
}

int mgl_read_key(const char *path, bool public, EVP_PKEY **ret, struct mg_diags *diags)
{
	struct mg_loc loc = { .file = path };
	const char *kind = public ? "public" : "private";
	EVP_PKEY *pkey = NULL;
	char *buf;
	size_t len;
	BIO *bio;
	int err;

	err = mg_read_file(path, MG_LICENSE_MAX_FILE_SIZE + 1, &buf, &len);
	if (err == -EFBIG)
		mg_diag_add(diags, loc, "file is larger than %u KiB",
			    MG_LICENSE_MAX_FILE_SIZE >> 10);
	else if (err && err != -ENOMEM)
		mg_diag_add(diags, loc, "cannot read file: %s", strerror(-err));
	if (err)
		return err;

	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio) {
		err = -ENOMEM;
		goto out;
	}
	if (public)
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	else
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (!pkey) {
		mg_diag_add(diags, loc,
			    public ? "not a PEM public key" : "not an unencrypted PEM private key");
		err = -EINVAL;
		goto out;
	}
	if (!EVP_PKEY_is_a(pkey, "ED25519")) {
		mg_diag_add(diags, loc, "not an Ed25519 %s key (it is %s)", kind, key_type(pkey));
		EVP_PKEY_free(pkey);
		err = -EINVAL;
		goto out;
	}
	*ret = pkey;
out:
	ERR_clear_error();
	OPENSSL_cleanse(buf, len);
	free(buf);
	return err;
}

int mg_keyring_load(struct mg_keyring **ret, const char *const *paths, size_t n,
		    struct mg_diags *diags)
{
	struct mg_keyring *ring;
	bool failed = false;
	int err = 0;

	if (n > MG_LICENSE_MAX_KEYS) {
		mg_diag_add(diags, (struct mg_loc){ 0 }, "more than %d trusted keys",
			    MG_LICENSE_MAX_KEYS);
		return -EINVAL;
	}
	ring = calloc(1, sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	if (n) {
		ring->keys = calloc(n, sizeof(*ring->keys));
		if (!ring->keys) {
			free(ring);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n; i++) {
		EVP_PKEY *pkey;

		err = mgl_read_key(paths[i], true, &pkey, diags);
		if (err == -ENOMEM)
			break;
		if (err) {
			failed = true;
			err = 0;
			continue;
		}
		ring->keys[ring->n++] = pkey;
	}
	if (!err && failed)
		err = -EINVAL;
	if (err) {
		mg_keyring_free(ring);
		return err;
	}
	*ret = ring;
	return 0;
}

size_t mg_keyring_size(const struct mg_keyring *ring)
{
	return ring ? ring->n : 0;
}

void mg_keyring_free(struct mg_keyring *ring)
{
	if (!ring)
		return;
	for (size_t i = 0; i < ring->n; i++)
		EVP_PKEY_free(ring->keys[i]);
	free(ring->keys);
	free(ring);
}
