// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mg-attack: one attack on the guard itself or on another process, as a root
 * process in a scope would try it, and what came of it. Built static so the
 * same binary runs on the host and in the test VM. Every attack is chosen so
 * that it is harmless if it succeeds (SIGCONT, a read of one byte, a bogus
 * address), so a guard that fails a test breaks nothing.
 *
 *   mg-attack [--cgroup DIR] bpf-obj-get PIN       BPF_OBJ_GET of a pinned map or link
 *   mg-attack [--cgroup DIR] bpf-map-by-id         BPF_MAP_GET_NEXT_ID, then GET_FD_BY_ID
 *   mg-attack [--cgroup DIR] bpf-prog-load         load a two-instruction socket filter
 *   mg-attack [--cgroup DIR] unlink PATH | rmdir PATH | rename PATH NEW
 *   mg-attack [--cgroup DIR] signal HOW PID        SIGCONT by kill, tkill, tgkill,
 *                                                  sigqueue or pidfd
 *   mg-attack [--cgroup DIR] ptrace PID            PTRACE_SEIZE (no stop), then detach
 *   mg-attack [--cgroup DIR] vm-read PID           process_vm_readv of a bogus address:
 *                                                  EFAULT once the access check passed
 *   mg-attack [--cgroup DIR] open PATH             open, then read one byte (/proc/PID/mem,
 *                                                  /proc/PID/fd/N, /proc/PID/map_files/...)
 *   mg-attack [--cgroup DIR] pidfd-getfd PID FD    pidfd_open, then pidfd_getfd
 *   mg-attack [--cgroup DIR] child-signal          fork a child, SIGKILL it, reap it
 *   mg-attack [--cgroup DIR] child-ptrace          fork a child, attach to it, detach
 *   mg-attack [--cgroup DIR] threads               a thread, joined: the common case
 *   mg-attack [--cgroup DIR] clone-files MARK      clone(CLONE_FILES) without CLONE_THREAD;
 *                                                  the child creates MARK
 *   mg-attack [--cgroup DIR] clone-into CG MARK    clone3(CLONE_INTO_CGROUP) into CG; the
 *                                                  child creates MARK
 *   mg-attack [--cgroup DIR] move-self PROCS       write its own pid into a cgroup.procs
 *   mg-attack [--cgroup DIR] coredump DIR          a child in DIR with RLIMIT_CORE unlimited
 *                                                  dies of SIGSEGV: "ok signal=N dumped=D"
 *   mg-attack [--cgroup DIR] hold PATH SECS        open PATH, map it, sleep (a deputy)
 *   mg-attack [--cgroup DIR] recv-many N PATH LAST [creds]
 *                                                  a sender outside DIR passes N descriptors
 *                                                  in one message (N-1 of PATH, then LAST);
 *                                                  with creds the receiver also asks for
 *                                                  credentials and a pidfd (more control
 *                                                  messages); it reads a byte of each
 *   mg-attack [--cgroup DIR] race PATH N           N times: a child opens PATH while a
 *                                                  sibling thread reads the descriptor the
 *                                                  open will return: "ok attempts=N killed=K
 *                                                  leaked=L bytes=B" (the fallback's window)
 *
 * Prints one line, "ok ..." or "errno NAME", and exits 0 or 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define HELPER_NAME "mg-attack"
#include "helper.h"

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int do_bpf_obj_get(const char *pin)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uintptr_t)pin;
	if (sys_bpf(BPF_OBJ_GET, &attr) < 0)
		return fail("BPF_OBJ_GET");
	printf("ok got\n");
	return 0;
}

static int do_bpf_map_by_id(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	if (sys_bpf(BPF_MAP_GET_NEXT_ID, &attr) < 0)
		return fail("BPF_MAP_GET_NEXT_ID");
	attr.map_id = attr.next_id;
	if (sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr) < 0)
		return fail("BPF_MAP_GET_FD_BY_ID");
	printf("ok got\n");
	return 0;
}

static int do_bpf_prog_load(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t) "GPL";
	if (sys_bpf(BPF_PROG_LOAD, &attr) < 0)
		return fail("BPF_PROG_LOAD");
	printf("ok loaded\n");
	return 0;
}

static int do_signal(const char *how, pid_t pid)
{
	siginfo_t si;
	long r;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCONT;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	if (strcmp(how, "kill") == 0) {
		r = kill(pid, SIGCONT);
	} else if (strcmp(how, "tkill") == 0) {
		r = syscall(__NR_tkill, pid, SIGCONT);
	} else if (strcmp(how, "tgkill") == 0) {
		r = syscall(__NR_tgkill, pid, pid, SIGCONT);
	} else if (strcmp(how, "sigqueue") == 0) {
		r = syscall(__NR_rt_sigqueueinfo, pid, SIGCONT, &si);
	} else if (strcmp(how, "pidfd") == 0) {
		int fd = syscall(__NR_pidfd_open, pid, 0);

		if (fd < 0)
			return fail("pidfd_open");
		r = syscall(__NR_pidfd_send_signal, fd, SIGCONT, NULL, 0);
	} else {
		fprintf(stderr, "mg-attack: unknown signal route '%s'\n", how);
		return 2;
	}
	if (r < 0)
		return fail(how);
	printf("ok signalled\n");
	return 0;
}

static int do_ptrace(pid_t pid)
{
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
		return fail("PTRACE_SEIZE");
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	printf("ok attached\n");
	return 0;
}

static int do_vm_read(pid_t pid)
{
	char c;
	struct iovec local = { .iov_base = &c, .iov_len = 1 };
	struct iovec remote = { .iov_base = (void *)8, .iov_len = 1 };

	if (syscall(__NR_process_vm_readv, pid, &local, 1, &remote, 1, 0) < 0)
		return fail("process_vm_readv");
	printf("ok read=1\n");
	return 0;
}

static int do_open(const char *path)
{
	char c;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return fail("open");
	n = read(fd, &c, 1);
	printf("ok read=%zd\n", n);
	return 0;
}

static int do_pidfd_getfd(pid_t pid, int target)
{
	int pfd = syscall(__NR_pidfd_open, pid, 0), fd;
	char c;

	if (pfd < 0)
		return fail("pidfd_open");
	fd = syscall(__NR_pidfd_getfd, pfd, target, 0);
	if (fd < 0)
		return fail("pidfd_getfd");
	printf("ok read=%zd\n", pread(fd, &c, 1, 0));
	return 0;
}

static int reap(pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, __WALL) < 0)
		return fail(what);
	printf("ok %s\n", what);
	return 0;
}

static int do_child_signal(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid < 0 || kill(pid, SIGKILL) < 0)
		return fail("kill child");
	return reap(pid, "signalled-child");
}

static int do_child_ptrace(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid < 0 || ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0) {
		int e = errno;

		kill(pid, SIGKILL);
		errno = e;
		return fail("PTRACE_ATTACH child");
	}
	waitpid(pid, NULL, __WALL);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	kill(pid, SIGKILL);
	return reap(pid, "traced-child");
}

static void *thread_main(void *arg)
{
	return arg;
}

static int do_threads(void)
{
	pthread_t t;
	void *r;

	if (pthread_create(&t, NULL, thread_main, (void *)7) || pthread_join(t, &r) ||
	    r != (void *)7)
		return fail("thread");
	printf("ok threads\n");
	return 0;
}

static int child_mark(const char *mark)
{
	int fd = open(mark, O_WRONLY | O_CREAT, 0644);

	if (fd >= 0)
		close(fd);
	return 0;
}

static char child_stack[64 * 1024] __attribute__((aligned(16)));

static int clone_files_child(void *mark)
{
	child_mark(mark);
	_exit(0);
}

static int do_clone_files(const char *mark)
{
	pid_t pid = clone(clone_files_child, child_stack + sizeof(child_stack),
			  CLONE_FILES | SIGCHLD, (void *)mark);

	if (pid < 0)
		return fail("clone(CLONE_FILES)");
	return reap(pid, "cloned");
}

static int do_clone_into(const char *cg, const char *mark)
{
	struct clone_args args;
	int cgfd = open(cg, O_RDONLY | O_DIRECTORY);
	long pid;

	if (cgfd < 0)
		return fail("open cgroup");
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = cgfd;
	pid = syscall(__NR_clone3, &args, sizeof(args));
	if (pid < 0)
		return fail("clone3(CLONE_INTO_CGROUP)");
	if (pid == 0) {
		child_mark(mark);
		_exit(0);
	}
	return reap(pid, "cloned");
}

static int do_move_self(const char *procs)
{
	char pid[32];
	int fd = open(procs, O_WRONLY), n;

	if (fd < 0)
		return fail("open cgroup.procs");
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, n) != n)
		return fail("write cgroup.procs");
	printf("ok moved\n");
	return 0;
}

static int do_coredump(const char *dir)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		if (chdir(dir) < 0 || setrlimit(RLIMIT_CORE, &rl) < 0)
			_exit(3);
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
		_exit(4);
	}
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid");
	if (!WIFSIGNALED(status)) {
		printf("ok exited=%d\n", WEXITSTATUS(status));
		return 1;
	}
	printf("ok signal=%d dumped=%d\n", WTERMSIG(status), WCOREDUMP(status) ? 1 : 0);
	return 0;
}

static int do_hold(const char *path, int secs)
{
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0)
		return fail("open");
	p = mmap(NULL, 1, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap");
	printf("ok holding fd=%d map=%p\n", fd, p);
	sleep(secs);
	return 0;
}

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#define MG_MANY 253

/* A child, outside the cgroup still, sends @n descriptors in one message. */
static pid_t start_many_sender(int n, const char *path, const char *last, int *ret_sock)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		static char cbuf[CMSG_SPACE(MG_MANY * sizeof(int))];
		char byte = 'f';
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = cbuf,
				      .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		int fds[MG_MANY];

		close(sv[0]);
		for (int k = 0; k < n; k++) {
			fds[k] = open(k == n - 1 ? last : path, O_RDONLY);
			if (fds[k] < 0)
				_exit(3);
		}
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : 4);
	}
	close(sv[1]);
	*ret_sock = sv[0];
	return pid;
}

static int do_recv_many(int sock, int creds)
{
	static char cbuf[CMSG_SPACE(MG_MANY * sizeof(int)) + 256];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int one = 1, received = 0, reads = 0, cmsgs = 0;

	if (creds) {
		setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
		setsockopt(sock, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one));
	}
	if (recvmsg(sock, &msg, 0) < 0)
		return fail("recvmsg");
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		cmsgs++;
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
			int fd;
			char c;

			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			received++;
			reads += pread(fd, &c, 1, 0) == 1;
		}
	}
	printf("ok cmsgs=%d received=%d read=%d ctrunc=%d\n", cmsgs, received, reads,
	       !!(msg.msg_flags & MSG_CTRUNC));
	return 0;
}

/*
 * The fallback engine's window: the kill for a denied open lands after the
 * descriptor is installed. A sibling thread spins on pread() of the number
 * the open will return and records what it got in memory shared with the
 * parent, which outlives the killed child.
 */
struct race_shared {
	volatile long bytes;
	volatile int ready;
};

static struct race_shared *race;
static volatile int race_fd = -1;

static void *race_reader(void *arg)
{
	char buf[65536];

	race->ready = 1;
	for (;;) {
		ssize_t n = pread(race_fd, buf, sizeof(buf), 0);

		if (n > 0)
			__atomic_fetch_add(&race->bytes, n, __ATOMIC_RELAXED);
	}
	return arg;
}

static int do_race(const char *path, int n)
{
	int killed = 0, leaked = 0;
	long bytes = 0;

	race = mmap(NULL, sizeof(*race), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (race == MAP_FAILED)
		return fail("mmap");
	for (int k = 0; k < n; k++) {
		int status;
		pid_t pid;

		race->bytes = 0;
		race->ready = 0;
		pid = fork();
		if (pid < 0)
			return fail("fork");
		if (pid == 0) {
			pthread_t t;
			int fd;

			/* The number the open returns: the lowest free one, probed here. */
			fd = dup(0);
			close(fd);
			race_fd = fd;
			if (pthread_create(&t, NULL, race_reader, NULL))
				_exit(3);
			while (!race->ready)
				;
			fd = open(path, O_RDONLY);
			_exit(fd < 0 ? 5 : 0);
		}
		if (waitpid(pid, &status, 0) < 0)
			return fail("waitpid");
		killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		if (race->bytes > 0) {
			leaked++;
			bytes += race->bytes;
		}
	}
	printf("ok attempts=%d killed=%d leaked=%d bytes=%ld\n", n, killed, leaked, bytes);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* What must happen before entering the cgroup: the sender outside it. */
	if (argc >= 7 && strcmp(argv[1], "--cgroup") == 0 && strcmp(argv[3], "recv-many") == 0) {
		int sock, status, rc, n = atoi(argv[4]);
		pid_t pid;

		if (n < 1 || n > MG_MANY)
			return fprintf(stderr, "mg-attack: 1 to %d descriptors\n", MG_MANY), 2;
		pid = start_many_sender(n, argv[5], argv[6], &sock);
		if (pid < 0)
			return fail("start the sender");
		if (enter_cgroup(argv[2]) < 0)
			return 2;
		rc = do_recv_many(sock, argc >= 8 && strcmp(argv[7], "creds") == 0);
		waitpid(pid, &status, 0);
		return rc;
	}

	if (i + 1 < argc && strcmp(argv[i], "--cgroup") == 0) {
		if (enter_cgroup(argv[i + 1]) < 0) {
			fprintf(stderr, "mg-attack: cannot enter cgroup '%s': %s\n", argv[i + 1],
				strerror(errno));
			return 2;
		}
		i += 2;
	}
	argv += i;
	argc -= i;
	if (argc >= 2 && strcmp(argv[0], "bpf-obj-get") == 0)
		return do_bpf_obj_get(argv[1]);
	if (argc >= 1 && strcmp(argv[0], "bpf-map-by-id") == 0)
		return do_bpf_map_by_id();
	if (argc >= 1 && strcmp(argv[0], "bpf-prog-load") == 0)
		return do_bpf_prog_load();
	if (argc >= 2 && strcmp(argv[0], "unlink") == 0)
		return unlink(argv[1]) < 0 ? fail("unlink") : (printf("ok unlinked\n"), 0);
	if (argc >= 2 && strcmp(argv[0], "rmdir") == 0)
		return rmdir(argv[1]) < 0 ? fail("rmdir") : (printf("ok removed\n"), 0);
	if (argc >= 3 && strcmp(argv[0], "rename") == 0)
		return rename(argv[1], argv[2]) < 0 ? fail("rename") : (printf("ok renamed\n"), 0);
	if (argc >= 3 && strcmp(argv[0], "signal") == 0)
		return do_signal(argv[1], atoi(argv[2]));
	if (argc >= 2 && strcmp(argv[0], "ptrace") == 0)
		return do_ptrace(atoi(argv[1]));
	if (argc >= 2 && strcmp(argv[0], "vm-read") == 0)
		return do_vm_read(atoi(argv[1]));
	if (argc >= 2 && strcmp(argv[0], "open") == 0)
		return do_open(argv[1]);
	if (argc >= 3 && strcmp(argv[0], "pidfd-getfd") == 0)
		return do_pidfd_getfd(atoi(argv[1]), atoi(argv[2]));
	if (argc >= 1 && strcmp(argv[0], "child-signal") == 0)
		return do_child_signal();
	if (argc >= 1 && strcmp(argv[0], "child-ptrace") == 0)
		return do_child_ptrace();
	if (argc >= 1 && strcmp(argv[0], "threads") == 0)
		return do_threads();
	if (argc >= 2 && strcmp(argv[0], "clone-files") == 0)
		return do_clone_files(argv[1]);
	if (argc >= 3 && strcmp(argv[0], "clone-into") == 0)
		return do_clone_into(argv[1], argv[2]);
	if (argc >= 2 && strcmp(argv[0], "move-self") == 0)
		return do_move_self(argv[1]);
	if (argc >= 2 && strcmp(argv[0], "coredump") == 0)
		return do_coredump(argv[1]);
	if (argc >= 3 && strcmp(argv[0], "hold") == 0)
		return do_hold(argv[1], atoi(argv[2]));
	if (argc >= 3 && strcmp(argv[0], "race") == 0)
		return do_race(argv[1], atoi(argv[2]));
	if (argc >= 4 && strcmp(argv[0], "recv-many") == 0) {
		int sock, status, rc, n = atoi(argv[1]);
		pid_t pid;

		if (n < 1 || n > MG_MANY)
			return fprintf(stderr, "mg-attack: 1 to %d descriptors\n", MG_MANY), 2;
		pid = start_many_sender(n, argv[2], argv[3], &sock);
		if (pid < 0)
			return fail("start the sender");
		rc = do_recv_many(sock, argc >= 5 && strcmp(argv[4], "creds") == 0);
		waitpid(pid, &status, 0);
		return rc;
	}
	fprintf(stderr, "usage: mg-attack [--cgroup DIR] ATTACK ARGS... (see the source)\n");
	return 2;
}
