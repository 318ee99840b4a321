// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Outputs to the network: cgroup connect and sendmsg programs attached to
 * each scope's anchor, a stable ancestor of its cgroup (kernel/bind.h). A
 * destination is allowed when the longest prefix that holds it in the
 * scope's trie lists its port and protocol; everything else is refused with
 * EPERM. These need no LSM, so both engines use them.
 */
#include "common.bpf.h"

#define AF_INET	    2
#define AF_INET6    10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

static __always_inline bool mg_ports_allow(const struct mg_egress_val *val, __u16 port, __u8 proto)
{
	if (!val || !proto)
		return false;
	for (int i = 0; i < MG_MAX_PORT_RANGES; i++) {
		const struct mg_port_range *r = &val->ranges[i];

		if (i >= val->nranges)
			break;
		if ((r->protos & proto) && port >= r->lo && port <= r->hi)
			return true;
	}
	return false;
}

static __always_inline int mg_connect(struct bpf_sock_addr *ctx, __u8 hook, const __u8 addr[16],
				      __u16 family)
{
	const struct mg_scope_val *scope;
	const struct mg_egress_val *val;
	const struct mg_config *cfg;
	struct mg_egress_key key = {};
	struct mg_event *e;
	__u8 reason = MG_REASON_NONE, verdict, proto = 0;
	__u32 protocol = ctx->protocol;
	__u16 port;
	__u64 cgid;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 1;

	port = bpf_ntohs((__u16)ctx->user_port);
	if (protocol == IPPROTO_TCP)
		proto = MG_PROTO_TCP;
	else if (protocol == IPPROTO_UDP)
		proto = MG_PROTO_UDP;

	key.prefixlen = MG_EGRESS_KEY_FIXED_BITS + 128;
	key.scope_id = scope->scope_id;
	key.gen = cfg->active_gen;
	__builtin_memcpy(key.addr, addr, 16);
	val = bpf_map_lookup_elem(&mg_egress, &key);

	if (mg_killswitch()) {
		reason = MG_REASON_KILLSWITCH;
	} else if (!mg_ports_allow(val, port, proto)) {
		reason = MG_REASON_EGRESS;
	} else {
		/* A process narrowed by a licence needs that list's consent too. */
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		const struct mg_narrow_val *nv = bpf_map_lookup_elem(&mg_narrowed, &tgid);

		if (nv && nv->gen == cfg->active_gen) {
			key.scope_id = nv->narrow_id;
			if (!mg_ports_allow(bpf_map_lookup_elem(&mg_egress, &key), port, proto))
				reason = MG_REASON_NARROWED;
		} else if (nv) {
			/* Narrowed under an older policy: the narrowest rule is nothing. */
			reason = MG_REASON_NARROWED;
		}
	}
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(hook, MG_VERDICT_ALLOW));
		/* What it now sends counts as this process's (budget.bpf.h). */
		if (ctx->sk)
			mg_sock_own(ctx->sk);
		return 1;
	}

	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(hook, verdict));
	e = mg_event_new(cfg, scope, cgid, hook, verdict, reason);
	if (e) {
		__builtin_memcpy(e->net.addr, addr, 16);
		e->net.port = port;
		e->net.family = family;
		e->net.protocol = protocol;
		bpf_ringbuf_submit(e, 0);
	}
	return verdict == MG_VERDICT_DENY ? 0 : 1;
}

static __always_inline int mg_check4(struct bpf_sock_addr *ctx, __u8 hook)
{
	__u32 ip4 = ctx->user_ip4; /* network byte order */
	__u8 addr[16];

	/* IPv4-mapped: ::ffff:a.b.c.d */
	__builtin_memset(addr, 0, 10);
	addr[10] = 0xff;
	addr[11] = 0xff;
	__builtin_memcpy(&addr[12], &ip4, 4);
	return mg_connect(ctx, hook, addr, AF_INET);
}

static __always_inline int mg_check6(struct bpf_sock_addr *ctx, __u8 hook)
{
	__u8 addr[16];
	__u32 w;

	/* The context allows 4-byte loads only. */
	w = ctx->user_ip6[0];
	__builtin_memcpy(&addr[0], &w, 4);
	w = ctx->user_ip6[1];
	__builtin_memcpy(&addr[4], &w, 4);
	w = ctx->user_ip6[2];
	__builtin_memcpy(&addr[8], &w, 4);
	w = ctx->user_ip6[3];
	__builtin_memcpy(&addr[12], &w, 4);
	return mg_connect(ctx, hook, addr, AF_INET6);
}

SEC("cgroup/connect4")
int mg_connect4(struct bpf_sock_addr *ctx)
{
	return mg_check4(ctx, MG_HOOK_CONNECT4);
}

SEC("cgroup/connect6")
int mg_connect6(struct bpf_sock_addr *ctx)
{
	return mg_check6(ctx, MG_HOOK_CONNECT6);
}

/*
 * Unconnected sends (sendto, sendmsg with an address: UDP, so DNS too). A
 * connected socket already passed connect; these catch the rest.
 */
SEC("cgroup/sendmsg4")
int mg_sendmsg4(struct bpf_sock_addr *ctx)
{
	return mg_check4(ctx, MG_HOOK_SENDMSG4);
}

SEC("cgroup/sendmsg6")
int mg_sendmsg6(struct bpf_sock_addr *ctx)
{
	return mg_check6(ctx, MG_HOOK_SENDMSG6);
}

/* A narrowed process's children are narrowed the same. */
SEC("tracepoint/sched/sched_process_fork")
int mg_tp_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	__u32 parent = bpf_get_current_pid_tgid() >> 32, child = ctx->child_pid;
	const struct mg_narrow_val *nv = bpf_map_lookup_elem(&mg_narrowed, &parent);

	if (nv && child != parent)
		bpf_map_update_elem(&mg_narrowed, &child, nv, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int mg_tp_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	if ((__u32)id == tgid)
		bpf_map_delete_elem(&mg_narrowed, &tgid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
