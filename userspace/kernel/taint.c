// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/array.h"
#include "kernel/pins.h"
#include "kernel/taint.h"
#include "mguard_abi.h"

static int mg_taint_map(const char *pin_dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, MG_PIN_TAINTED);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int mg_taint_reseal(const char *pin_dir, const char *path)
{
	struct mg_taint_key key = {};
	struct stat st;
	int fd, err = 0;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	key.ino = st.st_ino;
	key.dev = (major(st.st_dev) << 20) | minor(st.st_dev);
	fd = mg_taint_map(pin_dir);
	if (fd < 0)
		return fd;
	if (bpf_map_delete_elem(fd, &key))
		err = errno == ENOENT ? -ESRCH : -errno;
	close(fd);
	return err;
}

int mg_taint_list(const char *pin_dir, struct mg_taint_key **ret, size_t *ret_n)
{
	struct mg_taint_key key, next, *prev = NULL, *v = NULL;
	size_t n = 0, cap = 0;
	int fd = mg_taint_map(pin_dir);

	if (fd < 0)
		return fd;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct mg_taint_key *slot = mg_array_push(&v, &n, &cap, sizeof(*v));

		if (!slot) {
			free(v);
			close(fd);
			return -ENOMEM;
		}
		*slot = next;
		key = next;
		prev = &key;
	}
	close(fd);
	*ret = v;
	*ret_n = n;
	return 0;
}

int mg_taint_clear(const char *pin_dir, const struct mg_taint_key *key)
{
	int fd = mg_taint_map(pin_dir), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_delete_elem(fd, key))
		err = errno == ENOENT ? -ESRCH : -errno;
	close(fd);
	return err;
}

int mg_taint_count(const char *pin_dir, size_t *ret)
{
	struct mg_taint_key key, next, *prev = NULL;
	size_t n = 0;
	int fd = mg_taint_map(pin_dir);

	if (fd < 0)
		return fd;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	close(fd);
	*ret = n;
	return 0;
}
