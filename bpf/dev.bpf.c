// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Devices: a cgroup device program attached to each scope's anchor, a
 * stable ancestor of its cgroup (kernel/bind.h). A task of a scope opens a
 * GPU device node only if the policy gave the scope that GPU (or the node is
 * a control node its GPUs need), and a block device, a kernel memory node or
 * a packet-injection node only if the policy lists it; every other device is
 * left to the rest of the system. Attached with BPF_F_ALLOW_MULTI semantics
 * (a link), so it holds in every cgroup below, and a container runtime that
 * rewrites its own device programs on its cgroup cannot remove this one.
 */
#include "dev.bpf.h"

#define BPF_DEVCG_DEV_BLOCK 1
#define BPF_DEVCG_DEV_CHAR  2
#define BPF_DEVCG_ACC_MKNOD 1

/*
 * The decision for one device access: GPU nodes by the scope's GPUs, block
 * devices and the guarded character devices (kernel memory, packet
 * injection) only when listed. Everything else is allowed at once.
 */
static __always_inline struct mg_dev_verdict mg_device_decide(struct bpf_cgroup_dev_ctx *ctx,
							      const struct mg_config **ret_cfg,
							      const struct mg_scope_val **ret_scope,
							      __u64 *ret_cgid)
{
	struct mg_dev_verdict none = { .reason = MG_REASON_NONE };
	const struct mg_scope_val *scope;
	__u32 type = ctx->access_type & 0xffff;

	scope = *ret_scope = mg_scope_enter(ret_cfg, ret_cgid);
	if (!scope)
		return none;
	if (type != BPF_DEVCG_DEV_CHAR && type != BPF_DEVCG_DEV_BLOCK)
		return none;
	/*
	 * Making a node gives no access to the device: a container runtime
	 * makes every node of its spec, and an open of one is decided here.
	 */
	if ((ctx->access_type >> 16) == BPF_DEVCG_ACC_MKNOD)
		return none;
	return mg_device_rules(*ret_cfg, scope, type == BPF_DEVCG_DEV_BLOCK, ctx->major,
			       ctx->minor);
}

/* Decides, counts and reports. */
SEC("cgroup/dev")
int mg_device(struct bpf_cgroup_dev_ctx *ctx)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	struct mg_dev_verdict v;
	struct mg_event *e;
	__u8 verdict;
	__u64 cgid;

	v = mg_device_decide(ctx, &cfg, &scope, &cgid);
	if (!v.decided || !cfg || !scope)
		return 1;
	if (v.reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_DEVICE, MG_VERDICT_ALLOW));
		return 1;
	}

	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_DEVICE, verdict));
	e = mg_event_new(cfg, scope, cgid, MG_HOOK_DEVICE, verdict, v.reason);
	if (e) {
		e->dev.major = ctx->major;
		e->dev.minor = ctx->minor;
		e->dev.access = ctx->access_type >> 16;
		e->dev.driver = v.gpu ? v.gpu->driver : 0;
		bpf_ringbuf_submit(e, 0);
	}
	return verdict == MG_VERDICT_DENY ? 0 : 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
