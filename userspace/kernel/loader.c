// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/names.h"
#include "core/cgroup.h"
#include "kernel/hook_progs.h"
#include "kernel/loader.h"
#include "kernel/loader_state.h"
#include "core/log.h"
#include "kernel/mapio.h"
#include "mguard.skel.h"
#include "kernel/pins.h"
#include "kernel/probe.h"
#include "kernel/pinned.h"
#include "core/util.h"

#define MG_BPF_FS_MAGIC	 0xcafe4a11
#define MG_TRACEFS_MAGIC 0x74726163
static int mg_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !mg_log_verbose)
		return 0;
	if (level == LIBBPF_INFO && !mg_log_verbose)
		return 0;
	fputs("mguard: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static int mg_mount_if_needed(const char *path, const char *type, long magic)
{
	struct statfs st;

	if (statfs(path, &st) == 0 && st.f_type == magic)
		return 0;
	if (mount(type, path, type, 0, NULL) < 0)
		return mg_log_errno(-errno, "failed to mount %s at '%s'", type, path);
	return 0;
}

int mg_loader_mount_fs(void)
{
	int err;

	err = mg_mount_if_needed(MG_BPFFS, "bpf", MG_BPF_FS_MAGIC);
	if (err)
		return err;
	return mg_mount_if_needed("/sys/kernel/tracing", "tracefs", MG_TRACEFS_MAGIC);
}

void mg_loader_pin_path(const struct mg_loader *l, char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", l->pin_dir, name);
}

/* Only the programs of the chosen engines load; the others stay out of the kernel. */
static void mg_select_programs(struct mg_loader *l)
{
	struct mg_hook_prog progs[MG_HOOK_PROGS_MAX];
	struct mguard_bpf *s = l->skel;
	size_t n = mg_hook_progs(s, progs);

	/*
	 * Per hook, the programs of the engine chosen for it; a program shared
	 * by several tracepoints loads when one of them is wanted.
	 */
	for (size_t i = 0; i < n; i++)
		bpf_program__set_autoload(progs[i].prog, false);
	for (size_t i = 0; i < n; i++)
		if (l->engine[progs[i].hook] == progs[i].engine &&
		    (!(progs[i].flags & MG_HOOK_PROG_COMPAT) || l->compat_entry))
			bpf_program__set_autoload(progs[i].prog, true);
	/* IPv4 and IPv6 socket types and every packet: cgroup programs (sock.bpf.c). */
	bpf_program__set_autoload(s->progs.mg_sock_create,
				  l->engine[MG_HOOK_CONNECT4] == MG_ENGINE_CGROUP);
	bpf_program__set_autoload(s->progs.mg_skb_egress,
				  l->engine[MG_HOOK_EGRESS_BUDGET] == MG_ENGINE_CGROUP);
	bpf_program__set_autoload(s->progs.mg_connect4,
				  l->engine[MG_HOOK_CONNECT4] == MG_ENGINE_CGROUP);
	bpf_program__set_autoload(s->progs.mg_connect6,
				  l->engine[MG_HOOK_CONNECT6] == MG_ENGINE_CGROUP);
	/* Narrowing follows processes; the network hooks consult it. */
	bpf_program__set_autoload(s->progs.mg_tp_fork,
				  l->engine[MG_HOOK_CONNECT4] == MG_ENGINE_CGROUP);
	bpf_program__set_autoload(s->progs.mg_tp_exit,
				  l->engine[MG_HOOK_CONNECT4] == MG_ENGINE_CGROUP);
	bpf_program__set_autoload(s->progs.mg_sendmsg4,
				  l->engine[MG_HOOK_SENDMSG4] == MG_ENGINE_CGROUP);
	bpf_program__set_autoload(s->progs.mg_sendmsg6,
				  l->engine[MG_HOOK_SENDMSG6] == MG_ENGINE_CGROUP);
	bpf_program__set_autoload(s->progs.mg_device,
				  l->engine[MG_HOOK_DEVICE] == MG_ENGINE_CGROUP);
}

/*
 * Every map that holds policy or state is pinned, so enforcement survives the
 * daemon and a new daemon adopts the maps as they are. The ring buffer and
 * the per-thread scratch map are the daemon's own.
 */
static struct bpf_map **mg_pinned_maps(struct mg_loader *l, size_t *n)
{
	static struct bpf_map *maps[20];
	struct mguard_bpf *s = l->skel;
	size_t i = 0;

	maps[i++] = s->maps.mg_config;
	maps[i++] = s->maps.mg_control;
	maps[i++] = s->maps.mg_counters;
	maps[i++] = s->maps.mg_scopes;
	maps[i++] = s->maps.mg_inodes;
	maps[i++] = s->maps.mg_verity;
	maps[i++] = s->maps.mg_egress;
	maps[i++] = s->maps.mg_licenses;
	maps[i++] = s->maps.mg_outputs;
	maps[i++] = s->maps.mg_devices;
	maps[i++] = s->maps.mg_gpu_majors;
	maps[i++] = s->maps.mg_narrowed;
	maps[i++] = s->maps.mg_sock_owner;
	maps[i++] = s->maps.mg_selectors;
	maps[i++] = s->maps.mg_scope_cache;
	maps[i++] = s->maps.mg_budget;
	maps[i++] = s->maps.mg_tainted;
	*n = i;
	return maps;
}

/* Size the maps, and point each pinnable one at its pin: libbpf reuses what is there. */
static int mg_prepare_maps(struct mg_loader *l, const struct mg_loader_opts *opts)
{
	struct mguard_bpf *s = l->skel;
	struct bpf_map **maps;
	char path[PATH_MAX];
	size_t n;

	bpf_map__set_max_entries(s->maps.mg_inodes, opts->max_inodes);
	bpf_map__set_max_entries(s->maps.mg_egress, opts->max_egress);
	bpf_map__set_max_entries(s->maps.mg_licenses, opts->max_licenses);
	bpf_map__set_max_entries(s->maps.mg_devices, opts->max_devices);
	bpf_map__set_max_entries(s->maps.mg_outputs, opts->max_outputs);

	maps = mg_pinned_maps(l, &n);
	for (size_t i = 0; i < n; i++) {
		mg_loader_pin_path(l, path, sizeof(path), bpf_map__name(maps[i]));
		if (l->adopted) {
			struct bpf_map_info info = {};
			__u32 len = sizeof(info);
			int fd = bpf_obj_get(path);

			/* An adopted map keeps its size: reuse needs an exact match. */
			if (fd >= 0) {
				if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
					bpf_map__set_max_entries(maps[i], info.max_entries);
				close(fd);
			}
		}
		if (bpf_map__set_pin_path(maps[i], path))
			return mg_log_errno(-errno, "failed to set the pin path of map '%s'",
					    bpf_map__name(maps[i]));
	}
	return 0;
}

int mg_loader_load(const struct mg_loader_opts *opts, struct mg_loader **ret)
{
	struct mg_config cfg = {};
	struct mg_loader *l;
	__u32 zero = 0;
	pid_t other;
	int err;

	libbpf_set_print(mg_libbpf_print);
	if (strlen(opts->pin_dir) >= sizeof(l->pin_dir)) {
		mg_err("pin folder '%s' is too long", opts->pin_dir);
		return -ENAMETOOLONG;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	snprintf(l->pin_dir, sizeof(l->pin_dir), "%s", opts->pin_dir);
	snprintf(l->cgroup_root, sizeof(l->cgroup_root), "%s", opts->cgroup_root);
	memcpy(l->engine, opts->engine, sizeof(l->engine));
	l->compat_entry = opts->compat_entry;

	if (mkdir(l->pin_dir, 0700) < 0) {
		err = -errno;
		if (err != -EEXIST) {
			mg_log_errno(err, "failed to create pin folder '%s'", l->pin_dir);
			l->pin_dir[0] = '\0'; /* not ours: never remove it */
			goto out_destroy;
		}
		other = mg_pinned_daemon(l->pin_dir);
		if (other) {
			mg_err("mguard is already running (pid %d, pin folder '%s')", (int)other,
			       l->pin_dir);
			l->pin_dir[0] = '\0';
			err = -EBUSY;
			goto out_destroy;
		}
		/* A daemon died or was upgraded: what it pinned is still enforcing. */
		l->adopted = 1;
		mg_info("adopting the maps and links pinned in '%s'", l->pin_dir);
	}

	l->skel = mguard_bpf__open();
	if (!l->skel) {
		err = mg_log_errno(-errno, "failed to open BPF skeleton 'mguard'");
		goto out_destroy;
	}
	mg_select_programs(l);
	err = mg_prepare_maps(l, opts);
	if (err)
		goto out_destroy;

	err = mguard_bpf__load(l->skel);
	if (err) {
		err = mg_log_errno(
			err, l->adopted ?
				     "failed to load BPF skeleton 'mguard' over the pinned maps "
				     "('mguard stop' first, to start from nothing)" :
				     "failed to load BPF skeleton 'mguard'");
		goto out_destroy;
	}

	/* An adopted config keeps its generation and engines: they are in force. */
	if (l->adopted && bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.mg_config), &zero, &cfg))
		memset(&cfg, 0, sizeof(cfg));
	cfg.daemon_pid = getpid();
	cfg.event_rate = opts->event_rate;
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.mg_config), &zero, &cfg, BPF_ANY)) {
		err = mg_log_errno(-errno, "failed to initialise map 'mg_config'");
		goto out_destroy;
	}
	*ret = l;
	return 0;

out_destroy:
	mg_loader_destroy(l);
	return err;
}

int mg_loader_config_read(const struct mg_loader *l, struct mg_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.mg_config), &zero, cfg))
		return -errno;
	return 0;
}

int mg_loader_config_write(const struct mg_loader *l, const struct mg_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.mg_config), &zero, cfg, BPF_EXIST))
		return -errno;
	return 0;
}

int mg_loader_set_daemon_pid(struct mg_loader *l, pid_t pid)
{
	struct mg_config cfg;
	int r = mg_loader_config_read(l, &cfg);

	if (r)
		return r;
	cfg.daemon_pid = pid;
	return mg_loader_config_write(l, &cfg);
}

int mg_loader_set_reload_result(struct mg_loader *l, int err)
{
	struct mg_config cfg;
	int r = mg_loader_config_read(l, &cfg);

	if (r)
		return r;
	cfg.reload_seq++;
	cfg.reload_err = err;
	return mg_loader_config_write(l, &cfg);
}

bool mg_loader_adopted(const struct mg_loader *l)
{
	return l && l->adopted;
}

int mg_loader_events_fd(const struct mg_loader *l)
{
	return bpf_map__fd(l->skel->maps.mg_events);
}

int mg_loader_unpin_all(const char *pin_dir)
{
	struct dirent *de;
	DIR *dir;
	int err = 0;

	dir = opendir(pin_dir);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
		/* Unpinning a link detaches it once no process holds it. */
		if (unlink(path) < 0 && errno != ENOENT)
			err = -errno;
	}
	closedir(dir);
	if (rmdir(pin_dir) < 0 && errno != ENOENT)
		err = err ?: -errno;
	return err;
}

static void mg_loader_free(struct mg_loader *l, bool unpin)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nlinks; i++) {
		/* Leaving enforcement in place: the pins keep the attachments. */
		if (!unpin)
			bpf_link__disconnect(l->links[i].link);
		bpf_link__destroy(l->links[i].link);
	}
	free(l->links);
	if (unpin && l->pin_dir[0])
		mg_loader_unpin_all(l->pin_dir);
	mguard_bpf__destroy(l->skel);
	free(l);
}

void mg_loader_destroy(struct mg_loader *l)
{
	mg_loader_free(l, true);
}

void mg_loader_release(struct mg_loader *l)
{
	struct mg_config cfg;

	if (l && l->skel && mg_loader_config_read(l, &cfg) == 0) {
		cfg.daemon_pid = 0;
		mg_loader_config_write(l, &cfg);
	}
	mg_loader_free(l, false);
}
