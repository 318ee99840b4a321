// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Egress budgets: what a scope's sockets send is counted per fixed window,
 * and the packets over the budget are dropped. Run by the one
 * cgroup_skb/egress program (sock.bpf.c) after the packet's destination
 * was checked, so a packet refused for where it goes costs no budget.
 * Needs no LSM: both engines use it.
 */
#ifndef MGUARD_BUDGET_BPF_H
#define MGUARD_BUDGET_BPF_H

#include "skb.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_SCOPES);
	__type(key, __u64);
	__type(value, struct mg_budget);
} mg_budget SEC(".maps") __weak;

/* One EXHAUSTED or REFILLED event; these are two per window at most, never rate-limited. */
static __always_inline void mg_budget_event(const struct mg_config *cfg,
					    const struct mg_scope_val *scope, __u64 cgid,
					    __u8 verdict, __u8 reason, __u64 sent, __u64 dropped)
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
	e->budget.budget_bytes = scope->budget_bytes;
	e->budget.window_ns = scope->budget_window_ns;
	e->budget.sent = sent;
	e->budget.dropped_packets = dropped;
	bpf_ringbuf_submit(e, 0);
}

/* The scope's window, made on its first packet; NULL only when the map is full. */
static __always_inline struct mg_budget *mg_budget_window(__u64 scope_cgid, __u64 now)
{
	struct mg_budget *b = bpf_map_lookup_elem(&mg_budget, &scope_cgid);
	struct mg_budget fresh = { .window_start_ns = now };

	if (b)
		return b;
	bpf_map_update_elem(&mg_budget, &scope_cgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&mg_budget, &scope_cgid);
}

/*
 * Counts @skb against the budget of its scope (of cgroup @scope_cgid): 1
 * to send it, 0 to drop it. A scope without a budget sends everything.
 */
static __always_inline int mg_budget_charge(struct __sk_buff *skb, const struct mg_config *cfg,
					    const struct mg_scope_val *scope, __u64 cgid,
					    __u64 scope_cgid)
{
	__u64 now, len, sent;
	struct mg_budget *b;
	__u8 verdict;

	if (!scope->budget_bytes)
		return 1;
	now = bpf_ktime_get_boot_ns();
	b = mg_budget_window(scope_cgid, now);
	if (!b) {
		/* No room to count: fails closed. */
		mg_count(MG_COUNTER_INDEX(MG_HOOK_EGRESS_BUDGET, MG_VERDICT_DENY));
		return 0;
	}
	if (now - b->window_start_ns >= scope->budget_window_ns) {
		__u64 last = b->sent;

		b->window_start_ns = now;
		b->sent = 0;
		if (__sync_val_compare_and_swap(&b->exhausted, 1, 0) == 1)
			mg_budget_event(cfg, scope, cgid, MG_VERDICT_ALLOW,
					MG_REASON_BUDGET_REFILLED, last, b->dropped_packets);
	}

	len = skb->len;
	sent = __sync_fetch_and_add(&b->sent, len) + len;
	if (sent <= scope->budget_bytes) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_EGRESS_BUDGET, MG_VERDICT_ALLOW));
		return 1;
	}

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
		mg_budget_event(cfg, scope, cgid, verdict, MG_REASON_BUDGET_EXHAUSTED, sent - len,
				b->dropped_packets);
	}
	return verdict == MG_VERDICT_DENY ? 0 : 1;
}

#endif /* MGUARD_BUDGET_BPF_H */
