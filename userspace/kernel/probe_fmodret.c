// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "core/util.h"
#include "kernel/probe_fmodret.h"

/*
 * What the probe program returns for the probing thread's opens: an errno
 * that open(2) of "/" never gives by itself, so seeing it proves the program
 * ran and its return value became the syscall's.
 */
#define MG_PROBE_FMODRET_ERRNO EXFULL

/* Per hook, the security_* functions its fmod_ret programs attach to: all of them are needed. */
static const struct {
	enum mg_hook hook;
	const char *func;
} funcs[] = {
	{ MG_HOOK_FILE_OPEN, "security_file_open" },
	{ MG_HOOK_MMAP, "security_mmap_file" },
	{ MG_HOOK_FILE_RECEIVE, "security_file_receive" },
	/* The datagram one is a function of its own. */
	{ MG_HOOK_UNIX, "security_unix_stream_connect" },
	{ MG_HOOK_UNIX, "security_unix_may_send" },
	/* The path functions need CONFIG_SECURITY_PATH. */
	{ MG_HOOK_PATHS, "security_path_rename" },
	{ MG_HOOK_PATHS, "security_path_link" },
	{ MG_HOOK_PATHS, "security_path_mknod" },
	{ MG_HOOK_PATHS, "security_path_truncate" },
	{ MG_HOOK_PATHS, "security_inode_setxattr" },
	{ MG_HOOK_PATHS, "security_inode_removexattr" },
	{ MG_HOOK_SOCKET, "security_socket_create" },
	{ MG_HOOK_SOCKET, "security_netlink_send" },
	{ MG_HOOK_BPF, "security_bpf" },
	{ MG_HOOK_PINS, "security_inode_unlink" },
	{ MG_HOOK_PINS, "security_inode_rmdir" },
	{ MG_HOOK_PINS, "security_inode_rename" },
	{ MG_HOOK_SIGNAL, "security_task_kill" },
	{ MG_HOOK_SIGNAL, "security_file_send_sigiotask" },
	{ MG_HOOK_PTRACE, "security_ptrace_access_check" },
	{ MG_HOOK_PTRACE, "security_ptrace_traceme" },
	{ MG_HOOK_CGROUP_MOVE, "security_task_alloc" },
};

const char *mg_fmod_ret_func(enum mg_hook h)
{
	for (size_t i = 0; i < MG_ARRAY_SIZE(funcs); i++)
		if (funcs[i].hook == h)
			return funcs[i].func;
	return NULL;
}

/* target[] and missing[] of @ret from @btf. */
static void find_targets(const struct btf *btf, struct mg_fmod_probe *ret)
{
	for (size_t i = 0; i < MG_ARRAY_SIZE(funcs); i++)
		ret->target[funcs[i].hook] = true;
	for (size_t i = 0; i < MG_ARRAY_SIZE(funcs); i++) {
		enum mg_hook h = funcs[i].hook;

		if (btf__find_by_name_kind(btf, funcs[i].func, BTF_KIND_FUNC) > 0)
			continue;
		ret->target[h] = false;
		if (!ret->missing[h])
			ret->missing[h] = funcs[i].func;
	}
}

/*
 * r0 = bpf_get_current_pid_tgid();
 * if (r0 != @id) return 0;
 * return -MG_PROBE_FMODRET_ERRNO;
 */
static int load_probe(__u32 btf_id, __u64 id)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_current_pid_tgid },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1, .imm = (__u32)id },
		{ .imm = (__u32)(id >> 32) },
		{ .code = BPF_JMP | BPF_JNE | BPF_X,
		  .dst_reg = BPF_REG_0,
		  .src_reg = BPF_REG_1,
		  .off = 2 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_0,
		  .imm = -MG_PROBE_FMODRET_ERRNO },
		{ .code = BPF_JMP | BPF_EXIT },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_MODIFY_RETURN,
		    .attach_btf_id = btf_id, );

	return bpf_prog_load(BPF_PROG_TYPE_TRACING, "mg_probe_fmod", "GPL", insns,
			     MG_ARRAY_SIZE(insns), &opts);
}

void mg_probe_fmod_ret(const struct btf *btf, struct mg_fmod_probe *ret)
{
	__u64 id = ((__u64)getpid() << 32) | (__u32)syscall(SYS_gettid);
	int btf_id, prog_fd, link_fd, fd, err;

	memset(ret, 0, sizeof(*ret));
	ret->err = ENOENT;
	ret->step = "btf";
	if (!btf)
		return;
	find_targets(btf, ret);
	btf_id = btf__find_by_name_kind(btf, MG_PROBE_FMODRET_FUNC, BTF_KIND_FUNC);
	if (btf_id <= 0)
		return;

	prog_fd = load_probe(btf_id, id);
	if (prog_fd < 0) {
		ret->err = -prog_fd;
		ret->step = "load";
		return;
	}
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd < 0) {
		ret->err = -link_fd;
		ret->step = "attach";
		close(prog_fd);
		return;
	}
	/* Attached: this thread's opens now fail with the probe's errno, and only its. */
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	close(link_fd);
	close(prog_fd);
	if (err == MG_PROBE_FMODRET_ERRNO) {
		ret->runs = true;
		ret->err = 0;
		ret->step = NULL;
	} else {
		/* It attached but did not decide: an open that worked, or failed otherwise. */
		ret->err = err;
		ret->step = "run";
	}
}
