// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * GPUs: a cgroup device program attached to each scope's anchor, a stable
 * ancestor of its cgroup (kernel/bind.h). A task of a scope opens a GPU
 * device node only if the policy gave the scope that GPU (or the node is a
 * control node its GPUs need); every other device is left to the rest of
 * the system. Attached with BPF_F_ALLOW_MULTI semantics (a link), so it
 * holds in every cgroup below, and a container runtime that rewrites its own
 * device programs on its cgroup cannot remove this one.
 */
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

#define BPF_DEVCG_DEV_CHAR  2
#define BPF_DEVCG_ACC_MKNOD 1

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
 * The decision for one device access: MG_REASON_NONE to allow. *ret_gpu is
 * set for GPU nodes; everything that is not a GPU is allowed at once.
 */
static __always_inline __u8 mg_device_decide(struct bpf_cgroup_dev_ctx *ctx,
					     const struct mg_config **ret_cfg,
					     const struct mg_scope_val **ret_scope, __u64 *ret_cgid,
					     const struct mg_gpu_major_val **ret_gpu)
{
	struct mg_gpu_major_key mkey = {};
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;

	*ret_gpu = NULL;
	scope = *ret_scope = mg_scope_enter(ret_cfg, ret_cgid);
	if (!scope)
		return MG_REASON_NONE;
	cfg = *ret_cfg;
	if ((ctx->access_type & 0xffff) != BPF_DEVCG_DEV_CHAR)
		return MG_REASON_NONE;
	/*
	 * Making a node gives no access to the device: a container runtime
	 * makes every node of its spec, and an open of one is decided here.
	 */
	if ((ctx->access_type >> 16) == BPF_DEVCG_ACC_MKNOD)
		return MG_REASON_NONE;
	mkey.major = ctx->major;
	mkey.gen = cfg->active_gen;
	*ret_gpu = bpf_map_lookup_elem(&mg_gpu_majors, &mkey);
	if (!*ret_gpu)
		return MG_REASON_NONE; /* not a GPU: not ours to decide */
	if (mg_killswitch())
		return MG_REASON_KILLSWITCH;
	if (!mg_device_allowed(scope->scope_id, cfg->active_gen, ctx->major, ctx->minor))
		return MG_REASON_GPU;
	return MG_REASON_NONE;
}

/* Decides, counts and reports. */
SEC("cgroup/dev")
int mg_device(struct bpf_cgroup_dev_ctx *ctx)
{
	const struct mg_gpu_major_val *gpu;
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	struct mg_event *e;
	__u8 reason, verdict;
	__u64 cgid;

	reason = mg_device_decide(ctx, &cfg, &scope, &cgid, &gpu);
	if (!gpu || !cfg || !scope)
		return 1;
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_DEVICE, MG_VERDICT_ALLOW));
		return 1;
	}

	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_DEVICE, verdict));
	e = mg_event_new(cfg, scope, cgid, MG_HOOK_DEVICE, verdict, reason);
	if (e) {
		e->dev.major = ctx->major;
		e->dev.minor = ctx->minor;
		e->dev.access = ctx->access_type >> 16;
		e->dev.driver = gpu->driver;
		bpf_ringbuf_submit(e, 0);
	}
	return verdict == MG_VERDICT_DENY ? 0 : 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
