/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The operator's switches, in the pinned control map: read and written by
 * commands, never by a policy reload.
 */
#ifndef MGUARD_CONTROL_H
#define MGUARD_CONTROL_H

#include <linux/types.h>

#include "mguard_abi.h"

/* Returns 0, -ENOENT when nothing is pinned in @pin_dir, or another negative errno. */
int mg_control_read(const char *pin_dir, struct mg_control *ret);
int mg_control_write(const char *pin_dir, const struct mg_control *ctl);

#endif /* MGUARD_CONTROL_H */
