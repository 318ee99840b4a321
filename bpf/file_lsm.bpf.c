// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Files, BPF LSM engine: a guarded task that opens, maps or receives a file
 * it may not have gets EPERM from the syscall itself. Opening covers every
 * route that ends in an open: open(2) and its family, io_uring, reopening an
 * O_PATH descriptor through /proc/self/fd. Mapping covers descriptors opened
 * before the task entered its scope; receiving covers descriptors passed
 * over a UNIX socket. The decisions are shared with the fmod-ret engine
 * (file.bpf.h, taint.bpf.h, receive.bpf.h, unix.bpf.h); only this engine
 * also compares fs-verity digests (verity.bpf.h).
 */
#define MG_FILE_VERITY
#include "receive.bpf.h"
#include "taint.bpf.h"
#include "unix.bpf.h"

SEC("lsm/file_open")
int BPF_PROG(mg_lsm_file_open, struct file *file, int ret)
{
	if (ret)
		return ret; /* never override an earlier denial */
	return mg_open_check(file);
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
	return mg_file_check(file, MG_HOOK_MMAP);
}

SEC("lsm/file_receive")
int BPF_PROG(mg_lsm_file_receive, struct file *file, int ret)
{
	if (ret)
		return ret;
	return mg_receive_check(file);
}

/* The stream hook is given socks, the datagram one sockets. */
SEC("lsm/unix_stream_connect")
int BPF_PROG(mg_lsm_unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	if (ret)
		return ret;
	return mg_unix_check(other);
}

SEC("lsm/unix_may_send")
int BPF_PROG(mg_lsm_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
	if (ret)
		return ret;
	return mg_unix_check(BPF_CORE_READ(other, sk));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
