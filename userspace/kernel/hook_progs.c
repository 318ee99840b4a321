// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/libbpf.h>

#include "core/util.h"
#include "kernel/hook_progs.h"
#include "mguard.skel.h"

/* A row: the program, its hook, its engine, its tracepoint, its pin name, its flags. */
/* clang-format off */
#define LSM(p, h, name)		{ s->progs.p, h, MG_ENGINE_LSM, NULL, name, 0 }
#define FMOD(p, h, name)	{ s->progs.p, h, MG_ENGINE_FMOD_RET, NULL, name, 0 }
#define TP(p, h, tp)		{ s->progs.p, h, MG_ENGINE_TP_KILL, tp, "tp_" tp, 0 }
#define TP_FLAGS(p, h, tp, f)	{ s->progs.p, h, MG_ENGINE_TP_KILL, tp, "tp_" tp, f }
#define TP_OWN(p, h, name, f)	{ s->progs.p, h, MG_ENGINE_TP_KILL, NULL, name, f }
/* clang-format on */

size_t mg_hook_progs(struct mguard_bpf *s, struct mg_hook_prog *out)
{
	const struct mg_hook_prog t[] = {
		/* Files. BPF LSM: EPERM from the LSM hook. */
		LSM(mg_lsm_file_open, MG_HOOK_FILE_OPEN, "lsm_file_open"),
		/* fs-verity digests after the open (6.9+ with bpf_get_fsverity_digest). */
		LSM(mg_lsm_file_post_open, MG_HOOK_VERITY, "lsm_file_post_open"),
		LSM(mg_lsm_mmap_file, MG_HOOK_MMAP, "lsm_mmap_file"),
		LSM(mg_lsm_file_receive, MG_HOOK_FILE_RECEIVE, "lsm_file_receive"),
		LSM(mg_lsm_unix_stream_connect, MG_HOOK_UNIX, "lsm_unix_stream_connect"),
		LSM(mg_lsm_unix_may_send, MG_HOOK_UNIX, "lsm_unix_may_send"),
		/* fmod-ret: EPERM from the kernel's security_* function. */
		FMOD(mg_fmod_file_open, MG_HOOK_FILE_OPEN, "fmod_file_open"),
		FMOD(mg_fmod_mmap_file, MG_HOOK_MMAP, "fmod_mmap_file"),
		FMOD(mg_fmod_file_receive, MG_HOOK_FILE_RECEIVE, "fmod_file_receive"),
		FMOD(mg_fmod_unix_stream_connect, MG_HOOK_UNIX, "fmod_unix_stream_connect"),
		FMOD(mg_fmod_unix_may_send, MG_HOOK_UNIX, "fmod_unix_may_send"),
		/* Fallback: SIGKILL from the syscall tracepoints. */
		TP(mg_tp_exit_open, MG_HOOK_FILE_OPEN, "sys_exit_open"),
		TP(mg_tp_exit_open, MG_HOOK_FILE_OPEN, "sys_exit_openat"),
		TP(mg_tp_exit_open, MG_HOOK_FILE_OPEN, "sys_exit_openat2"),
		TP(mg_tp_exit_open, MG_HOOK_FILE_OPEN, "sys_exit_creat"),
		TP(mg_tp_exit_open, MG_HOOK_FILE_OPEN, "sys_exit_open_by_handle_at"),
		TP(mg_tp_enter_mmap, MG_HOOK_MMAP, "sys_enter_mmap"),
		TP(mg_tp_enter_recvmsg, MG_HOOK_FILE_RECEIVE, "sys_enter_recvmsg"),
		TP(mg_tp_exit_recvmsg, MG_HOOK_FILE_RECEIVE, "sys_exit_recvmsg"),
		TP(mg_tp_enter_recvmmsg, MG_HOOK_FILE_RECEIVE, "sys_enter_recvmmsg"),
		TP(mg_tp_enter_io_uring_setup, MG_HOOK_IO_URING, "sys_enter_io_uring_setup"),

		/* Routes beyond open: outputs' names and metadata, socket families. */
		LSM(mg_lsm_path_rename, MG_HOOK_PATHS, "lsm_path_rename"),
		LSM(mg_lsm_path_link, MG_HOOK_PATHS, "lsm_path_link"),
		LSM(mg_lsm_path_mknod, MG_HOOK_PATHS, "lsm_path_mknod"),
		LSM(mg_lsm_path_truncate, MG_HOOK_PATHS, "lsm_path_truncate"),
		LSM(mg_lsm_inode_setxattr, MG_HOOK_PATHS, "lsm_inode_setxattr"),
		LSM(mg_lsm_inode_removexattr, MG_HOOK_PATHS, "lsm_inode_removexattr"),
		LSM(mg_lsm_socket_create, MG_HOOK_SOCKET, "lsm_socket_create"),
		LSM(mg_lsm_netlink_send, MG_HOOK_SOCKET, "lsm_netlink_send"),
		FMOD(mg_fmod_path_rename, MG_HOOK_PATHS, "fmod_path_rename"),
		FMOD(mg_fmod_path_link, MG_HOOK_PATHS, "fmod_path_link"),
		FMOD(mg_fmod_path_mknod, MG_HOOK_PATHS, "fmod_path_mknod"),
		FMOD(mg_fmod_path_truncate, MG_HOOK_PATHS, "fmod_path_truncate"),
		FMOD(mg_fmod_inode_setxattr, MG_HOOK_PATHS, "fmod_inode_setxattr"),
		FMOD(mg_fmod_inode_removexattr, MG_HOOK_PATHS, "fmod_inode_removexattr"),
		FMOD(mg_fmod_socket_create, MG_HOOK_SOCKET, "fmod_socket_create"),
		FMOD(mg_fmod_netlink_send, MG_HOOK_SOCKET, "fmod_netlink_send"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_rename"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_renameat"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_renameat2"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_link"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_linkat"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_truncate"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_setxattr"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_lsetxattr"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_removexattr"),
		TP(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_lremovexattr"),
		/* Syscalls since 6.13. */
		TP_FLAGS(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_setxattrat",
			 MG_HOOK_PROG_OPTIONAL),
		TP_FLAGS(mg_tp_enter_path_change, MG_HOOK_PATHS, "sys_enter_removexattrat",
			 MG_HOOK_PROG_OPTIONAL),
		TP(mg_tp_enter_fxattr, MG_HOOK_PATHS, "sys_enter_fsetxattr"),
		TP(mg_tp_enter_fxattr, MG_HOOK_PATHS, "sys_enter_fremovexattr"),
		TP(mg_tp_enter_socket, MG_HOOK_SOCKET, "sys_enter_socket"),
		/* Syscall classes the fallback closes in scopes; 32-bit syscalls reach only the raw one. */
		TP(mg_tp_enter_mount, MG_HOOK_SYSCALLS, "sys_enter_mount"),
		TP(mg_tp_enter_fsopen, MG_HOOK_SYSCALLS, "sys_enter_fsopen"),
		TP(mg_tp_enter_fanotify_init, MG_HOOK_SYSCALLS, "sys_enter_fanotify_init"),
		TP_OWN(mg_tp_compat_entry, MG_HOOK_SYSCALLS, "raw_tp_sys_enter",
		       MG_HOOK_PROG_COMPAT),

		/* The guard itself and other processes. */
		LSM(mg_lsm_bpf, MG_HOOK_BPF, "lsm_bpf"),
		LSM(mg_lsm_inode_unlink, MG_HOOK_PINS, "lsm_inode_unlink"),
		LSM(mg_lsm_inode_rmdir, MG_HOOK_PINS, "lsm_inode_rmdir"),
		LSM(mg_lsm_inode_rename, MG_HOOK_PINS, "lsm_inode_rename"),
		LSM(mg_lsm_task_kill, MG_HOOK_SIGNAL, "lsm_task_kill"),
		LSM(mg_lsm_file_send_sigiotask, MG_HOOK_SIGNAL, "lsm_file_send_sigiotask"),
		LSM(mg_lsm_ptrace_access_check, MG_HOOK_PTRACE, "lsm_ptrace_access_check"),
		LSM(mg_lsm_ptrace_traceme, MG_HOOK_PTRACE, "lsm_ptrace_traceme"),
		LSM(mg_lsm_task_alloc, MG_HOOK_CGROUP_MOVE, "lsm_task_alloc"),
		FMOD(mg_fmod_bpf, MG_HOOK_BPF, "fmod_bpf"),
		FMOD(mg_fmod_inode_unlink, MG_HOOK_PINS, "fmod_inode_unlink"),
		FMOD(mg_fmod_inode_rmdir, MG_HOOK_PINS, "fmod_inode_rmdir"),
		FMOD(mg_fmod_inode_rename, MG_HOOK_PINS, "fmod_inode_rename"),
		FMOD(mg_fmod_task_kill, MG_HOOK_SIGNAL, "fmod_task_kill"),
		FMOD(mg_fmod_file_send_sigiotask, MG_HOOK_SIGNAL, "fmod_file_send_sigiotask"),
		FMOD(mg_fmod_ptrace_access_check, MG_HOOK_PTRACE, "fmod_ptrace_access_check"),
		FMOD(mg_fmod_ptrace_traceme, MG_HOOK_PTRACE, "fmod_ptrace_traceme"),
		FMOD(mg_fmod_task_alloc, MG_HOOK_CGROUP_MOVE, "fmod_task_alloc"),
		TP(mg_tp_enter_bpf, MG_HOOK_BPF, "sys_enter_bpf"),
		TP(mg_tp_enter_kill, MG_HOOK_SIGNAL, "sys_enter_kill"),
		TP(mg_tp_enter_tkill, MG_HOOK_SIGNAL, "sys_enter_tkill"),
		TP(mg_tp_enter_tgkill, MG_HOOK_SIGNAL, "sys_enter_tgkill"),
		TP(mg_tp_enter_rt_sigqueueinfo, MG_HOOK_SIGNAL, "sys_enter_rt_sigqueueinfo"),
		TP(mg_tp_enter_rt_tgsigqueueinfo, MG_HOOK_SIGNAL, "sys_enter_rt_tgsigqueueinfo"),
		TP(mg_tp_enter_pidfd_send_signal, MG_HOOK_SIGNAL, "sys_enter_pidfd_send_signal"),
		TP(mg_tp_enter_ptrace, MG_HOOK_PTRACE, "sys_enter_ptrace"),
		TP(mg_tp_enter_process_vm_readv, MG_HOOK_PTRACE, "sys_enter_process_vm_readv"),
		TP(mg_tp_enter_process_vm_writev, MG_HOOK_PTRACE, "sys_enter_process_vm_writev"),
		TP(mg_tp_enter_pidfd_open, MG_HOOK_PTRACE, "sys_enter_pidfd_open"),
		TP(mg_tp_enter_pidfd_getfd, MG_HOOK_PTRACE, "sys_enter_pidfd_getfd"),
		TP(mg_tp_enter_perf_event_open, MG_HOOK_PTRACE, "sys_enter_perf_event_open"),
		/* Shared descriptor tables and tasks started in another cgroup (CLONE_INTO_CGROUP). */
		TP_OWN(mg_tp_guard_fork, MG_HOOK_FD_SHARE, "tp_btf_sched_process_fork", 0),
		/* Core dumps of shielded processes: a tracepoint with every engine. */
		TP_OWN(mg_tp_signal_deliver, MG_HOOK_COREDUMP, "tp_signal_deliver", 0),
	};
	_Static_assert(MG_ARRAY_SIZE(t) <= MG_HOOK_PROGS_MAX, "MG_HOOK_PROGS_MAX too small");

	for (size_t i = 0; i < MG_ARRAY_SIZE(t); i++)
		out[i] = t[i];
	return MG_ARRAY_SIZE(t);
}
