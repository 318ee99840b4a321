/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Taint on write, the daemon's side: a marked model file whose model lists
 * its SHA-256 is hashed again; when it matches, the mark is cleared.
 */
#ifndef MGUARD_REHASH_H
#define MGUARD_REHASH_H

#include <stddef.h>

#include "compile/digest.h"
#include "policy/policy.h"

/*
 * Hash every file marked in @pin_dir that a digest of @policy names, and
 * clear the marks of those that match. Returns how many were cleared, or a
 * negative errno when the marks cannot be read.
 */
int mg_rehash_tainted(const char *pin_dir, const struct mg_policy *policy,
		      struct mg_digest_cache *cache);

#endif /* MGUARD_REHASH_H */
