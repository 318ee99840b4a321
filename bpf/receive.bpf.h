/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Descriptors that reach a scope without the scope opening them (SCM_RIGHTS
 * over a UNIX socket, pidfd_getfd): decided like an open. A device node
 * goes by the device rules (GPUs, block devices, kernel memory); a socket
 * made outside the scope is refused unless it is a UNIX socket or a
 * listening TCP socket, because the cgroup hooks that check where a
 * socket's packets go run on the cgroup the socket was made in, not on the
 * scope's; every other file by the file decision.
 */
#ifndef MGUARD_RECEIVE_BPF_H
#define MGUARD_RECEIVE_BPF_H

#include "file.bpf.h"
#include "dev.bpf.h"

#define MG_S_IFCHR     0020000
#define MG_S_IFBLK     0060000
#define MG_S_IFSOCK    0140000
#define MG_AF_UNIX     1
#define MG_AF_INET     2
#define MG_AF_INET6    10
#define MG_TCP_LISTEN  10
#define MG_IPPROTO_TCP 6

/* What a received descriptor was, for the event. */
struct mg_received {
	bool socket;
	bool device;
	__u32 family, type, protocol; /* a socket's */
	__u32 major, minor;	      /* a device's */
	const struct mg_gpu_major_val *gpu;
};

/*
 * Decide a received socket or device node. Returns MG_REASON_NONE when
 * @file is neither (*ret is then left as neither) or is allowed.
 */
static __always_inline __u8 mg_receive_special(const struct mg_config *cfg,
					       const struct mg_scope_val *scope, struct file *file,
					       struct mg_received *ret)
{
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode) & MG_S_IFMT;

	__builtin_memset(ret, 0, sizeof(*ret));
	if (mode == MG_S_IFSOCK) {
		struct socket *sock = BPF_CORE_READ(file, private_data);
		struct sock *sk = BPF_CORE_READ(sock, sk);
		__u8 state;

		ret->socket = true;
		if (!sk)
			return MG_REASON_RECEIVED_SOCKET; /* fails closed */
		ret->family = BPF_CORE_READ(sk, __sk_common.skc_family);
		ret->type = BPF_CORE_READ(sk, sk_type);
		ret->protocol = BPF_CORE_READ(sk, sk_protocol);
		state = BPF_CORE_READ(sk, __sk_common.skc_state);
		if (ret->family == MG_AF_UNIX)
			return MG_REASON_NONE;
		if ((ret->family == MG_AF_INET || ret->family == MG_AF_INET6) &&
		    ret->protocol == MG_IPPROTO_TCP && state == MG_TCP_LISTEN)
			return MG_REASON_NONE; /* socket activation: it only accepts */
		return MG_REASON_RECEIVED_SOCKET;
	}
	if (mode == MG_S_IFCHR || mode == MG_S_IFBLK) {
		dev_t rdev = BPF_CORE_READ(file, f_inode, i_rdev);
		struct mg_dev_verdict v;

		ret->device = true;
		ret->major = rdev >> 20;
		ret->minor = rdev & 0xfffff;
		v = mg_device_rules(cfg, scope, mode == MG_S_IFBLK, ret->major, ret->minor);
		ret->gpu = v.gpu;
		return v.reason;
	}
	return MG_REASON_NONE;
}

/*
 * The hook a received socket or device is counted and reported under: the
 * socket hook for a socket, the device hook for a node (with their payloads).
 */
static __always_inline __u8 mg_receive_hook(const struct mg_received *r)
{
	return r->socket ? MG_HOOK_SOCKET : MG_HOOK_DEVICE;
}

/* The event for a received socket or device that was refused. */
static __always_inline void mg_receive_event(const struct mg_config *cfg,
					     const struct mg_scope_val *scope, __u64 cgid,
					     __u8 verdict, __u8 reason, const struct mg_received *r)
{
	struct mg_event *e = mg_event_new(cfg, scope, cgid, mg_receive_hook(r), verdict, reason);

	if (!e)
		return;
	if (r->socket) {
		e->sock.family = r->family;
		e->sock.type = r->type;
		e->sock.protocol = r->protocol;
	} else {
		e->dev.major = r->major;
		e->dev.minor = r->minor;
		e->dev.driver = r->gpu ? r->gpu->driver : 0;
	}
	bpf_ringbuf_submit(e, 0);
}

/*
 * The receive decision of the engines that refuse with an error (BPF LSM,
 * fmod-ret): a received socket or device node by its own rules, any other
 * file as an open.
 */
static __always_inline int mg_receive_check(struct file *file)
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
		return mg_file_check(file, MG_HOOK_FILE_RECEIVE);
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(mg_receive_hook(&r), MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(mg_receive_hook(&r), verdict));
	mg_receive_event(cfg, scope, cgid, verdict, reason, &r);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

#endif /* MGUARD_RECEIVE_BPF_H */
