// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Egress budgets: what a scope's sockets send is counted per fixed window,
 * and the packets over the budget are dropped. So is what the sockets of a
 * process narrowed by a licence with an egressBudget send, per licence
 * within the scope (its socket's owner, mg_sock_owner, is narrowed). Run by
 * the one cgroup_skb/egress program (sock.bpf.c) after the packet's
 * destination was checked, so a packet refused for where it goes costs no
 * budget, and a packet one budget drops costs the other nothing. Needs no
 * LSM: every engine uses it.
 */
#ifndef MGUARD_BUDGET_BPF_H
#define MGUARD_BUDGET_BPF_H

#include "skb.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * MG_MAX_SCOPES);
	__type(key, struct mg_budget_key);
	__type(value, struct mg_budget);
} mg_budget SEC(".maps") __weak;

/* What a budget allows: bytes per window, and whose it is (0: the scope's). */
struct mg_budget_rule {
	__u64 bytes;
	__u64 window_ns;
	__u32 narrow_id;
};

/* One EXHAUSTED or REFILLED event; these are two per window at most, never rate-limited. */
static __always_inline void mg_budget_event(const struct mg_config *cfg,
					    const struct mg_scope_val *scope, __u64 cgid,
					    const struct mg_budget_rule *rule, __u8 verdict,
					    __u8 reason, __u64 sent, __u64 dropped)
{
	struct mg_event *e = bpf_ringbuf_reserve(&mg_events, sizeof(*e), 0);

	if (!e) {
		mg_count(MG_ERR_COUNTER_BASE + MG_ERR_RINGBUF_FULL);
		return;
	}
	/* No task: the packet may leave in softirq, on behalf of nobody in particular. */
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = cgid;
	e->gen = cfg->active_gen;
	e->scope_id = scope->scope_id;
	e->hook = MG_HOOK_EGRESS_BUDGET;
	e->verdict = verdict;
	e->engine = cfg->engine[MG_HOOK_EGRESS_BUDGET];
	e->reason = reason;
	e->budget.budget_bytes = rule->bytes;
	e->budget.window_ns = rule->window_ns;
	e->budget.sent = sent;
	e->budget.dropped_packets = dropped;
	e->budget.narrow_id = rule->narrow_id;
	bpf_ringbuf_submit(e, 0);
}

/* The window of @rule in scope @scope_cgid, made on its first packet; NULL only when the map is full. */
static __always_inline struct mg_budget *
mg_budget_window(__u64 scope_cgid, const struct mg_budget_rule *rule, __u64 now)
{
	struct mg_budget_key key = { .cgroup_id = scope_cgid, .narrow_id = rule->narrow_id };
	struct mg_budget *b = bpf_map_lookup_elem(&mg_budget, &key);
	struct mg_budget fresh = { .window_start_ns = now,
				   .budget_bytes = rule->bytes,
				   .window_ns = rule->window_ns };

	if (b)
		return b;
	bpf_map_update_elem(&mg_budget, &key, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&mg_budget, &key);
}

/*
 * Count @len bytes sent at @now against window @b of @rule: 1 when they
 * fit (or audit mode lets them pass), 0 when the packet is dropped, which
 * then counts nothing.
 */
static __always_inline int mg_budget_count(const struct mg_config *cfg,
					   const struct mg_scope_val *scope, __u64 cgid,
					   const struct mg_budget_rule *rule, struct mg_budget *b,
					   __u64 len, __u64 now)
{
	__u64 sent;
	__u8 verdict;

	if (now - b->window_start_ns >= rule->window_ns) {
		__u64 last = b->sent;

		b->window_start_ns = now;
		b->sent = 0;
		b->budget_bytes = rule->bytes;
		b->window_ns = rule->window_ns;
		if (__sync_val_compare_and_swap(&b->exhausted, 1, 0) == 1)
			mg_budget_event(cfg, scope, cgid, rule, MG_VERDICT_ALLOW,
					MG_REASON_BUDGET_REFILLED, last, b->dropped_packets);
	}

	sent = __sync_fetch_and_add(&b->sent, len) + len;
	if (sent <= rule->bytes)
		return 1;

	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_EGRESS_BUDGET, verdict));
	if (verdict == MG_VERDICT_DENY) {
		/* Not sent: it does not count against the window. */
		__sync_fetch_and_add(&b->sent, -len);
		__sync_fetch_and_add(&b->dropped_packets, 1);
		__sync_fetch_and_add(&b->dropped_bytes, len);
	}
	if (__sync_val_compare_and_swap(&b->exhausted, 0, 1) == 0) {
		__sync_fetch_and_add(&b->exhausted_windows, 1);
		mg_budget_event(cfg, scope, cgid, rule, verdict, MG_REASON_BUDGET_EXHAUSTED,
				sent - len, b->dropped_packets);
	}
	return verdict == MG_VERDICT_DENY ? 0 : 1;
}

/*
 * The licence budget of the process the packet's socket @sk (a full
 * socket, or NULL) counts as, in *ret: false when it has none.
 */
static __always_inline bool mg_budget_narrowed(struct bpf_sock *sk, struct mg_budget_rule *ret)
{
	const struct mg_narrow_val *nv;
	struct mg_sock_owner *o;
	__u32 tgid;

	if (!sk)
		return false;
	o = bpf_sk_storage_get(&mg_sock_owner, sk, 0, 0);
	if (!o)
		return false;
	tgid = o->tgid;
	nv = bpf_map_lookup_elem(&mg_narrowed, &tgid);
	/* The budget the licence had when it narrowed the process, as its egress list is. */
	if (!nv || !nv->budget_bytes)
		return false;
	ret->bytes = nv->budget_bytes;
	ret->window_ns = nv->budget_window_ns;
	ret->narrow_id = nv->narrow_id;
	return true;
}

/*
 * Counts @skb, sent by socket @sk (a full socket, or NULL), against the
 * budget of its scope (of cgroup @scope_cgid) and that of the licence that
 * narrowed the socket's owner: 1 to send it, 0 to drop it. A scope without
 * a budget, and a socket of no narrowed process, send everything.
 */
static __always_inline int mg_budget_charge(struct __sk_buff *skb, const struct mg_config *cfg,
					    const struct mg_scope_val *scope, __u64 cgid,
					    __u64 scope_cgid, struct bpf_sock *sk)
{
	struct mg_budget_rule own = { .bytes = scope->budget_bytes,
				      .window_ns = scope->budget_window_ns },
			      lic;
	struct mg_budget *sb = NULL, *lb;
	bool narrowed = mg_budget_narrowed(sk, &lic);
	__u64 now, len = skb->len;

	if (!own.bytes && !narrowed)
		return 1;
	now = bpf_ktime_get_boot_ns();
	if (own.bytes) {
		sb = mg_budget_window(scope_cgid, &own, now);
		if (!sb) {
			/* No room to count: fails closed. */
			mg_count(MG_COUNTER_INDEX(MG_HOOK_EGRESS_BUDGET, MG_VERDICT_DENY));
			return 0;
		}
		if (!mg_budget_count(cfg, scope, cgid, &own, sb, len, now))
			return 0;
	}
	if (narrowed) {
		lb = mg_budget_window(scope_cgid, &lic, now);
		if (!lb || !mg_budget_count(cfg, scope, cgid, &lic, lb, len, now)) {
			if (!lb)
				mg_count(MG_COUNTER_INDEX(MG_HOOK_EGRESS_BUDGET, MG_VERDICT_DENY));
			if (sb) /* not sent: the scope's window gets it back */
				__sync_fetch_and_add(&sb->sent, -len);
			return 0;
		}
	}
	mg_count(MG_COUNTER_INDEX(MG_HOOK_EGRESS_BUDGET, MG_VERDICT_ALLOW));
	return 1;
}

#endif /* MGUARD_BUDGET_BPF_H */
