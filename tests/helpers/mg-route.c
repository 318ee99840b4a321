// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mg-route: try one route beyond open(2) (a 32-bit syscall, a mount, a
 * notification descriptor, a name change, a socket family, a send path, a
 * descriptor passed in) and say how it went. Built static, like mg-try, so
 * the same binary runs on the host and in the test VM.
 *
 *   mg-route [--cgroup DIR] compat-open PATH     open through int $0x80 (32-bit), read a byte
 *   mg-route [--cgroup DIR] compat-getpid        getpid through int $0x80
 *   mg-route [--cgroup DIR] overlay-read LOWER WORK FILE
 *                                                 in a new mount namespace, overlay LOWER
 *                                                 (upper and work on a tmpfs on WORK), read FILE
 *   mg-route [--cgroup DIR] tmpfs-mount DIR2      in a new mount namespace, a tmpfs on DIR2
 *   mg-route [--cgroup DIR] fanotify-fd PATH SECS a descriptor from a fanotify event on PATH
 *   mg-route [--cgroup DIR] link|rename|symlink FROM TO
 *   mg-route [--cgroup DIR] truncate|setxattr|fsetxattr|mkfifo PATH
 *   mg-route [--cgroup DIR] tmpfile-link DIR2 TO  O_TMPFILE in DIR2, written, then linkat to TO
 *   mg-route [--cgroup DIR] socket FAMILY TYPE PROTOCOL
 *   mg-route [--cgroup DIR] fastopen ADDR PORT    TCP sendto with MSG_FASTOPEN
 *   mg-route [--cgroup DIR] sendmmsg ADDR PORT1 PORT2
 *   mg-route [--cgroup DIR] connect-mapped ADDR PORT  IPv6 TCP connect to ::ffff:ADDR
 *   mg-route [--cgroup DIR] unspec-send ADDR PORT UDP connect, AF_UNSPEC disconnect, send
 *   mg-route [--cgroup DIR] lsrr-send ADDR PORT HOP   UDP sendto with IPv4 loose source route
 *   mg-route [--cgroup DIR] tcp-serve PORT SECS   accept one client, send it "hi"
 *   mg-route tcp-client ADDR PORT                  connect, read two bytes
 *   mg-route fd-serve SOCK SECS file PATH | udp ADDR PORT | tcp-listen | unix
 *                                                 on each connection to UNIX socket SOCK,
 *                                                 pass one descriptor of that kind
 *   mg-route [--cgroup DIR] recv-use SOCK          receive a descriptor from SOCK and use it
 *   mg-route [--cgroup DIR] rtnl-newaddr|rtnl-getaddr
 *                                                 in a network namespace of its own, add an
 *                                                 address to lo, or list the addresses
 *
 * Prints one line, "ok ...", "sent=N", "denied no-fd" or "errno NAME".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdbool.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define HELPER_NAME "mg-route"
#include "helper.h"

static int ok(const char *what)
{
	printf("ok %s\n", what);
	return 0;
}

static int read_one(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		return fail("read");
	return ok("read=1");
}

/* --- 32-bit entry ------------------------------------------------------------------------ */
/* A static, non-PIE binary: its data lies below 4 GiB, where a 32-bit syscall can point. */
static char compat_path[4096];

static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

static int do_compat_open(const char *path)
{
	long fd;

	snprintf(compat_path, sizeof(compat_path), "%s", path);
	if ((unsigned long)compat_path >> 32) {
		fprintf(stderr, "mg-route: the path buffer lies above 4 GiB (a PIE build?)\n");
		return 2;
	}
	fd = int80(5 /* i386 open */, (long)compat_path, O_RDONLY, 0);
	if (fd < 0) {
		errno = -fd;
		return fail("int $0x80 open");
	}
	return read_one(fd);
}

static int do_compat_getpid(void)
{
	long pid = int80(20 /* i386 getpid */, 0, 0, 0);

	if (pid != getpid()) {
		errno = pid < 0 ? -pid : EINVAL;
		return fail("int $0x80 getpid");
	}
	return ok("getpid");
}

/* --- mounts and notifications -------------------------------------------------------------- */
static int private_mount_ns(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return fail("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail("mount --make-rprivate /");
	return 0;
}

static int do_overlay_read(const char *lower, const char *work, const char *file)
{
	char up[4096], wk[4096], merged[4096], opts[12800], path[8192];
	int fd;

	if (private_mount_ns())
		return 1;
	/* Upper and work folders on a tmpfs: any file system the test runs on will do. */
	if (mount("tmpfs", work, "tmpfs", 0, "size=1m") < 0)
		return fail("mount tmpfs for the upper folder");
	snprintf(up, sizeof(up), "%s/upper", work);
	snprintf(wk, sizeof(wk), "%s/work", work);
	snprintf(merged, sizeof(merged), "%s/merged", work);
	mkdir(up, 0755);
	mkdir(wk, 0755);
	mkdir(merged, 0755);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", lower, up, wk);
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		return fail("mount overlay");
	snprintf(path, sizeof(path), "%s/%s", merged, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail("open through the overlay");
	return read_one(fd);
}

static int do_tmpfs_mount(const char *dir)
{
	struct stat st;

	if (private_mount_ns())
		return 1;
	if (mount("tmpfs", dir, "tmpfs", 0, "size=1m") < 0)
		return fail("mount tmpfs");
	if (stat(dir, &st) < 0)
		return fail("stat the mount");
	return ok("mounted");
}

/* Wait up to @secs for an open of @path (by anyone), then use the event's descriptor. */
static int do_fanotify_fd(const char *path, int secs)
{
	struct fanotify_event_metadata ev[8];
	struct pollfd pfd;
	ssize_t n;
	int fan;

	fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY);
	if (fan < 0)
		return fail("fanotify_init");
	if (fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, path) < 0)
		return fail("fanotify_mark");
	fprintf(stderr, "mg-route: watching\n");
	pfd.fd = fan;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, secs * 1000) != 1) {
		errno = ETIMEDOUT;
		return fail("no event");
	}
	n = read(fan, ev, sizeof(ev));
	if (n < 0)
		return fail("read of the event");
	if (n < (ssize_t)sizeof(ev[0]) || ev[0].fd < 0) {
		printf("denied no-fd\n");
		return 1;
	}
	return read_one(ev[0].fd);
}

/* --- names and metadata ------------------------------------------------------------------- */
static int do_path(const char *op, const char *a, const char *b)
{
	int r = -1, fd;

	if (!strcmp(op, "link"))
		r = link(a, b);
	else if (!strcmp(op, "rename"))
		r = rename(a, b);
	else if (!strcmp(op, "symlink"))
		r = symlink(a, b);
	else if (!strcmp(op, "truncate"))
		r = truncate(a, 0);
	else if (!strcmp(op, "setxattr"))
		r = setxattr(a, "trusted.mg-route", "x", 1, 0);
	else if (!strcmp(op, "mkfifo"))
		r = mkfifo(a, 0600);
	else if (!strcmp(op, "fsetxattr")) {
		fd = open(a, O_WRONLY);
		if (fd < 0)
			return fail("open for writing");
		r = fsetxattr(fd, "trusted.mg-route", "x", 1, 0);
	}
	if (r < 0)
		return fail(op);
	return ok(op);
}

static int do_tmpfile_link(const char *dir, const char *to)
{
	char proc[64];
	int fd = open(dir, O_TMPFILE | O_WRONLY, 0600);

	if (fd < 0)
		return fail("open O_TMPFILE");
	if (write(fd, "data", 4) != 4)
		return fail("write");
	if (linkat(fd, "", AT_FDCWD, to, AT_EMPTY_PATH) < 0) {
		/* Without CAP_DAC_READ_SEARCH, the /proc link is the way. */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (errno != ENOENT || linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW) < 0)
			return fail("linkat");
	}
	return ok("linked");
}

/* --- sockets and send paths ---------------------------------------------------------------- */
static int addr4(const char *addr, const char *port, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(atoi(port));
	return inet_pton(AF_INET, addr, &sin->sin_addr) == 1 ? 0 : -1;
}

static int do_socket(int family, int type, int protocol)
{
	if (socket(family, type, protocol) < 0)
		return fail("socket");
	return ok("socket");
}

static int do_fastopen(const char *addr, const char *port)
{
	struct sockaddr_in sin;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || addr4(addr, port, &sin))
		return fail("socket");
	if (sendto(s, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return fail("sendto MSG_FASTOPEN");
	return ok("sent");
}

static int do_sendmmsg(const char *addr, const char *p1, const char *p2)
{
	struct sockaddr_in sin[2];
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct mmsghdr m[2];
	int s = socket(AF_INET, SOCK_DGRAM, 0), n;

	if (s < 0 || addr4(addr, p1, &sin[0]) || addr4(addr, p2, &sin[1]))
		return fail("socket");
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 2; i++) {
		m[i].msg_hdr.msg_name = &sin[i];
		m[i].msg_hdr.msg_namelen = sizeof(sin[i]);
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	n = sendmmsg(s, m, 2, 0);
	if (n < 0)
		return fail("sendmmsg");
	printf("sent=%d\n", n);
	return n == 2 ? 0 : 1;
}

static int do_connect_mapped(const char *addr, const char *port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(atoi(port)) };
	char mapped[64];
	int s = socket(AF_INET6, SOCK_STREAM, 0);

	snprintf(mapped, sizeof(mapped), "::ffff:%s", addr);
	if (s < 0 || inet_pton(AF_INET6, mapped, &sin6.sin6_addr) != 1)
		return fail("socket");
	if (connect(s, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
		return fail("connect");
	return ok("connected");
}

static int do_unspec_send(const char *addr, const char *port)
{
	struct sockaddr_in sin;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || addr4(addr, port, &sin))
		return fail("socket");
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return fail("connect");
	if (connect(s, &unspec, sizeof(unspec)) < 0)
		return fail("connect AF_UNSPEC");
	if (send(s, "x", 1, 0) < 0)
		return fail("send");
	return ok("sent");
}

/* The packet's header names HOP; the destination connect and sendmsg see is ADDR. */
static int do_lsrr_send(const char *addr, const char *port, const char *hop)
{
	unsigned char opt[8] = { IPOPT_NOP, IPOPT_LSRR, 7, 4 };
	struct sockaddr_in sin;
	struct in_addr h;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || addr4(addr, port, &sin) || inet_pton(AF_INET, hop, &h) != 1)
		return fail("socket");
	memcpy(&opt[4], &h, 4);
	if (setsockopt(s, IPPROTO_IP, IP_OPTIONS, opt, sizeof(opt)) < 0)
		return fail("setsockopt IP_OPTIONS");
	if (sendto(s, "x", 1, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return fail("sendto");
	return ok("sent");
}

static int do_tcp_serve(const char *port, int secs)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0), c;

	if (s < 0 || addr4("127.0.0.1", port, &sin))
		return fail("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(s, 1) < 0)
		return fail("listen");
	pfd.fd = s;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, secs * 1000) != 1) {
		errno = ETIMEDOUT;
		return fail("accept");
	}
	c = accept(s, NULL, NULL);
	if (c < 0 || write(c, "hi", 2) != 2)
		return fail("reply");
	close(c);
	return ok("served");
}

static int do_tcp_client(const char *addr, const char *port)
{
	struct sockaddr_in sin;
	char buf[3] = { 0 };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || addr4(addr, port, &sin))
		return fail("socket");
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return fail("connect");
	if (read(s, buf, 2) != 2)
		return fail("read");
	printf("ok got=%s\n", buf);
	return 0;
}

/* --- descriptors passed in ----------------------------------------------------------------- */
static int unix_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -1;
	strcpy(sun->sun_path, path);
	return 0;
}

/* The descriptor fd-serve passes: @kind and its arguments. */
static int make_fd(char **argv)
{
	struct sockaddr_in sin;
	int s, sv[2];

	if (!strcmp(argv[0], "file"))
		return open(argv[1], O_RDONLY);
	if (!strcmp(argv[0], "udp")) {
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (s < 0 || addr4(argv[1], argv[2], &sin) ||
		    connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return -1;
		return s;
	}
	if (!strcmp(argv[0], "tcp-listen")) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		/* An ephemeral port: every caller gets a listener of its own. */
		if (s < 0 || addr4("127.0.0.1", "0", &sin) ||
		    bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(s, 1) < 0)
			return -1;
		return s;
	}
	if (!strcmp(argv[0], "unix") && socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0)
		return sv[0];
	return -1;
}

static int do_fd_serve(const char *path, int secs, char **kind)
{
	struct sockaddr_un sun;
	time_t end = time(NULL) + secs;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (s < 0 || unix_addr(path, &sun))
		return fail("socket");
	unlink(path);
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(s, 8) < 0)
		return fail("listen");
	while (time(NULL) < end) {
		char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'f';
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = cbuf,
				      .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		int c, fd;

		if (poll(&pfd, 1, 200) != 1)
			continue;
		c = accept(s, NULL, NULL);
		fd = make_fd(kind);
		if (c < 0 || fd < 0)
			return fail("make the descriptor");
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		sendmsg(c, &msg, 0);
		close(fd);
		close(c);
	}
	unlink(path);
	return 0;
}

static int do_recv_use(const char *path)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct sockaddr_un sun;
	struct cmsghdr *cm;
	struct stat st;
	socklen_t len = sizeof(int);
	int s = socket(AF_UNIX, SOCK_STREAM, 0), fd, listening = 0;

	if (s < 0 || unix_addr(path, &sun) || connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return fail("connect");
	if (recvmsg(s, &msg, 0) < 0)
		return fail("recvmsg");
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS || (msg.msg_flags & MSG_CTRUNC)) {
		printf("denied no-fd\n");
		return 1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (fstat(fd, &st) < 0)
		return fail("fstat");
	if (!S_ISSOCK(st.st_mode))
		return read_one(fd);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening)
		return ok("socket"); /* a listener: it only accepts */
	if (send(fd, "x", 1, 0) < 0)
		return fail("send");
	return ok("socket");
}

/* --- routing netlink ---------------------------------------------------------------------- */
/*
 * One request on a routing netlink socket, in a new network namespace (so
 * a change, where it is allowed, stays there); the kernel's answer.
 */
static int do_rtnl(bool add)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		struct rtattr rta;
		struct in_addr addr;
	} req = {
		.nh = { .nlmsg_len = sizeof(req),
			.nlmsg_type = add ? RTM_NEWADDR : RTM_GETADDR,
			.nlmsg_flags =
				NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE : NLM_F_DUMP) },
		.ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_index = 1 },
		.rta = { .rta_len = RTA_LENGTH(sizeof(struct in_addr)), .rta_type = IFA_LOCAL },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char buf[8192];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	ssize_t n;
	int s;

	if (unshare(CLONE_NEWNET) < 0)
		return fail("unshare(CLONE_NEWNET)");
	inet_pton(AF_INET, "10.99.0.1", &req.addr);
	s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (s < 0)
		return fail("socket");
	if (sendto(s, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return fail("sendto");
	n = recv(s, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(*nh))
		return fail("recv");
	if (nh->nlmsg_type == NLMSG_ERROR) {
		int e = -((struct nlmsgerr *)NLMSG_DATA(nh))->error;

		if (e) {
			errno = e;
			return fail("the kernel's answer");
		}
	}
	return ok(add ? "added" : "listed");
}

int main(int argc, char **argv)
{
	int i = 1;

	if (i + 1 < argc && !strcmp(argv[i], "--cgroup")) {
		if (enter_cgroup(argv[i + 1]) < 0)
			return fail("enter cgroup");
		i += 2;
	}
	argc -= i;
	argv += i;
	if (argc < 1)
		goto usage;
	if (argc == 2 && !strcmp(argv[0], "compat-open"))
		return do_compat_open(argv[1]);
	if (argc == 1 && !strcmp(argv[0], "compat-getpid"))
		return do_compat_getpid();
	if (argc == 4 && !strcmp(argv[0], "overlay-read"))
		return do_overlay_read(argv[1], argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[0], "tmpfs-mount"))
		return do_tmpfs_mount(argv[1]);
	if (argc == 3 && !strcmp(argv[0], "fanotify-fd"))
		return do_fanotify_fd(argv[1], atoi(argv[2]));
	if (argc == 3 &&
	    (!strcmp(argv[0], "link") || !strcmp(argv[0], "rename") || !strcmp(argv[0], "symlink")))
		return do_path(argv[0], argv[1], argv[2]);
	if (argc == 2 && (!strcmp(argv[0], "truncate") || !strcmp(argv[0], "setxattr") ||
			  !strcmp(argv[0], "fsetxattr") || !strcmp(argv[0], "mkfifo")))
		return do_path(argv[0], argv[1], NULL);
	if (argc == 3 && !strcmp(argv[0], "tmpfile-link"))
		return do_tmpfile_link(argv[1], argv[2]);
	if (argc == 4 && !strcmp(argv[0], "socket"))
		return do_socket(atoi(argv[1]), atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[0], "fastopen"))
		return do_fastopen(argv[1], argv[2]);
	if (argc == 4 && !strcmp(argv[0], "sendmmsg"))
		return do_sendmmsg(argv[1], argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[0], "connect-mapped"))
		return do_connect_mapped(argv[1], argv[2]);
	if (argc == 3 && !strcmp(argv[0], "unspec-send"))
		return do_unspec_send(argv[1], argv[2]);
	if (argc == 4 && !strcmp(argv[0], "lsrr-send"))
		return do_lsrr_send(argv[1], argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[0], "tcp-serve"))
		return do_tcp_serve(argv[1], atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[0], "tcp-client"))
		return do_tcp_client(argv[1], argv[2]);
	if (argc >= 4 && !strcmp(argv[0], "fd-serve"))
		return do_fd_serve(argv[1], atoi(argv[2]), &argv[3]);
	if (argc == 2 && !strcmp(argv[0], "recv-use"))
		return do_recv_use(argv[1]);
	if (argc == 1 && !strcmp(argv[0], "rtnl-newaddr"))
		return do_rtnl(true);
	if (argc == 1 && !strcmp(argv[0], "rtnl-getaddr"))
		return do_rtnl(false);
usage:
	fprintf(stderr, "mg-route: unknown or incomplete command (see the comment at the top)\n");
	return 2;
}
