// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mg-try: do one thing a guarded process might do, and say how it went.
 * Built static so the same binary runs on the host and in the test VM.
 *
 *   mg-try [--cgroup DIR] open PATH              open, then read one byte
 *   mg-try [--cgroup DIR] write PATH             open for writing (creating), write one byte
 *   mg-try [--cgroup DIR] connect ADDR PORT [tcp|udp]
 *   mg-try [--cgroup DIR] sendto ADDR PORT      one UDP datagram, no connect
 *
 * Prints one line, "ok ..." or "errno NAME", and exits 0 or 1. With
 * --cgroup it first moves itself into the cgroup folder DIR.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENETUNREACH: return "ENETUNREACH";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ENXIO: return "ENXIO";
	case EINVAL: return "EINVAL";
	default: return "EOTHER";
	}
}

static int fail(const char *what)
{
	int e = errno;

	printf("errno %s\n", errno_name(e));
	fprintf(stderr, "mg-try: %s: %s\n", what, strerror(e));
	return 1;
}

static int enter_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
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

static int make_addr(const char *addr, const char *port, struct sockaddr_storage *ss, socklen_t *ret_len)
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

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (i + 1 < argc && strcmp(argv[i], "--cgroup") == 0) {
		if (enter_cgroup(argv[i + 1]) < 0) {
			fprintf(stderr, "mg-try: cannot enter cgroup '%s': %s\n", argv[i + 1], strerror(errno));
			return 2;
		}
		i += 2;
	}
	if (i + 1 < argc && strcmp(argv[i], "open") == 0)
		return do_open(argv[i + 1]);
	if (i + 2 < argc && strcmp(argv[i], "sendto") == 0)
		return do_sendto(argv[i + 1], argv[i + 2]);
	if (i + 1 < argc && strcmp(argv[i], "write") == 0)
		return do_write(argv[i + 1]);
	if (i + 2 < argc && strcmp(argv[i], "connect") == 0)
		return do_connect(argv[i + 1], argv[i + 2], i + 3 < argc ? argv[i + 3] : NULL);
	fprintf(stderr, "usage: mg-try [--cgroup DIR] open PATH | write PATH | connect ADDR PORT [tcp|udp] | sendto ADDR PORT\n");
	return 2;
}
