/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the files of the licence module share; nothing outside license/ includes it. */
#ifndef MGUARD_LICENSE_INTERNAL_H
#define MGUARD_LICENSE_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "core/base64.h"
#include "core/diag.h"
#include "license/license.h"

#define LOC_TEXT_MAX	(PATH_MAX + 32)
#define MAX_DEPTH	16 /* YAML nesting */
#define MAX_NAME	63 /* scope, model and tier names, as in policies */
#define CANONICAL_MAGIC "mguard-license-v1\n"

/* Base64 of MG_LICENSE_SIG_LEN bytes, its NUL not counted. */
#define SIG_B64_LEN MG_BASE64_LEN(MG_LICENSE_SIG_LEN)

struct mg_keyring {
	EVP_PKEY **keys;
	size_t n;
};

/*
 * Read the PEM key at @path: public with @public, else private. Returns 0
 * and the key, or a negative errno with the reason in @diags.
 */
int mgl_read_key(const char *path, bool public, EVP_PKEY **ret, struct mg_diags *diags);

struct mg_yaml;

/*
 * egressBudget, its first event current in @y: into @l's budget. Returns 0
 * (errors reported to @y's sink) or -1 to stop parsing.
 */
int mgl_parse_budget(struct mg_yaml *y, struct mg_license *l);

#endif /* MGUARD_LICENSE_INTERNAL_H */
