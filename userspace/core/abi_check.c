// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The sizes of the structures shared with the BPF programs. The BPF side
 * is compiled by another compiler for another target: a layout change that
 * is not deliberate must fail the build here, not corrupt a map.
 */
#include <linux/types.h>
#include <stddef.h>

#include "mguard_abi.h"

_Static_assert(MG_HOOK__COUNT <= MG_HOOK_SLOTS, "mg_config.engine has no room for every hook");
_Static_assert(sizeof(struct mg_config) == 72, "struct mg_config");
_Static_assert(sizeof(struct mg_rate) == 24, "struct mg_rate");
_Static_assert(sizeof(struct mg_control) == 8, "struct mg_control");
_Static_assert(sizeof(struct mg_scope_key) == 16, "struct mg_scope_key");
_Static_assert(sizeof(struct mg_scope_val) == 8, "struct mg_scope_val");
_Static_assert(sizeof(struct mg_inode_key) == 16, "struct mg_inode_key");
_Static_assert(sizeof(struct mg_inode_val) == 8, "struct mg_inode_val");
_Static_assert(sizeof(struct mg_output_key) == 24, "struct mg_output_key");
_Static_assert(sizeof(struct mg_license_key) == 16, "struct mg_license_key");
_Static_assert(sizeof(struct mg_license_val) == 16, "struct mg_license_val");
_Static_assert(MG_NARROW_ID_BASE > MG_MAX_SCOPES, "narrowing ids never collide with scope ids");
_Static_assert(sizeof(struct mg_egress_key) == 28, "struct mg_egress_key");
_Static_assert(offsetof(struct mg_egress_key, addr) * 8 == 32 + MG_EGRESS_KEY_FIXED_BITS,
	       "the trie's fixed bits must come right after prefixlen");
_Static_assert(sizeof(struct mg_port_range) == 8, "struct mg_port_range");
_Static_assert(sizeof(struct mg_egress_val) == 8 + 8 * MG_MAX_PORT_RANGES, "struct mg_egress_val");
_Static_assert(sizeof(struct mg_event_file) == 88, "struct mg_event_file");
_Static_assert(sizeof(struct mg_event_net) == 24, "struct mg_event_net");
_Static_assert(sizeof(struct mg_event_dev) == 16, "struct mg_event_dev");
_Static_assert(sizeof(struct mg_gpu_major_key) == 8, "struct mg_gpu_major_key");
_Static_assert(sizeof(struct mg_device_key) == 16, "struct mg_device_key");
_Static_assert(sizeof(struct mg_event) == 56 + 88, "struct mg_event");
_Static_assert(sizeof(struct mg_event) % 8 == 0, "ring buffer records stay 8-byte aligned");
