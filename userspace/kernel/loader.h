/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The loader (loader.c, generations.c, attach.c), with the rest of kernel/
 * the only code that touches libbpf and the skeleton. Loads the programs an
 * engine needs, writes compiled policy images into the maps as a new
 * generation and flips to it, attaches, pins, and takes it all down.
 */
#ifndef MGUARD_LOADER_H
#define MGUARD_LOADER_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "compile/compile.h"
#include "mguard_abi.h"

struct mg_loader;

struct mg_loader_opts {
	const char *pin_dir;		       /* a folder in bpffs, created here */
	const char *cgroup_root;	       /* the cgroup2 mount */
	enum mg_engine engine[MG_HOOK__COUNT]; /* chosen by the probe */
	size_t max_inodes;		       /* map sizes: room for two generations */
	size_t max_egress;
	size_t max_licenses;
	size_t max_devices;
	size_t max_outputs;
	uint32_t event_rate; /* events per second per scope; 0: unlimited */
	bool compat_entry;   /* the kernel takes 32-bit syscalls: close them (fallback) */
};

/* Entries of the inodes map one generation of @img needs, at most. */
size_t mg_loader_inode_entries(const struct mg_image *img);

/*
 * Open, size and load the BPF object with its maps pinned. When the pin
 * folder holds the state of a daemon that is gone, its maps are reused
 * (adopted) and stay in force; when that daemon is alive, -EBUSY.
 */
int mg_loader_load(const struct mg_loader_opts *opts, struct mg_loader **ret);

/*
 * Write @img as a new generation, flip to it in one write, then delete the
 * previous one. On failure the previous generation stays in force.
 */
int mg_loader_apply(struct mg_loader *l, const struct mg_image *img, uint32_t *ret_gen);

/*
 * Attach every hook of the chosen engines (once), and the cgroup programs to
 * each scope of @img that has none yet. Call before mg_loader_apply(): a new
 * scope's programs let everything through until its generation is in force.
 */
int mg_loader_attach(struct mg_loader *l, const struct mg_image *img);

/*
 * Detach what serves scopes @img no longer has (after mg_loader_apply():
 * the generation in force has already stopped guarding them), and, after an
 * adoption, what the previous daemon left pinned that this one replaced.
 */
void mg_loader_detach_stale(struct mg_loader *l, const struct mg_image *img);

/* Record the daemon's pid (it changes when it goes to the background). */
int mg_loader_set_daemon_pid(struct mg_loader *l, pid_t pid);

/* Record the outcome of a reload in the pinned config, for 'mguard reload'. */
int mg_loader_set_reload_result(struct mg_loader *l, int err);

int mg_loader_events_fd(const struct mg_loader *l);

/* Did this loader adopt the state of a daemon that is gone? */
bool mg_loader_adopted(const struct mg_loader *l);

/* Detach everything, unpin, free. Safe on a partly loaded loader and NULL. */
void mg_loader_destroy(struct mg_loader *l);

/* Free the loader but leave everything pinned and enforcing (an upgrade). */
void mg_loader_release(struct mg_loader *l);

/* Remove what a loader left pinned in @pin_dir (a daemon that died). */
int mg_loader_unpin_all(const char *pin_dir);

/* Make sure bpffs is mounted at /sys/fs/bpf and tracefs at /sys/kernel/tracing. */
int mg_loader_mount_fs(void);

#endif /* MGUARD_LOADER_H */
