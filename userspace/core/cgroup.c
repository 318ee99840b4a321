// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
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

/* Whether @s[0..n) is hex digits only. */
static bool mg_is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

bool mg_cgroup_container_id(const char *path, char *buf, size_t size)
{
	static const char *const prefixes[] = { "docker-", "libpod-", "cri-containerd-", "crio-" };
	const char *last = strrchr(path, '/');
	const char *parent_end = last;
	size_t n;

	last = last ? last + 1 : path;
	n = strlen(last);
	if (n > 6 && !strcmp(last + n - 6, ".scope")) {
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t plen = strlen(prefixes[i]);
			size_t idlen = n - 6 - plen;

			if (n - 6 > plen && !strncmp(last, prefixes[i], plen) &&
			    idlen <= MG_CONTAINER_ID_MAX && idlen < size &&
			    mg_is_hex(last + plen, idlen)) {
				memcpy(buf, last + plen, idlen);
				buf[idlen] = '\0';
				return true;
			}
		}
		return false;
	}
	/* cgroupfs layouts: /docker/<id>, /kubepods/.../pod<uid>/<id>. */
	if (n == 64 && n < size && mg_is_hex(last, n) && parent_end && parent_end > path) {
		memcpy(buf, last, n + 1);
		return true;
	}
	return false;
}

bool mg_cgroup_pod_uid(const char *path, char *buf, size_t size)
{
	const char *p = path, *hit = NULL;

	/* The last component that starts "pod" after "kubepods" (or '-' in a slice name). */
	for (p = strstr(path, "pod"); p; p = strstr(p + 3, "pod")) {
		if (p > path && (p[-1] == '-' || p[-1] == '/') && p[3] && p[3] != 's')
			hit = p + 3;
	}
	if (!hit || !strstr(path, "kubepods"))
		return false;
	size_t n = 0;

	while (hit[n] && hit[n] != '/' && hit[n] != '.')
		n++;
	if (n != 36 || n >= size)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = hit[i] == '_' ? '-' : hit[i];

		if (!(isxdigit((unsigned char)c) || c == '-'))
			return false;
		buf[i] = (char)tolower((unsigned char)c);
	}
	buf[n] = '\0';
	return true;
}

int mg_cgroup_path_of_id(const char *mount, uint64_t id, char *buf, size_t size)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = 0xfe /* FILEID_KERNFS */ },
		.id = id };
	char link[64], target[PATH_MAX];
	size_t mlen = strlen(mount);
	int mfd, fd, err = 0;
	ssize_t n;

	mfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		close(mfd);
		return err;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		err = -errno;
	close(fd);
	close(mfd);
	if (err)
		return err;
	target[n] = '\0';
	if (strncmp(target, mount, mlen) || (target[mlen] && target[mlen] != '/'))
		return -ENOENT;
	if (snprintf(buf, size, "%s", target[mlen] ? target + mlen : "/") >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}
