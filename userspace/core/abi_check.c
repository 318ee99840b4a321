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
_Static_assert(sizeof(struct mg_scope_val) == 24, "struct mg_scope_val");
_Static_assert(sizeof(struct mg_inode_key) == 16, "struct mg_inode_key");
_Static_assert(sizeof(struct mg_inode_val) == 8, "struct mg_inode_val");
_Static_assert(sizeof(struct mg_output_key) == 24, "struct mg_output_key");
_Static_assert(sizeof(struct mg_license_key) == 16, "struct mg_license_key");
_Static_assert(sizeof(struct mg_license_val) == 32, "struct mg_license_val");
_Static_assert(sizeof(struct mg_narrow_val) == 24, "struct mg_narrow_val");
_Static_assert(sizeof(struct mg_sock_owner) == 8, "struct mg_sock_owner");
_Static_assert(MG_NARROW_ID_BASE > MG_MAX_SCOPES, "narrowing ids never collide with scope ids");
_Static_assert(sizeof(struct mg_egress_key) == 28, "struct mg_egress_key");
_Static_assert(offsetof(struct mg_egress_key, addr) * 8 == 32 + MG_EGRESS_KEY_FIXED_BITS,
	       "the trie's fixed bits must come right after prefixlen");
_Static_assert(sizeof(struct mg_port_range) == 8, "struct mg_port_range");
_Static_assert(sizeof(struct mg_egress_val) == 8 + 8 * MG_MAX_PORT_RANGES, "struct mg_egress_val");
_Static_assert(sizeof(struct mg_event_file) == 88, "struct mg_event_file");
_Static_assert(sizeof(struct mg_event_net) == 24, "struct mg_event_net");
_Static_assert(sizeof(struct mg_event_dev) == 16, "struct mg_event_dev");
_Static_assert(sizeof(struct mg_event_sock) == 16, "struct mg_event_sock");
_Static_assert(sizeof(struct mg_event_sys) == 8, "struct mg_event_sys");
_Static_assert(sizeof(struct mg_gpu_major_key) == 8, "struct mg_gpu_major_key");
_Static_assert(sizeof(struct mg_device_key) == 16, "struct mg_device_key");
_Static_assert(sizeof(struct mg_event) == 56 + 88 + 8, "struct mg_event");
_Static_assert(sizeof(struct mg_event) % 8 == 0, "ring buffer records stay 8-byte aligned");
_Static_assert(sizeof(struct mg_selector_key) == 8, "struct mg_selector_key");
_Static_assert(sizeof(struct mg_selector_val) == 32 + MG_SELECTOR_LEN, "struct mg_selector_val");
_Static_assert((MG_SELECTOR_LEN & (MG_SELECTOR_LEN - 1)) == 0, "masks index the pattern");
_Static_assert((MG_CGROUP_PATH_LEN & (MG_CGROUP_PATH_LEN - 1)) == 0, "masks index the path");
_Static_assert(sizeof(struct mg_budget_key) == 16, "struct mg_budget_key");
_Static_assert(sizeof(struct mg_budget) == 64, "struct mg_budget");
_Static_assert(sizeof(struct mg_taint_key) == 16, "struct mg_taint_key");
_Static_assert(sizeof(struct mg_taint_val) == 16, "struct mg_taint_val");
_Static_assert(sizeof(struct mg_verity_val) == MG_VERITY_DIGEST_LEN, "struct mg_verity_val");
_Static_assert(sizeof(struct mg_event_budget) == 40, "struct mg_event_budget");
