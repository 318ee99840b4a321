// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fanotify_guard: the same file rule as mguard's, done with fanotify
 * permission events instead of BPF, for comparison. Every open on the mount
 * of MOUNT waits for this process: it identifies the file by (device, inode)
 * and denies it when it is one of the listed files and the opener is in the
 * scope's cgroup (or below it); everything else is allowed. Prints "ready"
 * once the mark is in place and a count of events on exit (SIGTERM, SIGINT).
 * When this process exits, the kernel allows whatever is still pending.
 *
 *   fanotify_guard MOUNT SCOPE-CGROUP DENIED-FILE...
 *
 * SCOPE-CGROUP is the path below the cgroup2 mount, as in a policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DENIED 1024

struct ident {
	dev_t dev;
	ino_t ino;
};

static struct ident denied[MAX_DENIED];
static int ndenied;
static const char *scope;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int is_denied_file(const struct stat *st)
{
	for (int i = 0; i < ndenied; i++)
		if (denied[i].dev == st->st_dev && denied[i].ino == st->st_ino)
			return 1;
	return 0;
}

/* Is @pid in the scope's cgroup or below it? Read from /proc/PID/cgroup. */
static int in_scope(pid_t pid)
{
	char path[64], line[PATH_MAX + 8];
	size_t len = strlen(scope);
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return 1; /* gone or unreadable: fail closed */
	while (fgets(line, sizeof(line), f)) {
		const char *p;

		if (strncmp(line, "0::", 3))
			continue;
		p = line + 3;
		found = strncmp(p, scope, len) == 0 && (p[len] == '\n' || p[len] == '/' || !p[len]);
		break;
	}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long long events = 0, denials = 0;
	char buf[8192] __attribute__((aligned(8)));
	int fan;

	if (argc < 4) {
		fprintf(stderr, "usage: fanotify_guard MOUNT SCOPE-CGROUP DENIED-FILE...\n");
		return 2;
	}
	scope = argv[2];
	for (int i = 3; i < argc && ndenied < MAX_DENIED; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "fanotify_guard: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		denied[ndenied].dev = st.st_dev;
		denied[ndenied++].ino = st.st_ino;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (fan < 0) {
		fprintf(stderr, "fanotify_guard: fanotify_init: %s\n", strerror(errno));
		return 1;
	}
	if (fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN_PERM, AT_FDCWD, argv[1]) <
	    0) {
		fprintf(stderr, "fanotify_guard: mark %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	while (!stop) {
		struct fanotify_event_metadata *m;
		ssize_t len = read(fan, buf, sizeof(buf));

		if (len < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "fanotify_guard: read: %s\n", strerror(errno));
			return 1;
		}
		for (m = (void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			struct fanotify_response r = { .fd = m->fd, .response = FAN_ALLOW };
			struct stat st;

			if (m->vers != FANOTIFY_METADATA_VERSION)
				return 1;
			if (m->fd < 0)
				continue;
			events++;
			if ((m->mask & FAN_OPEN_PERM) && fstat(m->fd, &st) == 0 &&
			    is_denied_file(&st) && in_scope(m->pid)) {
				r.response = FAN_DENY;
				denials++;
			}
			if (write(fan, &r, sizeof(r)) != (ssize_t)sizeof(r))
				fprintf(stderr, "fanotify_guard: response: %s\n", strerror(errno));
			close(m->fd);
		}
	}
	printf("events %llu denied %llu\n", events, denials);
	return 0;
}
