// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attaching: the global hooks of the chosen engines once, the cgroup
 * programs per scope, each link pinned; and detaching what no scope needs.
 */
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

#include "core/array.h"
#include "core/names.h"
#include "core/cgroup.h"
#include "kernel/loader.h"
#include "kernel/loader_state.h"
#include "kernel/attach_guard.h"
#include "core/log.h"
#include "kernel/mapio.h"
#include "mguard.skel.h"
#include "kernel/pins.h"
#include "kernel/probe.h"
#include "kernel/pinned.h"
#include "core/util.h"

/*
 * Keep @link and pin it as "link_<what>", so it outlives the daemon and
 * status (another process) sees it. A pin of that name left by a daemon
 * that is gone is replaced only now, after the new attachment is in place:
 * there is no moment with neither.
 */
int mg_link_keep(struct mg_loader *l, struct bpf_link *link, uint64_t owner, const char *what)
{
	char path[PATH_MAX], name[128];
	struct mg_loader_link *k;

	if (!link)
		return mg_log_errno(-errno, "failed to attach '%s'", what);
	k = mg_array_push(&l->links, &l->nlinks, &l->cap, sizeof(*l->links));
	if (!k) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	k->link = link;
	k->owner = owner;
	k->on_parent = false;
	snprintf(k->name, sizeof(k->name), "%s", what);
	snprintf(name, sizeof(name), MG_PIN_LINK_PREFIX "%s", what);
	mg_loader_pin_path(l, path, sizeof(path), name);
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
	};
	/* Pinned as link_tp_<tracepoint>. */
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
	};
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
	err = mg_guard_attach(l);
	if (err)
		return err;
	switch (l->engine[MG_HOOK_FILE_OPEN]) {
	case MG_ENGINE_LSM:
		for (size_t i = 0; i < MG_ARRAY_SIZE(lsms) && !err; i++)
			err = mg_link_keep(l, bpf_program__attach_lsm(lsms[i].prog), 0,
					   lsms[i].name);
		return err;
	case MG_ENGINE_TP_KILL:
		for (size_t i = 0; i < MG_ARRAY_SIZE(tps) && !err; i++) {
			snprintf(name, sizeof(name), "tp_%s", tps[i].tp);
			err = mg_link_keep(
				l,
				bpf_program__attach_tracepoint(tps[i].prog, "syscalls", tps[i].tp),
				0, name);
		}
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
	};
	int err;

	for (size_t k = 0; k < MG_ARRAY_SIZE(net); k++) {
		if (l->engine[net[k].hook] != MG_ENGINE_CGROUP)
			continue;
		err = mg_attach_cgroup(l, net[k].prog, scope, mg_hook_name(net[k].hook));
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
	err = mg_loader_config_read(l, &cfg);
	if (err)
		return mg_log_errno(err, "failed to read map 'mg_config'");
	for (int h = 0; h < MG_HOOK__COUNT; h++)
		cfg.engine[h] = l->engine[h];
	err = mg_loader_config_write(l, &cfg);
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
