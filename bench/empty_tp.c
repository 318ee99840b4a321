// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * empty_tp: attach a BPF program that does nothing (r0 = 0; exit) to each
 * tracepoint named, the way libbpf attaches mguard's fallback
 * engine (a perf event per tracepoint, PERF_EVENT_IOC_SET_BPF). It is the
 * floor that any program on those tracepoints pays. Prints "ready" once
 * attached and its program id, then holds everything until SIGTERM or SIGINT;
 * the kernel detaches it all when the process exits.
 *
 *   empty_tp TRACEPOINT...     e.g. sys_exit_openat syscalls/sys_enter_mmap
 *
 * "lsm:HOOK" and "fmod_ret:FUNCTION" attach the same empty program through a
 * BPF trampoline instead, as the bpf-lsm and fmod-ret engines attach theirs
 * (lsm:file_open, fmod_ret:security_file_open): the floor of those engines.
 * The program id printed is the first one's.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int prog_load(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (unsigned long)"GPL";
	memcpy(attr.prog_name, "mg_bench_empty", sizeof("mg_bench_empty"));
	return syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

/*
 * The empty program on a trampoline: "lsm:HOOK" (BPF LSM, on bpf_lsm_HOOK) or
 * "fmod_ret:FUNCTION"; the link's descriptor, or -1. *@ret_prog gets the
 * program's descriptor.
 */
static int attach_trampoline(const char *spec, int *ret_prog)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	bool lsm = strncmp(spec, "lsm:", 4) == 0;
	const char *name = strchr(spec, ':') + 1;
	char func[128];
	struct btf *btf;
	int id, prog, link;

	snprintf(func, sizeof(func), "%s%s", lsm ? "bpf_lsm_" : "", name);
	btf = btf__load_vmlinux_btf();
	id = btf ? btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) : -1;
	btf__free(btf);
	if (id <= 0) {
		fprintf(stderr, "empty_tp: no %s in the kernel's BTF\n", func);
		return -1;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .attach_btf_id = id,
		    .expected_attach_type = lsm ? BPF_LSM_MAC : BPF_MODIFY_RETURN, );
	prog = bpf_prog_load(lsm ? BPF_PROG_TYPE_LSM : BPF_PROG_TYPE_TRACING, "mg_bench_empty",
			     "GPL", insns, sizeof(insns) / sizeof(insns[0]), &opts);
	if (prog < 0) {
		fprintf(stderr, "empty_tp: load on %s: %s\n", func, strerror(-prog));
		return -1;
	}
	link = bpf_raw_tracepoint_open(NULL, prog);
	if (link < 0) {
		fprintf(stderr, "empty_tp: attach to %s: %s\n", func, strerror(-link));
		return -1;
	}
	*ret_prog = prog;
	return link;
}

static int prog_id(int fd)
{
	struct bpf_prog_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) < 0)
		return -1;
	return info.id;
}

/* The id of tracepoint @name ("sys_exit_openat", or "CATEGORY/NAME"), or -1. */
static long tracepoint_id(const char *name)
{
	const char *roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char pattern[512], buf[32];
	long id = -1;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]) && id < 0; i++) {
		glob_t g;
		ssize_t n;
		int fd;

		snprintf(pattern, sizeof(pattern), "%s/events/%s%s/id", roots[i],
			 strchr(name, '/') ? "" : "*/", name);
		if (glob(pattern, 0, NULL, &g) || g.gl_pathc != 1) {
			globfree(&g);
			continue;
		}
		fd = open(g.gl_pathv[0], O_RDONLY | O_CLOEXEC);
		globfree(&g);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			id = strtol(buf, NULL, 10);
		}
	}
	return id;
}

static int attach(int prog, const char *name)
{
	struct perf_event_attr attr;
	long id = tracepoint_id(name);
	int fd;

	if (id < 0) {
		fprintf(stderr, "empty_tp: no tracepoint %s\n", name);
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	fd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "empty_tp: perf_event_open %s: %s\n", name, strerror(errno));
		return -1;
	}
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		fprintf(stderr, "empty_tp: attach to %s: %s\n", name, strerror(errno));
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, none;
	int prog, first = -1;

	if (argc < 2) {
		fprintf(stderr, "usage: empty_tp TRACEPOINT...\n");
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);

	prog = prog_load();
	if (prog < 0) {
		fprintf(stderr, "empty_tp: BPF_PROG_LOAD: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "lsm:", 4) == 0 || strncmp(argv[i], "fmod_ret:", 9) == 0) {
			int tprog;

			if (attach_trampoline(argv[i], &tprog) < 0)
				return 1;
			if (first < 0)
				first = tprog;
		} else if (attach(prog, argv[i]) < 0) {
			return 1;
		} else if (first < 0) {
			first = prog;
		}
	}
	printf("ready prog_id %d\n", prog_id(first));
	fflush(stdout);
	sigemptyset(&none);
	while (!stop)
		sigsuspend(&none);
	return 0;
}
