// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Whether a licence is signed by a trusted key, in force, and covers a model. */
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

#include "license/license.h"
#include "license/license_internal.h"

/* ---- Verification ---------------------------------------------------------- */

static __thread char reason_buf[64];

static int why(int err, const char **ret_reason, const char *reason)
{
	if (ret_reason)
		*ret_reason = reason;
	return err;
}

static int why_time(const char **ret_reason, const char *what, int64_t t)
{
	char when[MG_LICENSE_TIME_LEN];

	mg_license_format_time(t, when);
	snprintf(reason_buf, sizeof(reason_buf), "%s %s", what, when);
	return why(-EKEYEXPIRED, ret_reason, reason_buf);
}

/* 1 when @sig over @tbs verifies with @pkey, 0 when not, -ENOMEM. */
static int verify_one(EVP_PKEY *pkey, const uint8_t *sig, const char *tbs, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, MG_LICENSE_SIG_LEN, (const unsigned char *)tbs, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int mg_license_verify(const struct mg_license *l, const struct mg_keyring *ring, int64_t now,
		      const char **ret_reason)
{
	size_t len;
	char *tbs;
	int err, ok = 0;

	if (!l->signed_)
		return why(-EBADMSG, ret_reason, "not signed");
	if (!ring || !ring->n)
		return why(-ENOKEY, ret_reason, "no trusted keys");
	err = mg_license_canonical(l, &tbs, &len);
	if (err == -ENOMEM)
		return why(err, ret_reason, "out of memory");
	if (err)
		return why(err, ret_reason, "incomplete license");
	for (size_t i = 0; i < ring->n && ok == 0; i++)
		ok = verify_one(ring->keys[i], l->signature, tbs, len);
	free(tbs);
	if (ok < 0)
		return why(ok, ret_reason, "out of memory");
	if (!ok)
		return why(-EKEYREJECTED, ret_reason, "signature matches no trusted key");
	if (now < l->not_before)
		return why_time(ret_reason, "not valid before", l->not_before);
	if (now >= l->not_after)
		return why_time(ret_reason, "expired on", l->not_after);
	return why(0, ret_reason, NULL);
}

bool mg_license_covers(const struct mg_license *l, const char *model, unsigned int level,
		       unsigned int max_level)
{
	if (model)
		for (size_t i = 0; i < l->nmodels; i++)
			if (strcmp(l->models[i], model) == 0)
				return true;
	return l->max_tier && level && max_level && level <= max_level;
}
