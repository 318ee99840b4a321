// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The guard itself and other processes, fallback engine (no BPF LSM): entry
 * tracepoints of the few syscalls that reach the guard or another process,
 * which kill a task of a scope on the attempt. Their targets are values
 * (a pid, a descriptor of a pidfd), not user memory, so what is decided is
 * what the kernel then does. Only these rare syscalls are hooked: processes
 * outside every scope pay one config read and one lookup on them, and
 * nothing on any other syscall.
 *
 *   bpf                      every command, from a scope
 *   kill, tkill, tgkill,     a process outside the sender's scope; kill() of
 *   rt_(tg)sigqueueinfo,     a process group or of every process (pid <= 0)
 *   pidfd_send_signal        from a scope, since its members are not known here
 *   ptrace, process_vm_*,    a process outside the caller's scope; and from
 *   pidfd_open, pidfd_getfd, outside, a process of a shielded scope
 *   perf_event_open
 *   sched_process_fork       a new task that shares the descriptor table of a
 *                            scope's process without being one of its threads
 *                            (CLONE_FILES), or that starts outside the scope
 *                            (clone3 with CLONE_INTO_CGROUP): both are killed
 *                            before the child runs
 */
#include "guard.bpf.h"

#define PTRACE_TRACEME	     0
#define PERF_FLAG_PID_CGROUP (1UL << 2)
#define MG_PIDFS_MAGIC	     0x50494446
#define MG_ANON_INODE_MAGIC  0x09041934

extern struct task_struct *bpf_task_from_vpid(s32 vpid) __ksym __weak;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type,
				u64 value) __ksym __weak;

struct mg_sys_enter_rec {
	__u64 common;
	int nr;
	unsigned long args[6];
};

/* Kill the current task for @hook unless audit mode; count and send the event. */
static __always_inline void mg_tp_guard_kill(const struct mg_config *cfg,
					     const struct mg_scope_val *scope, __u64 cgid,
					     __u8 hook, __u8 reason, __u64 target)
{
	__u8 verdict = mg_deny_verdict(cfg, MG_VERDICT_KILL);

	if (verdict == MG_VERDICT_KILL)
		bpf_send_signal(MG_SIGKILL);
	mg_guard_event(cfg, scope, cgid, hook, verdict, reason, target);
}

/* Every bpf() from a scope. */
SEC("tracepoint/syscalls/sys_enter_bpf")
int mg_tp_enter_bpf(void *ctx)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u64 cgid;

	scope = mg_scope_enter(&cfg, &cgid);
	if (scope)
		mg_tp_guard_kill(cfg, scope, cgid, MG_HOOK_BPF, MG_REASON_GUARD, 0);
	return 0;
}

/*
 * Decide the current task reaching @target (NULL: not resolvable, which
 * kills a task of a scope unless @self). @debug: reading or tracing, which
 * a shielded scope refuses to the outside too.
 */
static __always_inline void mg_tp_reach(struct task_struct *target, bool resolved, bool debug,
					__u8 hook)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u64 cgid = 0;
	__u8 reason;

	if (!resolved) {
		scope = mg_scope_enter(&cfg, &cgid);
		if (scope)
			mg_tp_guard_kill(cfg, scope, cgid, hook, MG_REASON_OTHER_TASK, 0);
		return;
	}
	if (!target)
		return; /* no such process: the call fails with ESRCH */
	reason = mg_guard_reach(target, debug, &cfg, &scope, &cgid);
	if (reason == MG_REASON_NONE) {
		mg_guard_event(cfg, scope, cgid, hook, MG_VERDICT_ALLOW, reason, 0);
		return;
	}
	if (!scope)
		return; /* not reached: a denial always names a scope */
	mg_tp_guard_kill(cfg, scope, cgid, hook, reason, BPF_CORE_READ(target, tgid));
}

/* A pid value as the caller sees it (its pid namespace), to the task. */
static __always_inline void mg_tp_reach_pid(long pid, bool debug, __u8 hook)
{
	struct task_struct *t;

	if (pid == 0 || (__u32)pid == (bpf_get_current_pid_tgid() >> 32) ||
	    (__u32)pid == (__u32)bpf_get_current_pid_tgid())
		return; /* itself */
	if (pid < 0 || !mg_ksym_exists(bpf_task_release)) {
		mg_tp_reach(NULL, false, debug, hook);
		return;
	}
	if (mg_ksym_exists(bpf_task_from_vpid))
		t = bpf_task_from_vpid(pid);
	else if (mg_ksym_exists(bpf_task_from_pid))
		t = bpf_task_from_pid(pid);
	else {
		mg_tp_reach(NULL, false, debug, hook);
		return;
	}
	if (!t) {
		mg_tp_reach(NULL, true, debug, hook);
		return;
	}
	mg_tp_reach(t, true, debug, hook);
	bpf_task_release(t);
}

static __always_inline struct file *mg_tp_fd_file(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;

	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/*
 * The task behind a pidfd, or a /proc/PID folder (pidfd_send_signal takes
 * both): struct pid -> its task. NULL when the descriptor is neither.
 */
static __always_inline struct task_struct *mg_tp_pidfd_task(long fd)
{
	struct file *file = mg_tp_fd_file(fd);
	struct inode *inode;
	struct pid *pid = NULL;
	struct hlist_node *first;
	unsigned long magic;

	if (!file)
		return NULL;
	inode = BPF_CORE_READ(file, f_inode);
	magic = BPF_CORE_READ(inode, i_sb, s_magic);
	if (magic == MG_PROC_SUPER_MAGIC)
		pid = BPF_CORE_READ(container_of(inode, struct proc_inode, vfs_inode), pid);
	else if (magic == MG_PIDFS_MAGIC)
		pid = BPF_CORE_READ(inode, i_private); /* pidfs (6.9 on) */
	else if (magic == MG_ANON_INODE_MAGIC)
		pid = BPF_CORE_READ(file, private_data); /* before: an anonymous inode */
	if (!pid)
		return NULL;
	first = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);
	if (!first)
		return NULL;
	return container_of(first, struct task_struct, pid_links[PIDTYPE_PID]);
}

static __always_inline void mg_tp_reach_pidfd(long fd, bool debug, __u8 hook)
{
	struct task_struct *t = mg_tp_pidfd_task(fd);

	mg_tp_reach(t, t != NULL, debug, hook);
}

/* Signals: a pid value; sig 0 only asks whether the process exists. */
SEC("tracepoint/syscalls/sys_enter_kill")
int mg_tp_enter_kill(struct mg_sys_enter_rec *ctx)
{
	if (ctx->args[1])
		mg_tp_reach_pid((long)(int)ctx->args[0], false, MG_HOOK_SIGNAL);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_tkill")
int mg_tp_enter_tkill(struct mg_sys_enter_rec *ctx)
{
	if (ctx->args[1])
		mg_tp_reach_pid((long)(int)ctx->args[0], false, MG_HOOK_SIGNAL);
	return 0;
}

/* tgkill and rt_tgsigqueueinfo: the thread id decides (the call checks it is of tgid). */
SEC("tracepoint/syscalls/sys_enter_tgkill")
int mg_tp_enter_tgkill(struct mg_sys_enter_rec *ctx)
{
	if (ctx->args[2])
		mg_tp_reach_pid((long)(int)ctx->args[1], false, MG_HOOK_SIGNAL);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_rt_sigqueueinfo")
int mg_tp_enter_rt_sigqueueinfo(struct mg_sys_enter_rec *ctx)
{
	mg_tp_reach_pid((long)(int)ctx->args[0], false, MG_HOOK_SIGNAL);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_rt_tgsigqueueinfo")
int mg_tp_enter_rt_tgsigqueueinfo(struct mg_sys_enter_rec *ctx)
{
	mg_tp_reach_pid((long)(int)ctx->args[1], false, MG_HOOK_SIGNAL);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_pidfd_send_signal")
int mg_tp_enter_pidfd_send_signal(struct mg_sys_enter_rec *ctx)
{
	if (ctx->args[1])
		mg_tp_reach_pidfd((long)(int)ctx->args[0], false, MG_HOOK_SIGNAL);
	return 0;
}

/* Tracing and reading another process. PTRACE_TRACEME hands the task to its parent. */
SEC("tracepoint/syscalls/sys_enter_ptrace")
int mg_tp_enter_ptrace(struct mg_sys_enter_rec *ctx)
{
	struct task_struct *self, *parent;

	if (ctx->args[0] != PTRACE_TRACEME) {
		mg_tp_reach_pid((long)(int)ctx->args[1], true, MG_HOOK_PTRACE);
		return 0;
	}
	self = (struct task_struct *)bpf_get_current_task();
	parent = BPF_CORE_READ(self, real_parent);
	mg_tp_reach(parent, parent != NULL, false, MG_HOOK_PTRACE);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_process_vm_readv")
int mg_tp_enter_process_vm_readv(struct mg_sys_enter_rec *ctx)
{
	mg_tp_reach_pid((long)(int)ctx->args[0], true, MG_HOOK_PTRACE);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_process_vm_writev")
int mg_tp_enter_process_vm_writev(struct mg_sys_enter_rec *ctx)
{
	mg_tp_reach_pid((long)(int)ctx->args[0], true, MG_HOOK_PTRACE);
	return 0;
}

/* A pidfd of a process outside the scope is where pidfd_getfd and signals start. */
SEC("tracepoint/syscalls/sys_enter_pidfd_open")
int mg_tp_enter_pidfd_open(struct mg_sys_enter_rec *ctx)
{
	mg_tp_reach_pid((long)(int)ctx->args[0], false, MG_HOOK_PTRACE);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_pidfd_getfd")
int mg_tp_enter_pidfd_getfd(struct mg_sys_enter_rec *ctx)
{
	mg_tp_reach_pidfd((long)(int)ctx->args[0], true, MG_HOOK_PTRACE);
	return 0;
}

/*
 * perf_event_open samples registers and user stacks: from a scope, only of
 * its own processes (pid -1, every process on a CPU, and a cgroup's are
 * refused).
 */
SEC("tracepoint/syscalls/sys_enter_perf_event_open")
int mg_tp_enter_perf_event_open(struct mg_sys_enter_rec *ctx)
{
	long pid = (long)(int)ctx->args[1];
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u64 cgid;

	if (ctx->args[4] & PERF_FLAG_PID_CGROUP || pid < 0) {
		scope = mg_scope_enter(&cfg, &cgid);
		if (scope)
			mg_tp_guard_kill(cfg, scope, cgid, MG_HOOK_PTRACE, MG_REASON_OTHER_TASK, 0);
		return 0;
	}
	mg_tp_reach_pid(pid, false, MG_HOOK_PTRACE);
	return 0;
}

/*
 * A new task of a scope's process, before it runs: one that shares the
 * descriptor table without being a thread of the process (CLONE_FILES) could
 * use a descriptor in the moment between an open and the kill of the
 * fallback engine; one that starts outside the scope (CLONE_INTO_CGROUP)
 * escaped it. Both the parent and the child are killed.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(mg_tp_guard_fork, struct task_struct *parent, struct task_struct *child)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u64 cgid, mine;
	__u8 hook, reason;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	if (BPF_CORE_READ(child, files) == BPF_CORE_READ(parent, files) &&
	    BPF_CORE_READ(child, tgid) != BPF_CORE_READ(parent, tgid)) {
		hook = MG_HOOK_FD_SHARE;
		reason = MG_REASON_FD_SHARE;
	} else {
		mine = mg_scope_of_task(parent, cfg->active_gen);
		if (mg_scope_of_task(child, cfg->active_gen) == mine) {
			mg_count(MG_COUNTER_INDEX(MG_HOOK_CGROUP_MOVE, MG_VERDICT_ALLOW));
			return 0;
		}
		hook = MG_HOOK_CGROUP_MOVE;
		reason = MG_REASON_CGROUP_MOVE;
	}
	if (mg_deny_verdict(cfg, MG_VERDICT_KILL) == MG_VERDICT_KILL &&
	    mg_ksym_exists(bpf_send_signal_task))
		bpf_send_signal_task(child, MG_SIGKILL, PIDTYPE_TGID, 0);
	mg_tp_guard_kill(cfg, scope, cgid, hook, reason, BPF_CORE_READ(child, tgid));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
