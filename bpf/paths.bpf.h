/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where a folder lies: is it (or one of its parents) one of the scope's
 * output folders, or a folder of UNIX sockets it lists? The walk of
 * file.bpf.h, from a folder's dentry instead of an open file, for the hooks
 * that change names and metadata without opening anything (rename, link,
 * symlink, mknod, truncate, extended attributes).
 */
#ifndef MGUARD_PATHS_BPF_H
#define MGUARD_PATHS_BPF_H

#include "file.bpf.h"

/*
 * Is @dentry, or a folder above it, marked @what (MG_OUTPUT_*) for @scope_id?
 * Only folders whose inode entry says MG_INODE_PATHS are looked up in
 * outputs, as in the file walk. A walk that reaches MG_MAX_DIR_DEPTH answers
 * no (fails closed) and is counted.
 */
static __always_inline bool mg_dentry_under(struct dentry *dentry, __u32 scope_id, __u32 gen,
					    __u32 what)
{
	__u32 dev = BPF_CORE_READ(dentry, d_sb, s_dev);

	for (int i = 0; i < MG_MAX_DIR_DEPTH; i++) {
		struct dentry *parent;
		const struct mg_inode_val *ent;
		__u64 ino;

		if (!dentry)
			return false;
		ino = BPF_CORE_READ(dentry, d_inode, i_ino);
		ent = mg_inode_lookup(gen, dev, ino);
		if (ent && (ent->flags & MG_INODE_PATHS) &&
		    mg_scope_path_has(scope_id, gen, dev, ino, what))
			return true;
		parent = BPF_CORE_READ(dentry, d_parent);
		if (parent == dentry)
			return false; /* the file system's root */
		dentry = parent;
	}
	mg_count(MG_ERR_COUNTER_BASE + MG_ERR_WALK_LIMIT);
	return false;
}

static __always_inline bool mg_dentry_in_outputs(struct dentry *dentry, __u32 scope_id, __u32 gen)
{
	return mg_dentry_under(dentry, scope_id, gen, MG_OUTPUT_WRITE);
}

#endif /* MGUARD_PATHS_BPF_H */
