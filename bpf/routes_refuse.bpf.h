/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Routes beyond open, the decisions of the engines that refuse with an
 * error: the BPF LSM hooks (routes_lsm.bpf.c) and fmod_ret programs on the
 * kernel's security_* functions that call them (routes_fmodret.bpf.c). Each
 * returns 0 or -EPERM.
 *
 * Outputs: in a scope, names and metadata change only under its output
 * folders. A rename or hard link from or to a folder outside them is
 * refused (so data it wrote does not leave them, and a file of a model
 * folder does not move out of the folder that makes it the model's); a
 * rename or link within one folder changes no folder's content and passes.
 * Truncation by path, extended attributes and UNIX sockets bound are
 * refused outside the output folders (a UNIX socket may also be bound in a
 * folder the scope's unixSockets list); names alone (folders, symlinks,
 * FIFOs, device nodes, empty files) are not outputs.
 *
 * Sockets: families other than UNIX, IPv4, IPv6 and routing netlink are
 * refused at creation, and routing netlink may only query (packet,
 * raw-capable families, vsock, SCTP's own family, Bluetooth, CAN, XDP, ...).
 * Which IPv4 and IPv6 sockets may be made (TCP and UDP only) is decided by
 * cgroup/sock_create, on every engine.
 */
#ifndef MGUARD_ROUTES_REFUSE_BPF_H
#define MGUARD_ROUTES_REFUSE_BPF_H

#include "paths.bpf.h"
#include "taint.bpf.h"

#define MG_S_IFSOCK_MODE       0140000
#define AF_UNIX		       1
#define AF_INET		       2
#define AF_INET6	       10
#define AF_NETLINK	       16
#define NETLINK_ROUTE	       0
#define NETLINK_KOBJECT_UEVENT 15

static __always_inline void mg_path_event(const struct mg_config *cfg,
					  const struct mg_scope_val *scope, __u64 cgid,
					  __u8 verdict, __u8 reason, struct dentry *dentry)
{
	struct mg_event *e = mg_event_new(cfg, scope, cgid, MG_HOOK_PATHS, verdict, reason);

	if (!e)
		return;
	e->file.dev = BPF_CORE_READ(dentry, d_sb, s_dev);
	e->file.ino = BPF_CORE_READ(dentry, d_inode, i_ino);
	bpf_probe_read_kernel_str(e->file.name, sizeof(e->file.name),
				  BPF_CORE_READ(dentry, d_name.name));
	bpf_ringbuf_submit(e, 0);
}

/*
 * Decide a change under folders @a and @b (@b may be NULL) for the current
 * task, @subject naming what the event shows; @unix: a UNIX socket folder
 * of the scope will do too. 0, or -EPERM.
 */
static __always_inline int mg_paths_check(struct dentry *a, struct dentry *b,
					  struct dentry *subject, bool unix)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 reason = MG_REASON_NONE, verdict;
	__u64 cgid;
	__u32 gen;

	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	gen = cfg->active_gen;
	if (!mg_dentry_in_outputs(a, scope->scope_id, gen) &&
	    !(unix && mg_dentry_under(a, scope->scope_id, gen, MG_OUTPUT_UNIX)))
		reason = MG_REASON_OUTPUT;
	else if (b && !mg_dentry_in_outputs(b, scope->scope_id, gen))
		reason = MG_REASON_OUTPUT;
	if (reason == MG_REASON_NONE) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_PATHS, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_count(MG_COUNTER_INDEX(MG_HOOK_PATHS, verdict));
	mg_path_event(cfg, scope, cgid, verdict, reason, subject);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

#define MG_RENAME_EXCHANGE 2

/*
 * rename(2) and its family: from folder @old_dir to @new_dir. A model's
 * file that goes ahead under a new name is marked (taint.bpf.h).
 */
static __always_inline int mg_rename_check(const struct path *old_dir, struct dentry *old_dentry,
					   const struct path *new_dir, struct dentry *new_dentry,
					   unsigned int flags)
{
	struct dentry *from = BPF_CORE_READ(old_dir, dentry), *to = BPF_CORE_READ(new_dir, dentry);
	int ret;

	/* A new name in the same folder: no folder's content changes. */
	ret = from == to ? 0 : mg_paths_check(from, to, old_dentry, false);
	/* The file takes the new name; with RENAME_EXCHANGE the other takes the old one. */
	ret = mg_taint_after(ret, new_dentry, BPF_CORE_READ(old_dentry, d_inode));
	if (flags & MG_RENAME_EXCHANGE)
		ret = mg_taint_after(ret, old_dentry, BPF_CORE_READ(new_dentry, d_inode));
	return ret;
}

/* link(2): the source's folder (an O_TMPFILE file's is the folder it was made in) to @new_dir. */
static __always_inline int mg_link_check(struct dentry *old_dentry, const struct path *new_dir,
					 struct dentry *new_dentry)
{
	struct dentry *from = BPF_CORE_READ(old_dentry, d_parent),
		      *to = BPF_CORE_READ(new_dir, dentry);
	int ret;

	ret = from == to ? 0 : mg_paths_check(from, to, old_dentry, false);
	return mg_taint_after(ret, new_dentry, BPF_CORE_READ(old_dentry, d_inode));
}

/* truncate(2) of @path: an output's, and a model's file marked. */
static __always_inline int mg_truncate_check(const struct path *path)
{
	struct dentry *d = BPF_CORE_READ(path, dentry);

	return mg_taint_after(mg_paths_check(d, NULL, d, false), d, BPF_CORE_READ(d, d_inode));
}

/*
 * mknod(2) in @dir. Only a UNIX socket's name is a route (to the process
 * that listens). A regular file (open with O_CREAT comes here too) is
 * written through file_open; a device node, a FIFO or an empty file stores
 * no bytes, only its name, and a device is decided when it is opened
 * (dev.bpf.c). A container runtime makes device nodes in its /dev.
 */
static __always_inline int mg_mknod_check(const struct path *dir, struct dentry *dentry,
					  umode_t mode)
{
	if ((mode & MG_S_IFMT) != MG_S_IFSOCK_MODE)
		return 0;
	return mg_paths_check(BPF_CORE_READ(dir, dentry), NULL, dentry, true);
}

/*
 * The socket families a scope may create. IPv4 and IPv6 are narrowed to
 * TCP and UDP by cgroup/sock_create. Routing netlink (getaddrinfo,
 * getifaddrs) and uevents are the netlink a program needs; the others
 * (netfilter, xfrm, generic netlink, audit, ...) reconfigure the host.
 */
static __always_inline bool mg_family_allowed(int family, int protocol)
{
	if (family == AF_UNIX || family == AF_INET || family == AF_INET6)
		return true;
	return family == AF_NETLINK &&
	       (protocol == NETLINK_ROUTE || protocol == NETLINK_KOBJECT_UEVENT);
}

/* socket(2) of @family by a scope; @kern: one of the kernel's own sockets. */
static __always_inline int mg_socket_create_check(int family, int type, int protocol, int kern)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 verdict;
	__u64 cgid;

	if (kern)
		return 0;
	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	if (mg_family_allowed(family, protocol)) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_SOCKET, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_socket_refused(cfg, scope, cgid, verdict, family, type, protocol);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

/*
 * Routing netlink from a scope: queries only. A message that adds, deletes
 * or sets a link, address, route, rule or qdisc (a tunnel to anywhere, a
 * route through it, a redirecting filter) is refused; so is a batch longer
 * than the messages examined.
 */
#define MG_NL_MAX_MSGS 8
#define RTM_BASE       16

static __always_inline int mg_netlink_send_check(struct sock *sk, struct sk_buff *skb)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	unsigned char *data;
	__u32 len, off = 0;
	__u8 verdict;
	__u64 cgid;
	bool deny = false;
	int i;

	if (BPF_CORE_READ(sk, sk_protocol) != NETLINK_ROUTE)
		return 0;
	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope)
		return 0;
	data = BPF_CORE_READ(skb, data);
	len = BPF_CORE_READ(skb, len);
	for (i = 0; i < MG_NL_MAX_MSGS; i++) {
		struct nlmsghdr nlh;

		if (off + sizeof(nlh) > len)
			break;
		if (bpf_probe_read_kernel(&nlh, sizeof(nlh), data + off) ||
		    nlh.nlmsg_len < sizeof(nlh)) {
			deny = true;
			break;
		}
		if (nlh.nlmsg_type >= RTM_BASE && ((__u32)nlh.nlmsg_type - RTM_BASE) % 4 != 2) {
			deny = true; /* RTM_NEW*, RTM_DEL*, RTM_SET* */
			break;
		}
		off += (nlh.nlmsg_len + 3) & ~3u;
	}
	if (i == MG_NL_MAX_MSGS && off + sizeof(struct nlmsghdr) <= len)
		deny = true; /* more messages than examined */
	if (!deny) {
		mg_count(MG_COUNTER_INDEX(MG_HOOK_SOCKET, MG_VERDICT_ALLOW));
		return 0;
	}
	verdict = mg_deny_verdict(cfg, MG_VERDICT_DENY);
	mg_socket_refused(cfg, scope, cgid, verdict, AF_NETLINK, 0, NETLINK_ROUTE);
	return verdict == MG_VERDICT_DENY ? -EPERM : 0;
}

#endif /* MGUARD_ROUTES_REFUSE_BPF_H */
