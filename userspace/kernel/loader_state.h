/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The loader's state, shared by loader.c (load, adopt, pins, teardown),
 * generations.c (images into the maps) and attach.c (links). Internal to
 * kernel/: the layers above see only struct mg_loader's name.
 */
#ifndef MGUARD_LOADER_STATE_H
#define MGUARD_LOADER_STATE_H

#include <limits.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mguard_abi.h"

struct bpf_link;
struct mguard_bpf;

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

/* @name in the loader's pin folder, into @buf of @len bytes. */
void mg_loader_pin_path(const struct mg_loader *l, char *buf, size_t len, const char *name);

/* The config map's one entry; 0 or a negative errno. */
int mg_loader_config_read(const struct mg_loader *l, struct mg_config *cfg);
int mg_loader_config_write(const struct mg_loader *l, const struct mg_config *cfg);

/*
 * Keep @link (NULL: the attach failed, errno says why) and pin it as
 * "link_<what>"; @owner: the cgroup id of the scope it serves, 0 for all.
 */
int mg_link_keep(struct mg_loader *l, struct bpf_link *link, uint64_t owner, const char *what);

#endif /* MGUARD_LOADER_STATE_H */
