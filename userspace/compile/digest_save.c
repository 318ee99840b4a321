// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The digest cache saved: one line per entry, a checksum trailer, renamed into place. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "compile/digest.h"
#include "compile/digest_cache.h"

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
	wr(&w, "%s", MG_DIGEST_CACHE_MAGIC);
	for (size_t i = 0; i < c->cap; i++) {
		const struct mg_digest_entry *e = &c->slots[i];

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
