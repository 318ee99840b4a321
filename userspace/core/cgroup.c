// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "core/util.h"

int mg_cgroup2_mount_from(const char *mountinfo, char *buf, size_t len)
{
	const char *line = mountinfo;

	/* "36 35 0:30 / /sys/fs/cgroup/unified rw,... shared:9 - cgroup2 cgroup2 rw" */
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		char tmp[4096], mnt[PATH_MAX], fstype[64];
		const char *sep;

		if (n < sizeof(tmp)) {
			memcpy(tmp, line, n);
			tmp[n] = '\0';
			sep = strstr(tmp, " - ");
			if (sep && sscanf(sep + 3, "%63s", fstype) == 1 &&
			    strcmp(fstype, "cgroup2") == 0 &&
			    sscanf(tmp, "%*s %*s %*s %*s %4095s", mnt) == 1) {
				if (strlen(mnt) >= len)
					return -ENAMETOOLONG;
				strcpy(buf, mnt);
				return 0;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return -ENOENT;
}

int mg_cgroup2_mount(char *buf, size_t len)
{
	char *text = NULL;
	size_t size;
	int err;

	err = mg_read_file("/proc/self/mountinfo", 1u << 20, &text, &size);
	if (err)
		return err;
	err = mg_cgroup2_mount_from(text, buf, len);
	free(text);
	return err;
}

int mg_cgroup_id(const char *path, uint64_t *ret_id)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*ret_id = st.st_ino;
	return 0;
}

int mg_cgroup_of_pid(pid_t pid, char *buf, size_t len)
{
	char path[64], *text = NULL, *line, *save = NULL;
	size_t size;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	err = mg_read_file(path, 1u << 16, &text, &size);
	if (err)
		return err;
	err = -ENOENT;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "0::", 3) == 0) {
			if (strlen(line + 3) >= len) {
				err = -ENAMETOOLONG;
				break;
			}
			strcpy(buf, line + 3);
			err = 0;
			break;
		}
	}
	free(text);
	return err;
}

int mg_cgroup_create(const char *mount, const char *rel, int *ret_created)
{
	char path[PATH_MAX];
	size_t base;
	int n;

	*ret_created = 0;
	n = snprintf(path, sizeof(path), "%s%s", mount, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	base = strlen(mount);
	for (char *p = path + base + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0755) == 0)
				(*ret_created)++;
			else if (errno != EEXIST)
				return -errno;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

int mg_cgroup_remove(const char *path, int levels)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (int i = 0; i < levels; i++) {
		char *slash;

		if (rmdir(buf) < 0 && errno != ENOENT)
			return -errno;
		slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			break;
		*slash = '\0';
	}
	return 0;
}

int mg_cgroup_enter(const char *path, pid_t pid)
{
	char procs[PATH_MAX], num[32];
	int fd, n, err = 0;

	n = snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	if (n < 0 || (size_t)n >= sizeof(procs))
		return -ENAMETOOLONG;
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(num, sizeof(num), "%d\n", (int)pid);
	if (write(fd, num, n) != n)
		err = -errno;
	close(fd);
	return err;
}
