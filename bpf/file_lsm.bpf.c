// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Weight loads, BPF LSM engine: a guarded task that opens a file of a model
 * above its scope's tier gets EPERM from open(2) itself.
 */
#include "file.bpf.h"

SEC("lsm/file_open")
int BPF_PROG(mg_lsm_file_open, struct file *file, int ret)
{
	const struct mg_inode_val *model;
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 reason, verdict;
	__u64 cgid, ino;
	__u32 dev;

	if (ret)
		return ret;	/* never override an earlier denial */
	cfg = mg_config_get();
	if (!cfg)
		return 0;
	scope = mg_scope_current(cfg->active_gen, &cgid);
	if (!scope)
		return 0;

	mg_file_identity(file, &dev, &ino);
	reason = mg_file_decide(cfg, scope, file, dev, ino, &model);
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_FILE_OPEN, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_FILE_OPEN, verdict));
	mg_file_event(cfg, scope, cgid, verdict, reason, file, dev, ino, model);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
