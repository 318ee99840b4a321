// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The guard itself and other processes, BPF LSM engine: a task in a scope
 * makes no bpf() call at all, removes or renames nothing on bpffs or a
 * cgroup file system, signals, traces or reads no process outside its scope,
 * and places no new task in another cgroup. A task outside a shielded scope
 * may not trace it, read its memory or take its descriptors
 * (ptrace_access_check is what ptrace, process_vm_readv/writev,
 * /proc/PID/mem, /proc/PID/fd, /proc/PID/map_files and pidfd_getfd ask).
 * The decisions are shared with the fmod-ret engine (guard_refuse.bpf.h).
 */
#include "guard_refuse.bpf.h"

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
	return mg_guard_scope_denies(MG_HOOK_BPF, MG_REASON_GUARD);
}

SEC("lsm/inode_unlink")
int BPF_PROG(mg_lsm_inode_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return mg_guard_fs_check(dir);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(mg_lsm_inode_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return mg_guard_fs_check(dir);
}

SEC("lsm/inode_rename")
int BPF_PROG(mg_lsm_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	if (mg_guard_fs_check(old_dir))
		return -EPERM;
	return mg_guard_fs_check(new_dir);
}

SEC("lsm/task_kill")
int BPF_PROG(mg_lsm_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	if (ret)
		return ret;
	return mg_guard_reach_check(p, false, MG_HOOK_SIGNAL);
}

/* SIGIO and SIGURG to the owner a scope set with F_SETOWN. */
SEC("lsm/file_send_sigiotask")
int BPF_PROG(mg_lsm_file_send_sigiotask, struct task_struct *tsk, struct fown_struct *fown, int sig,
	     int ret)
{
	if (ret)
		return ret;
	return mg_guard_reach_check(tsk, false, MG_HOOK_SIGNAL);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(mg_lsm_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return ret;
	return mg_guard_reach_check(child, true, MG_HOOK_PTRACE);
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(mg_lsm_ptrace_traceme, struct task_struct *parent, int ret)
{
	if (ret)
		return ret;
	return mg_guard_traceme_check(parent);
}

SEC("lsm/task_alloc")
int BPF_PROG(mg_lsm_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	if (ret)
		return ret;
	return mg_guard_task_alloc_check(clone_flags);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
