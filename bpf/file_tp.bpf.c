// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Weight loads, fallback engine for kernels without BPF LSM: on return from
 * every syscall of the open family, resolve the new descriptor to its inode;
 * if a guarded task may not have it, SIGKILL the task. The signal is
 * delivered before the syscall returns to user space, so not a byte is read
 * by that thread. Only the open-family tracepoints are attached: hooking
 * every syscall would tax every process on the host.
 */
#include "file.bpf.h"

#define SIGKILL 9

/* The layout of a syscalls:sys_exit_* tracepoint record. */
struct mg_sys_exit_args {
	__u64 common;
	int nr;
	long ret;
};

static __always_inline struct file *mg_fd_file(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

static __always_inline int mg_open_exit(long fd)
{
	const struct mg_inode_val *model;
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	struct file *file;
	__u8 reason, verdict;
	__u64 cgid, ino;
	__u32 dev;

	if (fd < 0)
		return 0;
	cfg = mg_config_get();
	if (!cfg)
		return 0;
	scope = mg_scope_current(cfg->active_gen, &cgid);
	if (!scope)
		return 0;

	file = mg_fd_file(fd);
	if (!file) {
		/* A descriptor that was just returned must resolve: fail closed. */
		mg_count(MG_ERR_COUNTER_BASE + MG_ERR_FD_LOOKUP);
		if (cfg->mode != MG_MODE_AUDIT)
			bpf_send_signal(SIGKILL);
		return 0;
	}
	mg_file_identity(file, &dev, &ino);
	reason = mg_file_decide(cfg, scope, file, dev, ino, &model);
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_FILE_OPEN, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_KILL);
	if (verdict == MG_VERDICT_KILL)
		bpf_send_signal(SIGKILL);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_FILE_OPEN, verdict));
	mg_file_event(cfg, scope, cgid, verdict, reason, file, dev, ino, model);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int mg_tp_exit_open(struct mg_sys_exit_args *ctx)
{
	return mg_open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int mg_tp_exit_openat(struct mg_sys_exit_args *ctx)
{
	return mg_open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int mg_tp_exit_openat2(struct mg_sys_exit_args *ctx)
{
	return mg_open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int mg_tp_exit_creat(struct mg_sys_exit_args *ctx)
{
	return mg_open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_open_by_handle_at")
int mg_tp_exit_open_by_handle_at(struct mg_sys_exit_args *ctx)
{
	return mg_open_exit(ctx->ret);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
