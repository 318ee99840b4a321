/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The loader: the only code that touches the BPF skeleton. Loads the
 * programs an engine needs, writes compiled policy images into the maps as a
 * new generation and flips to it, attaches, pins, and takes it all down.
 */
#ifndef MGUARD_LOADER_H
#define MGUARD_LOADER_H

#include <linux/types.h>
#include <stdint.h>

#include "compile.h"
#include "mguard_abi.h"

struct mg_loader;

struct mg_loader_opts {
	const char *pin_dir;			/* a folder in bpffs, created here */
	const char *cgroup_root;		/* the cgroup2 mount */
	enum mg_engine engine[MG_HOOK__COUNT];	/* chosen by the probe */
	size_t max_inodes;			/* map sizes: room for two generations */
	size_t max_egress;
	size_t max_licenses;
	size_t max_devices;
	size_t max_outputs;
};

/* Open, size and load the BPF object, pin its maps. Negative errno on failure. */
int mg_loader_load(const struct mg_loader_opts *opts, struct mg_loader **ret);

/*
 * Write @img as a new generation, flip to it in one write, then delete the
 * previous one. On failure the previous generation stays in force.
 */
int mg_loader_apply(struct mg_loader *l, const struct mg_image *img, uint32_t *ret_gen);

/* Attach every hook of the chosen engines; cgroup programs to each scope of @img. */
int mg_loader_attach(struct mg_loader *l, const struct mg_image *img);

int mg_loader_events_fd(const struct mg_loader *l);

/* Detach everything, unpin, free. Safe on a partly loaded loader and NULL. */
void mg_loader_destroy(struct mg_loader *l);

/* Remove what a loader left pinned in @pin_dir (a daemon that died). */
int mg_loader_unpin_all(const char *pin_dir);

/* Make sure bpffs is mounted at /sys/fs/bpf and tracefs at /sys/kernel/tracing. */
int mg_loader_mount_fs(void);

#endif /* MGUARD_LOADER_H */
