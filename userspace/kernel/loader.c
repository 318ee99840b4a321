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

#include "core/cgroup.h"
#include "kernel/loader.h"
#include "core/log.h"
#include "kernel/mapio.h"
#include "mguard.skel.h"
#include "kernel/pins.h"
#include "kernel/probe.h"
#include "cli/status.h"
#include "core/util.h"

#define MG_BPF_FS_MAGIC	 0xcafe4a11
#define MG_TRACEFS_MAGIC 0x74726163
/* An attachment this loader made, and what it serves. */
struct mg_loader_link {
	struct bpf_link *link;
	uint64_t owner; /* cgroup id of the scope it serves; 0: every process */
	bool on_parent; /* owner is the parent of the scopes it serves */
	char name[96];	/* pinned as link_<name> */
};

struct mg_loader {
	struct mguard_bpf *skel;
	char pin_dir[256];
	char cgroup_root[PATH_MAX];
	enum mg_engine engine[MG_HOOK__COUNT];
	struct mg_loader_link *links;
	size_t nlinks, cap;
	int global_attached;
	int adopted;	/* maps reused from a daemon that is gone */
	__u32 only_gen; /* the maps hold this generation alone; 0: not known */
};

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

static void mg_pin_path(const struct mg_loader *l, char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", l->pin_dir, name);
}

/* Only the programs of the chosen engines load; the others stay out of the kernel. */
static void mg_select_programs(struct mg_loader *l)
{
	struct mguard_bpf *s = l->skel;
	bool lsm = l->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_LSM;
	bool tp = l->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_TP_KILL;

	bpf_program__set_autoload(s->progs.mg_lsm_file_open, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_mmap_file, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_file_receive, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_unix_stream_connect, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_unix_may_send, lsm);
	bpf_program__set_autoload(s->progs.mg_tp_exit_open, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_mmap, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_recvmsg, tp);
	bpf_program__set_autoload(s->progs.mg_tp_exit_recvmsg, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_recvmmsg, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_io_uring_setup, tp);
	/* Routes beyond open (routes_lsm.bpf.c, routes_tp.bpf.c, sock.bpf.c). */
	bpf_program__set_autoload(s->progs.mg_lsm_path_rename, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_path_link, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_path_symlink, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_path_mknod, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_path_truncate, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_inode_setxattr, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_inode_removexattr, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_socket_create, lsm);
	bpf_program__set_autoload(s->progs.mg_lsm_netlink_send, lsm);
	bpf_program__set_autoload(s->progs.mg_tp_compat_entry, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_path_change, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_fxattr, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_mount, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_fsopen, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_fanotify_init, tp);
	bpf_program__set_autoload(s->progs.mg_tp_enter_socket, tp);
	bpf_program__set_autoload(s->progs.mg_sock_create,
				  l->engine[MG_HOOK_CONNECT4] == MG_ENGINE_CGROUP);
	bpf_program__set_autoload(s->progs.mg_skb_egress,
				  l->engine[MG_HOOK_SKB_EGRESS] == MG_ENGINE_CGROUP);
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
	bpf_program__set_autoload(s->progs.mg_device_backstop,
				  l->engine[MG_HOOK_DEVICE] == MG_ENGINE_CGROUP);
}

/*
 * Every map that holds policy or state is pinned, so enforcement survives the
 * daemon and a new daemon adopts the maps as they are. The ring buffer and
 * the per-thread scratch map are the daemon's own.
 */
static struct bpf_map **mg_pinned_maps(struct mg_loader *l, size_t *n)
{
	static struct bpf_map *maps[16];
	struct mguard_bpf *s = l->skel;
	size_t i = 0;

	maps[i++] = s->maps.mg_config;
	maps[i++] = s->maps.mg_control;
	maps[i++] = s->maps.mg_counters;
	maps[i++] = s->maps.mg_scopes;
	maps[i++] = s->maps.mg_inodes;
	maps[i++] = s->maps.mg_egress;
	maps[i++] = s->maps.mg_licenses;
	maps[i++] = s->maps.mg_outputs;
	maps[i++] = s->maps.mg_devices;
	maps[i++] = s->maps.mg_gpu_majors;
	maps[i++] = s->maps.mg_narrowed;
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
		mg_pin_path(l, path, sizeof(path), bpf_map__name(maps[i]));
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

	if (mkdir(l->pin_dir, 0700) < 0) {
		err = -errno;
		if (err != -EEXIST) {
			mg_log_errno(err, "failed to create pin folder '%s'", l->pin_dir);
			l->pin_dir[0] = '\0'; /* not ours: never remove it */
			goto out_destroy;
		}
		other = mg_status_daemon(l->pin_dir);
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

static int mg_config_read(const struct mg_loader *l, struct mg_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.mg_config), &zero, cfg))
		return -errno;
	return 0;
}

static int mg_config_write(const struct mg_loader *l, const struct mg_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.mg_config), &zero, cfg, BPF_EXIST))
		return -errno;
	return 0;
}

/* Delete every entry of @map whose generation is not @keep. */
static int mg_prune(struct bpf_map *map, size_t gen_offset, __u32 keep)
{
	return mg_map_prune(bpf_map__fd(map), bpf_map__key_size(map), bpf_map__value_size(map),
			    gen_offset, keep);
}

static int mg_prune_all(struct mg_loader *l, __u32 keep)
{
	struct mguard_bpf *s = l->skel;
	int err = 0, r;

	r = mg_prune(s->maps.mg_scopes, offsetof(struct mg_scope_key, gen), keep);
	err = err ?: r;
	r = mg_prune(s->maps.mg_inodes, offsetof(struct mg_inode_key, gen), keep);
	err = err ?: r;
	r = mg_prune(s->maps.mg_licenses, offsetof(struct mg_license_key, gen), keep);
	err = err ?: r;
	r = mg_prune(s->maps.mg_outputs, offsetof(struct mg_output_key, gen), keep);
	err = err ?: r;
	r = mg_prune(s->maps.mg_devices, offsetof(struct mg_device_key, gen), keep);
	err = err ?: r;
	r = mg_prune(s->maps.mg_gpu_majors, offsetof(struct mg_gpu_major_key, gen), keep);
	err = err ?: r;
	r = mg_prune(s->maps.mg_egress, offsetof(struct mg_egress_key, gen), keep);
	err = err ?: r;
	/* Only a generation that is alone in the maps lets the next fill skip the prune. */
	l->only_gen = err ? 0 : keep;
	return err;
}

/* Entry @i of one of the image's tables, as the map's key (for @gen) and value. */
typedef void mg_entry_fn(const struct mg_image *img, size_t i, __u32 gen, void *key, void *val);

static void mg_scope_entry(const struct mg_image *img, size_t i, __u32 gen, void *key, void *val)
{
	*(struct mg_scope_key *)key =
		(struct mg_scope_key){ .cgroup_id = img->scopes[i].cgroup_id, .gen = gen };
	*(struct mg_scope_val *)val = img->scopes[i].val;
}

static void mg_license_entry(const struct mg_image *img, size_t i, __u32 gen, void *key, void *val)
{
	struct mg_license_key *k = key;

	*k = img->licenses[i].key;
	k->gen = gen;
	*(struct mg_license_val *)val = img->licenses[i].val;
}

static void mg_output_entry(const struct mg_image *img, size_t i, __u32 gen, void *key, void *val)
{
	struct mg_output_key *k = key;

	*k = img->outputs[i].key;
	k->gen = gen;
	*(struct mg_output_val *)val = img->outputs[i].val;
}

static void mg_gpu_major_entry(const struct mg_image *img, size_t i, __u32 gen, void *key,
			       void *val)
{
	struct mg_gpu_major_key *k = key;

	*k = img->gpu_majors[i].key;
	k->gen = gen;
	*(struct mg_gpu_major_val *)val = img->gpu_majors[i].val;
}

static void mg_device_entry(const struct mg_image *img, size_t i, __u32 gen, void *key, void *val)
{
	struct mg_device_key *k = key;

	*k = img->devices[i].key;
	k->gen = gen;
	*(struct mg_device_val *)val = (struct mg_device_val){ .allowed = 1 };
}

static void mg_egress_entry(const struct mg_image *img, size_t i, __u32 gen, void *key, void *val)
{
	struct mg_egress_key *k = key;

	*k = img->egress[i].key;
	k->gen = gen;
	*(struct mg_egress_val *)val = img->egress[i].val;
}

static int mg_inode_key_cmp(const void *a, const void *b)
{
	const struct mg_inode_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

size_t mg_loader_inode_entries(const struct mg_image *img)
{
	return img->ninodes + img->noutputs;
}

/*
 * The inodes map: the models' files and folders, and every folder of an
 * output, readable or socket rule marked MG_INODE_PATHS (on the model's
 * entry, or on an entry of its own): a walk up the folders then needs one
 * lookup per folder, and looks in outputs only where this says so.
 */
static int mg_fill_inodes(struct bpf_map *map, const struct mg_image *img, __u32 gen)
{
	size_t n = img->ninodes, extra, done;
	struct mg_inode_key *keys;
	struct mg_inode_val *vals;
	int err = -ENOMEM;

	keys = calloc(mg_loader_inode_entries(img) + 1, sizeof(*keys));
	vals = calloc(mg_loader_inode_entries(img) + 1, sizeof(*vals));
	if (!keys || !vals)
		goto out;
	for (size_t i = 0; i < img->ninodes; i++) {
		keys[i] = (struct mg_inode_key){ .ino = img->inodes[i].ino,
						 .dev = img->inodes[i].dev,
						 .gen = gen };
		vals[i] = img->inodes[i].val;
	}
	for (size_t i = 0; i < img->noutputs; i++) {
		const struct mg_output_key *o = &img->outputs[i].key;
		const struct mg_image_inode *m = mg_image_find_inode(img, o->dev, o->ino);

		if (m) {
			vals[m - img->inodes].flags |= MG_INODE_PATHS;
			continue;
		}
		keys[n] = (struct mg_inode_key){ .ino = o->ino, .dev = o->dev, .gen = gen };
		n++;
	}
	/* A folder in the rules of several scopes gets one entry. */
	qsort(keys + img->ninodes, n - img->ninodes, sizeof(*keys), mg_inode_key_cmp);
	extra = img->ninodes;
	for (size_t i = img->ninodes; i < n; i++) {
		if (extra > img->ninodes && !mg_inode_key_cmp(&keys[extra - 1], &keys[i]))
			continue;
		keys[extra] = keys[i];
		vals[extra++] = (struct mg_inode_val){ .flags = MG_INODE_PATHS };
	}
	err = mg_map_write(bpf_map__fd(map), keys, vals, extra, sizeof(*keys), sizeof(*vals),
			   &done);
	if (err && done < img->ninodes)
		mg_log_errno(err, "failed to write weight file '%s'", img->inodes[done].path);
	else if (err)
		mg_log_errno(err, "failed to write an output or readable folder");
out:
	free(keys);
	free(vals);
	return err;
}

/*
 * Write the @n entries of one table of @img into @map for generation @gen,
 * in as few system calls as the map allows. On failure *ret_failed is the
 * entry that failed, for the caller to name.
 */
static int mg_fill_table(struct bpf_map *map, const struct mg_image *img, size_t n,
			 mg_entry_fn *entry, __u32 gen, size_t *ret_failed)
{
	size_t ksz = bpf_map__key_size(map), vsz = bpf_map__value_size(map);
	unsigned char *keys, *vals;
	int err = -ENOMEM;

	*ret_failed = 0;
	if (!n)
		return 0;
	keys = calloc(n, ksz);
	vals = calloc(n, vsz);
	if (keys && vals) {
		for (size_t i = 0; i < n; i++)
			entry(img, i, gen, keys + i * ksz, vals + i * vsz);
		err = mg_map_write(bpf_map__fd(map), keys, vals, n, ksz, vsz, ret_failed);
	}
	free(keys);
	free(vals);
	return err;
}

static int mg_fill(struct mg_loader *l, const struct mg_image *img, __u32 gen)
{
	struct mguard_bpf *s = l->skel;
	size_t i;
	int err;

	err = mg_fill_table(s->maps.mg_scopes, img, img->nscopes, mg_scope_entry, gen, &i);
	if (err)
		return mg_log_errno(err, "failed to write scope '%s'", img->scopes[i].name);
	err = mg_fill_inodes(s->maps.mg_inodes, img, gen);
	if (err)
		return err;
	err = mg_fill_table(s->maps.mg_licenses, img, img->nlicenses, mg_license_entry, gen, &i);
	if (err)
		return mg_log_errno(err, "failed to write licence '%s'", img->licenses[i].id);
	err = mg_fill_table(s->maps.mg_outputs, img, img->noutputs, mg_output_entry, gen, &i);
	if (err)
		return mg_log_errno(err, "failed to write an output folder of scope %u",
				    img->outputs[i].key.scope_id);
	err = mg_fill_table(s->maps.mg_gpu_majors, img, img->ngpu_majors, mg_gpu_major_entry, gen,
			    &i);
	if (err)
		return mg_log_errno(err, "failed to write GPU major %u",
				    img->gpu_majors[i].key.major);
	err = mg_fill_table(s->maps.mg_devices, img, img->ndevices, mg_device_entry, gen, &i);
	if (err)
		return mg_log_errno(err, "failed to write device %u:%u of scope %u",
				    img->devices[i].key.major, img->devices[i].key.minor,
				    img->devices[i].key.scope_id);
	err = mg_fill_table(s->maps.mg_egress, img, img->negress, mg_egress_entry, gen, &i);
	if (err)
		return mg_log_errno(err, "failed to write an egress rule of scope %u",
				    img->egress[i].key.scope_id);
	return 0;
}

int mg_loader_apply(struct mg_loader *l, const struct mg_image *img, uint32_t *ret_gen)
{
	struct mg_config cfg;
	__u32 gen;
	int err;

	__u32 old_gen;

	err = mg_config_read(l, &cfg);
	if (err)
		return mg_log_errno(err, "failed to read map 'mg_config'");
	old_gen = cfg.active_gen;
	gen = old_gen + 1;
	if (gen == 0)
		gen = 1;

	/* Leftovers of a fill that died half-way must not mix into this one. */
	if (l->only_gen != old_gen)
		mg_prune_all(l, old_gen);
	err = mg_fill(l, img, gen);
	if (err) {
		/* The old generation is still in force; drop what was written. */
		mg_prune_all(l, old_gen);
		if (err == -E2BIG || err == -ENOSPC)
			mg_err("the policy does not fit the maps loaded at start: restart mguard to load it");
		return err;
	}

	/* One write: from here on every program decides with generation @gen. */
	cfg.active_gen = gen;
	cfg.mode = img->mode;
	cfg.unknown_weights = img->unknown_weights;
	cfg.loaded_at = time(NULL);
	err = mg_config_write(l, &cfg);
	if (err) {
		mg_prune_all(l, old_gen);
		return mg_log_errno(err, "failed to switch to policy generation %u", gen);
	}
	err = mg_prune_all(l, gen);
	if (err)
		mg_log_errno(err, "failed to delete entries of the previous policy generation");
	*ret_gen = gen;
	return 0;
}

/*
 * Keep @link and pin it as "link_<what>", so it outlives the daemon and
 * status (another process) sees it. A pin of that name left by a daemon
 * that is gone is replaced only now, after the new attachment is in place:
 * there is no moment with neither.
 */
static int mg_link_keep(struct mg_loader *l, struct bpf_link *link, uint64_t owner,
			const char *what)
{
	char path[PATH_MAX], name[128];
	struct mg_loader_link *k;

	if (!link)
		return mg_log_errno(-errno, "failed to attach '%s'", what);
	if (l->nlinks == l->cap) {
		struct mg_loader_link *v =
			realloc(l->links, (l->cap ? 2 * l->cap : 32) * sizeof(*v));

		if (!v) {
			bpf_link__destroy(link);
			return -ENOMEM;
		}
		l->links = v;
		l->cap = l->cap ? 2 * l->cap : 32;
	}
	k = &l->links[l->nlinks++];
	k->link = link;
	k->owner = owner;
	k->on_parent = false;
	snprintf(k->name, sizeof(k->name), "%s", what);
	snprintf(name, sizeof(name), MG_PIN_LINK_PREFIX "%s", what);
	mg_pin_path(l, path, sizeof(path), name);
	if (unlink(path) < 0 && errno != ENOENT)
		return mg_log_errno(-errno, "failed to replace pinned link '%s'", path);
	if (bpf_link__pin(link, path))
		return mg_log_errno(-errno, "failed to pin link '%s'", path);
	return 0;
}

static bool mg_loader_serves(const struct mg_loader *l, uint64_t owner)
{
	for (size_t i = 0; i < l->nlinks; i++)
		if (l->links[i].owner == owner && !l->links[i].on_parent)
			return true;
	return false;
}

static int mg_attach_cgroup_path(struct mg_loader *l, struct bpf_program *prog, const char *path,
				 uint64_t owner, const char *what)
{
	struct bpf_link *link;
	uint64_t id;
	int fd, err;

	/* The root cgroup holds every process on the host: never attach there. */
	err = mg_cgroup_id(path, &id);
	if (err)
		return mg_log_errno(err, "failed to open cgroup '%s'", path);
	if (strcmp(path, l->cgroup_root) == 0 || id == 1) {
		mg_err("refusing to attach '%s' to the root cgroup", what);
		return -EPERM;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mg_log_errno(-errno, "failed to open cgroup '%s'", path);
	link = bpf_program__attach_cgroup(prog, fd);
	err = -errno;
	close(fd);
	if (!link) {
		errno = -err;
		return mg_log_errno(err, "failed to attach '%s' to cgroup '%s'", what, path);
	}
	return mg_link_keep(l, link, owner, what);
}

static int mg_attach_cgroup(struct mg_loader *l, struct bpf_program *prog,
			    const struct mg_image_scope *scope, const char *hook)
{
	char path[PATH_MAX], what[96];

	snprintf(path, sizeof(path), "%s%s", l->cgroup_root, scope->cgroup);
	snprintf(what, sizeof(what), "%s_%llu", hook, (unsigned long long)scope->cgroup_id);
	return mg_attach_cgroup_path(l, prog, path, scope->cgroup_id, what);
}

/*
 * The device program goes on the scope's cgroup and on its parent (unless
 * that is the root): a runtime that owns the scope's cgroup and replaces the
 * programs there cannot widen GPU access through the parent's.
 */
/* The cgroup id of the parent of @scope's cgroup; 0 when that is the root. */
static uint64_t mg_scope_parent_id(const struct mg_loader *l, const struct mg_image_scope *scope,
				   char *path, size_t len)
{
	uint64_t id = 0;
	char *slash;

	snprintf(path, len, "%s%s", l->cgroup_root, scope->cgroup);
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) <= strlen(l->cgroup_root))
		return 0;
	*slash = '\0';
	if (mg_cgroup_id(path, &id) || id == 1)
		return 0;
	return id;
}

/*
 * The device program goes on the scope's cgroup, and a silent backstop on
 * its parent (unless that is the root): a runtime that owns the scope's
 * cgroup and replaces the programs there cannot widen GPU access. Scopes
 * that share a parent share one backstop: a cgroup holds at most 64
 * programs per hook.
 */
static int mg_attach_device(struct mg_loader *l, const struct mg_image_scope *scope)
{
	char path[PATH_MAX], what[96];
	uint64_t parent;
	int err;

	err = mg_attach_cgroup(l, l->skel->progs.mg_device, scope, "device");
	if (err)
		return err;
	parent = mg_scope_parent_id(l, scope, path, sizeof(path));
	if (!parent)
		return 0;
	for (size_t i = 0; i < l->nlinks; i++)
		if (l->links[i].on_parent && l->links[i].owner == parent)
			return 0;
	snprintf(what, sizeof(what), "device_parent_%llu", (unsigned long long)parent);
	err = mg_attach_cgroup_path(l, l->skel->progs.mg_device_backstop, path, parent, what);
	if (!err)
		l->links[l->nlinks - 1].on_parent = true;
	return err;
}

static int mg_attach_global(struct mg_loader *l)
{
	struct mguard_bpf *s = l->skel;
	struct {
		struct bpf_program *prog;
		const char *name;
	} lsms[] = {
		{ s->progs.mg_lsm_file_open, "lsm_file_open" },
		{ s->progs.mg_lsm_mmap_file, "lsm_mmap_file" },
		{ s->progs.mg_lsm_file_receive, "lsm_file_receive" },
		{ s->progs.mg_lsm_unix_stream_connect, "lsm_unix_stream_connect" },
		{ s->progs.mg_lsm_unix_may_send, "lsm_unix_may_send" },
		{ s->progs.mg_lsm_path_rename, "lsm_path_rename" },
		{ s->progs.mg_lsm_path_link, "lsm_path_link" },
		{ s->progs.mg_lsm_path_symlink, "lsm_path_symlink" },
		{ s->progs.mg_lsm_path_mknod, "lsm_path_mknod" },
		{ s->progs.mg_lsm_path_truncate, "lsm_path_truncate" },
		{ s->progs.mg_lsm_inode_setxattr, "lsm_inode_setxattr" },
		{ s->progs.mg_lsm_inode_removexattr, "lsm_inode_removexattr" },
		{ s->progs.mg_lsm_socket_create, "lsm_socket_create" },
		{ s->progs.mg_lsm_netlink_send, "lsm_netlink_send" },
	};
	/* Pinned as link_tp_<tracepoint>; the last two are syscalls since 6.13: optional. */
	struct {
		struct bpf_program *prog;
		const char *tp;
	} tps[] = {
		{ s->progs.mg_tp_exit_open, "sys_exit_open" },
		{ s->progs.mg_tp_exit_open, "sys_exit_openat" },
		{ s->progs.mg_tp_exit_open, "sys_exit_openat2" },
		{ s->progs.mg_tp_exit_open, "sys_exit_creat" },
		{ s->progs.mg_tp_exit_open, "sys_exit_open_by_handle_at" },
		{ s->progs.mg_tp_enter_mmap, "sys_enter_mmap" },
		{ s->progs.mg_tp_enter_recvmsg, "sys_enter_recvmsg" },
		{ s->progs.mg_tp_exit_recvmsg, "sys_exit_recvmsg" },
		{ s->progs.mg_tp_enter_recvmmsg, "sys_enter_recvmmsg" },
		{ s->progs.mg_tp_enter_io_uring_setup, "sys_enter_io_uring_setup" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_rename" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_renameat" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_renameat2" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_link" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_linkat" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_symlink" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_symlinkat" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_truncate" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_setxattr" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_lsetxattr" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_removexattr" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_lremovexattr" },
		{ s->progs.mg_tp_enter_fxattr, "sys_enter_fsetxattr" },
		{ s->progs.mg_tp_enter_fxattr, "sys_enter_fremovexattr" },
		{ s->progs.mg_tp_enter_mount, "sys_enter_mount" },
		{ s->progs.mg_tp_enter_fsopen, "sys_enter_fsopen" },
		{ s->progs.mg_tp_enter_fanotify_init, "sys_enter_fanotify_init" },
		{ s->progs.mg_tp_enter_socket, "sys_enter_socket" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_setxattrat" },
		{ s->progs.mg_tp_enter_path_change, "sys_enter_removexattrat" },
	};
	const size_t optional_from = MG_ARRAY_SIZE(tps) - 2;
	char name[64];
	int err = 0;

	if (l->engine[MG_HOOK_CONNECT4] == MG_ENGINE_CGROUP) {
		err = mg_link_keep(l, bpf_program__attach(s->progs.mg_tp_fork), 0,
				   "tp_sched_process_fork");
		if (!err)
			err = mg_link_keep(l, bpf_program__attach(s->progs.mg_tp_exit), 0,
					   "tp_sched_process_exit");
		if (err)
			return err;
	}
	switch (l->engine[MG_HOOK_FILE_OPEN]) {
	case MG_ENGINE_LSM:
		for (size_t i = 0; i < MG_ARRAY_SIZE(lsms) && !err; i++)
			err = mg_link_keep(l, bpf_program__attach_lsm(lsms[i].prog), 0,
					   lsms[i].name);
		return err;
	case MG_ENGINE_TP_KILL:
		for (size_t i = 0; i < MG_ARRAY_SIZE(tps) && !err; i++) {
			struct bpf_link *link =
				bpf_program__attach_tracepoint(tps[i].prog, "syscalls", tps[i].tp);

			if (!link && i >= optional_from && errno == ENOENT)
				continue;
			snprintf(name, sizeof(name), "tp_%s", tps[i].tp);
			err = mg_link_keep(l, link, 0, name);
		}
		/* 32-bit syscalls reach no syscalls:* tracepoint: only the raw one. */
		if (!err)
			err = mg_link_keep(l, bpf_program__attach(s->progs.mg_tp_compat_entry), 0,
					   "raw_tp_sys_enter");
		return err;
	default:
		mg_err("no engine can guard weight loads on this kernel (see 'mguard probe')");
		return -EOPNOTSUPP;
	}
}

static int mg_attach_scope(struct mg_loader *l, const struct mg_image_scope *scope)
{
	struct mguard_bpf *s = l->skel;
	struct {
		enum mg_hook hook;
		struct bpf_program *prog;
	} net[] = {
		{ MG_HOOK_CONNECT4, s->progs.mg_connect4 },
		{ MG_HOOK_CONNECT6, s->progs.mg_connect6 },
		{ MG_HOOK_SENDMSG4, s->progs.mg_sendmsg4 },
		{ MG_HOOK_SENDMSG6, s->progs.mg_sendmsg6 },
		{ MG_HOOK_SKB_EGRESS, s->progs.mg_skb_egress },
	};
	int err;

	for (size_t k = 0; k < MG_ARRAY_SIZE(net); k++) {
		if (l->engine[net[k].hook] != MG_ENGINE_CGROUP)
			continue;
		err = mg_attach_cgroup(l, net[k].prog, scope, mg_hook_name(net[k].hook));
		if (err)
			return err;
	}
	/* IPv4 and IPv6 socket types: with the network hooks, whatever the file engine. */
	if (l->engine[MG_HOOK_CONNECT4] == MG_ENGINE_CGROUP) {
		err = mg_attach_cgroup(l, s->progs.mg_sock_create, scope, "sock_create");
		if (err)
			return err;
	}
	if (l->engine[MG_HOOK_DEVICE] == MG_ENGINE_CGROUP)
		return mg_attach_device(l, scope);
	return 0;
}

/*
 * Remove pins of links this loader does not hold: what a daemon that is gone
 * attached for scopes the policy no longer has. Unpinning detaches them.
 */
static void mg_unpin_foreign_links(struct mg_loader *l)
{
	size_t plen = strlen(MG_PIN_LINK_PREFIX);
	struct dirent *de;
	DIR *dir;

	dir = opendir(l->pin_dir);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char path[PATH_MAX];
		bool ours = false;

		if (strncmp(de->d_name, MG_PIN_LINK_PREFIX, plen))
			continue;
		for (size_t i = 0; i < l->nlinks && !ours; i++)
			ours = !strcmp(l->links[i].name, de->d_name + plen);
		if (ours)
			continue;
		snprintf(path, sizeof(path), "%s/%s", l->pin_dir, de->d_name);
		unlink(path);
	}
	closedir(dir);
}

int mg_loader_attach(struct mg_loader *l, const struct mg_image *img)
{
	struct mg_config cfg;
	int err;

	if (!l->global_attached) {
		err = mg_attach_global(l);
		if (err)
			return err;
		l->global_attached = 1;
	}
	/* New scopes only: a reload keeps the attachments of the others. */
	for (size_t i = 0; i < img->nscopes; i++) {
		if (mg_loader_serves(l, img->scopes[i].cgroup_id))
			continue;
		err = mg_attach_scope(l, &img->scopes[i]);
		if (err)
			return err;
	}

	/* Only now do the hooks report an engine: status never claims more than runs. */
	err = mg_config_read(l, &cfg);
	if (err)
		return mg_log_errno(err, "failed to read map 'mg_config'");
	for (int h = 0; h < MG_HOOK__COUNT; h++)
		cfg.engine[h] = l->engine[h];
	err = mg_config_write(l, &cfg);
	if (err)
		return mg_log_errno(err, "failed to write map 'mg_config'");
	return 0;
}

void mg_loader_detach_stale(struct mg_loader *l, const struct mg_image *img)
{
	size_t out = 0;

	for (size_t i = 0; i < l->nlinks; i++) {
		struct mg_loader_link *k = &l->links[i];
		bool keep = k->owner == 0;
		char path[PATH_MAX];

		for (size_t j = 0; j < img->nscopes && !keep; j++)
			keep = k->on_parent ? mg_scope_parent_id(l, &img->scopes[j], path,
								 sizeof(path)) == k->owner :
					      img->scopes[j].cgroup_id == k->owner;
		if (keep) {
			l->links[out++] = *k;
			continue;
		}
		snprintf(path, sizeof(path), "%s/" MG_PIN_LINK_PREFIX "%s", l->pin_dir, k->name);
		unlink(path);
		bpf_link__destroy(k->link);
	}
	l->nlinks = out;
	if (l->adopted)
		mg_unpin_foreign_links(l);
}

int mg_loader_set_daemon_pid(struct mg_loader *l, pid_t pid)
{
	struct mg_config cfg;
	int r = mg_config_read(l, &cfg);

	if (r)
		return r;
	cfg.daemon_pid = pid;
	return mg_config_write(l, &cfg);
}

int mg_loader_set_reload_result(struct mg_loader *l, int err)
{
	struct mg_config cfg;
	int r = mg_config_read(l, &cfg);

	if (r)
		return r;
	cfg.reload_seq++;
	cfg.reload_err = err;
	return mg_config_write(l, &cfg);
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

	if (l && l->skel && mg_config_read(l, &cfg) == 0) {
		cfg.daemon_pid = 0;
		mg_config_write(l, &cfg);
	}
	mg_loader_free(l, false);
}
