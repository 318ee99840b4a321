/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The digest cache's table, shared by digest.c (lookup, load, hashing) and
 * digest_save.c (the file it is saved to). Internal to compile/.
 */
#ifndef MGUARD_DIGEST_CACHE_H
#define MGUARD_DIGEST_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile/digest.h"

#define MG_DIGEST_CACHE_MAGIC "mguard-digest-cache 1\n"

struct mg_digest_entry {
	uint64_t dev;
	uint64_t ino;
	uint64_t size;
	int64_t mtime_sec;
	int64_t ctime_sec;
	uint32_t mtime_nsec;
	uint32_t ctime_nsec;
	uint8_t digest[MG_DIGEST_LEN];
	bool used;
};

struct mg_digest_cache {
	char *path; /* NULL: memory only */
	struct mg_digest_entry *slots;
	size_t cap; /* 0 or a power of two */
	size_t n;
};

#endif /* MGUARD_DIGEST_CACHE_H */
