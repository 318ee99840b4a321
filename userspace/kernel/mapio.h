/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Bulk writes and generation pruning of BPF hash maps: one system call per
 * batch of entries where the kernel offers batch operations, one per entry
 * where it does not (LPM tries, older kernels).
 */
#ifndef MGUARD_MAPIO_H
#define MGUARD_MAPIO_H

#include <linux/types.h>
#include <stddef.h>

/*
 * Write @n entries, keys and values each packed in an array, into map @fd.
 * Existing keys are overwritten. On failure *ret_done is the number of
 * entries written before the one that failed; returns 0 or -errno.
 */
int mg_map_write(int fd, const void *keys, const void *vals, size_t n, size_t key_size,
		 size_t val_size, size_t *ret_done);

/*
 * Delete every entry of map @fd whose key holds, at @gen_offset, a
 * generation other than @keep. Returns 0 or the first -errno.
 */
int mg_map_prune(int fd, size_t key_size, size_t val_size, size_t gen_offset, __u32 keep);

#endif /* MGUARD_MAPIO_H */
