/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the kernel tests' helper programs share: the one line a helper
 * prints for a failed call ("errno ENAME", which the tests match), and the
 * plain placement in a cgroup (a write to its cgroup.procs, as systemd and
 * container runtimes do). Define HELPER_NAME before including it.
 */
#ifndef MG_TEST_HELPER_H
#define MG_TEST_HELPER_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef HELPER_NAME
#error "define HELPER_NAME before including helper.h"
#endif

/* The errno names the tests match; any other is EOTHER. */
static inline const char *errno_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },
		{ EACCES, "EACCES" },
		{ ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" },
		{ EBADF, "EBADF" },
		{ EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" },
		{ EXDEV, "EXDEV" },
		{ ENODEV, "ENODEV" },
		{ ENXIO, "ENXIO" },
		{ EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" },
		{ ENOSYS, "ENOSYS" },
		{ ENOTCONN, "ENOTCONN" },
		{ EDESTADDRREQ, "EDESTADDRREQ" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" },
		{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
		{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
		{ ECONNREFUSED, "ECONNREFUSED" },
		{ ENETUNREACH, "ENETUNREACH" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" },
		{ ETIMEDOUT, "ETIMEDOUT" },
		{ EINPROGRESS, "EINPROGRESS" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return "EOTHER";
}

/* A failed call: "errno ENAME" on stdout for the test, the reason on stderr. */
static inline int fail(const char *what)
{
	int e = errno;

	printf("errno %s\n", errno_name(e));
	fprintf(stderr, HELPER_NAME ": %s: %s\n", what, strerror(e));
	return 1;
}

/* Place the calling process in @dir by writing its pid to cgroup.procs. */
static inline int enter_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

#endif /* MG_TEST_HELPER_H */
