// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kernel/control.h"
#include "kernel/pinned.h"
#include "kernel/pins.h"
#include "kernel/taint.h"

static int mg_pinned_fd(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	return bpf_obj_get(path);
}

static int mg_read_counters(int fd, __u64 *out)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *per_cpu;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	per_cpu = calloc(ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	for (__u32 i = 0; i < MG_COUNTERS; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, per_cpu))
			continue;
		for (int c = 0; c < ncpus; c++)
			out[i] += per_cpu[c];
	}
	free(per_cpu);
	return 0;
}

static size_t mg_count_scopes(int fd, __u32 gen)
{
	struct mg_scope_key key, next;
	void *prev = NULL;
	size_t n = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (next.gen == gen)
			n++;
		key = next;
		prev = &key;
	}
	return n;
}

/*
 * The budget windows: a scope's with the budget the generation in force
 * gives it, a licence's with the budget it had when it narrowed a process
 * (the kernel keeps it in the window).
 */
static void mg_read_budgets(const char *pin_dir, int scopes_fd, struct mg_pinned *st)
{
	int fd = mg_pinned_fd(pin_dir, MG_PIN_BUDGET);
	struct mg_budget_key key, next, *prev = NULL;

	if (fd < 0)
		return;
	while (st->nbudgets < MG_PINNED_MAX_BUDGETS && bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct mg_pinned_budget *b = &st->budgets[st->nbudgets];
		struct mg_scope_key sk = { .cgroup_id = next.cgroup_id, .gen = st->cfg.active_gen };
		struct mg_scope_val sv = {};

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &b->state))
			continue;
		b->cgroup_id = key.cgroup_id;
		b->narrow_id = key.narrow_id;
		if (key.narrow_id) {
			b->budget_bytes = b->state.budget_bytes;
			b->window_ns = b->state.window_ns;
		} else if (scopes_fd >= 0 && bpf_map_lookup_elem(scopes_fd, &sk, &sv) == 0) {
			b->budget_bytes = sv.budget_bytes;
			b->window_ns = sv.budget_window_ns;
		}
		st->nbudgets++;
	}
	close(fd);
}

static void mg_read_prog(int pfd, struct mg_pinned_link *out)
{
	struct bpf_prog_info pinfo = {};
	__u32 plen = sizeof(pinfo);

	if (bpf_obj_get_info_by_fd(pfd, &pinfo, &plen) == 0) {
		out->prog_id = pinfo.id;
		snprintf(out->prog, sizeof(out->prog), "%s", pinfo.name);
	}
}

/* A pinned link: its program and, for a cgroup link, its cgroup. */
static void mg_read_link(const char *pin_dir, const char *name, struct mg_pinned_link *out)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd, pfd;

	snprintf(out->pin, sizeof(out->pin), "%s", name + strlen(MG_PIN_LINK_PREFIX));
	fd = mg_pinned_fd(pin_dir, name);
	if (fd < 0)
		return;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
		if (info.type == BPF_LINK_TYPE_CGROUP)
			out->cgroup_id = info.cgroup.cgroup_id;
		pfd = bpf_prog_get_fd_by_id(info.prog_id);
		if (pfd >= 0) {
			mg_read_prog(pfd, out);
			close(pfd);
		}
	}
	close(fd);
}

#define mg_why(...) (why ? (void)snprintf(why, why_len, __VA_ARGS__) : (void)0)

/*
 * Is the daemon recorded in the pinned config of @pin_dir alive? Its pid, or
 * 0 with, in @why (when not NULL), the reason it is taken for not running.
 */
pid_t mg_pinned_daemon_why(const char *pin_dir, char *why, size_t why_len)
{
	struct mg_config cfg = {};
	char path[PATH_MAX], comm[64] = "";
	__u32 zero = 0;
	int fd, err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, MG_PIN_CONFIG);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		mg_why("cannot open its config '%s': %s", path, strerror(errno));
		return 0;
	}
	err = bpf_map_lookup_elem(fd, &zero, &cfg) ? errno : 0;
	close(fd);
	if (err) {
		mg_why("cannot read its config '%s': %s", path, strerror(err));
		return 0;
	}
	if (!cfg.daemon_pid || (pid_t)cfg.daemon_pid == getpid()) {
		mg_why("no daemon is recorded in '%s'", path);
		return 0;
	}
	if (kill(cfg.daemon_pid, 0)) {
		mg_why("the daemon recorded, pid %u, is not there: %s", cfg.daemon_pid,
		       strerror(errno));
		return 0;
	}
	/* A pid reused by another program is not a daemon. */
	snprintf(path, sizeof(path), "/proc/%u/comm", cfg.daemon_pid);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	if (strncmp(comm, "mguard", 6)) {
		comm[strcspn(comm, "\n")] = '\0';
		mg_why("the daemon recorded, pid %u, is now '%s', not mguard", cfg.daemon_pid,
		       f ? comm : strerror(errno));
		return 0;
	}
	return (pid_t)cfg.daemon_pid;
}

pid_t mg_pinned_daemon(const char *pin_dir)
{
	return mg_pinned_daemon_why(pin_dir, NULL, 0);
}

int mg_pinned_read(const char *pin_dir, struct mg_pinned *st)
{
	struct dirent *de;
	__u32 zero = 0;
	DIR *dir;
	int fd, err;

	fd = mg_pinned_fd(pin_dir, MG_PIN_CONFIG);
	if (fd < 0)
		return -errno;
	err = bpf_map_lookup_elem(fd, &zero, &st->cfg) ? -errno : 0;
	close(fd);
	if (err)
		return err;

	err = mg_control_read(pin_dir, &st->ctl);
	if (err)
		return err;

	fd = mg_pinned_fd(pin_dir, MG_PIN_COUNTERS);
	if (fd < 0)
		return -errno;
	err = mg_read_counters(fd, st->counters);
	close(fd);
	if (err)
		return err;

	fd = mg_pinned_fd(pin_dir, MG_PIN_SCOPES);
	if (fd < 0)
		return -errno;
	st->nscopes = mg_count_scopes(fd, st->cfg.active_gen);
	mg_read_budgets(pin_dir, fd, st);
	if (mg_taint_count(pin_dir, &st->ntainted))
		st->ntainted = 0;
	close(fd);

	dir = opendir(pin_dir);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && st->nlinks < MG_PINNED_MAX_LINKS) {
		if (strncmp(de->d_name, MG_PIN_LINK_PREFIX, strlen(MG_PIN_LINK_PREFIX)) == 0)
			mg_read_link(pin_dir, de->d_name, &st->links[st->nlinks++]);
	}
	closedir(dir);
	return 0;
}
