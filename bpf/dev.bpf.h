/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The device rules, shared by the cgroup device program (opens of device
 * nodes) and the receive hooks (a device descriptor passed into a scope is
 * decided like an open of its node).
 */
#ifndef MGUARD_DEV_BPF_H
#define MGUARD_DEV_BPF_H

#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct mg_gpu_major_key);
	__type(value, struct mg_gpu_major_val);
} mg_gpu_majors SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct mg_device_key);
	__type(value, struct mg_device_val);
} mg_devices SEC(".maps") __weak;

/* May the scope open (major, minor)? major carries MG_DEVICE_BLOCK for a block device. */
static __always_inline bool mg_device_allowed(__u32 scope_id, __u32 gen, __u32 major, __u32 minor)
{
	struct mg_device_key key = {
		.scope_id = scope_id, .gen = gen, .major = major, .minor = minor
	};

	if (bpf_map_lookup_elem(&mg_devices, &key))
		return true;
	key.minor = MG_MINOR_ANY;
	return bpf_map_lookup_elem(&mg_devices, &key) != NULL;
}

/*
 * Character devices no scope opens unless the policy lists them: kernel
 * memory (/dev/mem 1:1, /dev/kmem 1:2, /dev/port 1:4) and the devices that
 * put packets on the host's network without a socket (/dev/net/tun 10:200,
 * /dev/vhost-net 10:238, /dev/vhost-vsock 10:241).
 */
static __always_inline bool mg_char_device_guarded(__u32 major, __u32 minor)
{
	if (major == 1)
		return minor == 1 || minor == 2 || minor == 4;
	if (major == 10)
		return minor == 200 || minor == 238 || minor == 241;
	return false;
}

/* What the device rules say of a node. */
struct mg_dev_verdict {
	__u8 reason;			    /* MG_REASON_NONE: allowed */
	bool decided;			    /* a device these rules decide (count and report it) */
	const struct mg_gpu_major_val *gpu; /* the GPU driver, for a GPU node */
};

/*
 * Decide (major, minor), a block device when @block, for @scope. Every
 * device these rules do not name is left to the rest of the system.
 */
static __always_inline struct mg_dev_verdict mg_device_rules(const struct mg_config *cfg,
							     const struct mg_scope_val *scope,
							     bool block, __u32 major, __u32 minor)
{
	struct mg_dev_verdict v = { .reason = MG_REASON_NONE };
	struct mg_gpu_major_key mkey = { .major = major, .gen = cfg->active_gen };

	if (block) {
		v.decided = true;
		if (!mg_device_allowed(scope->scope_id, cfg->active_gen, major | MG_DEVICE_BLOCK,
				       minor))
			v.reason = MG_REASON_DEVICE;
		return v;
	}
	if (mg_char_device_guarded(major, minor)) {
		v.decided = true;
		if (!mg_device_allowed(scope->scope_id, cfg->active_gen, major, minor))
			v.reason = MG_REASON_DEVICE;
		return v;
	}
	v.gpu = bpf_map_lookup_elem(&mg_gpu_majors, &mkey);
	if (!v.gpu)
		return v; /* not a GPU: not ours to decide */
	v.decided = true;
	if (mg_killswitch())
		v.reason = MG_REASON_KILLSWITCH;
	else if (!mg_device_allowed(scope->scope_id, cfg->active_gen, major, minor))
		v.reason = MG_REASON_GPU;
	return v;
}

#endif /* MGUARD_DEV_BPF_H */
