// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kernel/control.h"
#include "daemon/events.h"
#include "core/log.h"
#include "mguard_abi.h"
#include "kernel/pins.h"
#include "kernel/probe.h"
#include "kernel/gaps.h"
#include "daemon/state.h"
#include "cli/status.h"
#include "core/cgroup.h"
#include <time.h>
#include "core/util.h"

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

static void mg_read_prog(int pfd, struct mg_status_link *out)
{
	struct bpf_prog_info pinfo = {};
	__u32 plen = sizeof(pinfo);

	if (bpf_obj_get_info_by_fd(pfd, &pinfo, &plen) == 0) {
		out->prog_id = pinfo.id;
		snprintf(out->prog, sizeof(out->prog), "%s", pinfo.name);
	}
}

/* A pinned link: its program and, for a cgroup link, its cgroup. */
static void mg_read_link(const char *pin_dir, const char *name, struct mg_status_link *out)
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

/* Is the daemon recorded in the pinned config of @pin_dir alive? Its pid, or 0. */
pid_t mg_status_daemon(const char *pin_dir)
{
	struct mg_config cfg = {};
	char path[PATH_MAX], comm[64] = "";
	__u32 zero = 0;
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, MG_PIN_CONFIG);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_map_lookup_elem(fd, &zero, &cfg))
		cfg.daemon_pid = 0;
	close(fd);
	if (!cfg.daemon_pid || (pid_t)cfg.daemon_pid == getpid() || kill(cfg.daemon_pid, 0))
		return 0;
	/* A pid reused by another program is not a daemon. */
	snprintf(path, sizeof(path), "/proc/%u/comm", cfg.daemon_pid);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	return strncmp(comm, "mguard", 6) == 0 ? (pid_t)cfg.daemon_pid : 0;
}

int mg_status_read(const char *pin_dir, struct mg_status *st)
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
	close(fd);

	dir = opendir(pin_dir);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && st->nlinks < MG_STATUS_MAX_LINKS) {
		if (strncmp(de->d_name, MG_PIN_LINK_PREFIX, strlen(MG_PIN_LINK_PREFIX)) == 0)
			mg_read_link(pin_dir, de->d_name, &st->links[st->nlinks++]);
	}
	closedir(dir);
	return 0;
}

const char *mg_error_name(unsigned int err)
{
	static const char *const names[MG_ERR__COUNT] = {
		[MG_ERR_RINGBUF_FULL] = "events_dropped",
		[MG_ERR_NO_CONFIG] = "config_unreadable",
		[MG_ERR_FD_LOOKUP] = "fd_unresolved",
		[MG_ERR_WALK_LIMIT] = "walk_limit",
		[MG_ERR_RATE_LIMITED] = "events_rate_limited",
	};

	return err < MG_ERR__COUNT ? names[err] : "unknown";
}

static void mg_status_text(const char *pin_dir, const struct mg_status *st, FILE *out)
{
	fprintf(out, "mguard: loaded (pin folder %s)\n", pin_dir);
	fprintf(out, "policy generation %u, mode %s, kill switch %s, %zu scopes\n\n",
		st->cfg.active_gen, st->cfg.mode == MG_MODE_AUDIT ? "audit" : "enforce",
		st->ctl.killswitch ? "on" : "off", st->nscopes);
	fprintf(out, "%-13s %-16s %10s %10s %10s %10s\n", "hook", "engine", "allowed", "denied",
		"killed", "audited");
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		const __u64 *c = &st->counters[MG_COUNTER_INDEX(h, 0)];

		fprintf(out, "%-13s %-16s %10llu %10llu %10llu %10llu\n", mg_hook_name(h),
			mg_engine_name(st->cfg.engine[h]), (unsigned long long)c[MG_VERDICT_ALLOW],
			(unsigned long long)c[MG_VERDICT_DENY],
			(unsigned long long)c[MG_VERDICT_KILL],
			(unsigned long long)c[MG_VERDICT_AUDIT]);
	}
	fputc('\n', out);
	mg_gaps_print(out, st->cfg.engine, false);
	fputs("\nerrors:", out);
	for (int i = 0; i < MG_ERR__COUNT; i++)
		fprintf(out, " %s %llu", mg_error_name(i),
			(unsigned long long)st->counters[MG_ERR_COUNTER_BASE + i]);
	fprintf(out, "\n\nattached (%zu):\n", st->nlinks);
	for (size_t i = 0; i < st->nlinks; i++) {
		const struct mg_status_link *k = &st->links[i];

		fprintf(out, "  %-32s prog %-6u %-30s", k->pin, k->prog_id, k->prog);
		if (k->cgroup_id)
			fprintf(out, " cgroup id %llu", (unsigned long long)k->cgroup_id);
		fputc('\n', out);
	}
}

static void mg_status_json(const char *pin_dir, const struct mg_status *st, FILE *out)
{
	fputs("{\"state\":\"loaded\",\"pin_dir\":", out);
	mg_json_string(out, pin_dir);
	fprintf(out,
		",\"generation\":%u,\"mode\":\"%s\",\"killswitch\":%s,\"scopes\":%zu,\"hooks\":{",
		st->cfg.active_gen, st->cfg.mode == MG_MODE_AUDIT ? "audit" : "enforce",
		st->ctl.killswitch ? "true" : "false", st->nscopes);
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		fprintf(out, "%s\"%s\":{\"engine\":\"%s\"", h ? "," : "", mg_hook_name(h),
			mg_engine_name(st->cfg.engine[h]));
		for (int v = 0; v < MG_VERDICT__COUNT; v++)
			fprintf(out, ",\"%s\":%llu", mg_verdict_name(v),
				(unsigned long long)st->counters[MG_COUNTER_INDEX(h, v)]);
		fputc('}', out);
	}
	fputs("},\"errors\":{", out);
	for (int i = 0; i < MG_ERR__COUNT; i++)
		fprintf(out, "%s\"%s\":%llu", i ? "," : "", mg_error_name(i),
			(unsigned long long)st->counters[MG_ERR_COUNTER_BASE + i]);
	fputs("},\"links\":[", out);
	for (size_t i = 0; i < st->nlinks; i++) {
		const struct mg_status_link *k = &st->links[i];

		fprintf(out, "%s{\"name\":", i ? "," : "");
		mg_json_string(out, k->pin);
		fprintf(out, ",\"prog_id\":%u,\"prog\":", k->prog_id);
		mg_json_string(out, k->prog);
		fprintf(out, ",\"cgroup_id\":%llu}", (unsigned long long)k->cgroup_id);
	}
	fputs("],\"gaps\":", out);
	mg_gaps_print(out, st->cfg.engine, true);
}

int mg_status_print(const char *pin_dir, bool json, FILE *out)
{
	struct mg_status *st;
	int err;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	err = mg_status_read(pin_dir, st);
	if (!err) {
		char state[PATH_MAX], cgroot[PATH_MAX] = "/";
		pid_t pid = mg_status_daemon(pin_dir);

		mg_state_path(pin_dir, state, sizeof(state));
		mg_cgroup2_mount(cgroot, sizeof(cgroot));
		if (json) {
			mg_status_json(pin_dir, st, out);
			fprintf(out, ",\"daemon_pid\":%d,", (int)pid);
			if (mg_state_print(state, cgroot, time(NULL), 7 * 86400, 1, out))
				fputs("\"policy\":null", out);
			fputs("}\n", out);
		} else {
			if (pid)
				fprintf(out, "daemon: running, pid %d\n", (int)pid);
			else
				fputs("daemon: not running (what is pinned stays in force)\n", out);
			mg_status_text(pin_dir, st, out);
			fputc('\n', out);
			if (mg_state_print(state, cgroot, time(NULL), 7 * 86400, 0, out))
				fputs("policy: no state file (the daemon that loaded it is gone)\n",
				      out);
		}
	}
	free(st);
	return err;
}
