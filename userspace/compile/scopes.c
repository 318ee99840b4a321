// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Scopes: their cgroups, names, GPUs, output folders and sockets. */
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

int mg_compile_gpus(const struct mg_policy *p, const struct mg_compile_opts *opts,
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
int mg_compile_outputs(const struct mg_policy *p, struct mg_image *img, struct mg_diags *diags)
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

static int mg_inode_key_cmp(const void *a, const void *b)
{
	const struct mg_inode_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

int mg_compile_path_inodes(struct mg_image *img)
{
	struct mg_inode_key *keys;
	size_t n = 0, unique = 0;

	if (!img->noutputs)
		return 0;
	keys = calloc(img->noutputs, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < img->noutputs; i++) {
		const struct mg_output_key *o = &img->outputs[i].key;
		const struct mg_image_inode *m = mg_image_find_inode(img, o->dev, o->ino);

		if (m) {
			img->inodes[m - img->inodes].val.flags |= MG_INODE_PATHS;
			continue;
		}
		keys[n++] = (struct mg_inode_key){ .ino = o->ino, .dev = o->dev };
	}
	/* A folder in the rules of several scopes gets one entry. */
	qsort(keys, n, sizeof(*keys), mg_inode_key_cmp);
	for (size_t i = 0; i < n; i++) {
		if (unique && !mg_inode_key_cmp(&keys[unique - 1], &keys[i]))
			continue;
		keys[unique++] = keys[i];
	}
	img->path_inodes = keys;
	img->npath_inodes = unique;
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

int mg_compile_scopes(const struct mg_policy *p, const struct mg_compile_opts *opts,
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
		is->val.flags = s->allow_debug ? MG_SCOPE_ALLOW_DEBUG : 0;

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

int mg_compile_names(const struct mg_policy *p, struct mg_image *img)
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
