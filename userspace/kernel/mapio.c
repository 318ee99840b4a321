// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "core/array.h"
#include "kernel/mapio.h"

#define MG_BATCH    8192 /* entries per batch system call */
#define MG_ENOTSUPP 524	 /* the kernel's own "not supported" */

/* The kernel has no batch operation for this map type. */
static bool mg_no_batch(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -MG_ENOTSUPP;
}

int mg_map_write(int fd, const void *keys, const void *vals, size_t n, size_t key_size,
		 size_t val_size, size_t *ret_done)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const unsigned char *k = keys, *v = vals;
	size_t done = 0;
	int err = 0;

	while (done < n) {
		__u32 count = n - done < MG_BATCH ? n - done : MG_BATCH;

		err = bpf_map_update_batch(fd, k + done * key_size, v + done * val_size, &count,
					   &opts);
		if (err && mg_no_batch(err) && count == 0)
			break;
		done += count;
		if (err)
			goto out;
	}
	/* No batches for this map: one entry at a time. */
	for (err = 0; done < n; done++) {
		if (bpf_map_update_elem(fd, k + done * key_size, v + done * val_size, BPF_ANY)) {
			err = -errno;
			break;
		}
	}
out:
	*ret_done = done;
	return err;
}

struct mg_stale {
	unsigned char *keys;
	size_t n, cap, key_size;
};

static int mg_stale_add(struct mg_stale *s, const void *key)
{
	void *slot = mg_array_push(&s->keys, &s->n, &s->cap, s->key_size);

	if (!slot)
		return -ENOMEM;
	memcpy(slot, key, s->key_size);
	return 0;
}

static bool mg_is_stale(const unsigned char *key, size_t gen_offset, __u32 keep)
{
	__u32 gen;

	memcpy(&gen, key + gen_offset, sizeof(gen));
	return gen != keep;
}

/* Collect the stale keys by batches; -ENOTSUPP style errors when the map has none. */
static int mg_collect_batch(int fd, size_t val_size, size_t gen_offset, __u32 keep,
			    struct mg_stale *s)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	/* Where to go on: a bucket index (hash maps) or the last key (others). */
	unsigned char token_in[64], token_out[64];
	unsigned char *keys, *vals;
	bool first = true;
	int err = 0;

	if (s->key_size > sizeof(token_in))
		return -EINVAL;
	keys = malloc(MG_BATCH * s->key_size);
	vals = malloc(MG_BATCH * val_size);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		__u32 count = MG_BATCH;
		int r = bpf_map_lookup_batch(fd, first ? NULL : token_in, token_out, keys, vals,
					     &count, &opts);

		if (r && r != -ENOENT) {
			err = r;
			break;
		}
		for (__u32 i = 0; i < count && !err; i++)
			if (mg_is_stale(keys + i * s->key_size, gen_offset, keep))
				err = mg_stale_add(s, keys + i * s->key_size);
		if (err || r == -ENOENT)
			break;
		memcpy(token_in, token_out, sizeof(token_in));
		first = false;
	}
out:
	free(keys);
	free(vals);
	return err;
}

/* The same, one key at a time. */
static int mg_collect_each(int fd, size_t gen_offset, __u32 keep, struct mg_stale *s)
{
	unsigned char next[64], cur[64];
	void *prev = NULL;
	int err = 0;

	if (s->key_size > sizeof(next))
		return -EINVAL;
	while (!err && bpf_map_get_next_key(fd, prev, next) == 0) {
		if (mg_is_stale(next, gen_offset, keep))
			err = mg_stale_add(s, next);
		memcpy(cur, next, s->key_size);
		prev = cur;
	}
	return err;
}

/*
 * The keys are collected first and deleted after: deleting while iterating
 * would restart the walk at every deletion.
 */
int mg_map_prune(int fd, size_t key_size, size_t val_size, size_t gen_offset, __u32 keep)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct mg_stale s = { .key_size = key_size };
	size_t done = 0;
	int err;

	err = mg_collect_batch(fd, val_size, gen_offset, keep, &s);
	if (mg_no_batch(err)) {
		s.n = 0;
		err = mg_collect_each(fd, gen_offset, keep, &s);
	}
	while (!err && done < s.n) {
		__u32 count = s.n - done < MG_BATCH ? s.n - done : MG_BATCH;
		int r = bpf_map_delete_batch(fd, s.keys + done * key_size, &count, &opts);

		done += count;
		if (r && mg_no_batch(r) && count == 0)
			break;
		if (r == -ENOENT) {
			done++; /* gone already: the batch stopped there, go on after it */
			continue;
		}
		err = r;
	}
	for (; !err && done < s.n; done++)
		if (bpf_map_delete_elem(fd, s.keys + done * key_size) && errno != ENOENT)
			err = -errno;
	free(s.keys);
	return err;
}
