// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The fs-verity digests models give their files, as (dev, ino) entries of
 * the verity map. The kernel compares them with the opened file's own
 * digest at every open (where it can: see bpf/verity.bpf.h); the file's
 * SHA-256, which the policy lists too, was checked by mg_check_digests().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compile/compile.h"
#include "compile/steps.h"
#include "core/array.h"
#include "core/util.h"

static int mg_verity_add(struct mg_image *img, size_t *cap, const struct mg_digest *d,
			 const char *path, const struct stat *st)
{
	struct mg_image_verity *v;

	v = mg_array_push(&img->verity, &img->nverity, cap, sizeof(*img->verity));
	if (!v)
		return -ENOMEM;
	memset(v, 0, sizeof(*v));
	v->key.ino = st->st_ino;
	v->key.dev = mg_kernel_dev(st->st_dev);
	memcpy(v->val.digest, d->sha256, sizeof(v->val.digest));
	v->path = strdup(path);
	return v->path ? 0 : -ENOMEM;
}

int mg_compile_verity(const struct mg_policy *p, struct mg_image *img, struct mg_diags *diags)
{
	size_t cap = 0;
	int bad = 0;

	for (size_t i = 0; i < p->nmodels; i++) {
		const struct mg_model *m = &p->models[i];

		/* A refused model's files are denied to every scope already. */
		if (img->model_tiers[i] == MG_TIER_REFUSED)
			continue;
		for (size_t j = 0; j < m->nverity; j++) {
			const struct mg_digest *d = &m->verity[j];
			char *path = mg_digest_target(m, d->path);
			struct stat st;
			int err;

			if (!path && errno == ENOMEM)
				return -ENOMEM;
			if (!path || stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
				mg_diag_add(diags, d->loc,
					    "model '%s': '%s' is not one of its files", m->name,
					    d->path);
				free(path);
				bad = 1;
				continue;
			}
			err = mg_verity_add(img, &cap, d, path, &st);
			free(path);
			if (err)
				return err;
		}
	}
	return bad;
}
