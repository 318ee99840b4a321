// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Files, BPF LSM engine: a guarded task that opens, maps or receives a file
 * it may not have gets EPERM from the syscall itself. Opening covers every
 * route that ends in an open: open(2) and its family, io_uring, reopening an
 * O_PATH descriptor through /proc/self/fd. Mapping covers descriptors opened
 * before the task entered its scope; receiving covers descriptors passed
 * over a UNIX socket.
 */
#include "receive.bpf.h"
#include "taint.bpf.h"
#include "verity.bpf.h"

static __always_inline int mg_lsm_file(struct file *file, __u8 hook)
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
	/* A descriptor mapped or received was opened: its fs-verity state is loaded. */
	if (reason == MG_REASON_NONE && model && hook != MG_HOOK_FILE_OPEN) {
		bool checked;

		reason = mg_verity_decide(cfg->active_gen, file, dev, ino, &checked);
	}
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(hook, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_file_verdict(cfg, reason, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(hook, verdict));
	mg_file_event(cfg, scope, cgid, hook, verdict, reason, file, dev, ino, model);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

SEC("lsm/file_open")
int BPF_PROG(mg_lsm_file_open, struct file *file, int ret)
{
	const struct mg_config *cfg;

	if (ret)
		return ret; /* never override an earlier denial */
	ret = mg_lsm_file(file, MG_HOOK_FILE_OPEN);
	/* Every process whose write-open goes ahead marks a model's file, in a scope or not. */
	cfg = ret ? NULL : mg_config_get();
	if (cfg)
		mg_taint_on_open(cfg, file);
	return ret;
}

/*
 * After the file system's own open: the file's fs-verity digest against the
 * policy's (verity.bpf.h). Loaded only where the kernel has both this hook
 * and bpf_get_fsverity_digest.
 */
SEC("lsm/file_post_open")
int BPF_PROG(mg_lsm_file_post_open, struct file *file, int mask, int ret)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 reason, verdict;
	bool checked;
	__u64 cgid, ino;
	__u32 dev;

	if (ret)
		return ret;
	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	mg_file_identity(file, &dev, &ino);
	reason = mg_verity_decide(cfg->active_gen, file, dev, ino, &checked);
	if (!checked)
		return 0;
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_VERITY, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_VERITY, verdict));
	mg_file_event(cfg, scope, cgid, MG_HOOK_VERITY, verdict, reason, file, dev, ino,
		      mg_inode_lookup(cfg->active_gen, dev, ino));
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

SEC("lsm/mmap_file")
int BPF_PROG(mg_lsm_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret)
		return ret;
	if (!file)
		return 0; /* anonymous memory */
	return mg_lsm_file(file, MG_HOOK_MMAP);
}

/* A received socket or device node by its own rules (receive.bpf.h), any other file as an open. */
static __always_inline int mg_lsm_receive(struct file *file)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	struct mg_received r;
	__u8 reason, verdict;
	__u64 cgid;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	reason = mg_receive_special(cfg, scope, file, &r);
	if (!r.socket && !r.device)
		return mg_lsm_file(file, MG_HOOK_FILE_RECEIVE);
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(mg_receive_hook(&r), MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(mg_receive_hook(&r), verdict));
	mg_receive_event(cfg, scope, cgid, verdict, reason, &r);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

SEC("lsm/file_receive")
int BPF_PROG(mg_lsm_file_receive, struct file *file, int ret)
{
	if (ret)
		return ret;
	return mg_lsm_receive(file);
}

/*
 * UNIX sockets: a guarded task connects (or sends a datagram) only to a
 * socket file its scope lists, or one in a folder it lists. Abstract
 * sockets have no file and are refused; unnamed ones (socketpair) are a
 * private channel between tasks that already share it, and pass.
 */
static __always_inline int mg_lsm_unix(struct sock *other)
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

/* The stream hook is given socks, the datagram one sockets. */
SEC("lsm/unix_stream_connect")
int BPF_PROG(mg_lsm_unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	if (ret)
		return ret;
	return mg_lsm_unix(other);
}

SEC("lsm/unix_may_send")
int BPF_PROG(mg_lsm_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
	if (ret)
		return ret;
	return mg_lsm_unix(BPF_CORE_READ(other, sk));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
