/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Taint on write, the operator's side: the marks the kernel made on model
 * files that were opened for writing, in the pinned map mg_tainted.
 */
#ifndef MGUARD_TAINT_H
#define MGUARD_TAINT_H

#include <linux/types.h>
#include <stddef.h>

#include "mguard_abi.h"

/*
 * Re-seal @path: remove the kernel's mark on it, so scopes may load it
 * again. Returns 0, -ENOENT when nothing is pinned in @pin_dir, -ESRCH when
 * the file is not marked, or another negative errno.
 */
int mg_taint_reseal(const char *pin_dir, const char *path);

/* The marks, malloc'd into *ret (*ret_n of them). 0 or a negative errno. */
int mg_taint_list(const char *pin_dir, struct mg_taint_key **ret, size_t *ret_n);

/* Remove one mark. 0, -ESRCH when it is not there, or a negative errno. */
int mg_taint_clear(const char *pin_dir, const struct mg_taint_key *key);

/* How many files are marked; a negative errno when the map cannot be read. */
int mg_taint_count(const char *pin_dir, size_t *ret);

#endif /* MGUARD_TAINT_H */
