/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Taint on write, the marks: a model's files are read-only to the guard. An
 * open for writing of a model's file, by any process, in a scope or not,
 * marks the file (by device and inode) in mg_tainted; the file decision then
 * denies it to every scope. So do a truncate(2) of a model's file and a
 * rename or hard link that gives a file a name in a model's folder (its
 * bytes were never verified), on the engines that refuse with an error
 * (BPF LSM, fmod-ret). Only a write-open of a regular file, a truncate, a
 * rename and a link do any work beyond reading a mode; the walk up the
 * folders runs only then.
 */
#ifndef MGUARD_TAINT_BPF_H
#define MGUARD_TAINT_BPF_H

#include "file.bpf.h"

/*
 * Mark the regular file @inode when, named by @dentry (its name, or the
 * one a rename or link is about to give it), it is a model's.
 */
static __always_inline void mg_taint_mark(const struct mg_config *cfg, struct dentry *dentry,
					  struct inode *inode)
{
	struct mg_taint_key key = {};
	struct mg_taint_val val;
	struct mg_walk w;

	if (!inode || (BPF_CORE_READ(inode, i_mode) & MG_S_IFMT) != MG_S_IFREG)
		return;
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);
	/* A walk at its bound marks nothing: the scope is denied that file anyway. */
	if (mg_dentry_walk(dentry, cfg->active_gen, MG_SCOPE_ANY, key.dev, key.ino, false, false,
			   &w) ||
	    !w.model)
		return;
	val.ts_boot_ns = bpf_ktime_get_boot_ns();
	val.model_id = w.model->model_id;
	val.tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_update_elem(&mg_tainted, &key, &val, BPF_ANY);
}

/* Mark @file when it is a model's regular file opened for writing. */
static __always_inline void mg_taint_on_open(const struct mg_config *cfg, struct file *file)
{
	if (!(BPF_CORE_READ(file, f_mode) & MG_FMODE_WRITE))
		return;
	mg_taint_mark(cfg, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_inode));
}

/* After a rename, link or truncate went ahead (@ret 0): the file it names, if a model's. */
static __always_inline int mg_taint_after(int ret, struct dentry *name, struct inode *inode)
{
	const struct mg_config *cfg;

	if (ret)
		return ret;
	cfg = mg_config_get();
	if (cfg)
		mg_taint_mark(cfg, name, inode);
	return 0;
}

/*
 * The open decision of the engines that refuse with an error: the file
 * decision, then, for an open that goes ahead, in a scope or not, the mark
 * of a model's file opened for writing.
 */
static __always_inline int mg_open_check(struct file *file)
{
	const struct mg_config *cfg;
	int ret;

	ret = mg_file_check(file, MG_HOOK_FILE_OPEN);
	cfg = ret ? NULL : mg_config_get();
	if (cfg)
		mg_taint_on_open(cfg, file);
	return ret;
}

#endif /* MGUARD_TAINT_BPF_H */
