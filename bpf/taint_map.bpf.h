/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Taint on write, the map and its check: what the file decision asks. The
 * marks are made in taint.bpf.h.
 */
#ifndef MGUARD_TAINT_MAP_BPF_H
#define MGUARD_TAINT_MAP_BPF_H

#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_TAINT_ENTRIES);
	__type(key, struct mg_taint_key);
	__type(value, struct mg_taint_val);
} mg_tainted SEC(".maps") __weak;

/* Has the file (@dev, @ino) been opened for writing since it was verified? */
static __always_inline bool mg_is_tainted(__u32 dev, __u64 ino)
{
	struct mg_taint_key key = { .ino = ino, .dev = dev };

	return bpf_map_lookup_elem(&mg_tainted, &key) != NULL;
}

#endif /* MGUARD_TAINT_MAP_BPF_H */
