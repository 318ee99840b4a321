/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Small helpers shared by userspace modules. */
#ifndef MGUARD_UTIL_H
#define MGUARD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Read a whole file into a NUL-terminated buffer. Fails with -EFBIG when it
 * is larger than @max bytes, so absurd input never exhausts memory.
 */
int mg_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len);

/* Kernel encoding of a device number (major << 20 | minor) from st_dev. */
uint32_t mg_kernel_dev(uint64_t st_dev);

#endif /* MGUARD_UTIL_H */
