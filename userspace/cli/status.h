/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What is loaded and attached, read back from the pinned maps and links. */
#ifndef MGUARD_STATUS_H
#define MGUARD_STATUS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "kernel/pinned.h"

/*
 * Print the state found in @pin_dir. Returns 0; -ENOENT when nothing is
 * pinned there (mguard is not running); another negative errno on failure.
 */
int mg_status_print(const char *pin_dir, bool json, FILE *out);

#endif /* MGUARD_STATUS_H */
