// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mg-flood: make N UDP sends to ADDR:PORT as fast as possible from inside
 * the cgroup folder DIR, and count how many the kernel refused (EPERM).
 *
 *   mg-flood DIR N ADDR PORT        prints "denied D of N"
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

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char path[4096], pid[32];
	long n, denied = 0;
	int fd, len;

	if (argc != 5) {
		fprintf(stderr, "usage: mg-flood DIR N ADDR PORT\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", argv[1]);
	fd = open(path, O_WRONLY);
	len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (fd < 0 || write(fd, pid, len) != len) {
		fprintf(stderr, "mg-flood: cannot enter cgroup '%s': %s\n", argv[1],
			strerror(errno));
		return 2;
	}
	close(fd);
	n = atol(argv[2]);
	sin.sin_port = htons(atoi(argv[4]));
	if (inet_pton(AF_INET, argv[3], &sin.sin_addr) != 1)
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 2;
	for (long i = 0; i < n; i++)
		if (sendto(fd, "f", 1, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0 &&
		    errno == EPERM)
			denied++;
	printf("denied %ld of %ld\n", denied, n);
	return 0;
}
