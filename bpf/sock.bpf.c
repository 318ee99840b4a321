// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Sockets of a scope, on its cgroup (no LSM needed, so both engines):
 *
 * cgroup/sock_create: of IPv4 and IPv6, only TCP and UDP sockets are made
 * (raw sockets, ICMP "ping" sockets, SCTP, MPTCP, UDP-Lite and every other
 * protocol are refused with EPERM). The other families are decided by
 * lsm/socket_create or the socket() tracepoint.
 *
 * cgroup_skb/egress: the backstop, then the egress budgets (budget.bpf.h).
 * Every packet a scope's socket sends is
 * checked against where it really goes, its IP header's destination: a
 * packet to the peer its socket connected to passes at once (connect4/6
 * decided that peer, or the peer connected in); any other is looked up in
 * the scope's egress list like a send. So options that make the packet's
 * destination differ from the one connect or sendmsg saw (IPv4 source
 * routing, IPv6 routing headers, IPsec tunnels) cannot take data elsewhere:
 * packets with IPv4 options or IPv6 extension headers go only to the
 * socket's peer.
 */
#include "budget.bpf.h"

#define AF_INET	    2
#define AF_INET6    10
#define SOCK_STREAM 1
#define SOCK_DGRAM  2
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

SEC("cgroup/sock_create")
int mg_sock_create(struct bpf_sock *ctx)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u32 family = ctx->family, type = ctx->type, protocol = ctx->protocol;
	__u8 verdict;
	__u64 cgid;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 1;
	if ((family == AF_INET || family == AF_INET6) &&
	    ((type == SOCK_STREAM && protocol == IPPROTO_TCP) ||
	     (type == SOCK_DGRAM && protocol == IPPROTO_UDP))) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_SOCKET, MG_VERDICT_ALLOW));
		mg_sock_own(ctx);
		return 1;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_socket_refused(cfg, scope, cgid, verdict, family, type, protocol);
	return verdict == MG_VERDICT_DENY ? 0 : 1;
}

static __always_inline bool mg_skb_ports_allow(const struct mg_egress_val *val, __u16 port,
					       __u8 proto)
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

/* What a packet's headers say: destination (IPv4-mapped for IPv4), port, protocol. */
struct mg_pkt {
	__u8 addr[16];
	__u16 port; /* network byte order */
	__u8 proto; /* IPPROTO_TCP, IPPROTO_UDP, or 0: anything else (options, extension headers) */
	__u8 v4;
};

static __always_inline int mg_skb_parse(struct __sk_buff *skb, struct mg_pkt *p)
{
	__u8 first;
	__u32 l4 = 0;
	__u8 proto;
	__u16 ports[2];

	__builtin_memset(p, 0, sizeof(*p));
	if (bpf_skb_load_bytes(skb, 0, &first, 1))
		return -1;
	if ((first >> 4) == 4) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
			return -1;
		p->v4 = 1;
		p->addr[10] = 0xff;
		p->addr[11] = 0xff;
		__builtin_memcpy(&p->addr[12], &ip.daddr, 4);
		proto = ip.protocol;
		if (ip.ihl != 5)
			proto = 0; /* IP options: source routing sends it elsewhere first */
		l4 = sizeof(ip);
	} else if ((first >> 4) == 6) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
			return -1;
		__builtin_memcpy(p->addr, &ip6.daddr, 16);
		proto = ip6.nexthdr; /* an extension header (routing, ...) is none of ours */
		l4 = sizeof(ip6);
	} else {
		return -1;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, l4, ports, sizeof(ports)))
		return -1;
	p->proto = proto;
	p->port = ports[1];
	return 0;
}

/*
 * A socket field, loaded at its own offset: the verifier refuses pointer
 * arithmetic on a socket, which the compiler would otherwise do to share
 * one base address between the loads.
 */
#define MG_SK_LOAD(sk, field) (*(volatile __typeof__((sk)->field) *)&(sk)->field)

/* Is the packet going to the peer its socket is connected to? */
static __always_inline bool mg_skb_to_peer(struct bpf_sock *sk, const struct mg_pkt *p)
{
	__u16 peer_port = MG_SK_LOAD(sk, dst_port);
	__u32 family = MG_SK_LOAD(sk, family), d[4], a[4];

	if (!peer_port || peer_port != p->port)
		return false;
	__builtin_memcpy(a, p->addr, 16);
	if (family == AF_INET)
		return p->v4 && a[3] == MG_SK_LOAD(sk, dst_ip4);
	d[0] = MG_SK_LOAD(sk, dst_ip6[0]);
	d[1] = MG_SK_LOAD(sk, dst_ip6[1]);
	d[2] = MG_SK_LOAD(sk, dst_ip6[2]);
	d[3] = MG_SK_LOAD(sk, dst_ip6[3]);
	return a[0] == d[0] && a[1] == d[1] && a[2] == d[2] && a[3] == d[3];
}

/*
 * The event of a refused packet. A packet may leave in softirq or from a
 * timer, and on kernels such as 6.1 a cgroup_skb program may not ask for
 * the current task, so the event has no pid or command, and the scope's
 * rate limit is kept here without its summary events (suppressed events
 * are counted).
 */
static __always_inline struct mg_event *mg_skb_event(const struct mg_config *cfg,
						     const struct mg_scope_val *scope, __u64 cgid,
						     __u8 verdict)
{
	__u32 key = scope->scope_id;
	struct mg_event *e;
	struct mg_rate *r;

	if (cfg->event_rate) {
		r = bpf_map_lookup_elem(&mg_ratelimit, &key);
		if (r) {
			__u64 now = bpf_ktime_get_boot_ns();

			if (now - r->window_start_ns >= 1000000000ULL) {
				r->window_start_ns = now;
				r->count = 0;
			}
			if (r->count >= cfg->event_rate) {
				mg_count(MG_ERR_COUNTER_BASE + MG_ERR_RATE_LIMITED);
				return NULL;
			}
			r->count++;
		}
	}
	e = bpf_ringbuf_reserve(&mg_events, sizeof(*e), 0);
	if (!e) {
		mg_count(MG_ERR_COUNTER_BASE + MG_ERR_RINGBUF_FULL);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = cgid;
	e->gen = cfg->active_gen;
	e->scope_id = scope->scope_id;
	e->hook = MG_HOOK_SKB_EGRESS;
	e->verdict = verdict;
	e->engine = cfg->engine[MG_HOOK_SKB_EGRESS];
	e->reason = MG_REASON_EGRESS;
	return e;
}

/* Where the packet really goes: 1 to send it, 0 to drop it. */
static __always_inline int mg_skb_destination(struct __sk_buff *skb, const struct mg_config *cfg,
					      const struct mg_scope_val *scope, __u64 cgid)
{
	const struct mg_egress_val *val;
	struct mg_egress_key key = {};
	struct bpf_sock *sk;
	struct mg_event *e;
	struct mg_pkt p;
	__u8 reason = MG_REASON_NONE, verdict, proto = 0;
	__u32 state;

	sk = skb->sk;
	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1; /* a request socket: the SYN-ACK to a client connecting in */
	state = MG_SK_LOAD(sk, state);
	if (state == BPF_TCP_LISTEN || state == BPF_TCP_NEW_SYN_RECV)
		return 1; /* a listener's SYN-ACK, to a client connecting in */
	if (mg_skb_parse(skb, &p)) {
		reason = MG_REASON_EGRESS; /* unreadable headers: fail closed */
	} else if (p.proto && mg_skb_to_peer(sk, &p)) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_SKB_EGRESS, MG_VERDICT_ALLOW));
		return 1;
	} else if (mg_killswitch()) {
		reason = MG_REASON_KILLSWITCH;
	} else {
		proto = p.proto == IPPROTO_TCP ? MG_PROTO_TCP :
			p.proto == IPPROTO_UDP ? MG_PROTO_UDP :
						 0;
		key.prefixlen = MG_EGRESS_KEY_FIXED_BITS + 128;
		key.scope_id = scope->scope_id;
		key.gen = cfg->active_gen;
		__builtin_memcpy(key.addr, p.addr, 16);
		val = bpf_map_lookup_elem(&mg_egress, &key);
		if (!mg_skb_ports_allow(val, bpf_ntohs(p.port), proto))
			reason = MG_REASON_EGRESS;
	}
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_SKB_EGRESS, MG_VERDICT_ALLOW));
		return 1;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_SKB_EGRESS, verdict));
	e = mg_skb_event(cfg, scope, cgid, verdict);
	if (e) {
		e->reason = reason;
		__builtin_memcpy(e->net.addr, p.addr, 16);
		e->net.port = bpf_ntohs(p.port);
		e->net.family = p.v4 ? AF_INET : AF_INET6;
		e->net.protocol = p.proto;
		bpf_ringbuf_submit(e, 0);
	}
	return verdict == MG_VERDICT_DENY ? 0 : 1;
}

/* Every packet of a scope's sockets: its destination, then its scope's and licence's budgets. */
SEC("cgroup_skb/egress")
int mg_skb_egress(struct __sk_buff *skb)
{
	const struct mg_config *cfg = mg_config_get();
	const struct mg_scope_val *scope;
	struct bpf_sock *sk;
	__u64 cgid, scope_cgid;

	if (!cfg)
		return 1;
	scope = mg_skb_scope(skb, cfg->active_gen, &cgid, &scope_cgid);
	if (!scope)
		return 1;
	if (cfg->engine[MG_HOOK_SKB_EGRESS] == MG_ENGINE_CGROUP &&
	    !mg_skb_destination(skb, cfg, scope, cgid))
		return 0;
	sk = skb->sk;
	if (sk)
		sk = bpf_sk_fullsock(sk);
	return mg_budget_charge(skb, cfg, scope, cgid, scope_cgid, sk);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
