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

#define READ_BUF_SIZE (1u << 20)
#define CACHE_MAGIC   "mguard-digest-cache 1\n"
#define MIN_SLOTS     64

struct entry {
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
	struct entry *slots;
	size_t cap; /* 0 or a power of two */
	size_t n;
};

static const char hexdigits[] = "0123456789abcdef";

void mg_digest_hex(const uint8_t d[MG_DIGEST_LEN], char out[MG_DIGEST_HEX_LEN + 1])
{
	for (int i = 0; i < MG_DIGEST_LEN; i++) {
		out[2 * i] = hexdigits[d[i] >> 4];
		out[2 * i + 1] = hexdigits[d[i] & 0xf];
	}
	out[MG_DIGEST_HEX_LEN] = '\0';
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* 64 hex digits at @s into @out; whatever follows is the caller's business. */
static bool parse_hex64(const char *s, uint8_t out[MG_DIGEST_LEN])
{
	for (int i = 0; i < MG_DIGEST_LEN; i++) {
		int hi = hexval(s[2 * i]), lo;

		if (hi < 0)
			return false;
		lo = hexval(s[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
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

static struct entry *slot_for(struct entry *slots, size_t cap, uint64_t dev, uint64_t ino)
{
	size_t i = (size_t)mix(dev, ino) & (cap - 1);

	while (slots[i].used && (slots[i].dev != dev || slots[i].ino != ino))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static struct entry *lookup(const struct mg_digest_cache *c, uint64_t dev, uint64_t ino)
{
	struct entry *e;

	if (!c->cap)
		return NULL;
	e = slot_for(c->slots, c->cap, dev, ino);
	return e->used ? e : NULL;
}

static int grow(struct mg_digest_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : MIN_SLOTS;
	struct entry *slots;

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
static int insert(struct mg_digest_cache *c, const struct entry *e, bool unique)
{
	struct entry *s;
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

static void key_of(const struct stat *st, struct entry *e)
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

static bool same_key(const struct entry *a, const struct entry *b)
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

static bool parse_record(const char **p, struct entry *e)
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

	if (len < strlen(CACHE_MAGIC) || memcmp(buf, CACHE_MAGIC, strlen(CACHE_MAGIC)) ||
	    buf[len - 1] != '\n' || strlen(buf) != len)
		return -EINVAL;
	/* The last line, "end COUNT HEX", checks everything before it. */
	trailer = buf + len - 1;
	while (trailer > buf && trailer[-1] != '\n')
		trailer--;
	p = trailer;
	if (trailer - buf < (ptrdiff_t)strlen(CACHE_MAGIC) || strncmp(p, "end ", 4))
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

	for (p = buf + strlen(CACHE_MAGIC); p < trailer; records++) {
		struct entry e;

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

/* Saving. */

struct writer {
	FILE *f;
	EVP_MD_CTX *md;
	bool failed;
};

static void wr(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wr(struct writer *w, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (w->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) || fwrite(line, 1, (size_t)n, w->f) != (size_t)n ||
	    (w->md && !EVP_DigestUpdate(w->md, line, (size_t)n)))
		w->failed = true;
}

static int write_entries(struct mg_digest_cache *c, FILE *f)
{
	struct writer w = { .f = f };
	uint8_t sum[MG_DIGEST_LEN];
	char hex[MG_DIGEST_HEX_LEN + 1];
	unsigned int n = 0;
	EVP_MD_CTX *md;
	int err = 0;

	md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	w.md = md;
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		err = -EIO;
		goto out;
	}
	wr(&w, "%s", CACHE_MAGIC);
	for (size_t i = 0; i < c->cap; i++) {
		const struct entry *e = &c->slots[i];

		if (!e->used)
			continue;
		mg_digest_hex(e->digest, hex);
		wr(&w, "%llu %llu %llu %lld %u %lld %u %s\n", (unsigned long long)e->dev,
		   (unsigned long long)e->ino, (unsigned long long)e->size, (long long)e->mtime_sec,
		   e->mtime_nsec, (long long)e->ctime_sec, e->ctime_nsec, hex);
	}
	if (w.failed) {
		err = -EIO;
		goto out;
	}
	if (!EVP_DigestFinal_ex(md, sum, &n) || n != MG_DIGEST_LEN) {
		err = -EIO;
		goto out;
	}
	mg_digest_hex(sum, hex);
	w.md = NULL; /* the trailer is not part of what it checks */
	wr(&w, "end %zu %s\n", c->n, hex);
	if (w.failed)
		err = -EIO;
out:
	EVP_MD_CTX_free(md);
	return err;
}

/* Make a rename in the folder of @path durable; a failure here loses nothing. */
static void sync_dir_of(const char *path)
{
	char *copy = strdup(path), *slash;
	int fd;

	if (!copy)
		return;
	slash = strrchr(copy, '/');
	if (slash == copy)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	fd = open(slash ? copy : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int mg_digest_cache_save(struct mg_digest_cache *c)
{
	char *tmp;
	FILE *f;
	int fd, err;

	if (!c)
		return -EINVAL;
	if (!c->path)
		return 0;
	if (asprintf(&tmp, "%s.XXXXXX", c->path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	if (fchmod(fd, 0600)) {
		err = -errno;
		close(fd);
		goto fail;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto fail;
	}
	err = write_entries(c, f);
	if (!err && fflush(f))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		goto fail;
	if (rename(tmp, c->path)) {
		err = -errno;
		goto fail;
	}
	free(tmp);
	sync_dir_of(c->path);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return err;
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
	struct entry before, after;
	struct timespec start;
	struct stat st;
	const struct entry *e;
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
