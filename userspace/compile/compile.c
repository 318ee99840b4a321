// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compile/compile.h"
#include "compile/steps.h"
#include "core/cgroup.h"
#include "compile/gpu.h"
#include "license/license.h"
#include "core/util.h"

int mg_compile(const struct mg_policy *p, const struct mg_compile_opts *opts, struct mg_image **ret,
	       struct mg_diags *diags)
{
	struct mg_inode_builder b = { .diags = diags };
	struct mg_image *img;
	struct mg_digest_cache *own_digests = NULL, *digests;
	int err, bad = 0;

	img = calloc(1, sizeof(*img));
	if (!img)
		return -ENOMEM;
	img->mode = p->mode == MG_POLICY_AUDIT ? MG_MODE_AUDIT : MG_MODE_ENFORCE;
	img->unknown_weights = p->unknown_weights;
	img->unresolved = opts->check_only;
	if (!opts->digests) {
		err = mg_digest_cache_open(NULL, &own_digests);
		if (err)
			goto out_free;
	}
	digests = opts->digests ? opts->digests : own_digests;

	err = mg_compile_names(p, img);
	if (err)
		goto out_free;
	/* Every part is compiled even after an error, so all errors are reported. */
	err = mg_compile_scopes(p, opts, img, diags);
	if (err == -ENOMEM)
		goto out_free;
	bad |= err != 0;

	b.max = opts->max_files ? opts->max_files : MG_COMPILE_DEFAULT_MAX_FILES;
	for (size_t i = 0; i < p->nmodels; i++) {
		const struct mg_model *m = &p->models[i];
		const struct mg_tier *tier = m->resolved_tier; /* set by mg_policy_validate() */

		b.model = m;
		b.model_id = i + 1;
		b.tier = tier ? tier->level : 0;
		b.flags = tier && tier->requires_license ? MG_INODE_REQUIRES_LICENSE : 0;
		if (opts->check_only)
			continue;
		err = mg_check_digests(m, digests, diags);
		if (err < 0)
			goto out_free;
		if (err > 0) {
			/* Refused: its files stay known, and are denied to every scope. */
			b.tier = MG_TIER_REFUSED;
			img->model_tiers[i] = MG_TIER_REFUSED;
		}
		for (size_t j = 0; j < m->nfiles; j++) {
			b.loc = m->file_locs ? m->file_locs[j] : m->loc;
			err = mg_compile_model_path(&b, m->files[j]);
			if (err == -ENOMEM)
				goto out_free;
			bad |= err != 0;
		}
	}
	if (!opts->check_only) {
		err = mg_compile_device_files(opts, &b);
		if (err == -ENOMEM)
			goto out_free;
	}
	img->inodes = b.v;
	img->ninodes = b.n;
	b.v = NULL;
	b.n = 0;
	mg_inodes_dedup(img->inodes, &img->ninodes);

	if (!opts->check_only) {
		err = mg_compile_verity(p, img, diags);
		if (err == -ENOMEM)
			goto out_free;
		bad |= err != 0;
		err = mg_compile_gpus(p, opts, img, diags);
		if (err == -ENOMEM)
			goto out_free;
		bad |= err != 0;
		err = mg_compile_outputs(p, img, diags);
		if (err == -ENOMEM)
			goto out_free;
		bad |= err != 0;
		err = mg_compile_path_inodes(img);
		if (err)
			goto out_free;
	}

	err = mg_compile_licenses(p, opts, img, diags);
	if (err == -ENOMEM)
		goto out_free;
	bad |= err != 0;

	for (size_t i = 0; i < img->nscopes && i < p->nscopes; i++) {
		err = mg_compile_egress(&p->scopes[i], i + 1, &img->egress, &img->negress,
					&img->egress_cap, diags);
		if (err == -ENOMEM)
			goto out_free;
		bad |= err != 0;
	}

	if (bad) {
		err = -EINVAL;
		goto out_free;
	}
	mg_digest_cache_free(own_digests);
	*ret = img;
	return 0;

out_free:
	mg_digest_cache_free(own_digests);
	for (size_t i = 0; i < b.n; i++)
		free(b.v[i].path);
	free(b.v);
	mg_image_free(img);
	return err ? err : -EINVAL;
}
