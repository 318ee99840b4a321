/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fs-verity digests. A model's file for which the policy gives an fs-verity
 * digest is compared, after every open by a scope, with the digest the kernel
 * holds for the opened file (bpf_get_fsverity_digest, 6.7+). fs-verity checks
 * every page read against that digest's Merkle tree, so equal digests mean
 * the approved content, page by page, with no re-hash. Opens are checked in
 * file_post_open (6.9+): at file_open the file system has not yet loaded the
 * verity state of an inode read from disk. A descriptor mapped or received
 * was opened, so its state is there. The loader fills mg_verity only where
 * both hold; elsewhere the SHA-256 digests and taint on write serve.
 */
#ifndef MGUARD_VERITY_BPF_H
#define MGUARD_VERITY_BPF_H

#include "file.bpf.h"

#define MG_ENODATA 61

#ifndef mg_ksym_exists
#define mg_ksym_exists(sym) (!!(sym))
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_VERITY_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct mg_inode_key);
	__type(value, struct mg_verity_val);
} mg_verity SEC(".maps") __weak;

extern int bpf_get_fsverity_digest(struct file *file, struct bpf_dynptr *digest_ptr) __ksym __weak;

/* struct fsverity_digest with room for a SHA-256 digest. */
struct mg_verity_digest {
	__u16 algorithm;
	__u16 size;
	__u8 digest[MG_VERITY_DIGEST_LEN];
};

/* bpf_dynptr_from_mem() takes map values only, not the stack: one per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_verity_digest);
} mg_verity_scratch SEC(".maps") __weak;

/*
 * Does the open @file (@dev, @ino) have the fs-verity digest the policy
 * gives it? MG_REASON_NONE when it does or the policy gives none (in
 * *ret_checked whether there was one to compare), else why not.
 */
static __always_inline __u8 mg_verity_decide(__u32 gen, struct file *file, __u32 dev, __u64 ino,
					     bool *ret_checked)
{
	struct mg_inode_key key = { .ino = ino, .dev = dev, .gen = gen };
	const struct mg_verity_val *want;
	struct mg_verity_digest *got;
	struct bpf_dynptr ptr;
	__u32 zero = 0;
	int err;

	*ret_checked = false;
	want = bpf_map_lookup_elem(&mg_verity, &key);
	if (!want)
		return MG_REASON_NONE;
	*ret_checked = true;
	/* The loader fills the map only where the kfunc is: fail closed all the same. */
	if (!mg_ksym_exists(bpf_get_fsverity_digest))
		return MG_REASON_VERITY_ABSENT;
	got = bpf_map_lookup_elem(&mg_verity_scratch, &zero);
	if (!got || bpf_dynptr_from_mem(got, sizeof(*got), 0, &ptr))
		return MG_REASON_VERITY_MISMATCH;
	err = bpf_get_fsverity_digest(file, &ptr);
	if (err == -MG_ENODATA)
		return MG_REASON_VERITY_ABSENT;
	if (err || got->algorithm != MG_VERITY_ALG_SHA256 || got->size != MG_VERITY_DIGEST_LEN)
		return MG_REASON_VERITY_MISMATCH;
	for (int i = 0; i < MG_VERITY_DIGEST_LEN; i++)
		if (got->digest[i] != want->digest[i])
			return MG_REASON_VERITY_MISMATCH;
	return MG_REASON_NONE;
}

#endif /* MGUARD_VERITY_BPF_H */
