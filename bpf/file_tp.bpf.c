// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Files, fallback engine for kernels without BPF LSM: on return from every
 * syscall of the open family, resolve the new descriptor to its inode; if a
 * guarded task may not have it, SIGKILL the task. The signal is delivered
 * before the syscall returns to user space, so not a byte is read by that
 * thread. The same check runs on entry to mmap (a descriptor opened before
 * the task entered its scope) and on return from recvmsg for every
 * descriptor passed in SCM_RIGHTS. io_uring, whose opens no syscall
 * tracepoint sees, is closed: a guarded task that sets up a ring is killed.
 * Only these tracepoints are attached: hooking every syscall would tax every
 * process on the host.
 */
#include "file.bpf.h"
#include "guard.bpf.h"

#define SIGKILL	      9
#define MAP_ANONYMOUS 0x20
#define SOL_SOCKET    1
#define SCM_RIGHTS    1
/*
 * recvmsg: the kernel writes at most one control message of each kind
 * (credentials, pidfd, security context, descriptors: the descriptors of all
 * the sender's messages are merged into one), and at most SCM_MAX_FD
 * descriptors. Every one is examined; more than that kills (fails closed).
 */
#define MG_MAX_CMSGS  4
#define MG_MAX_RIGHTS 253 /* SCM_MAX_FD */

/* The layout of syscalls:sys_exit_* and sys_enter_* records. */
struct mg_sys_exit_args {
	__u64 common;
	int nr;
	long ret;
};

struct mg_sys_enter_args {
	__u64 common;
	int nr;
	unsigned long args[6];
};

/* recvmsg in progress: thread -> its user msghdr, from entry to exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} mg_recvmsg_args SEC(".maps");

static __always_inline struct file *mg_fd_file(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;

	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/*
 * /proc/PID/mem, environ or pagemap of a process outside the scope, just
 * opened: killed before the first read (guard.bpf.h). True when it was.
 */
static __always_inline bool mg_tp_proc_other(const struct mg_config *cfg,
					     const struct mg_scope_val *scope, __u64 cgid,
					     struct file *file)
{
	struct task_struct *t = mg_proc_memory_task(file);
	__u64 mine = 0;
	struct mg_scope_hit *hit;
	__u8 verdict;

	if (!t)
		return false;
	hit = bpf_map_lookup_elem(&mg_scope_cache, &cgid);
	if (hit)
		mine = hit->scope_cgid;
	if (mine && mg_scope_of_task(t, cfg->active_gen) == mine)
		return false;
	verdict = mg_deny_verdict(cfg, MG_VERDICT_KILL);
	if (verdict == MG_VERDICT_KILL)
		bpf_send_signal(SIGKILL);
	mg_guard_event(cfg, scope, cgid, MG_HOOK_PTRACE, verdict, MG_REASON_OTHER_TASK,
		       BPF_CORE_READ(t, tgid));
	return true;
}

/*
 * Decide descriptor @fd of the current task for @hook, and kill the task if
 * it may not have that file. @must_exist: the descriptor was just returned by
 * an open, so failing to resolve it fails closed. A global function: the
 * verifier checks it once, not once per caller.
 */
__noinline int mg_tp_check_fd(long fd, __u32 hook, __u32 must_exist)
{
	const struct mg_inode_val *model;
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	struct file *file;
	__u8 reason, verdict;
	__u64 cgid, ino;
	__u32 dev;

	if (fd < 0 || hook >= MG_HOOK__COUNT)
		return 0;
	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;

	file = mg_fd_file(fd);
	if (!file) {
		if (!must_exist)
			return 0; /* the syscall fails with EBADF by itself */
		mg_count(MG_ERR_COUNTER_BASE + MG_ERR_FD_LOOKUP);
		if (cfg->mode != MG_MODE_AUDIT)
			bpf_send_signal(SIGKILL);
		return 0;
	}
	if (hook == MG_HOOK_FILE_OPEN && mg_tp_proc_other(cfg, scope, cgid, file))
		return 0;
	mg_file_identity(file, &dev, &ino);
	reason = mg_file_decide(cfg, scope, file, dev, ino, &model);
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(hook, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_file_verdict(cfg, reason, MG_VERDICT_KILL);
	if (verdict == MG_VERDICT_KILL)
		bpf_send_signal(SIGKILL);
	mg_count(MG_COUNTER_INDEX(hook, verdict));
	mg_file_event(cfg, scope, cgid, hook, verdict, reason, file, dev, ino, model);
	return 0;
}

/*
 * Every syscall of the open family: one program, attached by the loader to
 * the exit of each (their records have the same layout), so the verifier
 * checks it once.
 */
SEC("tracepoint")
int mg_tp_exit_open(struct mg_sys_exit_args *ctx)
{
	return mg_tp_check_fd(ctx->ret, MG_HOOK_FILE_OPEN, 1);
}

SEC("tracepoint/syscalls/sys_enter_mmap")
int mg_tp_enter_mmap(struct mg_sys_enter_args *ctx)
{
	if (ctx->args[3] & MAP_ANONYMOUS)
		return 0;
	return mg_tp_check_fd((long)ctx->args[4], MG_HOOK_MMAP, 0);
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int mg_tp_enter_recvmsg(struct mg_sys_enter_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), msg = ctx->args[1], cgid;
	const struct mg_config *cfg;

	if (!mg_scope_enter(&cfg, &cgid))
		return 0;
	bpf_map_update_elem(&mg_recvmsg_args, &id, &msg, BPF_ANY);
	return 0;
}

/*
 * More control messages, or more descriptors in one, than the program
 * examines: the task is killed (it fails closed) before it can use them.
 */
static __always_inline void mg_tp_rights_limit(void)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 verdict;
	__u64 cgid;
	struct mg_event *e;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return;
	verdict = mg_deny_verdict(cfg, MG_VERDICT_KILL);
	if (verdict == MG_VERDICT_KILL)
		bpf_send_signal(SIGKILL);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_FILE_RECEIVE, verdict));
	e = mg_event_new(cfg, scope, cgid, MG_HOOK_FILE_RECEIVE, verdict, MG_REASON_RIGHTS_LIMIT);
	if (e)
		bpf_ringbuf_submit(e, 0);
}

struct mg_rights_ctx {
	void *fds; /* the descriptors of one SCM_RIGHTS message, in user memory */
	__u64 nfds;
};

static long mg_tp_check_right(__u64 j, void *arg)
{
	struct mg_rights_ctx *rc = arg;
	int fd;

	if (bpf_probe_read_user(&fd, sizeof(fd), rc->fds + j * sizeof(int)))
		return 1;
	mg_tp_check_fd(fd, MG_HOOK_FILE_RECEIVE, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int mg_tp_exit_recvmsg(struct mg_sys_exit_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), *msgp, off = 0;
	struct user_msghdr msg;
	struct cmsghdr cm;

	msgp = bpf_map_lookup_elem(&mg_recvmsg_args, &id);
	if (!msgp)
		return 0;
	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)*msgp)) {
		bpf_map_delete_elem(&mg_recvmsg_args, &id);
		return 0;
	}
	bpf_map_delete_elem(&mg_recvmsg_args, &id);
	if (ctx->ret < 0 || !msg.msg_control)
		return 0;

	for (int i = 0; i <= MG_MAX_CMSGS; i++) {
		struct mg_rights_ctx rc;

		if (off + sizeof(cm) > msg.msg_controllen)
			break;
		if (i == MG_MAX_CMSGS) {
			mg_tp_rights_limit();
			break;
		}
		if (bpf_probe_read_user(&cm, sizeof(cm), msg.msg_control + off))
			break;
		if (cm.cmsg_len < sizeof(cm))
			break;
		if (cm.cmsg_level == SOL_SOCKET && cm.cmsg_type == SCM_RIGHTS) {
			rc.fds = msg.msg_control + off + sizeof(cm);
			rc.nfds = (cm.cmsg_len - sizeof(cm)) / sizeof(int);
			if (rc.nfds > MG_MAX_RIGHTS) {
				mg_tp_rights_limit();
				break;
			}
			bpf_loop(rc.nfds, mg_tp_check_right, &rc, 0);
		}
		off += (cm.cmsg_len + 7) & ~7ULL;
	}
	return 0;
}

/*
 * recvmmsg: its control messages are not inspected, so a guarded task may
 * use it only without any (plain datagrams, the batch-receive case). With a
 * control buffer in any of its first MG_MAX_MMSG messages, or with more
 * messages than that, the task is killed before anything is received.
 */
#define MG_MAX_MMSG 16

SEC("tracepoint/syscalls/sys_enter_recvmmsg")
int mg_tp_enter_recvmmsg(struct mg_sys_enter_args *ctx)
{
	struct mmsghdr *vec = (struct mmsghdr *)ctx->args[1];
	unsigned int vlen = ctx->args[2];
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	bool control = vlen > MG_MAX_MMSG;
	__u64 cgid;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	for (int i = 0; i < MG_MAX_MMSG && !control; i++) {
		void *ctl = NULL;

		if (i >= vlen)
			break;
		if (bpf_probe_read_user(&ctl, sizeof(ctl), &vec[i].msg_hdr.msg_control))
			control = true; /* unreadable: fail closed */
		else if (ctl)
			control = true;
	}
	if (!control) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_FILE_RECEIVE, MG_VERDICT_ALLOW));
		return 0;
	}
	if (mg_deny_verdict(cfg, MG_VERDICT_KILL) == MG_VERDICT_KILL)
		bpf_send_signal(SIGKILL);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_FILE_RECEIVE, mg_deny_verdict(cfg, MG_VERDICT_KILL)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_io_uring_setup")
int mg_tp_enter_io_uring_setup(void *ctx)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	struct mg_event *e;
	__u8 verdict;
	__u64 cgid;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	verdict = mg_deny_verdict(cfg, MG_VERDICT_KILL);
	if (verdict == MG_VERDICT_KILL)
		bpf_send_signal(SIGKILL);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_IO_URING, verdict));
	e = mg_event_new(cfg, scope, cgid, MG_HOOK_IO_URING, verdict, MG_REASON_IO_URING);
	if (e)
		bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
