/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The UNIX socket decision, shared by the engines that can refuse a connect
 * with an error: the BPF LSM hooks unix_stream_connect and unix_may_send, and
 * fmod_ret programs on security_unix_stream_connect and security_unix_may_send.
 */
#ifndef MGUARD_UNIX_BPF_H
#define MGUARD_UNIX_BPF_H

#include "file.bpf.h"

/*
 * UNIX sockets: a guarded task connects (or sends a datagram) only to a
 * socket file its scope lists, or one in a folder it lists. Abstract
 * sockets have no file and are refused; unnamed ones (socketpair) are a
 * private channel between tasks that already share it, and pass.
 */
static __always_inline int mg_unix_check(struct sock *other)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	struct unix_sock *u;
	struct dentry *d;
	struct mg_event *e;
	__u8 reason = MG_REASON_NONE, verdict;
	__u64 cgid, ino = 0;
	__u32 dev = 0;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;

	u = (struct unix_sock *)other;
	if (!BPF_CORE_READ(u, addr))
		return 0; /* unnamed */
	d = BPF_CORE_READ(u, path.dentry);
	if (mg_killswitch()) {
		reason = MG_REASON_KILLSWITCH;
	} else if (!d) {
		reason = MG_REASON_UNIX; /* abstract */
	} else {
		dev = BPF_CORE_READ(d, d_sb, s_dev);
		ino = BPF_CORE_READ(d, d_inode, i_ino);
		if (!mg_scope_path_has(scope->scope_id, cfg->active_gen, dev, ino,
				       MG_OUTPUT_UNIX) &&
		    !mg_scope_path_has(scope->scope_id, cfg->active_gen, dev,
				       BPF_CORE_READ(d, d_parent, d_inode, i_ino), MG_OUTPUT_UNIX))
			reason = MG_REASON_UNIX;
	}
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_UNIX, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_UNIX, verdict));
	e = mg_event_new(cfg, scope, cgid, MG_HOOK_UNIX, verdict, reason);
	if (e) {
		e->file.dev = dev;
		e->file.ino = ino;
		if (d)
			bpf_probe_read_kernel_str(e->file.name, sizeof(e->file.name),
						  BPF_CORE_READ(d, d_name.name));
		bpf_ringbuf_submit(e, 0);
	}
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

#endif /* MGUARD_UNIX_BPF_H */
