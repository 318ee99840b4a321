// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "kernel/control.h"
#include "kernel/pins.h"

static int mg_control_fd(const char *pin_dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, MG_PIN_CONTROL);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int mg_control_read(const char *pin_dir, struct mg_control *ret)
{
	__u32 zero = 0;
	int fd, err = 0;

	fd = mg_control_fd(pin_dir);
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &zero, ret))
		err = -errno;
	close(fd);
	return err;
}

int mg_control_write(const char *pin_dir, const struct mg_control *ctl)
{
	__u32 zero = 0;
	int fd, err = 0;

	fd = mg_control_fd(pin_dir);
	if (fd < 0)
		return fd;
	/* One array write: every program sees the old or the new value, nothing between. */
	if (bpf_map_update_elem(fd, &zero, ctl, BPF_EXIST))
		err = -errno;
	close(fd);
	return err;
}
