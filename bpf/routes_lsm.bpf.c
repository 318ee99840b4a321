// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Routes beyond open, BPF LSM engine: what reaches a file, an output or the
 * network without an open or a connect. The decisions, and what they
 * refuse, are in routes_refuse.bpf.h, shared with the fmod-ret engine.
 */
#include "routes_refuse.bpf.h"

SEC("lsm/path_rename")
int BPF_PROG(mg_lsm_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	if (ret)
		return ret;
	return mg_rename_check(old_dir, old_dentry, new_dir, new_dentry, flags);
}

SEC("lsm/path_link")
int BPF_PROG(mg_lsm_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	return mg_link_check(old_dentry, new_dir, new_dentry);
}

SEC("lsm/path_mknod")
int BPF_PROG(mg_lsm_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	if (ret)
		return ret;
	return mg_mknod_check(dir, dentry, mode);
}

SEC("lsm/path_truncate")
int BPF_PROG(mg_lsm_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	return mg_truncate_check(path);
}

/* The first argument is a user namespace before 6.3 and an idmap since: unused. */
SEC("lsm/inode_setxattr")
int BPF_PROG(mg_lsm_inode_setxattr, void *idmap, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	if (ret)
		return ret;
	return mg_paths_check(dentry, NULL, dentry, false);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(mg_lsm_inode_removexattr, void *idmap, struct dentry *dentry, const char *name,
	     int ret)
{
	if (ret)
		return ret;
	return mg_paths_check(dentry, NULL, dentry, false);
}

SEC("lsm/socket_create")
int BPF_PROG(mg_lsm_socket_create, int family, int type, int protocol, int kern, int ret)
{
	if (ret)
		return ret;
	return mg_socket_create_check(family, type, protocol, kern);
}

SEC("lsm/netlink_send")
int BPF_PROG(mg_lsm_netlink_send, struct sock *sk, struct sk_buff *skb, int ret)
{
	if (ret)
		return ret;
	return mg_netlink_send_check(sk, skb);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
