// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Files, BPF LSM engine: a guarded task that opens, maps or receives a file
 * it may not have gets EPERM from the syscall itself. Opening covers every
 * route that ends in an open: open(2) and its family, io_uring, reopening an
 * O_PATH descriptor through /proc/self/fd. Mapping covers descriptors opened
 * before the task entered its scope; receiving covers descriptors passed
 * over a UNIX socket.
 */
#include "file.bpf.h"

static __always_inline int mg_lsm_file(struct file *file, __u8 hook)
{
	const struct mg_inode_val *model;
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 reason, verdict;
	__u64 cgid, ino;
	__u32 dev;

	cfg = mg_config_get();
	if (!cfg)
		return 0;
	scope = mg_scope_current(cfg->active_gen, &cgid);
	if (!scope)
		return 0;

	mg_file_identity(file, &dev, &ino);
	reason = mg_file_decide(cfg, scope, file, dev, ino, &model);
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(hook, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(hook, verdict));
	mg_file_event(cfg, scope, cgid, hook, verdict, reason, file, dev, ino, model);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

SEC("lsm/file_open")
int BPF_PROG(mg_lsm_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;	/* never override an earlier denial */
	return mg_lsm_file(file, MG_HOOK_FILE_OPEN);
}

SEC("lsm/mmap_file")
int BPF_PROG(mg_lsm_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret)
		return ret;
	if (!file)
		return 0;	/* anonymous memory */
	return mg_lsm_file(file, MG_HOOK_MMAP);
}

SEC("lsm/file_receive")
int BPF_PROG(mg_lsm_file_receive, struct file *file, int ret)
{
	if (ret)
		return ret;
	return mg_lsm_file(file, MG_HOOK_FILE_RECEIVE);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
