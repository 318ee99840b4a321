/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every mguard BPF program shares: the maps, the scope check that comes
 * first in every program, counters and events. The maps are declared __weak
 * here so each .bpf.c file can use them; the static linker keeps one copy.
 */
#ifndef MGUARD_COMMON_BPF_H
#define MGUARD_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#include "mguard_abi.h"

#define EPERM 1

/* Sized by the loader from the compiled policy (two generations' worth). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_config);
} mg_config SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_control);
} mg_control SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * MG_MAX_SCOPES);
	__type(key, struct mg_scope_key);
	__type(value, struct mg_scope_val);
} mg_scopes SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct mg_inode_key);
	__type(value, struct mg_inode_val);
} mg_inodes SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct mg_output_key);
	__type(value, struct mg_output_val);
} mg_outputs SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct mg_license_key);
	__type(value, struct mg_license_val);
} mg_licenses SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct mg_egress_key);
	__type(value, struct mg_egress_val);
} mg_egress SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MG_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} mg_counters SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MG_MAX_SCOPES + 1);
	__type(key, __u32);
	__type(value, struct mg_rate);
} mg_ratelimit SEC(".maps") __weak;

/* narrowed: process id (tgid) -> the egress list it is narrowed to. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct mg_narrow_val);
} mg_narrowed SEC(".maps") __weak;

/* sock_owner: a scope's socket -> the process it counts as (mguard_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct mg_sock_owner);
} mg_sock_owner SEC(".maps") __weak;

/*
 * The current process becomes @sk's owner: its packets count against the
 * budget of the licence that narrowed the process (budget.bpf.h). A socket
 * with no room for the mark counts as nobody's.
 */
static __always_inline void mg_sock_own(struct bpf_sock *sk)
{
	struct mg_sock_owner *o =
		bpf_sk_storage_get(&mg_sock_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	if (o)
		o->tgid = bpf_get_current_pid_tgid() >> 32;
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, MG_RINGBUF_BYTES);
} mg_events SEC(".maps") __weak;

static __always_inline void mg_count(__u32 index)
{
	__u64 *c = bpf_map_lookup_elem(&mg_counters, &index);

	if (c)
		*c += 1;
}

/*
 * The policy in force, or NULL when none is: then nothing is guarded.
 * A config map that cannot be read is impossible for an array; counted.
 */
static __always_inline const struct mg_config *mg_config_get(void)
{
	__u32 zero = 0;
	const struct mg_config *cfg = bpf_map_lookup_elem(&mg_config, &zero);

	if (!cfg) {
		mg_count(MG_ERR_COUNTER_BASE + MG_ERR_NO_CONFIG);
		return NULL;
	}
	if (!cfg->active_gen)
		return NULL;
	return cfg;
}

/*
 * cgroup id -> the scope it is in (the cgroup id of that scope, 0 for none)
 * under one policy generation. A cgroup's ancestors never change and its id
 * is never reused, so the answer holds for as long as the generation is in
 * force: most calls cost one lookup instead of one per ancestor. Pinned, so
 * that mguard oci-hook, which binds a cgroup whose runtime already ran in
 * it, can drop the cgroup's entry (the runtime's processes wait while the
 * hook runs).
 */
struct mg_scope_hit {
	__u64 scope_cgid;
	__u32 gen;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MG_SCOPE_CACHE_ENTRIES);
	__type(key, __u64);
	__type(value, struct mg_scope_hit);
} mg_scope_cache SEC(".maps") __weak;

/*
 * Walk the current task's cgroup and its ancestors for a scope. Ancestors
 * are walked from the root down, so a scope nested in another wins.
 */
static __always_inline const struct mg_scope_val *mg_scope_walk(__u32 gen, __u64 self,
								__u64 *ret_scope_cgid)
{
	struct mg_scope_key key = { .cgroup_id = self, .gen = gen };
	const struct mg_scope_val *scope, *found = NULL;

	*ret_scope_cgid = 0;
	scope = bpf_map_lookup_elem(&mg_scopes, &key);
	if (scope) {
		*ret_scope_cgid = self;
		return scope;
	}
	for (int level = 1; level < MG_MAX_CGROUP_DEPTH; level++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(level);

		if (!id || id == self)
			break;
		key.cgroup_id = id;
		scope = bpf_map_lookup_elem(&mg_scopes, &key);
		if (scope) {
			found = scope;
			*ret_scope_cgid = id;
		}
	}
	return found;
}

/*
 * The scope of the current task: its own cgroup, else the closest ancestor
 * that is a scope. Returns NULL for tasks outside every scope: every program
 * calls this first and lets everything else through untouched.
 */
static __always_inline const struct mg_scope_val *mg_scope_current(__u32 gen, __u64 *ret_cgid)
{
	__u64 self = bpf_get_current_cgroup_id();
	struct mg_scope_hit *hit, fresh = { .gen = gen };
	const struct mg_scope_val *scope;

	*ret_cgid = self;
	hit = bpf_map_lookup_elem(&mg_scope_cache, &self);
	if (hit && hit->gen == gen) {
		struct mg_scope_key key = { .cgroup_id = hit->scope_cgid, .gen = gen };

		if (!key.cgroup_id)
			return NULL;
		scope = bpf_map_lookup_elem(&mg_scopes, &key);
		if (scope)
			return scope;
		/* A scope of the generation in force is never deleted: not reached. */
	}
	scope = mg_scope_walk(gen, self, &fresh.scope_cgid);
	bpf_map_update_elem(&mg_scope_cache, &self, &fresh, BPF_ANY);
	return scope;
}

/*
 * What every program does first: the policy in force and the current task's
 * scope. NULL, to let the call through untouched, when no policy is in force
 * or the task is outside every scope.
 */
static __always_inline const struct mg_scope_val *mg_scope_enter(const struct mg_config **ret_cfg,
								 __u64 *ret_cgid)
{
	const struct mg_config *cfg = mg_config_get();

	*ret_cfg = cfg;
	if (!cfg)
		return NULL;
	return mg_scope_current(cfg->active_gen, ret_cgid);
}

/* Is the kill switch engaged? An unreadable control map counts as engaged. */
static __always_inline bool mg_killswitch(void)
{
	__u32 zero = 0;
	const struct mg_control *ctl = bpf_map_lookup_elem(&mg_control, &zero);

	return !ctl || ctl->killswitch;
}

/* Verdict for a decision that is not a plain allow, after mode and engine. */
static __always_inline __u8 mg_deny_verdict(const struct mg_config *cfg, __u8 enforce_verdict)
{
	return cfg->mode == MG_MODE_AUDIT ? MG_VERDICT_AUDIT : enforce_verdict;
}

static __always_inline void mg_event_fill(struct mg_event *e, const struct mg_config *cfg,
					  const struct mg_scope_val *scope, __u64 cgid, __u8 hook,
					  __u8 verdict, __u8 reason)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ugid = bpf_get_current_uid_gid();

	__builtin_memset(e, 0, sizeof(*e));
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = cgid;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->gen = cfg->active_gen;
	e->scope_id = scope->scope_id;
	e->hook = hook;
	e->verdict = verdict;
	e->engine = cfg->engine[hook & (MG_HOOK_SLOTS - 1)];
	e->reason = reason;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->uid = (__u32)ugid;
	e->gid = ugid >> 32;
}

/* A summary event of the rate limit (best effort: a full ring buffer counts it). */
static __always_inline void mg_rate_summary(const struct mg_config *cfg,
					    const struct mg_scope_val *scope, __u64 cgid, __u8 hook,
					    __u8 verdict, __u8 reason, __u32 suppressed)
{
	struct mg_event *e = bpf_ringbuf_reserve(&mg_events, sizeof(*e), 0);

	if (!e) {
		mg_count(MG_ERR_COUNTER_BASE + MG_ERR_RINGBUF_FULL);
		return;
	}
	mg_event_fill(e, cfg, scope, cgid, hook, verdict, reason);
	e->rate.suppressed = suppressed;
	e->rate.limit = cfg->event_rate;
	bpf_ringbuf_submit(e, 0);
}

/*
 * May the scope send one more event now? A fixed one-second window per
 * scope; when the limit kicks in and when it lifts, one summary event says
 * so. Concurrent CPUs may let a few more through: the limit protects the
 * ring buffer, it is not an accounting.
 */
static __always_inline bool mg_rate_allow(const struct mg_config *cfg,
					  const struct mg_scope_val *scope, __u64 cgid, __u8 hook,
					  __u8 verdict)
{
	__u32 key = scope->scope_id;
	struct mg_rate *r;
	__u64 now;

	if (!cfg->event_rate)
		return true;
	r = bpf_map_lookup_elem(&mg_ratelimit, &key);
	if (!r)
		return true;
	now = bpf_ktime_get_boot_ns();
	if (now - r->window_start_ns >= 1000000000ULL) {
		__u32 suppressed = r->suppressed;
		bool was_limited = r->limited;

		r->window_start_ns = now;
		r->count = 0;
		r->suppressed = 0;
		r->limited = 0;
		if (was_limited)
			mg_rate_summary(cfg, scope, cgid, hook, verdict, MG_REASON_RATE_RESUMED,
					suppressed);
	}
	if (r->count < cfg->event_rate) {
		r->count++;
		return true;
	}
	__sync_fetch_and_add(&r->suppressed, 1);
	mg_count(MG_ERR_COUNTER_BASE + MG_ERR_RATE_LIMITED);
	if (!r->limited) {
		r->limited = 1;
		mg_rate_summary(cfg, scope, cgid, hook, verdict, MG_REASON_RATE_LIMITED, 0);
	}
	return false;
}

/*
 * Reserve an event with its common part filled. NULL when the scope is over
 * its rate (counted, summarised) or the ring buffer is full (counted).
 */
static __always_inline struct mg_event *mg_event_new(const struct mg_config *cfg,
						     const struct mg_scope_val *scope, __u64 cgid,
						     __u8 hook, __u8 verdict, __u8 reason)
{
	struct mg_event *e;

	if (!mg_rate_allow(cfg, scope, cgid, hook, verdict))
		return NULL;
	e = bpf_ringbuf_reserve(&mg_events, sizeof(*e), 0);
	if (!e) {
		mg_count(MG_ERR_COUNTER_BASE + MG_ERR_RINGBUF_FULL);
		return NULL;
	}
	mg_event_fill(e, cfg, scope, cgid, hook, verdict, reason);
	return e;
}

/* A socket refused (at creation, or a message it sends): counted, and reported as asked for. */
static __always_inline void mg_socket_refused(const struct mg_config *cfg,
					      const struct mg_scope_val *scope, __u64 cgid,
					      __u8 verdict, __u32 family, __u32 type,
					      __u32 protocol)
{
	struct mg_event *e;

	mg_count(MG_COUNTER_INDEX(MG_HOOK_SOCKET, verdict));
	e = mg_event_new(cfg, scope, cgid, MG_HOOK_SOCKET, verdict, MG_REASON_SOCKET);
	if (!e)
		return;
	e->sock.family = family;
	e->sock.type = type;
	e->sock.protocol = protocol;
	bpf_ringbuf_submit(e, 0);
}

#endif /* MGUARD_COMMON_BPF_H */
