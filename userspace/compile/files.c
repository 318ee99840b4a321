// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A model's weight files: walked into (dev, ino) entries, their digests checked. */
#include <errno.h>
#include <stdbool.h>
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
#include "core/array.h"
#include "core/cgroup.h"
#include "compile/gpu.h"
#include "license/license.h"
#include "core/util.h"

static int mg_add_inode(struct mg_inode_builder *b, const char *path, const struct stat *st)
{
	struct mg_image_inode *in;

	if (b->n >= b->max) {
		if (!b->err)
			mg_diag_add(b->diags, b->loc,
				    "model '%s': more than %zu weight files in the policy",
				    b->model->name, b->max);
		b->err = -E2BIG;
		return -E2BIG;
	}
	in = mg_array_push(&b->v, &b->n, &b->cap, sizeof(*b->v));
	if (!in)
		return b->err = -ENOMEM;
	in->ino = st->st_ino;
	in->dev = mg_kernel_dev(st->st_dev);
	in->val.model_id = b->model_id;
	in->val.tier = b->tier;
	in->val.flags = b->flags;
	in->path = strdup(path);
	if (!in->path)
		return b->err = -ENOMEM;
	return 0;
}

/* Is the file @st named by a digest of @m? (For strict manifests.) */
static bool mg_in_manifest(const struct mg_model *m, const struct stat *st)
{
	for (size_t i = 0; i < m->ndigests; i++) {
		char *path = mg_digest_target(m, m->digests[i].path);
		struct stat dst;
		bool same;

		if (!path)
			continue;
		same = stat(path, &dst) == 0 && dst.st_dev == st->st_dev &&
		       dst.st_ino == st->st_ino;
		free(path);
		if (same)
			return true;
	}
	return false;
}

/* nftw has no user pointer: the walk in progress. Compilation is not reentrant. */
static struct mg_inode_builder *mg_walk_builder;

static int mg_walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct mg_inode_builder *b = mg_walk_builder;
	struct stat target;

	switch (type) {
	case FTW_F:
		/* A strict model's folder holds only its manifest's files. */
		if (b->model->manifest_strict && !mg_in_manifest(b->model, st))
			return FTW_CONTINUE;
		if (S_ISREG(st->st_mode))
			return mg_add_inode(b, path, st) ? FTW_STOP : FTW_CONTINUE;
		return FTW_CONTINUE;
	case FTW_SL:
		/*
		 * A link inside a model folder (the Hugging Face cache links
		 * snapshots to blobs): what it points to belongs to the model.
		 */
		if (stat(path, &target) == 0 && S_ISREG(target.st_mode) &&
		    (!b->model->manifest_strict || mg_in_manifest(b->model, &target)))
			return mg_add_inode(b, path, &target) ? FTW_STOP : FTW_CONTINUE;
		return FTW_CONTINUE;
	case FTW_DNR:
	case FTW_NS:
		mg_diag_add(b->diags, b->loc, "model '%s': cannot read '%s': %s", b->model->name,
			    path, strerror(errno ? errno : EACCES));
		b->err = -EACCES;
		return FTW_STOP;
	default:
		return FTW_CONTINUE;
	}
}

int mg_compile_model_path(struct mg_inode_builder *b, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		mg_diag_add(b->diags, b->loc, "model '%s': cannot use '%s': %s", b->model->name,
			    path, strerror(errno));
		return -errno;
	}
	if (S_ISREG(st.st_mode))
		return mg_add_inode(b, path, &st);
	if (!S_ISDIR(st.st_mode)) {
		mg_diag_add(b->diags, b->loc, "model '%s': '%s' is neither a file nor a folder",
			    b->model->name, path);
		return -EINVAL;
	}
	/* The folder itself: the kernel finds files added later through it. */
	if (mg_add_inode(b, path, &st))
		return b->err;
	b->v[b->n - 1].val.flags |= MG_INODE_DIR;
	if (b->model->manifest_strict)
		b->v[b->n - 1].val.flags |= MG_INODE_STRICT;
	mg_walk_builder = b;
	b->err = 0;
	nftw(path, mg_walk_one, 32, FTW_PHYS | FTW_ACTIONRETVAL);
	mg_walk_builder = NULL;
	return b->err;
}

static int mg_inode_cmp(const void *a, const void *b)
{
	const struct mg_image_inode *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	/* Highest tier first, so deduplication keeps the strictest model. */
	if (x->val.tier != y->val.tier)
		return x->val.tier > y->val.tier ? -1 : 1;
	return 0;
}

/* Sort, then keep one entry per inode: the one of the highest tier. */
void mg_inodes_dedup(struct mg_image_inode *v, size_t *n)
{
	size_t out = 0;

	if (*n == 0)
		return;
	qsort(v, *n, sizeof(*v), mg_inode_cmp);
	for (size_t i = 0; i < *n; i++) {
		if (out && v[out - 1].dev == v[i].dev && v[out - 1].ino == v[i].ino) {
			free(v[i].path);
			continue;
		}
		v[out++] = v[i];
	}
	*n = out;
}

/* The file a digest entry names: absolute, or under one of the model's folders. */
char *mg_digest_target(const struct mg_model *m, const char *path)
{
	if (path[0] == '/')
		return strdup(path);
	for (size_t i = 0; i < m->nfiles; i++) {
		struct stat st;
		char *full;

		if (stat(m->files[i], &st) || !S_ISDIR(st.st_mode))
			continue;
		if (asprintf(&full, "%s/%s", m->files[i], path) < 0)
			return NULL;
		if (access(full, F_OK) == 0)
			return full;
		free(full);
	}
	errno = ENOENT;
	return NULL;
}

/*
 * Check the SHA-256 digests a model lists. Returns 0 when all match, 1 when
 * the model is refused (each reason a warning), -ENOMEM.
 */
int mg_check_digests(const struct mg_model *m, struct mg_digest_cache *cache,
		     struct mg_diags *diags)
{
	int refused = 0;

	for (size_t i = 0; i < m->ndigests; i++) {
		const struct mg_digest *d = &m->digests[i];
		char want[MG_DIGEST_HEX_LEN + 1], got[MG_DIGEST_HEX_LEN + 1];
		uint8_t sum[MG_DIGEST_LEN];
		bool cached;
		char *path;
		int err;

		path = mg_digest_target(m, d->path);
		if (!path) {
			if (errno == ENOMEM)
				return -ENOMEM;
			mg_diag_warn(diags, d->loc,
				     "model '%s' refused: '%s' is not one of its files", m->name,
				     d->path);
			refused = 1;
			continue;
		}
		err = mg_digest_file(cache, path, sum, &cached);
		if (err == -ENOMEM) {
			free(path);
			return err;
		}
		if (err) {
			mg_diag_warn(diags, d->loc, "model '%s' refused: cannot hash '%s': %s",
				     m->name, path, strerror(-err));
			refused = 1;
		} else if (memcmp(sum, d->sha256, MG_DIGEST_LEN)) {
			mg_digest_hex(sum, got);
			mg_digest_hex(d->sha256, want);
			mg_diag_warn(diags, d->loc,
				     "model '%s' refused: '%s' has SHA-256 %s, expected %s",
				     m->name, path, got, want);
			refused = 1;
		}
		free(path);
	}
	return refused;
}
