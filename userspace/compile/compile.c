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
#include "core/cgroup.h"
#include "compile/gpu.h"
#include "license/license.h"
#include "core/util.h"

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
	uint16_t flags; /* MG_INODE_REQUIRES_LICENSE of the model's tier */
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
			mg_diag_add(b->diags, b->loc,
				    "model '%s': more than %zu weight files in the policy",
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
	in->val.flags = b->flags;
	in->path = strdup(path);
	if (!in->path)
		return b->err = -ENOMEM;
	return 0;
}

/* nftw has no user pointer: the walk in progress. Compilation is not reentrant. */
/*
 * The config, resource and ROM files of GPUs' PCI devices in sysfs: entries
 * of no model that no scope opens (MG_INODE_DEVICE_FILE), wherever the
 * scope's readable folders are.
 */
static int mg_compile_device_files(const struct mg_compile_opts *opts, struct mg_inode_builder *b)
{
	struct mg_gpu_pci_file *v = NULL;
	size_t n = 0, cap = 0;
	int err;

	err = mg_gpu_pci_files(opts->pci_root ? opts->pci_root : "/sys/bus/pci/devices", &v, &n,
			       &cap);
	for (size_t i = 0; i < n && !err; i++) {
		struct mg_image_inode *in = mg_grow((void **)&b->v, &b->n, &b->cap, sizeof(*b->v));

		if (!in || !(in->path = strdup(v[i].path))) {
			err = -ENOMEM;
			break;
		}
		in->ino = v[i].ino;
		in->dev = v[i].dev;
		in->val = (struct mg_inode_val){ .flags = MG_INODE_DEVICE_FILE };
	}
	free(v);
	return err;
}

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
		mg_diag_add(b->diags, b->loc, "model '%s': cannot read '%s': %s", b->model->name,
			    path, strerror(errno ? errno : EACCES));
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

			if (q->prefixlen > r->prefixlen ||
			    !mg_prefix_contains(q->addr, q->prefixlen, r->addr))
				continue;
			if (mg_range_add(&e->val, q)) {
				mg_diag_add(
					diags, r->loc,
					"scope '%s': more than %d port ranges apply to one egress prefix",
					scope->name, MG_MAX_PORT_RANGES);
				return -E2BIG;
			}
		}
	}
	return 0;
}

static int mg_compile_gpus(const struct mg_policy *p, const struct mg_compile_opts *opts,
			   struct mg_image *img, struct mg_diags *diags)
{
	struct mg_gpu_major majors[MG_MAX_GPU_MAJORS];
	char *text = NULL;
	size_t len, nmajors;
	int bad = 0;

	if (mg_read_file(opts->proc_devices ? opts->proc_devices : "/proc/devices", 1u << 20, &text,
			 &len))
		text = NULL; /* the fixed majors still apply */
	nmajors = mg_gpu_majors_parse(text ? text : "", majors, MG_ARRAY_SIZE(majors));
	free(text);

	img->gpu_majors = calloc(nmajors, sizeof(*img->gpu_majors));
	if (!img->gpu_majors)
		return -ENOMEM;
	for (size_t i = 0; i < nmajors; i++) {
		img->gpu_majors[i].key.major = majors[i].major;
		img->gpu_majors[i].val.driver = majors[i].driver;
	}
	img->ngpu_majors = nmajors;

	for (size_t i = 0; i < img->nscopes && i < p->nscopes; i++) {
		struct mg_device_rule *rules = NULL;
		size_t nrules = 0;
		struct mg_image_device *v;
		int err;

		err = mg_gpu_rules(&p->scopes[i], majors, nmajors,
				   opts->nvidia_root ? opts->nvidia_root :
						       "/proc/driver/nvidia/gpus",
				   &rules, &nrules, diags);
		if (err == -ENOMEM) {
			free(rules);
			return err;
		}
		bad |= err != 0;
		v = realloc(img->devices, (img->ndevices + nrules + 1) * sizeof(*v));
		if (!v) {
			free(rules);
			return -ENOMEM;
		}
		img->devices = v;
		for (size_t j = 0; j < nrules; j++) {
			struct mg_image_device *d = &img->devices[img->ndevices++];

			memset(d, 0, sizeof(*d));
			d->key.scope_id = i + 1;
			d->key.major = rules[j].major;
			d->key.minor = rules[j].minor;
		}
		free(rules);
	}
	return bad ? -EINVAL : 0;
}

/*
 * The system's folders every scope may read: programs, libraries,
 * configuration and the kernel's own file systems. A folder anyone can write
 * to (/tmp, /dev/shm) is never one: weights could be dropped there. File
 * systems mounted below these folders are added by their mount points, since
 * the kernel's parent walk ends at a file system's root.
 */
static const char *const mg_system_reads[] = {
	"/usr",	 "/lib", "/lib32", "/lib64", "/libx32", "/bin",
	"/sbin", "/etc", "/proc",  "/sys",   "/dev",	"/run",
};

static void mg_system_read_add(struct mg_image *img, const char *path)
{
	struct mg_image_output *o;
	struct stat st;

	if (img->nsystem_reads >= MG_MAX_SYSTEM_READS || stat(path, &st) < 0 ||
	    !S_ISDIR(st.st_mode) || (st.st_mode & S_IWOTH))
		return;
	for (o = img->outputs; o < img->outputs + img->noutputs; o++)
		if (o->key.scope_id == MG_SCOPE_ANY && o->key.ino == st.st_ino &&
		    o->key.dev == mg_kernel_dev(st.st_dev))
			return;
	o = &img->outputs[img->noutputs++];
	o->key.ino = st.st_ino;
	o->key.dev = mg_kernel_dev(st.st_dev);
	o->key.scope_id = MG_SCOPE_ANY;
	o->val.allowed = MG_OUTPUT_READ;
	img->nsystem_reads++;
}

static void mg_compile_system_reads(struct mg_image *img)
{
	char *text = NULL, *line, *save = NULL;
	size_t len;

	for (size_t i = 0; i < MG_ARRAY_SIZE(mg_system_reads); i++)
		mg_system_read_add(img, mg_system_reads[i]);
	if (mg_read_file("/proc/self/mountinfo", 1u << 22, &text, &len))
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mnt[PATH_MAX];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		for (size_t i = 0; i < MG_ARRAY_SIZE(mg_system_reads); i++) {
			size_t n = strlen(mg_system_reads[i]);

			if (!strncmp(mnt, mg_system_reads[i], n) && mnt[n] == '/')
				mg_system_read_add(img, mnt);
		}
	}
	free(text);
}

/* Add (dev, ino) of @path for scope @scope_id with @flag, merging with an entry already there. */
static int mg_output_add(struct mg_image *img, uint32_t scope_id, const char *path, uint32_t flag,
			 bool want_dir, const struct mg_scope *s, struct mg_loc loc,
			 struct mg_diags *diags)
{
	struct mg_image_output *o;
	struct stat st;

	if (stat(path, &st) < 0) {
		mg_diag_add(diags, loc, "scope '%s': '%s': %s", s->name, path, strerror(errno));
		return -EINVAL;
	}
	if (want_dir && !S_ISDIR(st.st_mode)) {
		mg_diag_add(diags, loc, "scope '%s': output '%s' is not a folder", s->name, path);
		return -EINVAL;
	}
	if (flag == MG_OUTPUT_UNIX && !S_ISDIR(st.st_mode) && !S_ISSOCK(st.st_mode)) {
		mg_diag_add(diags, loc, "scope '%s': '%s' is neither a UNIX socket nor a folder",
			    s->name, path);
		return -EINVAL;
	}
	for (o = img->outputs; o < img->outputs + img->noutputs; o++) {
		if (o->key.scope_id == scope_id && o->key.ino == st.st_ino &&
		    o->key.dev == mg_kernel_dev(st.st_dev)) {
			o->val.allowed |= flag;
			return 0;
		}
	}
	o = &img->outputs[img->noutputs++];
	o->key.ino = st.st_ino;
	o->key.dev = mg_kernel_dev(st.st_dev);
	o->key.scope_id = scope_id;
	o->val.allowed = flag;
	return 0;
}

/*
 * Each scope's output folders and UNIX sockets as (dev, ino): what its
 * processes may write under, and connect to.
 */
static int mg_compile_outputs(const struct mg_policy *p, struct mg_image *img,
			      struct mg_diags *diags)
{
	size_t total = 0;
	int bad = 0;

	for (size_t i = 0; i < p->nscopes; i++)
		total += p->scopes[i].noutputs + p->scopes[i].nunix_sockets + p->scopes[i].nreads;
	img->outputs = calloc(total + MG_MAX_SYSTEM_READS, sizeof(*img->outputs));
	if (!img->outputs)
		return -ENOMEM;
	for (size_t i = 0; i < img->nscopes && i < p->nscopes; i++) {
		const struct mg_scope *s = &p->scopes[i];

		for (size_t o = 0; o < s->noutputs; o++)
			bad |= mg_output_add(img, i + 1, s->outputs[o], MG_OUTPUT_WRITE, true, s,
					     s->output_locs ? s->output_locs[o] : s->loc,
					     diags) != 0;
		for (size_t u = 0; u < s->nunix_sockets; u++)
			bad |= mg_output_add(img, i + 1, s->unix_sockets[u], MG_OUTPUT_UNIX, false,
					     s,
					     s->unix_socket_locs ? s->unix_socket_locs[u] : s->loc,
					     diags) != 0;
		for (size_t r = 0; r < s->nreads; r++)
			bad |= mg_output_add(img, i + 1, s->reads[r], MG_OUTPUT_READ, false, s,
					     s->read_locs ? s->read_locs[r] : s->loc, diags) != 0;
	}
	mg_compile_system_reads(img);
	return bad ? -EINVAL : 0;
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
		mg_diag_add(diags, p->scopes[MG_MAX_SCOPES].loc, "more than %d scopes",
			    MG_MAX_SCOPES);
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
			mg_diag_add(diags, s->cgroup_loc,
				    "scope '%s': cgroup '%s' is deeper than %d levels", s->name,
				    s->cgroup, MG_MAX_CGROUP_DEPTH - 1);
			err = -EINVAL;
			continue;
		}
		if (opts->check_only || opts->no_cgroups)
			continue;
		snprintf(path, sizeof(path), "%s%s", opts->cgroup_root, s->cgroup);
		r = mg_cgroup_id(path, &is->cgroup_id);
		if (r) {
			mg_diag_add(diags, s->cgroup_loc, "scope '%s': cgroup '%s': %s", s->name,
				    s->cgroup, strerror(-r));
			err = r;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (img->scopes[j].cgroup_id == is->cgroup_id) {
				mg_diag_add(diags, s->cgroup_loc,
					    "scope '%s': cgroup '%s' is already scope '%s'",
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
	img->model_tiers = calloc(p->nmodels ? p->nmodels : 1, sizeof(uint16_t));
	if (!img->model_names || !img->model_tiers)
		return -ENOMEM;
	for (size_t i = 0; i < p->nmodels; i++) {
		const struct mg_tier *tier = p->models[i].resolved_tier;

		img->model_names[i] = strdup(p->models[i].name);
		if (!img->model_names[i])
			return -ENOMEM;
		img->model_tiers[i] = tier ? tier->level : 0;
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

/* The file a digest entry names: absolute, or under one of the model's folders. */
static char *mg_digest_target(const struct mg_model *m, const char *path)
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
static int mg_check_digests(const struct mg_model *m, struct mg_digest_cache *cache,
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

static int mg_license_note_add(struct mg_image *img, uint32_t scope_id, const char *path,
			       const struct mg_license *l, const char *refused)
{
	struct mg_image_license_note *v, *n;

	v = realloc(img->license_notes, (img->nlicense_notes + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	img->license_notes = v;
	n = &v[img->nlicense_notes++];
	memset(n, 0, sizeof(*n));
	n->scope_id = scope_id;
	n->path = strdup(path);
	n->id = l ? strdup(l->id) : NULL;
	n->not_after = l ? l->not_after : 0;
	n->refused = refused ? strdup(refused) : NULL;
	if (!n->path || (l && !n->id) || (refused && !n->refused))
		return -ENOMEM;
	return 0;
}

/* Grant @scope_id every licensed-tier model @l covers, until its notAfter. */
/*
 * The egress list of a licence, compiled under its own narrowing id: a
 * process that loads a model under it sends only where this list allows too.
 * Returns the id, 0 when the licence has no list, or a negative errno.
 */
static long mg_license_narrowing(const struct mg_license *l, struct mg_image *img,
				 struct mg_diags *diags)
{
	struct mg_scope narrow = { .name = l->id };
	uint32_t id;
	int err;

	if (!l->has_egress)
		return 0;
	id = MG_NARROW_ID_BASE + img->nnarrowings++;
	narrow.egress = calloc(l->negress ? l->negress : 1, sizeof(*narrow.egress));
	if (!narrow.egress)
		return -ENOMEM;
	for (size_t i = 0; i < l->negress; i++) {
		const char *why;

		if (mg_egress_parse(l->egress[i], &narrow.egress[narrow.negress], &why) == 0)
			narrow.egress[narrow.negress++].loc = l->loc;
	}
	err = mg_compile_egress(&narrow, id, &img->egress, &img->negress, &img->egress_cap, diags);
	free(narrow.egress);
	return err ? err : (long)id;
}

static int mg_license_grant(const struct mg_policy *p, const struct mg_scope *scope,
			    uint32_t scope_id, const struct mg_license *l,
			    uint64_t not_after_boot_ns, struct mg_image *img,
			    struct mg_diags *diags)
{
	long narrow_id = -1; /* made on the first grant that needs it */

	const struct mg_tier *lic_tier = l->max_tier ? mg_policy_find_tier(p, l->max_tier) : NULL;
	const struct mg_tier *scope_tier = mg_policy_find_tier(p, scope->max_tier);

	for (size_t i = 0; i < l->nmodels; i++) {
		size_t j;

		for (j = 0; j < p->nmodels; j++)
			if (!strcmp(p->models[j].name, l->models[i]))
				break;
		if (j == p->nmodels)
			mg_diag_warn(
				diags, l->loc,
				"licence '%s' names model '%s', which the policy does not have",
				l->id, l->models[i]);
	}
	for (size_t j = 0; j < p->nmodels; j++) {
		const struct mg_tier *t = p->models[j].resolved_tier;
		struct mg_image_license *g;

		if (!t || !t->requires_license || img->model_tiers[j] == MG_TIER_REFUSED)
			continue;
		if (scope_tier && t->level > scope_tier->level)
			continue; /* above the scope's tier: no licence reaches it */
		if (!mg_license_covers(l, p->models[j].name, t->level,
				       lic_tier ? lic_tier->level : 0))
			continue;
		for (g = img->licenses; g < img->licenses + img->nlicenses; g++)
			if (g->key.scope_id == scope_id && g->key.model_id == j + 1)
				break;
		if (g == img->licenses + img->nlicenses) {
			struct mg_image_license *v =
				realloc(img->licenses, (img->nlicenses + 1) * sizeof(*v));

			if (!v)
				return -ENOMEM;
			img->licenses = v;
			g = &v[img->nlicenses++];
			memset(g, 0, sizeof(*g));
			g->key.scope_id = scope_id;
			g->key.model_id = j + 1;
		} else if (g->val.not_after_boot_ns >= not_after_boot_ns) {
			continue; /* another licence already runs longer */
		} else {
			free(g->id);
		}
		if (narrow_id < 0) {
			narrow_id = mg_license_narrowing(l, img, diags);
			if (narrow_id < 0)
				return (int)narrow_id;
		}
		g->val.not_after_boot_ns = not_after_boot_ns;
		g->val.narrow_id = (uint32_t)narrow_id;
		g->not_after = l->not_after;
		g->id = strdup(l->id);
		if (!g->id)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Verify every licence a scope names and grant what the valid ones cover.
 * A licence that does not parse or verify is refused with a warning; the
 * rest of the policy still applies. A trusted key that cannot be loaded is
 * an error: the operator's trust configuration is wrong.
 */
static int mg_compile_licenses(const struct mg_policy *p, const struct mg_compile_opts *opts,
			       struct mg_image *img, struct mg_diags *diags)
{
	struct mg_keyring *ring = NULL;
	char **keys;
	int64_t now = opts->now ? opts->now : time(NULL);
	uint64_t boot_now = opts->boot_ns_at_now;
	int err = 0;

	if (!boot_now) {
		struct timespec ts;

		clock_gettime(CLOCK_BOOTTIME, &ts);
		boot_now = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	keys = calloc(p->ntrusted_keys + 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < p->ntrusted_keys; i++) {
		keys[i] = mg_policy_path(p, p->trusted_keys[i]);
		if (!keys[i]) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = mg_keyring_load(&ring, (const char *const *)keys, p->ntrusted_keys, diags);
	if (err)
		goto out;

	for (size_t i = 0; i < p->nscopes && !err; i++) {
		const struct mg_scope *s = &p->scopes[i];

		for (size_t k = 0; k < s->nlicenses && !err; k++) {
			struct mg_diags ldiags = {};
			struct mg_license *l = NULL;
			const char *reason = NULL;
			char *path = mg_policy_path(p, s->licenses[k]);
			char why[512];

			if (!path) {
				err = -ENOMEM;
				break;
			}
			err = mg_license_load(path, &l, &ldiags);
			if (err == -ENOMEM) {
				mg_diags_free(&ldiags);
				free(path);
				break;
			}
			if (err) {
				/* Malformed: refused with its first error; the rest still loads. */
				snprintf(why, sizeof(why), "%s",
					 ldiags.n ? ldiags.v[0].msg : strerror(-err));
				reason = why;
			} else if (mg_license_verify(l, ring, now, &reason) == 0) {
				if (strcmp(l->scope, s->name)) {
					snprintf(why, sizeof(why), "issued to scope '%s', not '%s'",
						 l->scope, s->name);
					reason = why;
				}
			} else {
				snprintf(why, sizeof(why), "%s", reason);
				reason = why;
			}
			err = 0;
			if (reason)
				mg_diag_warn(diags, s->license_locs ? s->license_locs[k] : s->loc,
					     "scope '%s': licence '%s' refused: %s", s->name, path,
					     reason);
			else
				err = mg_license_grant(p, s, i + 1, l,
						       boot_now + (uint64_t)(l->not_after - now) *
									  1000000000ULL,
						       img, diags);
			if (!err)
				err = mg_license_note_add(img, i + 1, path, l, reason);
			mg_license_free(l);
			mg_diags_free(&ldiags);
			free(path);
		}
	}
out:
	mg_keyring_free(ring);
	for (size_t i = 0; i < p->ntrusted_keys; i++)
		free(keys[i]);
	free(keys);
	return err;
}

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
		err = mg_compile_gpus(p, opts, img, diags);
		if (err == -ENOMEM)
			goto out_free;
		bad |= err != 0;
		err = mg_compile_outputs(p, img, diags);
		if (err == -ENOMEM)
			goto out_free;
		bad |= err != 0;
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
	free(img->devices);
	free(img->outputs);
	free(img->gpu_majors);
	for (size_t i = 0; i < img->nlicenses; i++)
		free(img->licenses[i].id);
	free(img->licenses);
	for (size_t i = 0; i < img->nlicense_notes; i++) {
		free(img->license_notes[i].path);
		free(img->license_notes[i].id);
		free(img->license_notes[i].refused);
	}
	free(img->license_notes);
	for (size_t i = 0; i < img->nmodels; i++)
		free(img->model_names[i]);
	free(img->model_names);
	free(img->model_tiers);
	for (size_t i = 0; i < img->ntier_names; i++)
		free(img->tier_names[i]);
	free(img->tier_names);
	free(img);
}

const struct mg_image_inode *mg_image_find_inode(const struct mg_image *img, uint32_t dev,
						 uint64_t ino)
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
	if (level == MG_TIER_REFUSED)
		return "refused";
	return level < img->ntier_names ? img->tier_names[level] : NULL;
}

const char *mg_image_model_name(const struct mg_image *img, uint32_t model_id)
{
	if (model_id == 0 || model_id > img->nmodels)
		return NULL;
	return img->model_names[model_id - 1];
}
