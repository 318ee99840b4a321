// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mg-ops: what the operations tests need and the test VM's busybox lacks.
 *
 *   mg-ops http PORT PATH               GET http://127.0.0.1:PORT/PATH; prints
 *                                       "status CODE", then the body
 *   mg-ops notify-listen SOCKET SECONDS receive sd_notify datagrams on the UNIX
 *                                       socket SOCKET, one message a line, until
 *                                       STOPPING=1 or SECONDS pass
 *   mg-ops caps CAP[,CAP...] -- CMD...  run CMD with only those capabilities in
 *                                       the bounding set (names as in capabilities(7),
 *                                       lowercase, no "cap_": bpf,perfmon)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int mg_http(const char *port, const char *path)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	char req[512], buf[65536];
	size_t got = 0;
	ssize_t n;
	char *body;
	int fd, code;

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		printf("connect failed: %s\n", strerror(errno));
		return 1;
	}
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
	if (write(fd, req, n) != n)
		return 1;
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(fd);
	if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1) {
		printf("no HTTP status line\n");
		return 1;
	}
	body = strstr(buf, "\r\n\r\n");
	printf("status %d\n%s", code, body ? body + 4 : "");
	return 0;
}

static int mg_notify_listen(const char *path, const char *seconds)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	time_t end = time(NULL) + atoi(seconds);
	char buf[4096];
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "mg-ops: cannot bind '%s': %s\n", path, strerror(errno));
		return 1;
	}
	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (char *c = buf; *c; c++)
			if (*c == '\n')
				*c = ' ';
		printf("%s\n", buf);
		fflush(stdout);
		if (strstr(buf, "STOPPING=1"))
			break;
	}
	unlink(path);
	return 0;
}

static const char *const mg_cap_names[] = {
	[CAP_DAC_OVERRIDE] = "dac_override",
	[CAP_DAC_READ_SEARCH] = "dac_read_search",
	[CAP_KILL] = "kill",
	[CAP_NET_ADMIN] = "net_admin",
	[CAP_SYS_ADMIN] = "sys_admin",
	[CAP_SYS_RESOURCE] = "sys_resource",
	[CAP_PERFMON] = "perfmon",
	[CAP_BPF] = "bpf",
};

static int mg_caps(char *list, char **cmd)
{
	unsigned long long keep = 0;

	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		int found = -1;

		for (size_t c = 0; c < sizeof(mg_cap_names) / sizeof(*mg_cap_names); c++)
			if (mg_cap_names[c] && !strcmp(mg_cap_names[c], name))
				found = c;
		if (found < 0) {
			fprintf(stderr, "mg-ops: unknown capability '%s'\n", name);
			return 2;
		}
		keep |= 1ull << found;
	}
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		if (keep & (1ull << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
			fprintf(stderr, "mg-ops: cannot drop capability %d: %s\n", c,
				strerror(errno));
			return 1;
		}
	}
	execvp(cmd[0], cmd);
	fprintf(stderr, "mg-ops: cannot run '%s': %s\n", cmd[0], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "http"))
		return mg_http(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "notify-listen"))
		return mg_notify_listen(argv[2], argv[3]);
	if (argc >= 5 && !strcmp(argv[1], "caps") && !strcmp(argv[3], "--"))
		return mg_caps(argv[2], argv + 4);
	fprintf(stderr, "usage: mg-ops http PORT PATH | notify-listen SOCKET SECONDS |"
			" caps CAP,... -- CMD...\n");
	return 2;
}
