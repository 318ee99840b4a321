// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A compiled image written into the maps as a new generation, the flip to
 * it in one write of the config, and the pruning of the previous one.
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

#include "core/names.h"
#include "core/cgroup.h"
#include "kernel/bind.h"
#include "kernel/loader.h"
#include "kernel/loader_state.h"
#include "core/log.h"
#include "kernel/mapio.h"
#include "mguard.skel.h"
#include "kernel/pins.h"
#include "kernel/probe.h"
#include "kernel/pinned.h"
#include "core/util.h"

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
	r = mg_prune(s->maps.mg_verity, offsetof(struct mg_inode_key, gen), keep);
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
	r = mg_prune(s->maps.mg_selectors, offsetof(struct mg_selector_key, gen), keep);
	err = err ?: r;
	/* Only a generation that is alone in the maps lets the next fill skip the prune. */
	l->only_gen = err ? 0 : keep;
	return err;
}

/* Entry @i of one of the image's tables, as the map's key (for @gen) and value. */
typedef void mg_entry_fn(const struct mg_image *img, size_t i, __u32 gen, void *key, void *val);

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

static void mg_verity_entry(const struct mg_image *img, size_t i, __u32 gen, void *key, void *val)
{
	struct mg_inode_key *k = key;

	*k = img->verity[i].key;
	k->gen = gen;
	*(struct mg_verity_val *)val = img->verity[i].val;
}

size_t mg_loader_inode_entries(const struct mg_image *img)
{
	return img->ninodes + img->npath_inodes;
}

/*
 * The inodes map: the models' files and folders, then the folders of
 * outputs, reads and sockets that the compiler listed apart
 * (img->path_inodes), each marked MG_INODE_PATHS.
 */
static int mg_fill_inodes(struct bpf_map *map, const struct mg_image *img, __u32 gen)
{
	size_t n = mg_loader_inode_entries(img), done;
	struct mg_inode_key *keys;
	struct mg_inode_val *vals;
	int err = -ENOMEM;

	keys = calloc(n + 1, sizeof(*keys));
	vals = calloc(n + 1, sizeof(*vals));
	if (!keys || !vals)
		goto out;
	for (size_t i = 0; i < img->ninodes; i++) {
		keys[i] = (struct mg_inode_key){ .ino = img->inodes[i].ino,
						 .dev = img->inodes[i].dev,
						 .gen = gen };
		vals[i] = img->inodes[i].val;
	}
	for (size_t i = 0; i < img->npath_inodes; i++) {
		keys[img->ninodes + i] = img->path_inodes[i];
		keys[img->ninodes + i].gen = gen;
		vals[img->ninodes + i] = (struct mg_inode_val){ .flags = MG_INODE_PATHS };
	}
	err = mg_map_write(bpf_map__fd(map), keys, vals, n, sizeof(*keys), sizeof(*vals), &done);
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

	err = mg_bind_fill(s, l->cgroup_root, img, gen, &i);
	if (err)
		return err;
	err = mg_fill_inodes(s->maps.mg_inodes, img, gen);
	if (err)
		return err;
	/* fs-verity digests only where the kernel checks them (verity.bpf.h). */
	if (l->engine[MG_HOOK_VERITY] == MG_ENGINE_LSM) {
		err = mg_fill_table(s->maps.mg_verity, img, img->nverity, mg_verity_entry, gen, &i);
		if (err)
			return mg_log_errno(err, "failed to write the fs-verity digest of '%s'",
					    img->verity[i].path);
	}
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

	err = mg_loader_config_read(l, &cfg);
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
	err = mg_loader_config_write(l, &cfg);
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
