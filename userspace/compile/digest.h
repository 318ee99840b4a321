/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * SHA-256 of files (OpenSSL libcrypto), with a cache so unchanged files are
 * not read again.
 *
 * A cache entry is keyed by (st_dev, st_ino) and holds the size, mtime and
 * ctime (nanoseconds) the file had when it was hashed; it is used only when
 * all of them are unchanged. The key always comes from fstat() of the
 * descriptor that is read, never from a path looked up separately, and an
 * entry is stored only when a second fstat() after reading shows the same
 * values, so a file replaced or written while it is read never lands in
 * the cache.
 *
 * ctime cannot be set from userspace, but a filesystem stores it with a
 * coarse clock (a tick, or up to 2 s on some filesystems), so a write right
 * after a file was hashed may leave it unchanged. A file is therefore
 * cached only when its ctime is at least MG_DIGEST_SETTLE_NS older than the
 * moment its reading began; a younger file is hashed again on each call
 * until it has settled. The scheme trusts the kernel's timestamps: it does
 * not hold against a filesystem image crafted with chosen timestamps or a
 * clock set backwards.
 *
 * On disk the cache is a text file (mode 0600, replaced atomically):
 *
 *	mguard-digest-cache 1
 *	DEV INO SIZE MTIME_SEC MTIME_NSEC CTIME_SEC CTIME_NSEC SHA256HEX
 *	...
 *	end COUNT SHA256HEX-OF-ALL-PRECEDING-BYTES
 *
 * A file that is missing, malformed, fails its checksum, is not a regular
 * file, is not owned by the effective user or is writable by group or
 * others loads as an empty cache: entries are only ever an optimisation.
 */
#ifndef MGUARD_DIGEST_H
#define MGUARD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MG_DIGEST_LEN		 32
#define MG_DIGEST_HEX_LEN	 64
#define MG_DIGEST_SETTLE_NS	 2000000000ll
#define MG_DIGEST_CACHE_MAX_FILE (128u << 20) /* larger cache files are ignored */

struct mg_digest_cache;

/*
 * A cache backed by the file at @path, or kept in memory only when @path is
 * NULL. Fails only with -ENOMEM (or -EINVAL for a NULL @ret).
 */
int mg_digest_cache_open(const char *path, struct mg_digest_cache **ret);

/*
 * Write the cache to its file: a temporary file in the same folder, synced,
 * then renamed over it. 0 without doing anything for a memory-only cache.
 */
int mg_digest_cache_save(struct mg_digest_cache *c);

void mg_digest_cache_free(struct mg_digest_cache *c);

/* Number of entries. */
size_t mg_digest_cache_count(const struct mg_digest_cache *c);

/*
 * SHA-256 of the regular file at @path (symbolic links followed), from the
 * cache @c when its entry still matches; @c may be NULL. *@ret_cached (when
 * not NULL) says whether the cache answered. -EISDIR for a directory,
 * -EINVAL for anything else that is not a regular file, -errno for open or
 * read errors, -EIO when libcrypto fails.
 */
int mg_digest_file(struct mg_digest_cache *c, const char *path, uint8_t out[MG_DIGEST_LEN],
		   bool *ret_cached);

/* Lowercase hex, NUL-terminated. */
void mg_digest_hex(const uint8_t d[MG_DIGEST_LEN], char out[MG_DIGEST_HEX_LEN + 1]);

/* Exactly 64 hex digits, either case, nothing else; -EINVAL otherwise. */
int mg_digest_parse_hex(const char *hex, uint8_t out[MG_DIGEST_LEN]);

#endif /* MGUARD_DIGEST_H */
