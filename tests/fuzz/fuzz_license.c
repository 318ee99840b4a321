// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: licence parsing. A licence that parses must also have
 * a canonical form, be written out, and read back to the same canonical
 * form, so what the parser accepts is always something that can be signed.
 *
 * Built with the core, policy and licence layers (the Makefile's FUZZ_LIB):
 *   make build/fuzz/fuzz_license
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "license/license.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_diags diags = {};
	struct mg_license *l = NULL, *back = NULL;
	char *canon = NULL, *canon2 = NULL, *text = NULL;
	size_t len, len2, tlen = 0;
	FILE *f;
	int err;

	err = mg_license_parse_buffer("fuzz.yaml", (const char *)data, size, &l, &diags);
	if (err) {
		/* Failure is decided by the return, but an error is always explained. */
		if (err == -EINVAL && !diags.n)
			abort();
		goto out;
	}
	if (diags.n)
		abort();
	if (mg_license_canonical(l, &canon, &len) || strlen(canon) != len)
		abort();
	if (!l->nmodels && !l->max_tier)
		abort();
	if (l->not_after <= l->not_before)
		abort();
	for (size_t i = 0; i < l->nmodels; i++)
		mg_license_covers(l, l->models[i], 1, 1);

	f = open_memstream(&text, &tlen);
	if (!f)
		goto out;
	if (mg_license_write(l, f))
		abort();
	fclose(f);
	if (mg_license_parse_buffer("back.yaml", text, tlen, &back, &diags))
		abort();
	if (mg_license_canonical(back, &canon2, &len2) || len2 != len || memcmp(canon, canon2, len))
		abort();
	if (back->signed_ != l->signed_ ||
	    (l->signed_ && memcmp(back->signature, l->signature, MG_LICENSE_SIG_LEN)))
		abort();
out:
	free(canon);
	free(canon2);
	free(text);
	mg_license_free(back);
	mg_license_free(l);
	mg_diags_free(&diags);
	return 0;
}
