// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Making an Ed25519 key pair, and signing a licence with its private key. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/util.h"
#include "license/license.h"
#include "license/license_internal.h"

/* ---- Keys and signatures --------------------------------------------------- */

/* Create @path for writing; it must not exist. */
static int create_new(const char *path, mode_t mode, bool exact_mode, FILE **ret,
		      struct mg_diags *diags)
{
	struct mg_loc loc = { .file = path };
	FILE *f;
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		err = -errno;
		if (err == -EEXIST)
			mg_diag_add(diags, loc, "file exists: refusing to overwrite it");
		else
			mg_diag_add(diags, loc, "cannot create file: %s", strerror(-err));
		return err;
	}
	if (exact_mode && fchmod(fd, mode) < 0) {
		err = -errno;
		mg_diag_add(diags, loc, "cannot set mode %04o: %s", (unsigned int)mode,
			    strerror(-err));
		close(fd);
		unlink(path);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		mg_diag_add(diags, loc, "cannot write file: %s", strerror(-err));
		close(fd);
		unlink(path);
		return err;
	}
	*ret = f;
	return 0;
}

/* Close @f after @ok writes; on failure report it and remove @path. */
static int finish_file(FILE *f, bool ok, const char *path, struct mg_diags *diags)
{
	int err = 0;

	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		err = errno ? -errno : -EIO;
	if (fsync(fileno(f)) < 0 && !err)
		err = -errno;
	if (fclose(f) != 0 && !err)
		err = -errno;
	if (!ok && !err)
		err = -EIO;
	if (err) {
		mg_diag_add(diags, (struct mg_loc){ .file = path }, "cannot write file: %s",
			    strerror(-err));
		unlink(path);
	}
	return err;
}

int mg_license_keygen(const char *private_path, const char *public_path, struct mg_diags *diags)
{
	EVP_PKEY *pkey;
	FILE *f = NULL;
	bool ok;
	int err;

	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!pkey) {
		ERR_clear_error();
		mg_diag_add(diags, (struct mg_loc){ 0 }, "cannot generate an Ed25519 key");
		return -EIO;
	}

	err = create_new(private_path, 0600, true, &f, diags);
	if (err)
		goto out;
	ok = PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) == 1;
	err = finish_file(f, ok, private_path, diags);
	if (err)
		goto out;

	if (!public_path)
		goto out;
	err = create_new(public_path, 0644, false, &f, diags);
	if (err) {
		unlink(private_path);
		goto out;
	}
	ok = PEM_write_PUBKEY(f, pkey) == 1;
	err = finish_file(f, ok, public_path, diags);
	if (err)
		unlink(private_path);
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	return err;
}

int mg_license_sign(struct mg_license *l, const char *private_key_path, struct mg_diags *diags)
{
	uint8_t sig[MG_LICENSE_SIG_LEN];
	size_t siglen = sizeof(sig), len;
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx;
	char *tbs;
	int err;

	err = mg_license_canonical(l, &tbs, &len);
	if (err) {
		if (err == -EINVAL)
			mg_diag_add(diags, l->loc, "license is incomplete: cannot sign it");
		return err;
	}
	err = mgl_read_key(private_key_path, false, &pkey, diags);
	if (err) {
		free(tbs);
		return err;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		err = -ENOMEM;
	} else if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) != 1 ||
		   EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)tbs, len) != 1 ||
		   siglen != sizeof(sig)) {
		mg_diag_add(diags, (struct mg_loc){ .file = private_key_path },
			    "cannot sign with this key");
		err = -EIO;
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	free(tbs);
	if (err)
		return err;
	memcpy(l->signature, sig, sizeof(sig));
	l->signed_ = 1;
	return 0;
}
