// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mg-stream: a loopback byte stream, to measure what a scope may send.
 * Built static so the same binary runs on the host and in the test VM.
 *
 *   mg-stream sink tcp|udp PORT SECONDS
 *       listen on 127.0.0.1:PORT, print "ready", count what arrives until
 *       the sender closes, nothing came for 3 s after the first bytes,
 *       or SECONDS passed; print "received N"
 *   mg-stream [--cgroup DIR] send tcp|udp ADDR PORT BYTES SECONDS
 *       send BYTES (64 KiB writes, or 1000-byte datagrams) for at most
 *       SECONDS; print "sent N failed F seconds S" (TCP: what the socket
 *       took; when that is all, the sender waits for the reader to close,
 *       else it resets the connection, so nothing queued goes later)
 *
 * With --cgroup it first moves itself into the cgroup folder DIR; with
 * --load FILE it then reads FILE (a model's weights: a licence with an
 * egressBudget narrows the process) and exits 3 when it cannot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HELPER_NAME "mg-stream"
#include "helper.h"

#define CHUNK	 65536
#define DATAGRAM 1000
#define IDLE_MS	 3000

static char buf[CHUNK];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/* Wait for @fd to be readable until @deadline, at most @idle_ms; 1 ready, 0 not. */
static int wait_in(int fd, double deadline, int idle_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ms = (int)((deadline - now_s()) * 1000);

	if (ms <= 0)
		return 0;
	if (idle_ms && ms > idle_ms)
		ms = idle_ms;
	return poll(&p, 1, ms) > 0;
}

static int do_sink(int tcp, const char *port, double seconds)
{
	struct sockaddr_in a = addr_of("127.0.0.1", port);
	double deadline = now_s() + seconds;
	int fd, c, one = 1, rcv = 16 << 20;
	unsigned long long got = 0;
	ssize_t n;

	fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Room for every datagram of a test: a slow reader loses none. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || (tcp && listen(fd, 4)))
		return fail("bind");
	printf("ready\n");
	c = fd;
	if (tcp) {
		if (!wait_in(fd, deadline, 0))
			goto out;
		c = accept(fd, NULL, NULL);
		if (c < 0)
			return fail("accept");
	}
	while (wait_in(c, deadline, got ? IDLE_MS : 0)) {
		n = recv(c, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		got += (unsigned long long)n;
	}
out:
	printf("received %llu\n", got);
	return 0;
}

static int do_send(int tcp, const char *ip, const char *port, unsigned long long bytes,
		   double seconds)
{
	struct sockaddr_in a = addr_of(ip, port);
	double start = now_s(), deadline = start + seconds;
	unsigned long long sent = 0, failed = 0;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd;

	fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return fail("connect");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (sent < bytes && now_s() < deadline) {
		size_t want = tcp ? CHUNK : DATAGRAM;
		ssize_t n;

		if (bytes - sent < want)
			want = bytes - sent;
		n = send(fd, buf, want, MSG_NOSIGNAL);
		if (n > 0) {
			sent += (unsigned long long)n;
			continue;
		}
		if (errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			poll(&p, 1, 50);
			continue;
		}
		if (tcp)
			break;
		/* A datagram the egress program dropped: EPERM, and the next one may pass. */
		failed++;
		if (failed > 100000)
			break;
	}
	if (tcp && sent == bytes) {
		/* All taken: let it all arrive, then the reader closes. */
		shutdown(fd, SHUT_WR);
		while (wait_in(fd, deadline, 0) && recv(fd, buf, sizeof(buf), 0) > 0)
			;
	} else if (tcp) {
		/* Cut short: reset, so nothing queued leaves later. */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(fd);
	printf("sent %llu failed %llu seconds %.3f\n", sent, failed, now_s() - start);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	memset(buf, 'w', sizeof(buf));
	if (i + 1 < argc && strcmp(argv[i], "--cgroup") == 0) {
		if (enter_cgroup(argv[i + 1]) < 0) {
			fprintf(stderr, "mg-stream: cannot enter cgroup '%s': %s\n", argv[i + 1],
				strerror(errno));
			return 2;
		}
		i += 2;
	}
	if (i + 1 < argc && strcmp(argv[i], "--load") == 0) {
		int fd = open(argv[i + 1], O_RDONLY);

		if (fd < 0 || read(fd, buf, 1) != 1) {
			fprintf(stderr, "mg-stream: cannot load '%s': %s\n", argv[i + 1],
				strerror(errno));
			return 3;
		}
		close(fd);
		printf("loaded %s\n", argv[i + 1]);
		memset(buf, 'w', sizeof(buf));
		i += 2;
	}
	if (i + 3 < argc && strcmp(argv[i], "sink") == 0)
		return do_sink(strcmp(argv[i + 1], "udp") != 0, argv[i + 2], atof(argv[i + 3]));
	if (i + 5 < argc && strcmp(argv[i], "send") == 0)
		return do_send(strcmp(argv[i + 1], "udp") != 0, argv[i + 2], argv[i + 3],
			       strtoull(argv[i + 4], NULL, 10), atof(argv[i + 5]));
	fprintf(stderr, "usage: mg-stream sink tcp|udp PORT SECONDS | "
			"[--cgroup DIR] [--load FILE] send tcp|udp ADDR PORT BYTES SECONDS\n");
	return 2;
}
