// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compile.h"
#include "cgroup.h"
#include "util.h"

/* Grow an array by one element; returns a pointer to the new, zeroed slot. */
static void *mg_grow(void **v, size_t *n, size_t *cap, size_t size)
{
	char *p;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *nv = realloc(*v, ncap * size);

		if (!nv)
			return NULL;
		*v = nv;
		*cap = ncap;
	}
	p = (char *)*v + (*n)++ * size;
	memset(p, 0, size);
	return p;
}

struct mg_inode_builder {
	struct mg_image_inode *v;
	size_t n, cap, max;
	uint32_t model_id, tier;
	const struct mg_model *model;
	struct mg_loc loc;
	struct mg_diags *diags;
	int err;
};

static int mg_add_inode(struct mg_inode_builder *b, const char *path, const struct stat *st)
{
	struct mg_image_inode *in;

	if (b->n >= b->max) {
		if (!b->err)
			mg_diag_add(b->diags, b->loc, "model '%s': more than %zu weight files in the policy",
				    b->model->name, b->max);
		b->err = -E2BIG;
		return -E2BIG;
	}
	in = mg_grow((void **)&b->v, &b->n, &b->cap, sizeof(*b->v));
	if (!in)
		return b->err = -ENOMEM;
	in->ino = st->st_ino;
	in->dev = mg_kernel_dev(st->st_dev);
	in->val.model_id = b->model_id;
	in->val.tier = b->tier;
	in->path = strdup(path);
	if (!in->path)
		return b->err = -ENOMEM;
	return 0;
}

/* nftw has no user pointer: the walk in progress. Compilation is not reentrant. */
static struct mg_inode_builder *mg_walk_builder;

static int mg_walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct mg_inode_builder *b = mg_walk_builder;
	struct stat target;

	switch (type) {
	case FTW_F:
		if (S_ISREG(st->st_mode))
			return mg_add_inode(b, path, st) ? FTW_STOP : FTW_CONTINUE;
		return FTW_CONTINUE;
	case FTW_SL:
		/*
		 * A link inside a model folder (the Hugging Face cache links
		 * snapshots to blobs): what it points to belongs to the model.
		 */
		if (stat(path, &target) == 0 && S_ISREG(target.st_mode))
			return mg_add_inode(b, path, &target) ? FTW_STOP : FTW_CONTINUE;
		return FTW_CONTINUE;
	case FTW_DNR:
	case FTW_NS:
		mg_diag_add(b->diags, b->loc, "model '%s': cannot read '%s': %s",
			    b->model->name, path, strerror(errno ? errno : EACCES));
		b->err = -EACCES;
		return FTW_STOP;
	default:
		return FTW_CONTINUE;
	}
}

static int mg_compile_model_path(struct mg_inode_builder *b, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		mg_diag_add(b->diags, b->loc, "model '%s': cannot use '%s': %s",
			    b->model->name, path, strerror(errno));
		return -errno;
	}
	if (S_ISREG(st.st_mode))
		return mg_add_inode(b, path, &st);
	if (!S_ISDIR(st.st_mode)) {
		mg_diag_add(b->diags, b->loc, "model '%s': '%s' is neither a file nor a folder",
			    b->model->name, path);
		return -EINVAL;
	}
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
static void mg_inodes_dedup(struct mg_image_inode *v, size_t *n)
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

/* Does prefix @outer (length @olen) contain the address @addr? */
static int mg_prefix_contains(const uint8_t outer[16], unsigned int olen, const uint8_t addr[16])
{
	unsigned int full = olen / 8, rem = olen % 8;

	if (memcmp(outer, addr, full))
		return 0;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));

		return (outer[full] & mask) == (addr[full] & mask);
	}
	return 1;
}

static int mg_range_add(struct mg_egress_val *val, const struct mg_egress_rule *r)
{
	for (uint32_t i = 0; i < val->nranges; i++) {
		struct mg_port_range *x = &val->ranges[i];

		if (x->lo == r->port_lo && x->hi == r->port_hi) {
			x->protos |= r->protos;
			return 0;
		}
	}
	if (val->nranges == MG_MAX_PORT_RANGES)
		return -E2BIG;
	val->ranges[val->nranges].lo = r->port_lo;
	val->ranges[val->nranges].hi = r->port_hi;
	val->ranges[val->nranges].protos = r->protos;
	val->nranges++;
	return 0;
}

int mg_compile_egress(const struct mg_scope *scope, uint32_t scope_id,
		      struct mg_image_egress **entries, size_t *n, size_t *cap,
		      struct mg_diags *diags)
{
	for (size_t i = 0; i < scope->negress; i++) {
		const struct mg_egress_rule *r = &scope->egress[i];
		struct mg_image_egress *e;
		int dup = 0;

		/* One entry per distinct prefix. */
		for (size_t j = 0; j < i; j++) {
			const struct mg_egress_rule *q = &scope->egress[j];

			if (q->prefixlen == r->prefixlen && !memcmp(q->addr, r->addr, 16))
				dup = 1;
		}
		if (dup)
			continue;

		e = mg_grow((void **)entries, n, cap, sizeof(**entries));
		if (!e)
			return -ENOMEM;
		e->key.prefixlen = MG_EGRESS_KEY_FIXED_BITS + r->prefixlen;
		e->key.scope_id = scope_id;
		memcpy(e->key.addr, r->addr, 16);

		/*
		 * The trie answers with the longest matching prefix only, so
		 * every rule whose prefix contains this one lends it its ports.
		 */
		for (size_t j = 0; j < scope->negress; j++) {
			const struct mg_egress_rule *q = &scope->egress[j];

			if (q->prefixlen > r->prefixlen || !mg_prefix_contains(q->addr, q->prefixlen, r->addr))
				continue;
			if (mg_range_add(&e->val, q)) {
				mg_diag_add(diags, r->loc,
					    "scope '%s': more than %d port ranges apply to one egress prefix",
					    scope->name, MG_MAX_PORT_RANGES);
				return -E2BIG;
			}
		}
	}
	return 0;
}

static unsigned int mg_cgroup_depth(const char *rel)
{
	unsigned int depth = 0;

	for (const char *p = rel; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			depth++;
	return depth;
}

static int mg_compile_scopes(const struct mg_policy *p, const struct mg_compile_opts *opts,
			     struct mg_image *img, struct mg_diags *diags)
{
	int err = 0;

	img->scopes = calloc(p->nscopes ? p->nscopes : 1, sizeof(*img->scopes));
	if (!img->scopes)
		return -ENOMEM;
	if (p->nscopes > MG_MAX_SCOPES) {
		mg_diag_add(diags, p->scopes[MG_MAX_SCOPES].loc, "more than %d scopes", MG_MAX_SCOPES);
		return -E2BIG;
	}

	for (size_t i = 0; i < p->nscopes; i++) {
		const struct mg_scope *s = &p->scopes[i];
		struct mg_image_scope *is = &img->scopes[img->nscopes++];
		const struct mg_tier *tier = mg_policy_find_tier(p, s->max_tier);
		char path[PATH_MAX];
		int r;

		is->name = strdup(s->name);
		is->cgroup = strdup(s->cgroup);
		if (!is->name || !is->cgroup)
			return -ENOMEM;
		is->val.scope_id = i + 1;
		is->val.max_tier = tier ? tier->level : 0;

		if (mg_cgroup_depth(s->cgroup) >= MG_MAX_CGROUP_DEPTH) {
			mg_diag_add(diags, s->cgroup_loc, "scope '%s': cgroup '%s' is deeper than %d levels",
				    s->name, s->cgroup, MG_MAX_CGROUP_DEPTH - 1);
			err = -EINVAL;
			continue;
		}
		snprintf(path, sizeof(path), "%s%s", opts->cgroup_root, s->cgroup);
		r = mg_cgroup_id(path, &is->cgroup_id);
		if (r) {
			mg_diag_add(diags, s->cgroup_loc, "scope '%s': cgroup '%s': %s",
				    s->name, s->cgroup, strerror(-r));
			err = r;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (img->scopes[j].cgroup_id == is->cgroup_id) {
				mg_diag_add(diags, s->cgroup_loc, "scope '%s': cgroup '%s' is already scope '%s'",
					    s->name, s->cgroup, img->scopes[j].name);
				err = -EINVAL;
			}
		}
	}
	return err;
}

static int mg_compile_names(const struct mg_policy *p, struct mg_image *img)
{
	unsigned int max_level = 0;

	img->model_names = calloc(p->nmodels ? p->nmodels : 1, sizeof(char *));
	if (!img->model_names)
		return -ENOMEM;
	for (size_t i = 0; i < p->nmodels; i++) {
		img->model_names[i] = strdup(p->models[i].name);
		if (!img->model_names[i])
			return -ENOMEM;
		img->nmodels++;
	}
	for (size_t i = 0; i < p->ntiers; i++)
		if (p->tiers[i].level > max_level)
			max_level = p->tiers[i].level;
	img->tier_names = calloc(max_level + 1, sizeof(char *));
	if (!img->tier_names)
		return -ENOMEM;
	img->ntier_names = max_level + 1;
	for (size_t i = 0; i < p->ntiers; i++) {
		img->tier_names[p->tiers[i].level] = strdup(p->tiers[i].name);
		if (!img->tier_names[p->tiers[i].level])
			return -ENOMEM;
	}
	return 0;
}

int mg_compile(const struct mg_policy *p, const struct mg_compile_opts *opts,
	       struct mg_image **ret, struct mg_diags *diags)
{
	struct mg_inode_builder b = { .diags = diags };
	struct mg_image *img;
	size_t ecap = 0;
	int err, bad = 0;

	img = calloc(1, sizeof(*img));
	if (!img)
		return -ENOMEM;
	img->mode = p->mode == MG_POLICY_AUDIT ? MG_MODE_AUDIT : MG_MODE_ENFORCE;

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
		const struct mg_tier *tier = mg_policy_find_tier(p, m->tier);

		b.model = m;
		b.model_id = i + 1;
		b.tier = tier ? tier->level : 0;
		for (size_t j = 0; j < m->nfiles; j++) {
			b.loc = m->file_locs ? m->file_locs[j] : m->loc;
			err = mg_compile_model_path(&b, m->files[j]);
			if (err == -ENOMEM)
				goto out_free;
			bad |= err != 0;
		}
	}
	img->inodes = b.v;
	img->ninodes = b.n;
	b.v = NULL;
	b.n = 0;
	mg_inodes_dedup(img->inodes, &img->ninodes);

	for (size_t i = 0; i < img->nscopes && i < p->nscopes; i++) {
		err = mg_compile_egress(&p->scopes[i], i + 1, &img->egress, &img->negress, &ecap, diags);
		if (err == -ENOMEM)
			goto out_free;
		bad |= err != 0;
	}

	if (bad) {
		err = -EINVAL;
		goto out_free;
	}
	*ret = img;
	return 0;

out_free:
	for (size_t i = 0; i < b.n; i++)
		free(b.v[i].path);
	free(b.v);
	mg_image_free(img);
	return err ? err : -EINVAL;
}

void mg_image_free(struct mg_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nscopes; i++) {
		free(img->scopes[i].name);
		free(img->scopes[i].cgroup);
	}
	free(img->scopes);
	for (size_t i = 0; i < img->ninodes; i++)
		free(img->inodes[i].path);
	free(img->inodes);
	free(img->egress);
	for (size_t i = 0; i < img->nmodels; i++)
		free(img->model_names[i]);
	free(img->model_names);
	for (size_t i = 0; i < img->ntier_names; i++)
		free(img->tier_names[i]);
	free(img->tier_names);
	free(img);
}

const struct mg_image_inode *mg_image_find_inode(const struct mg_image *img, uint32_t dev, uint64_t ino)
{
	struct mg_image_inode key = { .dev = dev, .ino = ino };
	size_t lo = 0, hi = img->ninodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mg_image_inode *x = &img->inodes[mid];

		if (x->dev == key.dev && x->ino == key.ino)
			return x;
		if (x->dev < key.dev || (x->dev == key.dev && x->ino < key.ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct mg_image_scope *mg_image_find_scope(const struct mg_image *img, uint32_t scope_id)
{
	if (scope_id == 0 || scope_id > img->nscopes)
		return NULL;
	return &img->scopes[scope_id - 1];
}

const char *mg_image_tier_name(const struct mg_image *img, uint32_t level)
{
	return level < img->ntier_names ? img->tier_names[level] : NULL;
}

const char *mg_image_model_name(const struct mg_image *img, uint32_t model_id)
{
	if (model_id == 0 || model_id > img->nmodels)
		return NULL;
	return img->model_names[model_id - 1];
}
