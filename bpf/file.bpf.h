/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The weight-load decision, shared by both file engines: the BPF LSM hook
 * (deny with EPERM) and the syscall-exit tracepoints (kill on return).
 */
#ifndef MGUARD_FILE_BPF_H
#define MGUARD_FILE_BPF_H

#include "common.bpf.h"

/* The kernel's dev_t is already major << 20 | minor: the ABI's encoding. */
static __always_inline void mg_file_identity(struct file *file, __u32 *ret_dev, __u64 *ret_ino)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	*ret_dev = BPF_CORE_READ(inode, i_sb, s_dev);
	*ret_ino = BPF_CORE_READ(inode, i_ino);
}

/*
 * Decide an open of @file by a task of @scope. Returns MG_REASON_NONE to
 * allow, else why it must not happen; the matching model in *ret_model.
 */
static __always_inline __u8 mg_file_decide(const struct mg_config *cfg,
					   const struct mg_scope_val *scope,
					   __u32 dev, __u64 ino,
					   const struct mg_inode_val **ret_model)
{
	struct mg_inode_key key = { .ino = ino, .dev = dev, .gen = cfg->active_gen };
	const struct mg_inode_val *model;

	model = bpf_map_lookup_elem(&mg_inodes, &key);
	*ret_model = model;
	if (cfg->killswitch && model)
		return MG_REASON_KILLSWITCH;
	if (model && model->tier > scope->max_tier)
		return MG_REASON_TIER;
	return MG_REASON_NONE;
}

static __always_inline void mg_file_event(const struct mg_config *cfg,
					  const struct mg_scope_val *scope, __u64 cgid,
					  __u8 verdict, __u8 reason, struct file *file,
					  __u32 dev, __u64 ino, const struct mg_inode_val *model)
{
	struct mg_event *e;
	const unsigned char *name;

	e = mg_event_new(cfg, scope, cgid, MG_HOOK_FILE_OPEN, verdict, reason);
	if (!e)
		return;
	e->file.dev = dev;
	e->file.ino = ino;
	e->file.flags = BPF_CORE_READ(file, f_flags);
	if (model) {
		e->file.model_id = model->model_id;
		e->file.tier = model->tier;
	}
	name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(e->file.name, sizeof(e->file.name), name);
	bpf_ringbuf_submit(e, 0);
}

#endif /* MGUARD_FILE_BPF_H */
