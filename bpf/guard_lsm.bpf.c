// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The guard itself and other processes, BPF LSM engine: a task in a scope
 * makes no bpf() call at all, removes or renames nothing on bpffs or a
 * cgroup file system, signals, traces or reads no process outside its scope,
 * and places no new task in another cgroup. A task outside a shielded scope
 * may not trace it, read its memory or take its descriptors
 * (ptrace_access_check is what ptrace, process_vm_readv/writev,
 * /proc/PID/mem, /proc/PID/fd, /proc/PID/map_files and pidfd_getfd ask).
 */
#include "guard.bpf.h"

#define CLONE_INTO_CGROUP 0x200000000ULL

/* A hook that denies every call from a scope: deny, count, event. */
static __always_inline int mg_lsm_scope_denies(__u8 hook, __u8 reason)
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

/*
 * bpf(): every command, from a scope. Getting a pinned object or one by id,
 * writing or deleting map entries, detaching links, loading programs: all
 * go through this hook first. (Its signature gained an argument in 6.9;
 * only the first is read, and an earlier denial is never overridden since
 * a task outside every scope gets 0 only where no other program ran.)
 */
SEC("lsm/bpf")
int BPF_PROG(mg_lsm_bpf, int cmd)
{
	return mg_lsm_scope_denies(MG_HOOK_BPF, MG_REASON_GUARD);
}

/* Removing or renaming on bpffs (the pins) and cgroup file systems (the scope's cgroup). */
static __always_inline int mg_lsm_guard_fs(struct inode *dir)
{
	if (!mg_guard_fs(BPF_CORE_READ(dir, i_sb)))
		return 0;
	return mg_lsm_scope_denies(MG_HOOK_PINS, MG_REASON_GUARD);
}

SEC("lsm/inode_unlink")
int BPF_PROG(mg_lsm_inode_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return mg_lsm_guard_fs(dir);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(mg_lsm_inode_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return mg_lsm_guard_fs(dir);
}

SEC("lsm/inode_rename")
int BPF_PROG(mg_lsm_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	if (mg_lsm_guard_fs(old_dir))
		return -EPERM;
	return mg_lsm_guard_fs(new_dir);
}

/* Another task: signals (@debug false) or its memory and descriptors (@debug true). */
static __always_inline int mg_lsm_reach(struct task_struct *target, bool debug, __u8 hook)
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

SEC("lsm/task_kill")
int BPF_PROG(mg_lsm_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	if (ret)
		return ret;
	return mg_lsm_reach(p, false, MG_HOOK_SIGNAL);
}

/* SIGIO and SIGURG to the owner a scope set with F_SETOWN. */
SEC("lsm/file_send_sigiotask")
int BPF_PROG(mg_lsm_file_send_sigiotask, struct task_struct *tsk, struct fown_struct *fown, int sig,
	     int ret)
{
	if (ret)
		return ret;
	return mg_lsm_reach(tsk, false, MG_HOOK_SIGNAL);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(mg_lsm_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return ret;
	return mg_lsm_reach(child, true, MG_HOOK_PTRACE);
}

/*
 * PTRACE_TRACEME: the parent becomes the tracer. A task of a shielded scope
 * may not hand itself to a parent outside its scope.
 */
SEC("lsm/ptrace_traceme")
int BPF_PROG(mg_lsm_ptrace_traceme, struct task_struct *parent, int ret)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u64 cgid, theirs;
	__u8 verdict;

	if (ret)
		return ret;
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
SEC("lsm/task_alloc")
int BPF_PROG(mg_lsm_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	if (ret)
		return ret;
	if (!(clone_flags & CLONE_INTO_CGROUP))
		return 0;
	return mg_lsm_scope_denies(MG_HOOK_CGROUP_MOVE, MG_REASON_CGROUP_MOVE);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
