/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The file decision, shared by the file engines: the BPF LSM hooks and the
 * fmod_ret programs on the kernel's security_* functions (both deny with
 * EPERM), and the syscall-exit tracepoints (kill on return). Reads are
 * weight loads, decided by the model a file belongs to; writes of regular
 * files are outputs, allowed only under the scope's output folders.
 */
#ifndef MGUARD_FILE_BPF_H
#define MGUARD_FILE_BPF_H

#include "common.bpf.h"
#include "taint_map.bpf.h"

/* The kernel's dev_t is already major << 20 | minor: the ABI's encoding. */
static __always_inline void mg_file_identity(struct file *file, __u32 *ret_dev, __u64 *ret_ino)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	*ret_dev = BPF_CORE_READ(inode, i_sb, s_dev);
	*ret_ino = BPF_CORE_READ(inode, i_ino);
}

static __always_inline const struct mg_inode_val *mg_inode_lookup(__u32 gen, __u32 dev, __u64 ino)
{
	struct mg_inode_key key = { .ino = ino, .dev = dev, .gen = gen };

	return bpf_map_lookup_elem(&mg_inodes, &key);
}

#define MG_FMODE_WRITE 0x2
#define MG_S_IFMT      00170000
#define MG_S_IFREG     0100000

static __always_inline bool mg_scope_path_has(__u32 scope_id, __u32 gen, __u32 dev, __u64 ino,
					      __u32 what)
{
	struct mg_output_key key = { .ino = ino, .dev = dev, .scope_id = scope_id, .gen = gen };
	const struct mg_output_val *val = bpf_map_lookup_elem(&mg_outputs, &key);

	return val && (val->allowed & what);
}

static __always_inline bool mg_is_output_dir(__u32 scope_id, __u32 gen, __u32 dev, __u64 ino)
{
	return mg_scope_path_has(scope_id, gen, dev, ino, MG_OUTPUT_WRITE);
}

/* May the scope read under (dev, ino)? Its own readable and output folders, or the system's. */
static __always_inline bool mg_is_readable(__u32 scope_id, __u32 gen, __u32 dev, __u64 ino)
{
	return mg_scope_path_has(scope_id, gen, dev, ino, MG_OUTPUT_READ | MG_OUTPUT_WRITE) ||
	       mg_scope_path_has(MG_SCOPE_ANY, gen, dev, ino, MG_OUTPUT_READ);
}

/* What the walk up from a file found. */
struct mg_walk {
	const struct mg_inode_val *model; /* the file's model, or NULL */
	bool in_output;			  /* under one of the scope's output folders */
	bool readable;			  /* under a folder the scope may read */
	bool device_file;		  /* the file is a device's (MG_INODE_DEVICE_FILE) */
	bool unlisted;			  /* found through a strict model's folder only */
};

/* What the entry of one folder (or of the file itself, @self) tells the walk. */
static __always_inline void mg_walk_entry(struct mg_walk *w, const struct mg_inode_val *ent,
					  bool self, __u32 gen, __u32 scope_id, __u32 dev,
					  __u64 ino, bool write, bool want_read)
{
	bool paths = ent && (ent->flags & MG_INODE_PATHS);

	if (self && ent && (ent->flags & MG_INODE_DEVICE_FILE))
		w->device_file = true;
	if (!w->model && ent && ent->model_id && (self || (ent->flags & MG_INODE_DIR))) {
		w->model = ent;
		w->unlisted = !self && (ent->flags & MG_INODE_STRICT);
	}
	if (write && !w->in_output && !self && paths)
		w->in_output = mg_is_output_dir(scope_id, gen, dev, ino);
	if (want_read && !w->readable && !w->model && paths)
		w->readable = mg_is_readable(scope_id, gen, dev, ino);
}

/*
 * Walk from @dentry (the file's name, or the name a rename or link is about
 * to give the file (@dev, @ino)) up its parent folders: the model it belongs to (its own
 * inode, else the closest model folder); for a write, whether it is under an
 * output folder of the scope; for a read of a file of no model, whether it is
 * under a folder the scope may read. One lookup per folder: only folders
 * whose entry says so are looked up in outputs. The walk follows d_parent,
 * which stays inside the file's own file system whatever the mount (a bind
 * mount changes nothing; file systems mounted below a readable folder are
 * listed by the compiler). Returns -1 when it reached MG_MAX_DIR_DEPTH
 * before the root: the caller fails closed.
 */
static __always_inline int mg_dentry_walk(struct dentry *dentry, __u32 gen, __u32 scope_id,
					  __u32 dev, __u64 ino, bool write, bool want_read,
					  struct mg_walk *w)
{
	w->model = NULL;
	w->in_output = false;
	w->readable = false;
	w->device_file = false;
	w->unlisted = false;
	mg_walk_entry(w, mg_inode_lookup(gen, dev, ino), true, gen, scope_id, dev, ino, write,
		      want_read);
	if ((w->model && !write) || w->device_file)
		return 0; /* a model's own file, or a device's: its rules decide */
	for (int i = 0; i < MG_MAX_DIR_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		__u64 pino;

		if (!parent || parent == dentry)
			return 0; /* the file system's root */
		pino = BPF_CORE_READ(parent, d_inode, i_ino);
		mg_walk_entry(w, mg_inode_lookup(gen, dev, pino), false, gen, scope_id, dev, pino,
			      write, want_read);
		if (write ? w->model && w->in_output : w->model || w->readable)
			return 0;
		dentry = parent;
	}
	mg_count(MG_ERR_COUNTER_BASE + MG_ERR_WALK_LIMIT);
	return -1;
}

/* The walk from an open file's own name. */
static __always_inline int mg_file_walk(struct file *file, __u32 gen, __u32 scope_id, __u32 dev,
					__u64 ino, bool write, bool want_read, struct mg_walk *w)
{
	return mg_dentry_walk(BPF_CORE_READ(file, f_path.dentry), gen, scope_id, dev, ino, write,
			      want_read, w);
}

#define MG_PROC_SUPER_MAGIC 0x9fa0

/*
 * /proc/kcore: the kernel's memory, page cache of weights included, as an
 * ELF file. A regular file of procfs at its root, so a scope may read it
 * under the system's readable folders; no scope may.
 */
static __always_inline bool mg_is_kernel_memory_file(struct file *file)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	struct super_block *sb = BPF_CORE_READ(d, d_sb);
	char name[8] = {};

	if (BPF_CORE_READ(sb, s_magic) != MG_PROC_SUPER_MAGIC)
		return false;
	if (BPF_CORE_READ(d, d_parent) != BPF_CORE_READ(sb, s_root))
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name));
	return name[0] == 'k' && name[1] == 'c' && name[2] == 'o' && name[3] == 'r' &&
	       name[4] == 'e' && name[5] == '\0';
}

/*
 * Kernel state shown as files: no one can store bytes of their own in
 * them, so reading them loads no weights; and files of no path. A container runtime
 * reads and writes them while it sets up (its own /proc, /sys, cgroups).
 */
#define MG_PROC_SUPER_MAGIC    0x9fa0
#define MG_SYSFS_MAGIC	       0x62656572
#define MG_CGROUP_SUPER_MAGIC  0x27e0eb
#define MG_CGROUP2_SUPER_MAGIC 0x63677270
#define MG_DEVPTS_SUPER_MAGIC  0x1cd1
#define MG_MQUEUE_MAGIC	       0x19800202
#define MG_SB_KERNMOUNT	       (1ul << 22) /* a superblock of kern_mount(): no path reaches it */

static __always_inline bool mg_is_kernel_fs(struct file *file)
{
	unsigned long magic = BPF_CORE_READ(file, f_inode, i_sb, s_magic);

	/*
	 * Files of the kernel's internal mounts (memfd, SysV shared memory) have
	 * no path: they hold what the process wrote, or was sent over a socket
	 * it may use, as a pipe does. runc runs a memfd copy of itself.
	 */
	if (BPF_CORE_READ(file, f_inode, i_sb, s_flags) & MG_SB_KERNMOUNT)
		return true;
	return magic == MG_PROC_SUPER_MAGIC || magic == MG_SYSFS_MAGIC ||
	       magic == MG_CGROUP_SUPER_MAGIC || magic == MG_CGROUP2_SUPER_MAGIC ||
	       magic == MG_DEVPTS_SUPER_MAGIC || magic == MG_MQUEUE_MAGIC;
}

/*
 * Decide an open of @file by a task of @scope. Returns MG_REASON_NONE to
 * allow, else why it must not happen; the matching model in *ret_model.
 */
static __always_inline __u8 mg_file_decide(const struct mg_config *cfg,
					   const struct mg_scope_val *scope, struct file *file,
					   __u32 dev, __u64 ino,
					   const struct mg_inode_val **ret_model)
{
	const struct mg_license_val *lic;
	const struct mg_inode_val *model;
	struct mg_license_key lkey = {};
	struct mg_walk w;
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
	bool regular = (mode & MG_S_IFMT) == MG_S_IFREG;
	bool write = (BPF_CORE_READ(file, f_mode) & MG_FMODE_WRITE) && regular;
	bool want_read = !write && regular && cfg->unknown_weights != MG_UNKNOWN_READS_ALLOW;

	*ret_model = NULL;
	if (regular && mg_is_kernel_memory_file(file))
		return MG_REASON_DEVICE;
	/* Reads only: a write there (cgroup.procs: a scope escaping) is no output. */
	if (!write && mg_is_kernel_fs(file)) {
		const struct mg_inode_val *self = mg_inode_lookup(cfg->active_gen, dev, ino);

		/* A GPU's PCI config, resource and ROM files in sysfs. */
		if (self && (self->flags & MG_INODE_DEVICE_FILE))
			return MG_REASON_DEVICE;
		return MG_REASON_NONE;
	}
	if (mg_file_walk(file, cfg->active_gen, scope->scope_id, dev, ino, write, want_read, &w))
		return MG_REASON_WALK_LIMIT;
	if (w.device_file)
		return MG_REASON_DEVICE;
	model = *ret_model = w.model;
	if (write && !w.in_output)
		return MG_REASON_OUTPUT;
	if (!model) {
		if (want_read && !w.readable)
			return MG_REASON_UNKNOWN;
		return MG_REASON_NONE;
	}
	if (mg_killswitch())
		return MG_REASON_KILLSWITCH;
	/* Planted in a strict model's folder: not the approved weights. */
	if (w.unlisted)
		return MG_REASON_NOT_IN_MANIFEST;
	/* Written since verified: not the approved weights, whatever the tier. */
	if (mg_is_tainted(dev, ino))
		return MG_REASON_TAINTED;
	if (model->tier > scope->max_tier)
		return MG_REASON_TIER;
	if (!(model->flags & MG_INODE_REQUIRES_LICENSE))
		return MG_REASON_NONE;

	lkey.scope_id = scope->scope_id;
	lkey.model_id = model->model_id;
	lkey.gen = cfg->active_gen;
	lic = bpf_map_lookup_elem(&mg_licenses, &lkey);
	if (!lic)
		return MG_REASON_UNLICENSED;
	/* Expiry needs no daemon: the kernel's clock decides. */
	if (bpf_ktime_get_boot_ns() > lic->not_after_boot_ns)
		return MG_REASON_LICENSE_EXPIRED;
	if (lic->narrow_id) {
		/* From now on this process sends only where the licence allows too. */
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		struct mg_narrow_val nv = { .narrow_id = lic->narrow_id,
					    .gen = cfg->active_gen,
					    .budget_bytes = lic->budget_bytes,
					    .budget_window_ns = lic->budget_window_ns };

		bpf_map_update_elem(&mg_narrowed, &tgid, &nv, BPF_ANY);
	}
	return MG_REASON_NONE;
}

/* The verdict for @reason: audit mode, or unknownWeights: audit, let it pass. */
static __always_inline __u8 mg_file_verdict(const struct mg_config *cfg, __u8 reason, __u8 enforce)
{
	if (reason == MG_REASON_UNKNOWN && cfg->unknown_weights == MG_UNKNOWN_READS_AUDIT)
		return MG_VERDICT_AUDIT;
	return mg_deny_verdict(cfg, enforce);
}

static __always_inline void mg_file_event(const struct mg_config *cfg,
					  const struct mg_scope_val *scope, __u64 cgid, __u8 hook,
					  __u8 verdict, __u8 reason, struct file *file, __u32 dev,
					  __u64 ino, const struct mg_inode_val *model)
{
	struct mg_event *e;
	const unsigned char *name;

	e = mg_event_new(cfg, scope, cgid, hook, verdict, reason);
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

/*
 * An object that defines MG_FILE_VERITY before its includes (the BPF LSM
 * engine's: bpf_get_fsverity_digest is a kfunc of LSM programs only) also
 * compares a mapped or received model file's fs-verity digest.
 */
#ifdef MG_FILE_VERITY
#include "verity.bpf.h"
#endif

/*
 * The whole check of a hook that is handed the struct file and can refuse
 * with an error (BPF LSM, fmod_ret): 0 to let it pass, -EPERM to refuse.
 */
static __always_inline int mg_file_check(struct file *file, __u8 hook)
{
	const struct mg_inode_val *model;
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 reason, verdict;
	__u64 cgid, ino;
	__u32 dev;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;

	mg_file_identity(file, &dev, &ino);
	reason = mg_file_decide(cfg, scope, file, dev, ino, &model);
#ifdef MG_FILE_VERITY
	/* A descriptor mapped or received was opened: its fs-verity state is loaded. */
	if (reason == MG_REASON_NONE && model && hook != MG_HOOK_FILE_OPEN) {
		bool checked;

		reason = mg_verity_decide(cfg->active_gen, file, dev, ino, &checked);
	}
#endif
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(hook, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_file_verdict(cfg, reason, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(hook, verdict));
	mg_file_event(cfg, scope, cgid, hook, verdict, reason, file, dev, ino, model);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

#endif /* MGUARD_FILE_BPF_H */
