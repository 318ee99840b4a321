/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The guard's own protection and the boundary between processes, shared by
 * both engines: which scope another task is in, whether the current task may
 * reach it (signals, ptrace, its memory and descriptors), and the events of
 * these decisions.
 *
 * A task in a scope reaches only tasks of its own scope. A task outside the
 * scope of a shielded target (a scope without allowDebug) may not read the
 * target's memory or descriptors; it may still signal it (the administrator
 * stops inference servers).
 */
#ifndef MGUARD_GUARD_BPF_H
#define MGUARD_GUARD_BPF_H

#include "common.bpf.h"

#define MG_SIGKILL	      9
#define MG_BPF_FS_MAGIC	      0xcafe4a11
#define MG_CGROUP_SUPER_MAGIC 0x27e0eb
#define MG_CGROUP2_MAGIC      0x63677270
#define MG_PROC_SUPER_MAGIC   0x9fa0

/* Is a __weak kfunc there on this kernel? (The verifier drops what it guards when not.) */
#define mg_ksym_exists(sym) (!!(sym))

/*
 * The scope of cgroup @cg under generation @gen: the cgroup id of the
 * scope's cgroup, 0 for none. The same answer as mg_scope_current for the
 * current task (its own cgroup first, then the deepest ancestor that is a
 * scope, at most MG_MAX_CGROUP_DEPTH levels from the root), and the same
 * cache.
 */
static __always_inline __u64 mg_scope_of_cgroup(struct cgroup *cg, __u32 gen)
{
	struct mg_scope_key key = { .gen = gen };
	struct mg_scope_hit *hit, fresh = { .gen = gen };
	__u64 self;
	int level;

	if (!cg)
		return 0;
	self = BPF_CORE_READ(cg, kn, id);
	hit = bpf_map_lookup_elem(&mg_scope_cache, &self);
	if (hit && hit->gen == gen)
		return hit->scope_cgid;
	key.cgroup_id = self;
	if (bpf_map_lookup_elem(&mg_scopes, &key)) {
		fresh.scope_cgid = self;
		goto out;
	}
	level = BPF_CORE_READ(cg, level);
	for (int l = 1; l < MG_MAX_CGROUP_DEPTH; l++) {
		struct cgroup *anc = NULL;

		if (l >= level)
			break;
		if (bpf_core_read(&anc, sizeof(anc), &cg->ancestors[l]) || !anc)
			break;
		key.cgroup_id = BPF_CORE_READ(anc, kn, id);
		if (bpf_map_lookup_elem(&mg_scopes, &key))
			fresh.scope_cgid = key.cgroup_id; /* the deepest one wins */
	}
out:
	bpf_map_update_elem(&mg_scope_cache, &self, &fresh, BPF_ANY);
	return fresh.scope_cgid;
}

static __always_inline __u64 mg_scope_of_task(struct task_struct *t, __u32 gen)
{
	return mg_scope_of_cgroup(BPF_CORE_READ(t, cgroups, dfl_cgrp), gen);
}

/* The scope entry of a scope's cgroup id, for its flags. */
static __always_inline const struct mg_scope_val *mg_scope_by_cgid(__u64 cgid, __u32 gen)
{
	struct mg_scope_key key = { .cgroup_id = cgid, .gen = gen };

	return bpf_map_lookup_elem(&mg_scopes, &key);
}

/* Is the scope of cgroup id @scope_cgid shielded (no allowDebug)? */
static __always_inline bool mg_scope_shielded(__u64 scope_cgid, __u32 gen)
{
	const struct mg_scope_val *v;

	if (!scope_cgid)
		return false;
	v = mg_scope_by_cgid(scope_cgid, gen);
	return !v || !(v->flags & MG_SCOPE_ALLOW_DEBUG);
}

/*
 * May the current task reach @target, a task it would signal (@debug false)
 * or debug, read or take descriptors from (@debug true)? Returns the reason
 * it may not, MG_REASON_NONE when it may. @ret_scope: the current task's
 * scope (NULL outside every scope), @ret_cgid its cgroup, for the event.
 * A task outside every scope is decided only for a shielded target when
 * @debug, and otherwise costs the config read and one lookup.
 */
static __always_inline __u8 mg_guard_reach(struct task_struct *target, bool debug,
					   const struct mg_config **ret_cfg,
					   const struct mg_scope_val **ret_scope, __u64 *ret_cgid)
{
	const struct mg_config *cfg = mg_config_get();
	__u64 self_scope = 0, target_scope;
	const struct mg_scope_val *scope;

	*ret_cfg = cfg;
	*ret_scope = NULL;
	if (!cfg || !target)
		return MG_REASON_NONE;
	scope = mg_scope_current(cfg->active_gen, ret_cgid);
	if (scope) {
		struct mg_scope_hit *hit = bpf_map_lookup_elem(&mg_scope_cache, ret_cgid);

		*ret_scope = scope;
		self_scope = hit ? hit->scope_cgid : 0;
		if (!self_scope)
			return MG_REASON_OTHER_TASK; /* the cache was evicted: fail closed */
	} else if (!debug) {
		return MG_REASON_NONE;
	}
	target_scope = mg_scope_of_task(target, cfg->active_gen);
	if (target_scope == self_scope)
		return MG_REASON_NONE;
	if (scope)
		return MG_REASON_OTHER_TASK;
	/* Outside every scope, debugging a task of a scope. */
	if (mg_scope_shielded(target_scope, cfg->active_gen)) {
		*ret_scope = mg_scope_by_cgid(target_scope, cfg->active_gen);
		return MG_REASON_SHIELDED;
	}
	return MG_REASON_NONE;
}

/*
 * Count a decision of the guard and send its event. @scope NULL: an allow
 * outside every scope, nothing to count. @target: the other task's pid, in
 * the event's file.ino, 0 for none.
 */
static __always_inline void mg_guard_event(const struct mg_config *cfg,
					   const struct mg_scope_val *scope, __u64 cgid, __u8 hook,
					   __u8 verdict, __u8 reason, __u64 target)
{
	struct mg_event *e;

	if (!scope)
		return;
	mg_count(MG_COUNTER_INDEX(hook, verdict));
	if (verdict == MG_VERDICT_ALLOW)
		return;
	e = mg_event_new(cfg, scope, cgid, hook, verdict, reason);
	if (!e)
		return;
	e->file.ino = target;
	bpf_ringbuf_submit(e, 0);
}

/* Is @sb's file system bpffs or a cgroup file system? */
static __always_inline bool mg_guard_fs(struct super_block *sb)
{
	unsigned long magic = BPF_CORE_READ(sb, s_magic);

	return magic == MG_BPF_FS_MAGIC || magic == MG_CGROUP2_MAGIC ||
	       magic == MG_CGROUP_SUPER_MAGIC;
}

static __always_inline bool mg_name7(const char *a, const char *b)
{
	for (int i = 0; i < 7; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/*
 * A file of procfs that gives another process's memory (/proc/PID/mem,
 * environ, pagemap, under /proc/PID or /proc/PID/task/TID): the process it
 * belongs to, NULL for every other file. For the fallback engine, whose
 * open hook sees the file only after the open; with BPF LSM,
 * ptrace_access_check decides these opens.
 */
static __always_inline struct task_struct *mg_proc_memory_task(struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct hlist_node *first;
	const unsigned char *name;
	struct pid *pid;
	char buf[8] = {};
	__u32 len;

	if (BPF_CORE_READ(inode, i_sb, s_magic) != MG_PROC_SUPER_MAGIC)
		return NULL;
	len = BPF_CORE_READ(file, f_path.dentry, d_name.len);
	if (len != 3 && len != 7)
		return NULL;
	name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	bpf_probe_read_kernel(buf, sizeof(buf), name);
	if (!(len == 3 && buf[0] == 'm' && buf[1] == 'e' && buf[2] == 'm') &&
	    !(len == 7 && mg_name7(buf, "environ")) && !(len == 7 && mg_name7(buf, "pagemap")))
		return NULL;
	pid = BPF_CORE_READ(container_of(inode, struct proc_inode, vfs_inode), pid);
	if (!pid)
		return NULL;
	first = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);
	if (!first)
		return NULL;
	return container_of(first, struct task_struct, pid_links[PIDTYPE_PID]);
}

/*
 * Core dumps: a fatal signal whose default action dumps core, delivered to
 * a task of a shielded scope, is turned into SIGKILL before the dump starts
 * (a dump never begins once SIGKILL is pending). Both engines use this
 * tracepoint; it fires only on signal delivery.
 */
#define MG_SIG_DUMPS                                                                          \
	((1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 11) | \
	 (1u << 24) | (1u << 25) | (1u << 31))

#endif /* MGUARD_GUARD_BPF_H */
