/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The guard's own hooks, the decisions of the engines that refuse with an
 * error: the BPF LSM hooks (guard_lsm.bpf.c) and fmod_ret programs on the
 * kernel's security_* functions of the same name (guard_fmodret.bpf.c).
 * Each returns 0 or -EPERM; the tracepoint engine (guard_tp.bpf.c) decides
 * from the syscall's arguments instead.
 */
#ifndef MGUARD_GUARD_REFUSE_BPF_H
#define MGUARD_GUARD_REFUSE_BPF_H

#include "guard.bpf.h"

#define CLONE_INTO_CGROUP 0x200000000ULL

/* A hook that denies every call from a scope: deny, count, event. */
static __always_inline int mg_guard_scope_denies(__u8 hook, __u8 reason)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 verdict;
	__u64 cgid;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_guard_event(cfg, scope, cgid, hook, verdict, reason, 0);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

/* Removing or renaming in folder @dir: refused on bpffs (the pins) and cgroup file systems. */
static __always_inline int mg_guard_fs_check(struct inode *dir)
{
	if (!mg_guard_fs(BPF_CORE_READ(dir, i_sb)))
		return 0;
	return mg_guard_scope_denies(MG_HOOK_PINS, MG_REASON_GUARD);
}

/* Another task: signals (@debug false) or its memory and descriptors (@debug true). */
static __always_inline int mg_guard_reach_check(struct task_struct *target, bool debug, __u8 hook)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 reason, verdict;
	__u64 cgid = 0;

	reason = mg_guard_reach(target, debug, &cfg, &scope, &cgid);
	if (reason == MG_REASON_NONE) {
		mg_guard_event(cfg, scope, cgid, hook, MG_VERDICT_ALLOW, reason, 0);
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_guard_event(cfg, scope, cgid, hook, verdict, reason, BPF_CORE_READ(target, tgid));
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

/*
 * PTRACE_TRACEME: the parent becomes the tracer. A task of a shielded scope
 * may not hand itself to a parent outside its scope.
 */
static __always_inline int mg_guard_traceme_check(struct task_struct *parent)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u64 cgid, theirs;
	__u8 verdict;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope || (scope->flags & MG_SCOPE_ALLOW_DEBUG))
		return 0;
	theirs = mg_scope_of_task(parent, cfg->active_gen);
	if (theirs && mg_scope_by_cgid(theirs, cfg->active_gen) == scope)
		return 0;
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_guard_event(cfg, scope, cgid, MG_HOOK_PTRACE, verdict, MG_REASON_SHIELDED,
		       BPF_CORE_READ(parent, tgid));
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

/* clone3 with CLONE_INTO_CGROUP: a new task of a scope would start in another cgroup. */
static __always_inline int mg_guard_task_alloc_check(unsigned long clone_flags)
{
	if (!(clone_flags & CLONE_INTO_CGROUP))
		return 0;
	return mg_guard_scope_denies(MG_HOOK_CGROUP_MOVE, MG_REASON_CGROUP_MOVE);
}

#endif /* MGUARD_GUARD_REFUSE_BPF_H */
