/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Scope selectors in the kernel: what the cgroup_mkdir program matches a new
 * cgroup against, the cgroups that already match, and where a scope's
 * cgroup programs go so that a cgroup created later inherits them.
 */
#ifndef MGUARD_KERNEL_BIND_H
#define MGUARD_KERNEL_BIND_H

#include <linux/types.h>
#include <stddef.h>

#include "compile/compile.h"

struct mguard_bpf;

/*
 * Write the selectors of @img for generation @gen, then bind every cgroup
 * that exists and matches a selector (in that order: a cgroup made in
 * between is bound by the kernel). *ret_bound counts the cgroups bound.
 */
int mg_bind_fill(struct mguard_bpf *skel, const char *cgroup_root, const struct mg_image *img,
		 __u32 gen, size_t *ret_bound);

/*
 * Where @scope's cgroup programs attach, below the cgroup2 mount: the
 * stable ancestor a new matching cgroup inherits them from (the parent of
 * an exact path, the fixed components of a pattern), or the scope's own
 * cgroup when that ancestor would be the root (which is never attached).
 */
int mg_bind_anchor(const struct mg_image_scope *scope, char *buf, size_t len);

#endif /* MGUARD_KERNEL_BIND_H */
