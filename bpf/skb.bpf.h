// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The scope of a packet: a cgroup_skb program runs where the packet leaves
 * (in softirq for a retransmission or a timer), so the scope is that of the
 * socket's cgroup and its ancestors, not the current task's.
 */
#ifndef MGUARD_SKB_BPF_H
#define MGUARD_SKB_BPF_H

#include "common.bpf.h"

/*
 * The scope of the socket that sends @skb, as mg_scope_current() finds
 * that of a task (the same cache: a cgroup id means one scope per
 * generation whoever asks). NULL outside every scope.
 */
static __always_inline const struct mg_scope_val *
mg_skb_scope(struct __sk_buff *skb, __u32 gen, __u64 *ret_cgid, __u64 *ret_scope_cgid)
{
	__u64 self = bpf_skb_cgroup_id(skb);
	struct mg_scope_hit *hit, fresh = { .gen = gen };
	struct mg_scope_key key = { .gen = gen };
	const struct mg_scope_val *scope, *found = NULL;

	*ret_cgid = self;
	*ret_scope_cgid = 0;
	if (!self)
		return NULL;
	hit = bpf_map_lookup_elem(&mg_scope_cache, &self);
	if (hit && hit->gen == gen) {
		if (!hit->scope_cgid)
			return NULL;
		key.cgroup_id = hit->scope_cgid;
		scope = bpf_map_lookup_elem(&mg_scopes, &key);
		if (scope) {
			*ret_scope_cgid = hit->scope_cgid;
			return scope;
		}
	}
	key.cgroup_id = self;
	found = bpf_map_lookup_elem(&mg_scopes, &key);
	if (found) {
		fresh.scope_cgid = self;
	} else {
		for (int level = 1; level < MG_MAX_CGROUP_DEPTH; level++) {
			__u64 id = bpf_skb_ancestor_cgroup_id(skb, level);

			if (!id || id == self)
				break;
			key.cgroup_id = id;
			scope = bpf_map_lookup_elem(&mg_scopes, &key);
			if (scope) {
				found = scope;
				fresh.scope_cgid = id;
			}
		}
	}
	bpf_map_update_elem(&mg_scope_cache, &self, &fresh, BPF_ANY);
	*ret_scope_cgid = fresh.scope_cgid;
	return found;
}

#endif /* MGUARD_SKB_BPF_H */
