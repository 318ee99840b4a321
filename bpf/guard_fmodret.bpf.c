// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The guard itself and other processes, fmod-ret engine: the BPF LSM
 * engine's decisions (guard_refuse.bpf.h) on the kernel's security_*
 * functions that call those hooks, for kernels with BPF trampolines but
 * without "bpf" in their boot-time LSM list. A non-zero return skips the
 * function and becomes the syscall's error, as in file_fmodret.bpf.c.
 *
 * @ret is what an earlier fmod_ret program on the same function returned;
 * where the functions' arguments differ from the LSM hooks' (inode_rename
 * has its flags), they are declared as the function has them, so @ret is
 * read from its own place.
 */
#include "guard_refuse.bpf.h"

/* Only @cmd is read: the function gained an argument in 6.14. */
SEC("?fmod_ret/security_bpf")
int BPF_PROG(mg_fmod_bpf, int cmd)
{
	return mg_guard_scope_denies(MG_HOOK_BPF, MG_REASON_GUARD);
}

SEC("?fmod_ret/security_inode_unlink")
int BPF_PROG(mg_fmod_inode_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return mg_guard_fs_check(dir);
}

SEC("?fmod_ret/security_inode_rmdir")
int BPF_PROG(mg_fmod_inode_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return mg_guard_fs_check(dir);
}

SEC("?fmod_ret/security_inode_rename")
int BPF_PROG(mg_fmod_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	if (ret)
		return ret;
	if (mg_guard_fs_check(old_dir))
		return -EPERM;
	return mg_guard_fs_check(new_dir);
}

SEC("?fmod_ret/security_task_kill")
int BPF_PROG(mg_fmod_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	if (ret)
		return ret;
	return mg_guard_reach_check(p, false, MG_HOOK_SIGNAL);
}

SEC("?fmod_ret/security_file_send_sigiotask")
int BPF_PROG(mg_fmod_file_send_sigiotask, struct task_struct *tsk, struct fown_struct *fown,
	     int sig, int ret)
{
	if (ret)
		return ret;
	return mg_guard_reach_check(tsk, false, MG_HOOK_SIGNAL);
}

SEC("?fmod_ret/security_ptrace_access_check")
int BPF_PROG(mg_fmod_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return ret;
	return mg_guard_reach_check(child, true, MG_HOOK_PTRACE);
}

SEC("?fmod_ret/security_ptrace_traceme")
int BPF_PROG(mg_fmod_ptrace_traceme, struct task_struct *parent, int ret)
{
	if (ret)
		return ret;
	return mg_guard_traceme_check(parent);
}

SEC("?fmod_ret/security_task_alloc")
int BPF_PROG(mg_fmod_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	if (ret)
		return ret;
	return mg_guard_task_alloc_check(clone_flags);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
