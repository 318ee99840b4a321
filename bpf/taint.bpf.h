/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Taint on write, the marks: a model's files are read-only to the guard. An
 * open for writing of a model's file, by any process, in a scope or not,
 * marks the file (by device and inode) in mg_tainted; the file decision then
 * denies it to every scope. Only a write-open of a regular file does any
 * work beyond reading its mode; the walk up its folders runs only then.
 */
#ifndef MGUARD_TAINT_BPF_H
#define MGUARD_TAINT_BPF_H

#include "file.bpf.h"

/* Mark @file when it is a model's regular file opened for writing. */
static __always_inline void mg_taint_on_open(const struct mg_config *cfg, struct file *file)
{
	struct mg_taint_key key = {};
	struct mg_taint_val val;
	struct mg_walk w;
	umode_t mode;

	if (!(BPF_CORE_READ(file, f_mode) & MG_FMODE_WRITE))
		return;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & MG_S_IFMT) != MG_S_IFREG)
		return;
	mg_file_identity(file, &key.dev, &key.ino);
	/* A walk at its bound marks nothing: the scope is denied that file anyway. */
	if (mg_file_walk(file, cfg->active_gen, MG_SCOPE_ANY, key.dev, key.ino, false, false, &w) ||
	    !w.model)
		return;
	val.ts_boot_ns = bpf_ktime_get_boot_ns();
	val.model_id = w.model->model_id;
	val.tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_update_elem(&mg_tainted, &key, &val, BPF_ANY);
}

/*
 * The open decision of the engines that refuse with an error (BPF LSM,
 * fmod-ret): the file decision, then, for an open that goes ahead, in a
 * scope or not, the mark of a model's file opened for writing.
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
