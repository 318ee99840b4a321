// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard oci-hook [--pin-dir DIR]
 *
 * An OCI runtime hook (createRuntime, or prestart for runtimes without it):
 * the runtime runs it after the container's process is made, in its cgroup,
 * and before the container's own program starts, and aborts the start when
 * it exits non-zero. A container whose annotation mguard.io/scope names a
 * scope is bound to that scope here, in the kernel's maps; if the guard does
 * not enforce that scope, or the container's cgroup is not one the scope's
 * programs reach, the container does not start. A container that names no
 * scope is left to the scopes' cgroups and patterns.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd_oci_hook.h"
#include "cli/oci_state.h"
#include "core/cgroup.h"
#include "core/log.h"
#include "daemon/state.h"
#include "kernel/pins.h"
#include "kernel/scope_pins.h"

#define MG_OCI_STATE_MAX (1u << 20)

static const struct option long_opts[] = {
	{ "pin-dir", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The index of scope @name in the state file of the guard pinned in @pin_dir. */
static int mg_state_scope_index(const char *pin_dir, const char *name, unsigned int *ret)
{
	char path[PATH_MAX], line[1024];
	unsigned int i = 0;
	size_t nlen = strlen(name);
	FILE *f;

	mg_state_path(pin_dir, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -ENOTCONN;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "scope\t", 6))
			continue;
		if (!strncmp(line + 6, name, nlen) && line[6 + nlen] == '\t') {
			fclose(f);
			*ret = i;
			return 0;
		}
		i++;
	}
	fclose(f);
	return -ENOENT;
}

static int mg_read_stdin(char **ret, size_t *ret_len)
{
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *v;

			if (cap >= MG_OCI_STATE_MAX) {
				free(buf);
				return -EFBIG;
			}
			v = realloc(buf, cap * 2);
			if (!v) {
				free(buf);
				return -ENOMEM;
			}
			buf = v;
			cap *= 2;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -errno;
		}
		if (r == 0)
			break;
		n += r;
	}
	*ret = buf;
	*ret_len = n;
	return 0;
}

int mg_cmd_oci_hook(int argc, char **argv)
{
	const char *pin_dir = MG_PIN_DIR_DEFAULT;
	char mount[PATH_MAX], rel[PATH_MAX];
	struct mg_oci_state st;
	struct mg_scope_val val;
	unsigned int index;
	size_t len = 0;
	char *text = NULL;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (c == 'P') {
			pin_dir = optarg;
		} else if (c == 'h') {
			puts("usage: mguard oci-hook [--pin-dir DIR]   (an OCI runtime hook: the state on stdin)");
			return 0;
		} else {
			mg_err("usage: mguard oci-hook [--pin-dir DIR]");
			return 1;
		}
	}
	err = mg_read_stdin(&text, &len);
	if (err) {
		mg_log_errno(err, "oci-hook: failed to read the container state on stdin");
		return 1;
	}
	err = mg_oci_state_parse(text, len, &st);
	free(text);
	if (err) {
		mg_err("oci-hook: the container state on stdin is not the runtime's state JSON");
		return 1;
	}
	if (!st.scope[0])
		return 0; /* names no scope: patterns and cgroups decide */
	if (!st.pid) {
		mg_err("oci-hook: container '%s' names scope '%s' but the state has no pid "
		       "(run mguard as a createRuntime or prestart hook)",
		       st.id, st.scope);
		return 1;
	}
	err = mg_state_scope_index(pin_dir, st.scope, &index);
	if (err == -ENOTCONN) {
		mg_err("oci-hook: no guard runs with pin folder '%s': container '%s' (scope '%s') "
		       "must not start unguarded",
		       pin_dir, st.id, st.scope);
		return 1;
	}
	if (err) {
		mg_err("oci-hook: the guard does not enforce scope '%s' named by container '%s'",
		       st.scope, st.id);
		return 1;
	}
	err = mg_cgroup2_mount(mount, sizeof(mount));
	if (!err)
		err = mg_cgroup_of_pid(st.pid, rel, sizeof(rel));
	if (err) {
		mg_log_errno(err, "oci-hook: failed to find the cgroup of container '%s' (pid %d)",
			     st.id, (int)st.pid);
		return 1;
	}
	err = mg_pins_bind(pin_dir, mount, rel, index, &val);
	switch (err) {
	case 0:
		mg_info("oci-hook: container '%s' (cgroup '%s') bound to scope '%s'", st.id, rel,
			st.scope);
		return 0;
	case -ENOTCONN:
		mg_err("oci-hook: the guard in '%s' has no policy in force: container '%s' must "
		       "not start unguarded",
		       pin_dir, st.id);
		return 1;
	case -ENOENT:
		mg_err("oci-hook: the guard does not enforce scope '%s' named by container '%s'",
		       st.scope, st.id);
		return 1;
	case -EXDEV:
		mg_err("oci-hook: container '%s' is in cgroup '%s', which scope '%s' does not "
		       "cover (its cgroup or cgroupPattern): its programs would not see it",
		       st.id, rel, st.scope);
		return 1;
	default:
		mg_log_errno(err, "oci-hook: failed to bind container '%s' to scope '%s'", st.id,
			     st.scope);
		return 1;
	}
}
