/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The steps of mg_compile(), one concern to a file: files.c (weight files
 * and digests), scopes.c (cgroups, names, GPUs, outputs), system_reads.c,
 * licenses.c, egress.c. Internal to compile/: nothing outside includes it.
 * A step that returns int returns 0, -ENOMEM (mg_compile() stops), or
 * another non-zero value when it refused something, each reason added to
 * @diags: mg_compile() goes on, so that every error is reported.
 */
#ifndef MGUARD_COMPILE_STEPS_H
#define MGUARD_COMPILE_STEPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "compile/compile.h"
#include "core/diag.h"

/* The weight files of the models, collected while the models are walked. */
struct mg_inode_builder {
	struct mg_image_inode *v;
	size_t n, cap, max;
	uint32_t model_id, tier;
	uint16_t flags; /* MG_INODE_REQUIRES_LICENSE of the model's tier */
	const struct mg_model *model;
	struct mg_loc loc;
	struct mg_diags *diags;
	int err;
};

int mg_compile_model_path(struct mg_inode_builder *b, const char *path);
void mg_inodes_dedup(struct mg_image_inode *v, size_t *n);
/* Append the sysfs files of GPUs' PCI devices (device_files.c). 0 or -ENOMEM. */
int mg_compile_device_files(const struct mg_compile_opts *opts, struct mg_inode_builder *b);
int mg_check_digests(const struct mg_model *m, struct mg_digest_cache *cache,
		     struct mg_diags *diags);
void mg_compile_system_reads(struct mg_image *img);
/* The fs-verity digests of the models not refused, into img->verity (verity.c). */
int mg_compile_verity(const struct mg_policy *p, struct mg_image *img, struct mg_diags *diags);
int mg_compile_gpus(const struct mg_policy *p, const struct mg_compile_opts *opts,
		    struct mg_image *img, struct mg_diags *diags);
/*
 * Mark the model entries that are also folders of outputs MG_INODE_PATHS,
 * and list the other such folders in img->path_inodes. After the inodes are
 * sorted and the outputs compiled. 0 or -ENOMEM.
 */
int mg_compile_path_inodes(struct mg_image *img);
int mg_compile_outputs(const struct mg_policy *p, struct mg_image *img, struct mg_diags *diags);
int mg_compile_scopes(const struct mg_policy *p, const struct mg_compile_opts *opts,
		      struct mg_image *img, struct mg_diags *diags);
int mg_compile_names(const struct mg_policy *p, struct mg_image *img);
int mg_compile_licenses(const struct mg_policy *p, const struct mg_compile_opts *opts,
			struct mg_image *img, struct mg_diags *diags);

#endif /* MGUARD_COMPILE_STEPS_H */
