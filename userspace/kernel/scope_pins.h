/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the pinned maps of a running guard say about one cgroup, for the
 * commands that place workloads: is it guarded (mguard run refuses to start
 * a command the guard would not see), and binding a container's cgroup to a
 * scope by name (mguard oci-hook). Reads and writes the pins directly: no
 * daemon needs to answer.
 */
#ifndef MGUARD_KERNEL_SCOPE_PINS_H
#define MGUARD_KERNEL_SCOPE_PINS_H

#include <linux/types.h>
#include <stddef.h>

#include "mguard_abi.h"

/*
 * The scope that guards the cgroup @rel (below @cgroup_root), or one of its
 * ancestors, in the generation in force of the guard pinned in @pin_dir.
 * 0 and the scope in *ret; -ENOENT when no scope covers it; -ENOTCONN when
 * that guard has no policy in force (or no pins there); else -errno.
 */
int mg_pins_scope_of(const char *pin_dir, const char *cgroup_root, const char *rel,
		     struct mg_scope_val *ret);

/*
 * mg_pins_scope_of() for every guard pinned below /sys/fs/bpf: 0 with the
 * first guard's pin folder in @ret_pin, -ENOENT when guards run but none
 * covers @rel, -ENOTCONN when none runs.
 */
int mg_pins_any_scope_of(const char *cgroup_root, const char *rel, struct mg_scope_val *ret,
			 char *ret_pin, size_t len);

/*
 * Bind the cgroup @rel to the scope at @index of the policy in force (its
 * selector): the cgroup, or one of its ancestors, must be the scope's cgroup
 * or match its pattern, so that it inherits the scope's programs. Written for the generation in force and the
 * next (a reload in progress), then read back. 0, -ENOTCONN (no policy in
 * force), -ENOENT (no such scope), -EXDEV (the cgroup does not match), or
 * -errno.
 */
int mg_pins_bind(const char *pin_dir, const char *cgroup_root, const char *rel, __u32 index,
		 struct mg_scope_val *ret);

#endif /* MGUARD_KERNEL_SCOPE_PINS_H */
