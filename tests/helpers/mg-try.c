// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mg-try: do one thing a guarded process might do, and say how it went.
 * Built static so the same binary runs on the host and in the test VM.
 *
 *   mg-try [--cgroup DIR] open PATH              open, then read one byte
 *   mg-try [--cgroup DIR] write PATH             open for writing (creating), write one byte
 *   mg-try [--cgroup DIR] connect ADDR PORT [tcp|udp]
 *   mg-try [--cgroup DIR] sendto ADDR PORT      one UDP datagram, no connect
 *   mg-try [--cgroup DIR] mmap-inherited PATH   open PATH before entering DIR, then map it there
 *   mg-try [--cgroup DIR] recv-fd PATH          a helper outside DIR opens PATH and passes the
 *                                               descriptor over a UNIX socket
 *   mg-try [--cgroup DIR] opath-reopen PATH     O_PATH, then reopen through /proc/self/fd
 *   mg-try [--cgroup DIR] uring-open PATH       open PATH through io_uring, then read a byte
 *   mg-try [--cgroup DIR] load-then PATH [fork] connect|sendto ADDR PORT
 *                                               load PATH, then (in a child) make the call
 *   mg-try bound PIN CGROUP                  is the cgroup folder itself a scope of the guard
 *                                               pinned in PIN? "ok scope N" or "ok unbound"
 *   mg-try [--cgroup DIR] syscall NAME          one raw system call with harmless arguments:
 *                                               bpf, ptrace, unshare-user, mount,
 *                                               perf_event_open or io_uring_setup
 *
 * Prints one line, "ok ..." or "errno NAME", and exits 0 or 1. With
 * --cgroup it first moves itself into the cgroup folder DIR.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define HELPER_NAME "mg-try"
#include "helper.h"

static int do_open(const char *path)
{
	char c;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return fail("open");
	n = read(fd, &c, 1);
	printf("ok read=%zd\n", n);
	close(fd);
	return 0;
}

static int do_write(const char *path)
{
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	if (fd < 0)
		return fail("open");
	n = write(fd, "x", 1);
	printf("ok wrote=%zd\n", n);
	close(fd);
	return 0;
}

static int make_addr(const char *addr, const char *port, struct sockaddr_storage *ss,
		     socklen_t *ret_len)
{
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(port));
		*ret_len = sizeof(*s6);
		return inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(port));
		*ret_len = sizeof(*s4);
		return inet_pton(AF_INET, addr, &s4->sin_addr) == 1 ? 0 : -1;
	}
}

static int do_sendto(const char *addr, const char *port)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd;

	if (make_addr(addr, port, &ss, &len))
		return fprintf(stderr, "mg-try: bad address '%s'\n", addr), 2;
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket");
	if (sendto(fd, "q", 1, 0, (struct sockaddr *)&ss, len) < 0)
		return fail("sendto");
	printf("ok sent\n");
	close(fd);
	return 0;
}

static int do_connect(const char *addr, const char *port, const char *proto)
{
	int udp = proto && strcmp(proto, "udp") == 0;
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd;

	if (make_addr(addr, port, &ss, &len))
		return fprintf(stderr, "mg-try: bad address '%s'\n", addr), 2;
	fd = socket(ss.ss_family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		return fail("connect");
	printf("ok connected\n");
	close(fd);
	return 0;
}

static int read_one(int fd)
{
	char c;
	ssize_t n = read(fd, &c, 1);

	printf("ok read=%zd\n", n);
	return 0;
}

static int do_mmap_fd(int fd)
{
	char *p = mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 0);

	if (p == MAP_FAILED)
		return fail("mmap");
	printf("ok mapped=%d\n", p[0] != 0);
	munmap(p, 1);
	return 0;
}

/* A child, still outside the cgroup, opens @path and sends the descriptor. */
static int start_sender(const char *path, int *ret_sock)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'f';
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = cbuf,
				      .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		int fd = open(path, O_RDONLY);

		close(sv[0]);
		if (fd < 0)
			_exit(3);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : 4);
	}
	close(sv[1]);
	*ret_sock = sv[0];
	return pid;
}

/* The same, through recvmmsg: one message with a control buffer. */
static int do_recvmmsg_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct mmsghdr m = { .msg_hdr = { .msg_iov = &iov,
					  .msg_iovlen = 1,
					  .msg_control = cbuf,
					  .msg_controllen = sizeof(cbuf) } };
	struct cmsghdr *cm;
	int fd;

	if (recvmmsg(sock, &m, 1, 0, NULL) < 0)
		return fail("recvmmsg");
	cm = CMSG_FIRSTHDR(&m.msg_hdr);
	if (!cm || cm->cmsg_type != SCM_RIGHTS || (m.msg_hdr.msg_flags & MSG_CTRUNC)) {
		printf("denied no-fd\n");
		return 1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return read_one(fd);
}

static int do_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) < 0)
		return fail("recvmsg");
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS || (msg.msg_flags & MSG_CTRUNC)) {
		/* The kernel refused to install the descriptor (file_receive). */
		printf("denied no-fd\n");
		return 1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return read_one(fd);
}

static int do_opath_reopen(const char *path)
{
	char proc[64];
	int fd = open(path, O_PATH), fd2;

	if (fd < 0)
		return fail("open O_PATH");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	fd2 = open(proc, O_RDONLY);
	if (fd2 < 0)
		return fail("reopen");
	return read_one(fd2);
}

/* The smallest io_uring client: one IORING_OP_OPENAT, then a plain read. */
static int do_uring_open(const char *path)
{
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqe;
	unsigned int *sq_tail, *sq_array, *cq_head, *cq_tail, *cq_mask, *sq_mask;
	char *sq, *cq;
	int ring, res;

	ring = syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		return fail("io_uring_setup");
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		return fail("mmap ring");
	sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	sq_array = (unsigned int *)(sq + p.sq_off.array);
	cq_head = (unsigned int *)(cq + p.cq_off.head);
	cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);

	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_OPENAT;
	sqes[0].fd = AT_FDCWD;
	sqes[0].addr = (unsigned long)path;
	sqes[0].open_flags = O_RDONLY;
	sq_array[*sq_tail & *sq_mask] = 0;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return fail("io_uring_enter");
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head) {
		fprintf(stderr, "mg-try: no completion\n");
		return 2;
	}
	cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes) + (*cq_head & *cq_mask);
	res = cqe->res;
	if (res < 0) {
		errno = -res;
		return fail("io_uring openat");
	}
	return read_one(res);
}

/*
 * One raw system call, chosen so that it changes nothing and fails (or
 * succeeds) the same way every time outside a seccomp filter:
 *   bpf              an unknown command: EINVAL
 *   ptrace           PTRACE_PEEKDATA on itself, which it is not tracing: ESRCH
 *   unshare-user     unshare(CLONE_NEWUSER): ok (a namespace of its own, until it exits)
 *   mount            an empty target: ENOENT, looked up before any privilege check
 *   perf_event_open  flags no kernel knows: EINVAL before anything is read
 *   io_uring_setup   zero entries: EINVAL, no ring is made
 */
static int do_syscall(const char *name)
{
	struct io_uring_params params;
	long r, word = 0;

	memset(&params, 0, sizeof(params));
	if (strcmp(name, "bpf") == 0)
		r = syscall(__NR_bpf, 0x7fff, NULL, 0);
	else if (strcmp(name, "ptrace") == 0)
		r = syscall(__NR_ptrace, PTRACE_PEEKDATA, getpid(), &word, &word);
	else if (strcmp(name, "unshare-user") == 0)
		r = syscall(__NR_unshare, CLONE_NEWUSER);
	else if (strcmp(name, "mount") == 0)
		r = syscall(__NR_mount, "none", "", NULL, 0UL, NULL);
	else if (strcmp(name, "perf_event_open") == 0)
		r = syscall(__NR_perf_event_open, NULL, 0, -1, -1, ~0UL);
	else if (strcmp(name, "io_uring_setup") == 0)
		r = syscall(__NR_io_uring_setup, 0, &params);
	else
		return fprintf(stderr, "mg-try: unknown syscall '%s'\n", name), 2;
	if (r < 0)
		return fail(name);
	printf("ok\n");
	return 0;
}

/* A UNIX stream socket listening at @path for @secs seconds (run it in the background). */
static int do_unix_listen(const char *path, int secs)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0)
		return fail("listen");
	printf("ok listening\n");
	sleep(secs);
	unlink(path);
	return 0;
}

static int do_unix_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return fail("connect");
	printf("ok connected\n");
	close(fd);
	return 0;
}

/* Detach a pinned BPF link, as a runtime that owns a cgroup could. */
static int do_link_detach(const char *pin)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (unsigned long)pin;
	fd = syscall(__NR_bpf, BPF_OBJ_GET, &attr, sizeof(attr));
	if (fd < 0)
		return fail("BPF_OBJ_GET");
	memset(&attr, 0, sizeof(attr));
	attr.link_detach.link_fd = fd;
	if (syscall(__NR_bpf, BPF_LINK_DETACH, &attr, sizeof(attr)) < 0)
		return fail("BPF_LINK_DETACH");
	printf("ok detached\n");
	return 0;
}

static int bpf_obj_get_path(const char *path)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (unsigned long)path;
	return syscall(__NR_bpf, BPF_OBJ_GET, &attr, sizeof(attr));
}

static int bpf_lookup(int fd, const void *key, void *val)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (unsigned long)key;
	attr.value = (unsigned long)val;
	return syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
}

/*
 * Is the cgroup folder CG itself (not through an ancestor) a scope in the
 * generation in force of the guard pinned in PIN? "ok scope N" or "ok unbound".
 */
static int do_bound(const char *pin, const char *cg)
{
	struct {
		uint64_t cgroup_id;
		uint32_t gen, pad;
	} key = { 0 };
	uint32_t cfg[64], zero = 0, val[2];
	char path[4096];
	struct stat st;
	int cfd, sfd;

	snprintf(path, sizeof(path), "%s/mg_config", pin);
	cfd = bpf_obj_get_path(path);
	snprintf(path, sizeof(path), "%s/mg_scopes", pin);
	sfd = bpf_obj_get_path(path);
	if (cfd < 0 || sfd < 0)
		return fail("BPF_OBJ_GET");
	if (bpf_lookup(cfd, &zero, cfg) < 0)
		return fail("BPF_MAP_LOOKUP_ELEM");
	if (stat(cg, &st) < 0)
		return fail("stat");
	key.cgroup_id = st.st_ino;
	key.gen = cfg[0]; /* mg_config.active_gen */
	if (bpf_lookup(sfd, &key, val) == 0)
		printf("ok scope %u\n", val[0]);
	else
		printf("ok unbound\n");
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* What must happen before entering the cgroup: the inherited descriptors. */
	if (argc >= 5 && strcmp(argv[1], "--cgroup") == 0 &&
	    strcmp(argv[3], "mmap-inherited") == 0) {
		int fd = open(argv[4], O_RDONLY);

		if (fd < 0)
			return fail("open before entering the scope");
		if (enter_cgroup(argv[2]) < 0)
			return 2;
		return do_mmap_fd(fd);
	}
	if (argc >= 5 && strcmp(argv[1], "--cgroup") == 0 &&
	    (strcmp(argv[3], "recv-fd") == 0 || strcmp(argv[3], "recvmmsg-fd") == 0)) {
		int sock, status, rc;
		pid_t pid = start_sender(argv[4], &sock);

		if (pid < 0)
			return fail("start the sender");
		if (enter_cgroup(argv[2]) < 0)
			return 2;
		rc = strcmp(argv[3], "recv-fd") ? do_recvmmsg_fd(sock) : do_recv_fd(sock);
		waitpid(pid, &status, 0);
		return rc;
	}
	if (i + 1 < argc && strcmp(argv[i], "--cgroup") == 0) {
		if (enter_cgroup(argv[i + 1]) < 0) {
			fprintf(stderr, "mg-try: cannot enter cgroup '%s': %s\n", argv[i + 1],
				strerror(errno));
			return 2;
		}
		i += 2;
	}
	if (i + 1 < argc && strcmp(argv[i], "open") == 0)
		return do_open(argv[i + 1]);
	if (i + 1 < argc && strcmp(argv[i], "recv-fd") == 0) {
		int sock, status, rc;
		pid_t pid = start_sender(argv[i + 1], &sock);

		if (pid < 0)
			return fail("start the sender");
		rc = do_recv_fd(sock);
		waitpid(pid, &status, 0);
		return rc;
	}
	if (i + 4 < argc && strcmp(argv[i], "load-then") == 0) {
		int fd = open(argv[i + 1], O_RDONLY), in_child = strcmp(argv[i + 2], "fork") == 0,
		    status;
		char c;
		pid_t pid;

		if (fd < 0 || read(fd, &c, 1) != 1)
			return fail("load");
		close(fd);
		i += 2 + in_child;
		if (i + 2 >= argc)
			return 2;
		if (in_child) {
			pid = fork();
			if (pid == 0)
				_exit(strcmp(argv[i], "sendto") ?
					      do_connect(argv[i + 1], argv[i + 2], NULL) :
					      do_sendto(argv[i + 1], argv[i + 2]));
			waitpid(pid, &status, 0);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
		}
		return strcmp(argv[i], "sendto") ? do_connect(argv[i + 1], argv[i + 2], NULL) :
						   do_sendto(argv[i + 1], argv[i + 2]);
	}
	if (i + 2 < argc && strcmp(argv[i], "unix-listen") == 0)
		return do_unix_listen(argv[i + 1], atoi(argv[i + 2]));
	if (i + 1 < argc && strcmp(argv[i], "unix-connect") == 0)
		return do_unix_connect(argv[i + 1]);
	if (i + 2 < argc && strcmp(argv[i], "bound") == 0)
		return do_bound(argv[i + 1], argv[i + 2]);
	if (i + 1 < argc && strcmp(argv[i], "link-detach") == 0)
		return do_link_detach(argv[i + 1]);
	if (i + 1 < argc && strcmp(argv[i], "opath-reopen") == 0)
		return do_opath_reopen(argv[i + 1]);
	if (i + 1 < argc && strcmp(argv[i], "uring-open") == 0)
		return do_uring_open(argv[i + 1]);
	if (i + 1 < argc && strcmp(argv[i], "mmap-inherited") == 0) {
		int fd = open(argv[i + 1], O_RDONLY);

		return fd < 0 ? fail("open") : do_mmap_fd(fd);
	}
	if (i + 2 < argc && strcmp(argv[i], "sendto") == 0)
		return do_sendto(argv[i + 1], argv[i + 2]);
	if (i + 1 < argc && strcmp(argv[i], "write") == 0)
		return do_write(argv[i + 1]);
	if (i + 2 < argc && strcmp(argv[i], "connect") == 0)
		return do_connect(argv[i + 1], argv[i + 2], i + 3 < argc ? argv[i + 3] : NULL);
	if (i + 1 < argc && strcmp(argv[i], "syscall") == 0)
		return do_syscall(argv[i + 1]);
	fprintf(stderr,
		"usage: mg-try [--cgroup DIR] open PATH | write PATH | connect ADDR PORT [tcp|udp] | sendto ADDR PORT | syscall NAME\n");
	return 2;
}
