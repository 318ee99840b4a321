// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Routes beyond open, fallback engine (no BPF LSM): a syscall cannot be
 * made to fail, and where its arguments are paths the program cannot
 * resolve, so each route below is closed in scopes by SIGKILL on entry,
 * before the syscall does anything that lasts past the kill. Processes
 * outside every scope pay only the tracepoints of these few syscalls (and,
 * for the 32-bit entry, one test of their task's state per syscall).
 *
 * - 32-bit syscalls (int 0x80, sysenter, x32): the per-syscall tracepoints
 *   that every other program here and in file_tp.bpf.c uses do not fire for
 *   them, so a scope that makes one is killed.
 * - Renames, hard links, truncation by path, extended attributes
 *   by path: they change what lies under a folder without an open, and the
 *   program cannot tell which folder a path names. fsetxattr and
 *   fremovexattr pass on a descriptor opened for writing (its open was
 *   decided as an output).
 * - Overlay and FUSE mounts: files through them are the mount's inodes, not
 *   the model's. Other mounts pass (bind mounts keep the inode; block
 *   devices are refused by the device program).
 * - fanotify: its events carry descriptors the kernel opens for the reader.
 * - Sockets of families other than UNIX, IPv4, IPv6 and routing netlink.
 */
#include "common.bpf.h"

#define SIGKILL		       9
#define TS_COMPAT	       0x0002
#define X32_SYSCALL_BIT	       0x40000000
#define AF_UNIX		       1
#define AF_INET		       2
#define AF_INET6	       10
#define AF_NETLINK	       16
#define NETLINK_ROUTE	       0
#define NETLINK_KOBJECT_UEVENT 15
#define FMODE_WRITE	       0x2
#define S_IFMT		       00170000
#define S_IFREG		       0100000

struct mg_sys_enter_args {
	__u64 common;
	int nr;
	unsigned long args[6];
};

/* Kill the current task (outside audit mode) for a route of @hook: counted and reported. */
static __always_inline void mg_tp_close(const struct mg_config *cfg,
					const struct mg_scope_val *scope, __u64 cgid, __u8 hook,
					__u8 reason, __u32 nr, __u32 compat)
{
	struct mg_event *e;
	__u8 verdict = mg_deny_verdict(cfg, MG_VERDICT_KILL);

	if (verdict == MG_VERDICT_KILL)
		bpf_send_signal(SIGKILL);
	mg_count(MG_COUNTER_INDEX(hook, verdict));
	e = mg_event_new(cfg, scope, cgid, hook, verdict, reason);
	if (e) {
		e->sys.nr = nr;
		e->sys.compat = compat;
		bpf_ringbuf_submit(e, 0);
	}
}

/* A closed syscall: kill a scoped caller. A global function, verified once. */
__noinline int mg_tp_close_syscall(__u32 hook, __u32 nr)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u64 cgid;

	if (hook >= MG_HOOK__COUNT)
		return 0;
	scope = mg_scope_enter(&cfg, &cgid);
	if (scope)
		mg_tp_close(cfg, scope, cgid, hook, MG_REASON_CLOSED, nr, 0);
	return 0;
}

/*
 * Every syscall entry: the only tracepoint that 32-bit syscalls reach. The
 * task's state is tested first, so a 64-bit syscall costs two loads.
 */
SEC("raw_tp/sys_enter")
int mg_tp_compat_entry(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u32 compat = 0;
	long id = ctx->args[1];
	__u64 cgid;

	if (task->thread_info.status & TS_COMPAT)
		compat = 1;
	else if (id & X32_SYSCALL_BIT)
		compat = 2;
	else
		return 0;
	scope = mg_scope_enter(&cfg, &cgid);
	if (scope)
		mg_tp_close(cfg, scope, cgid, MG_HOOK_SYSCALLS, MG_REASON_CLOSED, (__u32)id,
			    compat);
	return 0;
}

/* Names changed without an open: rename, link, truncate, xattrs by path. */
SEC("tracepoint")
int mg_tp_enter_path_change(struct mg_sys_enter_args *ctx)
{
	return mg_tp_close_syscall(MG_HOOK_PATHS, ctx->nr);
}

/* fsetxattr, fremovexattr: pass on a regular file opened for writing. */
SEC("tracepoint")
int mg_tp_enter_fxattr(struct mg_sys_enter_args *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	long fd = (long)ctx->args[0];
	struct file *file = NULL;
	struct file **fds;

	if (fdt && fd >= 0 && fd < BPF_CORE_READ(fdt, max_fds)) {
		fds = BPF_CORE_READ(fdt, fd);
		bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	}
	if (file && (BPF_CORE_READ(file, f_mode) & FMODE_WRITE) &&
	    (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) == S_IFREG)
		return 0;
	return mg_tp_close_syscall(MG_HOOK_PATHS, ctx->nr);
}

/* Does the user string at @uptr name overlayfs or a FUSE file system? */
static __always_inline bool mg_fs_type_closed(const void *uptr)
{
	char t[8] = {};

	if (!uptr || bpf_probe_read_user_str(t, sizeof(t), uptr) < 0)
		return false; /* the syscall fails with EFAULT by itself */
	if (t[0] == 'f' && t[1] == 'u' && t[2] == 's' && t[3] == 'e')
		return true; /* fuse, fuseblk, fuse.* */
	return t[0] == 'o' && t[1] == 'v' && t[2] == 'e' && t[3] == 'r' && t[4] == 'l' &&
	       t[5] == 'a' && t[6] == 'y';
}

SEC("tracepoint/syscalls/sys_enter_mount")
int mg_tp_enter_mount(struct mg_sys_enter_args *ctx)
{
	if (!mg_fs_type_closed((const void *)ctx->args[2]))
		return 0;
	return mg_tp_close_syscall(MG_HOOK_SYSCALLS, ctx->nr);
}

SEC("tracepoint/syscalls/sys_enter_fsopen")
int mg_tp_enter_fsopen(struct mg_sys_enter_args *ctx)
{
	if (!mg_fs_type_closed((const void *)ctx->args[0]))
		return 0;
	return mg_tp_close_syscall(MG_HOOK_SYSCALLS, ctx->nr);
}

SEC("tracepoint/syscalls/sys_enter_fanotify_init")
int mg_tp_enter_fanotify_init(struct mg_sys_enter_args *ctx)
{
	return mg_tp_close_syscall(MG_HOOK_SYSCALLS, ctx->nr);
}

/* The same families as lsm/socket_create; IPv4 and IPv6 go on to cgroup/sock_create. */
SEC("tracepoint/syscalls/sys_enter_socket")
int mg_tp_enter_socket(struct mg_sys_enter_args *ctx)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	int family = ctx->args[0], protocol = ctx->args[2];
	__u8 verdict;
	__u64 cgid;

	if (family == AF_UNIX || family == AF_INET || family == AF_INET6)
		return 0;
	if (family == AF_NETLINK &&
	    (protocol == NETLINK_ROUTE || protocol == NETLINK_KOBJECT_UEVENT))
		return 0;
	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	verdict = mg_deny_verdict(cfg, MG_VERDICT_KILL);
	if (verdict == MG_VERDICT_KILL)
		bpf_send_signal(SIGKILL);
	mg_socket_refused(cfg, scope, cgid, verdict, family, ctx->args[1], protocol);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
