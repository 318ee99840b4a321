// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * File digests and their cache: an open-addressing hash table keyed by
 * (dev, ino), loaded from and saved to the text format digest.h describes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "compile/digest.h"
#include "compile/digest_cache.h"
#include "core/hex.h"

#define READ_BUF_SIZE (1u << 20)
#define MIN_SLOTS     64

void mg_digest_hex(const uint8_t d[MG_DIGEST_LEN], char out[MG_DIGEST_HEX_LEN + 1])
{
	mg_hex_encode(d, MG_DIGEST_LEN, out);
}

/* 64 hex digits at @s into @out; whatever follows is the caller's business. */
static bool parse_hex64(const char *s, uint8_t out[MG_DIGEST_LEN])
{
	return mg_hex_decode(s, MG_DIGEST_LEN, out) == 0;
}

int mg_digest_parse_hex(const char *hex, uint8_t out[MG_DIGEST_LEN])
{
	uint8_t d[MG_DIGEST_LEN];

	if (!hex || !parse_hex64(hex, d) || hex[MG_DIGEST_HEX_LEN] != '\0')
		return -EINVAL;
	memcpy(out, d, sizeof(d));
	return 0;
}

/* The hash table. */

static uint64_t mix(uint64_t dev, uint64_t ino)
{
	uint64_t x = dev * 0x9e3779b97f4a7c15ull ^ ino;

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static struct mg_digest_entry *slot_for(struct mg_digest_entry *slots, size_t cap, uint64_t dev,
					uint64_t ino)
{
	size_t i = (size_t)mix(dev, ino) & (cap - 1);

	while (slots[i].used && (slots[i].dev != dev || slots[i].ino != ino))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static struct mg_digest_entry *lookup(const struct mg_digest_cache *c, uint64_t dev, uint64_t ino)
{
	struct mg_digest_entry *e;

	if (!c->cap)
		return NULL;
	e = slot_for(c->slots, c->cap, dev, ino);
	return e->used ? e : NULL;
}

static int grow(struct mg_digest_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : MIN_SLOTS;
	struct mg_digest_entry *slots;

	if (cap > SIZE_MAX / 2 / sizeof(*slots))
		return -ENOMEM;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		if (c->slots[i].used)
			*slot_for(slots, cap, c->slots[i].dev, c->slots[i].ino) = c->slots[i];
	}
	free(c->slots);
	c->slots = slots;
	c->cap = cap;
	return 0;
}

/* Add or replace the entry for e->dev, e->ino; -EEXIST when @unique and present. */
static int insert(struct mg_digest_cache *c, const struct mg_digest_entry *e, bool unique)
{
	struct mg_digest_entry *s;
	int err;

	/* At most three quarters full, so probes stay short. */
	if ((c->n + 1) * 4 > c->cap * 3) {
		err = grow(c);
		if (err)
			return err;
	}
	s = slot_for(c->slots, c->cap, e->dev, e->ino);
	if (s->used && unique)
		return -EEXIST;
	if (!s->used)
		c->n++;
	*s = *e;
	s->used = true;
	return 0;
}

static void clear(struct mg_digest_cache *c)
{
	free(c->slots);
	c->slots = NULL;
	c->cap = 0;
	c->n = 0;
}

static void key_of(const struct stat *st, struct mg_digest_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = (uint64_t)st->st_size;
	e->mtime_sec = st->st_mtim.tv_sec;
	e->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	e->ctime_sec = st->st_ctim.tv_sec;
	e->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
}

static bool same_key(const struct mg_digest_entry *a, const struct mg_digest_entry *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

/* Loading. */

static bool parse_u64(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	*p = s;
	return true;
}

static bool parse_s64(const char **p, int64_t *v)
{
	bool neg = **p == '-';
	uint64_t x;

	if (neg)
		(*p)++;
	if (!parse_u64(p, &x))
		return false;
	if (neg ? x > (uint64_t)INT64_MAX + 1 : x > (uint64_t)INT64_MAX)
		return false;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return true;
}

static bool parse_nsec(const char **p, uint32_t *v)
{
	uint64_t x;

	if (!parse_u64(p, &x) || x >= 1000000000)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool sep(const char **p, char ch)
{
	if (**p != ch)
		return false;
	(*p)++;
	return true;
}

static bool parse_record(const char **p, struct mg_digest_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (!parse_u64(p, &e->dev) || !sep(p, ' ') || !parse_u64(p, &e->ino) || !sep(p, ' ') ||
	    !parse_u64(p, &e->size) || !sep(p, ' ') || !parse_s64(p, &e->mtime_sec) ||
	    !sep(p, ' ') || !parse_nsec(p, &e->mtime_nsec) || !sep(p, ' ') ||
	    !parse_s64(p, &e->ctime_sec) || !sep(p, ' ') || !parse_nsec(p, &e->ctime_nsec) ||
	    !sep(p, ' ') || !parse_hex64(*p, e->digest))
		return false;
	*p += MG_DIGEST_HEX_LEN;
	return e->size <= INT64_MAX && sep(p, '\n');
}

static int sha256_buf(const void *buf, size_t len, uint8_t out[MG_DIGEST_LEN])
{
	unsigned int n = 0;

	if (!EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL) || n != MG_DIGEST_LEN)
		return -EIO;
	return 0;
}

/*
 * Fill @c from @buf (@len bytes, NUL-terminated). 0 when the content is
 * well formed, -EINVAL when it is not, -ENOMEM.
 */
static int parse_cache(struct mg_digest_cache *c, const char *buf, size_t len)
{
	uint8_t sum[MG_DIGEST_LEN], want[MG_DIGEST_LEN];
	const char *p, *trailer;
	uint64_t count;
	size_t records = 0;
	int err;

	if (len < strlen(MG_DIGEST_CACHE_MAGIC) ||
	    memcmp(buf, MG_DIGEST_CACHE_MAGIC, strlen(MG_DIGEST_CACHE_MAGIC)) ||
	    buf[len - 1] != '\n' || strlen(buf) != len)
		return -EINVAL;
	/* The last line, "end COUNT HEX", checks everything before it. */
	trailer = buf + len - 1;
	while (trailer > buf && trailer[-1] != '\n')
		trailer--;
	p = trailer;
	if (trailer - buf < (ptrdiff_t)strlen(MG_DIGEST_CACHE_MAGIC) || strncmp(p, "end ", 4))
		return -EINVAL;
	p += 4;
	if (!parse_u64(&p, &count) || !sep(&p, ' ') || !parse_hex64(p, want) ||
	    p[MG_DIGEST_HEX_LEN] != '\n' || p + MG_DIGEST_HEX_LEN + 1 != buf + len)
		return -EINVAL;
	err = sha256_buf(buf, (size_t)(trailer - buf), sum);
	if (err)
		return err;
	if (memcmp(sum, want, sizeof(sum)))
		return -EINVAL;

	for (p = buf + strlen(MG_DIGEST_CACHE_MAGIC); p < trailer; records++) {
		struct mg_digest_entry e;

		if (!parse_record(&p, &e))
			return -EINVAL;
		err = insert(c, &e, true);
		if (err)
			return err == -EEXIST ? -EINVAL : err;
	}
	return records == count ? 0 : -EINVAL;
}

/* Read the cache file; anything but -ENOMEM means an empty cache. */
static int load(struct mg_digest_cache *c)
{
	struct stat st;
	size_t len = 0;
	char *buf;
	int fd, err = 0;

	fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_size > MG_DIGEST_CACHE_MAX_FILE) {
		close(fd);
		return -EPERM;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!err) {
		buf[len] = '\0';
		err = parse_cache(c, buf, len);
	}
	free(buf);
	return err;
}

int mg_digest_cache_open(const char *path, struct mg_digest_cache **ret)
{
	struct mg_digest_cache *c;
	int err;

	if (!ret)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (path) {
		c->path = strdup(path);
		if (!c->path) {
			free(c);
			return -ENOMEM;
		}
		err = load(c);
		if (err)
			clear(c);
		if (err == -ENOMEM) {
			mg_digest_cache_free(c);
			return err;
		}
	}
	*ret = c;
	return 0;
}

void mg_digest_cache_free(struct mg_digest_cache *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c->path);
	free(c);
}

size_t mg_digest_cache_count(const struct mg_digest_cache *c)
{
	return c ? c->n : 0;
}

/* Hashing. */

static int hash_fd(int fd, uint8_t out[MG_DIGEST_LEN])
{
	EVP_MD_CTX *md;
	unsigned int n = 0;
	uint8_t *buf;
	int err = 0;

	buf = malloc(READ_BUF_SIZE);
	md = EVP_MD_CTX_new();
	if (!buf || !md) {
		err = -ENOMEM;
		goto out;
	}
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		err = -EIO;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf, READ_BUF_SIZE);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (r == 0)
			break;
		if (!EVP_DigestUpdate(md, buf, (size_t)r)) {
			err = -EIO;
			goto out;
		}
	}
	if (!EVP_DigestFinal_ex(md, out, &n) || n != MG_DIGEST_LEN)
		err = -EIO;
out:
	EVP_MD_CTX_free(md);
	free(buf);
	return err;
}

/* Whether @st's ctime is at least MG_DIGEST_SETTLE_NS before @start. */
static bool settled(const struct stat *st, const struct timespec *start)
{
	int64_t sec = start->tv_sec - MG_DIGEST_SETTLE_NS / 1000000000;
	long nsec = start->tv_nsec - MG_DIGEST_SETTLE_NS % 1000000000;

	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	if (st->st_ctim.tv_sec != sec)
		return st->st_ctim.tv_sec < sec;
	return st->st_ctim.tv_nsec < nsec;
}

int mg_digest_file(struct mg_digest_cache *c, const char *path, uint8_t out[MG_DIGEST_LEN],
		   bool *ret_cached)
{
	struct mg_digest_entry before, after;
	struct timespec start;
	struct stat st;
	const struct mg_digest_entry *e;
	int fd, err;

	if (ret_cached)
		*ret_cached = false;
	if (clock_gettime(CLOCK_REALTIME, &start))
		return -errno;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	key_of(&st, &before);
	e = c ? lookup(c, before.dev, before.ino) : NULL;
	if (e && same_key(e, &before)) {
		memcpy(out, e->digest, MG_DIGEST_LEN);
		if (ret_cached)
			*ret_cached = true;
		err = 0;
		goto out;
	}
	err = hash_fd(fd, out);
	if (err || !c || !settled(&st, &start) || fstat(fd, &st))
		goto out;
	key_of(&st, &after);
	if (same_key(&before, &after)) {
		memcpy(after.digest, out, MG_DIGEST_LEN);
		/* Not caching loses only time; the digest stands. */
		insert(c, &after, false);
	}
out:
	close(fd);
	return err;
}
