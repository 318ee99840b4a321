// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/array.h"
#include "core/cgroup.h"
#include "core/cgroup_glob.h"
#include "core/log.h"
#include "kernel/bind.h"
#include "kernel/mapio.h"
#include "mguard.skel.h"

struct mg_bind_list {
	const char *root;
	const struct mg_image_scope *scope;
	__u32 gen;
	struct mg_scope_key *keys;
	struct mg_scope_val *vals;
	size_t n, cap, vcap;
};

static int mg_bind_one(const char *rel, void *arg)
{
	struct mg_bind_list *b = arg;
	char path[PATH_MAX];
	struct mg_scope_key *k;
	struct mg_scope_val *v;
	size_t n = b->n;
	uint64_t id;

	snprintf(path, sizeof(path), "%s%s", b->root, rel);
	if (mg_cgroup_id(path, &id))
		return 0; /* gone since the walk saw it */
	k = mg_array_push(&b->keys, &b->n, &b->cap, sizeof(*k));
	if (!k)
		return -ENOMEM;
	v = mg_array_push(&b->vals, &n, &b->vcap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*k = (struct mg_scope_key){ .cgroup_id = id, .gen = b->gen };
	*v = b->scope->val;
	return 0;
}

/* The exact path, if it exists, as one bound cgroup. */
static int mg_bind_exact(struct mg_bind_list *b)
{
	char path[PATH_MAX];
	uint64_t id;

	snprintf(path, sizeof(path), "%s%s", b->root, b->scope->cgroup);
	if (mg_cgroup_id(path, &id))
		return 0; /* not there yet: the kernel binds it when it is made */
	return mg_bind_one(b->scope->cgroup, b);
}

int mg_bind_fill(struct mguard_bpf *skel, const char *cgroup_root, const struct mg_image *img,
		 __u32 gen, size_t *ret_bound)
{
	struct mg_bind_list b = { .root = cgroup_root, .gen = gen };
	int sel_fd = bpf_map__fd(skel->maps.mg_selectors);
	size_t done;
	int err = 0;

	*ret_bound = 0;
	if (img->nscopes > MG_MAX_SELECTORS) {
		mg_err("the policy has %zu scopes; the kernel binds at most %d", img->nscopes,
		       MG_MAX_SELECTORS);
		return -E2BIG;
	}
	for (size_t i = 0; i < img->nscopes; i++) {
		const struct mg_image_scope *sc = &img->scopes[i];
		struct mg_selector_key key = { .gen = gen, .index = i };
		struct mg_selector_val val = { .scope = sc->val };
		size_t len = strlen(sc->cgroup);

		if (len >= MG_SELECTOR_LEN) {
			mg_err("scope '%s': cgroup '%s' is longer than the kernel matches",
			       sc->name, sc->cgroup);
			return -ENAMETOOLONG;
		}
		val.flags = (sc->is_pattern ? MG_SELECTOR_PATTERN : 0) |
			    (sc->bind_annotation ? MG_SELECTOR_ANNOTATION : 0);
		val.len = len;
		memcpy(val.pattern, sc->cgroup, len);
		if (bpf_map_update_elem(sel_fd, &key, &val, BPF_ANY))
			return mg_log_errno(-errno, "failed to write the selector of scope '%s'",
					    sc->name);
	}
	/* Selectors first, then what exists: a cgroup made in between is the kernel's. */
	for (size_t i = 0; i < img->nscopes && !err; i++) {
		b.scope = &img->scopes[i];
		err = b.scope->is_pattern ?
			      mg_cgroup_glob_scan(cgroup_root, b.scope->cgroup, mg_bind_one, &b) :
			      mg_bind_exact(&b);
	}
	if (!err && b.n)
		err = mg_map_write(bpf_map__fd(skel->maps.mg_scopes), b.keys, b.vals, b.n,
				   sizeof(*b.keys), sizeof(*b.vals), &done);
	if (err)
		mg_log_errno(err, "failed to bind the cgroups of the policy's scopes");
	else
		*ret_bound = b.n;
	free(b.keys);
	free(b.vals);
	return err;
}

int mg_bind_anchor(const struct mg_image_scope *scope, char *buf, size_t len)
{
	int err = mg_cgroup_pattern_anchor(scope->cgroup, buf, len);

	if (err)
		return err;
	if (!buf[0]) {
		/* Never the root cgroup: the scope's own, which a re-created one does not inherit. */
		if (scope->is_pattern)
			return -EINVAL;
		if (strlen(scope->cgroup) >= len)
			return -ENAMETOOLONG;
		snprintf(buf, len, "%s", scope->cgroup);
	}
	return 0;
}
