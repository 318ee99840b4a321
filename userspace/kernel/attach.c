// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attaching: the global hooks of the chosen engines once, the cgroup
 * programs per anchor (kernel/bind.h), each link pinned; and detaching what
 * no scope needs.
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
#include "kernel/bind.h"
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
		if (l->links[i].owner == owner)
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

/*
 * The cgroup id of the anchor of @scope's cgroup programs (kernel/bind.h),
 * its path in @path; 0 when it does not exist.
 */
static uint64_t mg_scope_anchor_id(const struct mg_loader *l, const struct mg_image_scope *scope,
				   char *path, size_t len)
{
	char rel[PATH_MAX];
	uint64_t id = 0;

	if (mg_bind_anchor(scope, rel, sizeof(rel)))
		return 0;
	if ((size_t)snprintf(path, len, "%s%s", l->cgroup_root, rel) >= len)
		return 0;
	if (mg_cgroup_id(path, &id))
		return 0;
	return id;
}

/* The anchor of @scope, made if a pattern's is not there yet (no runtime has run). */
static int mg_scope_anchor(struct mg_loader *l, const struct mg_image_scope *scope, char *path,
			   size_t len, uint64_t *ret_id)
{
	char rel[PATH_MAX];
	int err, created;

	*ret_id = mg_scope_anchor_id(l, scope, path, len);
	if (*ret_id && !scope->is_pattern && strchr(scope->cgroup + 1, '/') == NULL)
		mg_warn("scope '%s': cgroup '%s' is directly below the root, so its network, GPU and "
			"budget programs sit on it: removed and made again while no daemon runs, it "
			"has none until a daemon attaches them (put it a level deeper)",
			scope->name, scope->cgroup);
	if (*ret_id)
		return 0;
	err = mg_bind_anchor(scope, rel, sizeof(rel));
	if (err) {
		mg_err("scope '%s': no cgroup but the root to attach its programs to", scope->name);
		return err;
	}
	err = mg_cgroup_create(l->cgroup_root, rel, &created);
	if (err)
		return mg_log_errno(err, "failed to create cgroup '%s' of scope '%s'", rel,
				    scope->name);
	mg_info("created cgroup '%s' for the programs of scope '%s'", rel, scope->name);
	*ret_id = mg_scope_anchor_id(l, scope, path, len);
	return *ret_id ? 0 : -ENOENT;
}

/* One hook program, the way its engine attaches. */
static struct bpf_link *mg_attach_hook_prog(const struct mg_hook_prog *p)
{
	switch (p->engine) {
	case MG_ENGINE_LSM:
		return bpf_program__attach_lsm(p->prog);
	case MG_ENGINE_FMOD_RET:
		return bpf_program__attach_trace(p->prog);
	case MG_ENGINE_TP_KILL:
		if (!p->tracepoint)
			return bpf_program__attach(p->prog);
		return bpf_program__attach_tracepoint(p->prog, "syscalls", p->tracepoint);
	default:
		errno = EINVAL;
		return NULL;
	}
}

static int mg_attach_global(struct mg_loader *l)
{
	struct mg_hook_prog progs[MG_HOOK_PROGS_MAX];
	struct mguard_bpf *s = l->skel;
	size_t n;
	int err;

	if (l->engine[MG_HOOK_FILE_OPEN] == MG_ENGINE_NONE) {
		mg_err("no engine can guard weight loads on this kernel (see 'mguard probe')");
		return -EOPNOTSUPP;
	}
	/* Cgroups made later are bound by the kernel as they are made. */
	err = mg_link_keep(l, bpf_program__attach(s->progs.mg_cgroup_mkdir), 0, "tp_cgroup_mkdir");
	if (!err)
		err = mg_link_keep(l, bpf_program__attach(s->progs.mg_cgroup_rmdir), 0,
				   "tp_cgroup_rmdir");
	if (err)
		return err;
	if (l->engine[MG_HOOK_CONNECT4] == MG_ENGINE_CGROUP) {
		err = mg_link_keep(l, bpf_program__attach(s->progs.mg_tp_fork), 0,
				   "tp_sched_process_fork");
		if (!err)
			err = mg_link_keep(l, bpf_program__attach(s->progs.mg_tp_exit), 0,
					   "tp_sched_process_exit");
		if (err)
			return err;
	}
	/* Per hook, the programs of the engine chosen for it (kernel/hook_progs.c). */
	n = mg_hook_progs(s, progs);
	for (size_t i = 0; i < n && !err; i++) {
		struct bpf_link *link;

		if (l->engine[progs[i].hook] != progs[i].engine)
			continue;
		if ((progs[i].flags & MG_HOOK_PROG_COMPAT) && !l->compat_entry)
			continue;
		link = mg_attach_hook_prog(&progs[i]);
		if (!link && (progs[i].flags & MG_HOOK_PROG_OPTIONAL) && errno == ENOENT)
			continue;
		err = mg_link_keep(l, link, 0, progs[i].name);
	}
	return err;
}

/*
 * A scope's network and device programs go on its anchor, a stable ancestor
 * (kernel/bind.h), as links (multi-attach): a cgroup created below it later,
 * a restarted unit or a new container, inherits them at once, and a runtime
 * that replaces the programs it owns on its own cgroup cannot remove them.
 * Each program checks the scope first, so the anchor's other cgroups pay one
 * lookup. Scopes that share an anchor share its programs: a cgroup holds at
 * most 64 programs per hook.
 */
static int mg_attach_scope(struct mg_loader *l, const struct mg_image_scope *scope)
{
	struct mguard_bpf *s = l->skel;
	struct {
		enum mg_hook hook;
		struct bpf_program *prog;
	} progs[] = {
		{ MG_HOOK_CONNECT4, s->progs.mg_connect4 },
		{ MG_HOOK_CONNECT6, s->progs.mg_connect6 },
		{ MG_HOOK_SENDMSG4, s->progs.mg_sendmsg4 },
		{ MG_HOOK_SENDMSG6, s->progs.mg_sendmsg6 },
		/*
		 * Destinations (where the network hooks run), then budgets: on
		 * every scope, as a reload may give it one.
		 */
		{ MG_HOOK_EGRESS_BUDGET, s->progs.mg_skb_egress },
		{ MG_HOOK_DEVICE, s->progs.mg_device },
	};
	char path[PATH_MAX], what[96];
	uint64_t anchor;
	int err;

	err = mg_scope_anchor(l, scope, path, sizeof(path), &anchor);
	if (err)
		return err;
	if (mg_loader_serves(l, anchor))
		return 0;
	for (size_t k = 0; k < MG_ARRAY_SIZE(progs); k++) {
		if (l->engine[progs[k].hook] != MG_ENGINE_CGROUP)
			continue;
		snprintf(what, sizeof(what), "%s_%llu", mg_hook_name(progs[k].hook),
			 (unsigned long long)anchor);
		err = mg_attach_cgroup_path(l, progs[k].prog, path, anchor, what);
		if (err)
			return err;
	}
	/* IPv4 and IPv6 socket types: with the network hooks, whatever the file engine. */
	if (l->engine[MG_HOOK_CONNECT4] == MG_ENGINE_CGROUP) {
		snprintf(what, sizeof(what), "sock_create_%llu", (unsigned long long)anchor);
		err = mg_attach_cgroup_path(l, s->progs.mg_sock_create, path, anchor, what);
		if (err)
			return err;
	}
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
	/* New anchors only: a reload keeps the attachments of the others. */
	for (size_t i = 0; i < img->nscopes; i++) {
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
			keep = mg_scope_anchor_id(l, &img->scopes[j], path, sizeof(path)) ==
			       k->owner;
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
