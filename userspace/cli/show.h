/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The compiled view of a policy, for people: each model with its tier and
 * why, each scope with what it may load, where it may connect and which GPU
 * nodes it may open (mguard policy show); and the weight files under a
 * folder with the model and tier each belongs to (mguard policy scan).
 */
#ifndef MGUARD_SHOW_H
#define MGUARD_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include "compile/compile.h"
#include "policy/policy.h"

void mg_show_policy(const struct mg_policy *p, const struct mg_image *img, bool json, FILE *out);

/*
 * May scope @s (0-based) of @img load model @j (0-based)? Also the licence
 * that lets it, if any (NULL when its tier needs none).
 */
bool mg_scope_may_load(const struct mg_policy *p, const struct mg_image *img, size_t s, size_t j,
		       const struct mg_image_license **ret_lic);

/* Format one egress rule back to its policy syntax. */
void mg_egress_format(const struct mg_egress_rule *r, char *buf, size_t len);

/*
 * List the weight files under @dir (recognised by content) and every file of
 * a registered model, with its model and tier, or "unknown". Returns the
 * number of unknown weight files found, or a negative errno.
 */
int mg_scan_print(const char *dir, const struct mg_image *img, bool json, FILE *out);

#endif /* MGUARD_SHOW_H */
