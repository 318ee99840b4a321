// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "compile/digest.h"

#define SHA256_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char base[1024];

/*
 * Files only enter the cache once their ctime is MG_DIGEST_SETTLE_NS old,
 * so the files the cache tests use are made once, here, and then waited for.
 */
static const char *const aged_names[] = {
	"hit", "change", "replace", "persist-a", "persist-b", "link-target", "many", "corrupt",
};

struct fx {
	char dir[PATH_MAX];
	struct mg_digest_cache *c;
};

static const char *in_base(const char *name)
{
	return unit_path(base, name);
}

static int group_setup(void **state)
{
	struct timespec wait = {
		.tv_sec = MG_DIGEST_SETTLE_NS / 1000000000,
		.tv_nsec = MG_DIGEST_SETTLE_NS % 1000000000 + 200000000,
	};

	if (unit_mkdtemp(base, sizeof(base), "digest"))
		return -1;
	for (size_t i = 0; i < sizeof(aged_names) / sizeof(aged_names[0]); i++) {
		if (unit_write_file(in_base(aged_names[i]), aged_names[i], strlen(aged_names[i])))
			return -1;
	}
	while (nanosleep(&wait, &wait) && errno == EINTR)
		;
	return 0;
}

static int group_teardown(void **state)
{
	return unit_rm_tree(base);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx || unit_mksubdir(fx->dir, sizeof(fx->dir), base)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mg_digest_cache_free(fx->c);
	unit_rm_tree(fx->dir);
	free(fx);
	return 0;
}

static const char *path_of(const struct fx *fx, const char *name)
{
	return unit_path(fx->dir, name);
}

static void put(const struct fx *fx, const char *name, const void *data, size_t len)
{
	unit_put(path_of(fx, name), data, len);
}

static void expect_hex(const uint8_t d[MG_DIGEST_LEN], const char *want)
{
	char hex[MG_DIGEST_HEX_LEN + 1];

	mg_digest_hex(d, hex);
	assert_string_equal(hex, want);
}

/* SHA-256 computed in one go, independently of the file reader. */
static void sha256_of(const void *data, size_t len, uint8_t out[MG_DIGEST_LEN])
{
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(data, len, out, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, MG_DIGEST_LEN);
}

static void expect_digest_of(const uint8_t d[MG_DIGEST_LEN], const char *text)
{
	uint8_t want[MG_DIGEST_LEN];

	sha256_of(text, strlen(text), want);
	assert_memory_equal(d, want, MG_DIGEST_LEN);
}

static void test_abc(void **state)
{
	struct fx *fx = *state;
	uint8_t d[MG_DIGEST_LEN];
	bool cached = true;

	put(fx, "abc", "abc", 3);
	assert_int_equal(mg_digest_file(NULL, path_of(fx, "abc"), d, &cached), 0);
	assert_false(cached);
	expect_hex(d, SHA256_ABC);
}

static void test_empty(void **state)
{
	struct fx *fx = *state;
	uint8_t d[MG_DIGEST_LEN];

	put(fx, "empty", "", 0);
	assert_int_equal(mg_digest_file(NULL, path_of(fx, "empty"), d, NULL), 0);
	expect_hex(d, SHA256_EMPTY);
}

/* Larger than the read buffer, and not a multiple of it. */
static void test_large(void **state)
{
	struct fx *fx = *state;
	size_t len = (3u << 20) + 7;
	uint8_t d[MG_DIGEST_LEN], want[MG_DIGEST_LEN];
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31 + (i >> 13));
	put(fx, "large", buf, len);
	sha256_of(buf, len, want);
	free(buf);
	assert_int_equal(mg_digest_file(NULL, path_of(fx, "large"), d, NULL), 0);
	assert_memory_equal(d, want, MG_DIGEST_LEN);
}

static void test_hit(void **state)
{
	struct fx *fx = *state;
	uint8_t d1[MG_DIGEST_LEN], d2[MG_DIGEST_LEN];
	bool cached = true;

	assert_int_equal(mg_digest_cache_open(NULL, &fx->c), 0);
	assert_int_equal(mg_digest_file(fx->c, in_base("hit"), d1, &cached), 0);
	assert_false(cached);
	expect_digest_of(d1, "hit");
	assert_int_equal(mg_digest_cache_count(fx->c), 1);
	assert_int_equal(mg_digest_file(fx->c, in_base("hit"), d2, &cached), 0);
	assert_true(cached);
	assert_memory_equal(d1, d2, MG_DIGEST_LEN);
	assert_int_equal(mg_digest_cache_count(fx->c), 1);
}

/* A file written moments ago may still change within its ctime tick. */
static void test_fresh_not_cached(void **state)
{
	struct fx *fx = *state;
	uint8_t d[MG_DIGEST_LEN];
	bool cached = true;

	assert_int_equal(mg_digest_cache_open(NULL, &fx->c), 0);
	put(fx, "new", "new", 3);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(mg_digest_file(fx->c, path_of(fx, "new"), d, &cached), 0);
		assert_false(cached);
		expect_digest_of(d, "new");
	}
	assert_int_equal(mg_digest_cache_count(fx->c), 0);
}

static void test_miss_after_change(void **state)
{
	struct fx *fx = *state;
	const char *path = in_base("change");
	struct timespec times[2];
	uint8_t d[MG_DIGEST_LEN];
	struct stat st;
	bool cached;

	assert_int_equal(mg_digest_cache_open(NULL, &fx->c), 0);
	assert_int_equal(mg_digest_file(fx->c, path, d, &cached), 0);
	assert_int_equal(mg_digest_file(fx->c, path, d, &cached), 0);
	assert_true(cached);

	/* Same size, new content, mtime bumped. */
	assert_int_equal(stat(path, &st), 0);
	unit_put(path, "CHANGE", 6);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	times[1].tv_sec += 10;
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
	assert_int_equal(mg_digest_file(fx->c, path, d, &cached), 0);
	assert_false(cached);
	expect_digest_of(d, "CHANGE");

	/* Content changed again and mtime set back: the ctime still differs. */
	unit_put(path, "change", 6);
	times[1].tv_sec -= 10;
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
	assert_int_equal(mg_digest_file(fx->c, path, d, &cached), 0);
	assert_false(cached);
	expect_digest_of(d, "change");
}

static void test_miss_after_rename_replace(void **state)
{
	struct fx *fx = *state;
	const char *path = in_base("replace");
	uint8_t d[MG_DIGEST_LEN];
	struct stat before, after;
	bool cached;

	assert_int_equal(mg_digest_cache_open(NULL, &fx->c), 0);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(mg_digest_file(fx->c, path, d, &cached), 0);
	assert_int_equal(mg_digest_file(fx->c, path, d, &cached), 0);
	assert_true(cached);

	put(fx, "other", "REPLACE", 7);
	assert_int_equal(rename(path_of(fx, "other"), path), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_int_equal(mg_digest_file(fx->c, path, d, &cached), 0);
	assert_false(cached);
	expect_digest_of(d, "REPLACE");
}

static void test_persisted(void **state)
{
	struct fx *fx = *state;
	const char *cache = path_of(fx, "cache");
	uint8_t d[MG_DIGEST_LEN];
	struct stat st;
	bool cached;

	assert_int_equal(mg_digest_cache_open(cache, &fx->c), 0);
	assert_int_equal(mg_digest_cache_count(fx->c), 0);
	assert_int_equal(mg_digest_file(fx->c, in_base("persist-a"), d, &cached), 0);
	assert_int_equal(mg_digest_file(fx->c, in_base("persist-b"), d, &cached), 0);
	assert_int_equal(mg_digest_cache_save(fx->c), 0);
	mg_digest_cache_free(fx->c);
	fx->c = NULL;

	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(mg_digest_cache_open(cache, &fx->c), 0);
	assert_int_equal(mg_digest_cache_count(fx->c), 2);
	assert_int_equal(mg_digest_file(fx->c, in_base("persist-a"), d, &cached), 0);
	assert_true(cached);
	expect_digest_of(d, "persist-a");
	assert_int_equal(mg_digest_file(fx->c, in_base("persist-b"), d, &cached), 0);
	assert_true(cached);
	expect_digest_of(d, "persist-b");

	/* Saved again over the old file: still one file, nothing left behind. */
	assert_int_equal(mg_digest_cache_save(fx->c), 0);
	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_nlink, 1);
}

static void test_memory_only_save(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mg_digest_cache_open(NULL, &fx->c), 0);
	assert_int_equal(mg_digest_cache_save(fx->c), 0);
	assert_int_equal(mg_digest_cache_open(NULL, NULL), -EINVAL);
}

static void test_save_error(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mg_digest_cache_open(path_of(fx, "no/such/folder/cache"), &fx->c), 0);
	assert_int_equal(mg_digest_cache_count(fx->c), 0);
	assert_int_equal(mg_digest_cache_save(fx->c), -ENOENT);
}

/* Save a cache holding the entry for in_base("corrupt"); return its text. */
static char *saved_cache(struct fx *fx, const char *cache, size_t *len)
{
	uint8_t d[MG_DIGEST_LEN];
	char *buf;

	assert_int_equal(mg_digest_cache_open(cache, &fx->c), 0);
	assert_int_equal(mg_digest_file(fx->c, in_base("corrupt"), d, NULL), 0);
	assert_int_equal(mg_digest_cache_save(fx->c), 0);
	mg_digest_cache_free(fx->c);
	fx->c = NULL;
	buf = unit_slurp(cache, len);
	assert_true(*len > 0);
	return buf;
}

static void write_cache(const char *cache, const char *text, size_t len)
{
	unit_put(cache, text, len);
	assert_int_equal(chmod(cache, 0600), 0);
}

static size_t count_loaded(struct fx *fx, const char *cache)
{
	size_t n;

	mg_digest_cache_free(fx->c);
	fx->c = NULL;
	assert_int_equal(mg_digest_cache_open(cache, &fx->c), 0);
	n = mg_digest_cache_count(fx->c);
	mg_digest_cache_free(fx->c);
	fx->c = NULL;
	return n;
}

static void test_corrupt_tolerated(void **state)
{
	struct fx *fx = *state;
	const char *cache = path_of(fx, "cache");
	char *good, *bad, *p;
	size_t len;

	good = saved_cache(fx, cache, &len);
	assert_int_equal(count_loaded(fx, cache), 1);
	bad = malloc(len + 1);
	assert_non_null(bad);

	/* Garbage, binary zeros, nothing at all. */
	write_cache(cache, "this is not a cache\n", 20);
	assert_int_equal(count_loaded(fx, cache), 0);
	write_cache(cache, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(count_loaded(fx, cache), 0);
	write_cache(cache, "", 0);
	assert_int_equal(count_loaded(fx, cache), 0);

	/* One digit of the digest changed: the checksum no longer matches. */
	memcpy(bad, good, len);
	p = strchr(strchr(bad, '\n') + 1, '\n') - 1;
	*p = *p == '0' ? '1' : '0';
	write_cache(cache, bad, len);
	assert_int_equal(count_loaded(fx, cache), 0);

	/* Cut anywhere: before the trailer, inside it, inside a record. */
	write_cache(cache, good, (size_t)(strstr(good, "end ") - good));
	assert_int_equal(count_loaded(fx, cache), 0);
	write_cache(cache, good, len - 1);
	assert_int_equal(count_loaded(fx, cache), 0);
	write_cache(cache, good, len / 2);
	assert_int_equal(count_loaded(fx, cache), 0);

	/* Intact, but writable by others: not trusted. */
	write_cache(cache, good, len);
	assert_int_equal(count_loaded(fx, cache), 1);
	assert_int_equal(chmod(cache, 0666), 0);
	assert_int_equal(count_loaded(fx, cache), 0);

	/* A folder where the cache should be. */
	assert_int_equal(unlink(cache), 0);
	assert_int_equal(mkdir(cache, 0700), 0);
	assert_int_equal(count_loaded(fx, cache), 0);
	assert_int_equal(rmdir(cache), 0);

	/* After a corrupt load the cache works and the next save repairs it. */
	write_cache(cache, "garbage", 7);
	free(saved_cache(fx, cache, &len));
	assert_int_equal(count_loaded(fx, cache), 1);
	free(bad);
	free(good);
}

/* A cache file that is a link is not followed. */
static void test_cache_symlink_ignored(void **state)
{
	struct fx *fx = *state;
	char cache[2 * PATH_MAX], real[2 * PATH_MAX];
	char *good;
	size_t len;

	snprintf(cache, sizeof(cache), "%s", path_of(fx, "cache"));
	good = saved_cache(fx, cache, &len);
	free(good);
	snprintf(real, sizeof(real), "%s", path_of(fx, "real"));
	assert_int_equal(rename(cache, real), 0);
	assert_int_equal(symlink(real, cache), 0);
	assert_int_equal(count_loaded(fx, cache), 0);
}

/*
 * 100,000 entries and the one for a real file: loaded, found, saved and
 * loaded again.
 */
static void test_many_entries(void **state)
{
	struct fx *fx = *state;
	const char *cache = path_of(fx, "cache");
	const size_t count = 100000;
	uint8_t d[MG_DIGEST_LEN], sum[MG_DIGEST_LEN];
	char hex[MG_DIGEST_HEX_LEN + 1], fake[MG_DIGEST_HEX_LEN + 1];
	struct timespec t0, t1;
	char *buf, *p;
	struct stat st;
	size_t cap = (count + 2) * 160;
	bool cached;
	double secs;

	assert_int_equal(stat(in_base("many"), &st), 0);
	memset(fake, 'a', MG_DIGEST_HEX_LEN);
	fake[MG_DIGEST_HEX_LEN] = '\0';
	buf = malloc(cap);
	assert_non_null(buf);
	p = buf + sprintf(buf, "mguard-digest-cache 1\n");
	for (size_t i = 0; i < count; i++) {
		memset(d, 0, sizeof(d));
		memcpy(d, &i, sizeof(i));
		mg_digest_hex(d, hex);
		/* Same device and neighbouring inodes, as a real tree has. */
		p += sprintf(p, "%llu %llu %zu 1700000000 %zu 1700000000 0 %s\n",
			     (unsigned long long)st.st_dev, (unsigned long long)st.st_ino + 1 + i,
			     i, i % 1000000000, hex);
	}
	p += sprintf(p, "%llu %llu %lld %lld %ld %lld %ld %s\n", (unsigned long long)st.st_dev,
		     (unsigned long long)st.st_ino, (long long)st.st_size,
		     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
		     st.st_ctim.tv_nsec, fake);
	sha256_of(buf, (size_t)(p - buf), sum);
	mg_digest_hex(sum, hex);
	p += sprintf(p, "end %zu %s\n", count + 1, hex);
	write_cache(cache, buf, (size_t)(p - buf));
	free(buf);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(mg_digest_cache_open(cache, &fx->c), 0);
	assert_int_equal(mg_digest_cache_count(fx->c), count + 1);
	/* The cache answers, so the digest is the planted one. */
	assert_int_equal(mg_digest_file(fx->c, in_base("many"), d, &cached), 0);
	assert_true(cached);
	expect_hex(d, fake);
	assert_int_equal(mg_digest_cache_save(fx->c), 0);
	mg_digest_cache_free(fx->c);
	fx->c = NULL;
	assert_int_equal(mg_digest_cache_open(cache, &fx->c), 0);
	assert_int_equal(mg_digest_cache_count(fx->c), count + 1);
	assert_int_equal(mg_digest_file(fx->c, in_base("many"), d, &cached), 0);
	assert_true(cached);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* Generous even for a sanitizer build on a slow machine. */
	assert_true(secs < 20.0);
}

static void test_symlink_followed(void **state)
{
	struct fx *fx = *state;
	char target[2 * PATH_MAX];
	uint8_t d[MG_DIGEST_LEN];
	bool cached;

	assert_int_equal(mg_digest_cache_open(NULL, &fx->c), 0);
	snprintf(target, sizeof(target), "%s", in_base("link-target"));
	assert_int_equal(symlink(target, path_of(fx, "link")), 0);
	assert_int_equal(mg_digest_file(fx->c, path_of(fx, "link"), d, &cached), 0);
	assert_false(cached);
	expect_digest_of(d, "link-target");
	/* The entry belongs to the file, whichever name reached it. */
	assert_int_equal(mg_digest_file(fx->c, target, d, &cached), 0);
	assert_true(cached);
}

static void test_file_errors(void **state)
{
	struct fx *fx = *state;
	uint8_t d[MG_DIGEST_LEN];

	assert_int_equal(mg_digest_cache_open(NULL, &fx->c), 0);
	assert_int_equal(mg_digest_file(fx->c, path_of(fx, "missing"), d, NULL), -ENOENT);
	assert_int_equal(mg_digest_file(fx->c, fx->dir, d, NULL), -EISDIR);
	assert_int_equal(mkfifo(path_of(fx, "fifo"), 0600), 0);
	assert_int_equal(mg_digest_file(fx->c, path_of(fx, "fifo"), d, NULL), -EINVAL);
	assert_int_equal(mg_digest_file(fx->c, "/dev/null", d, NULL), -EINVAL);
	assert_int_equal(mg_digest_cache_count(fx->c), 0);
}

/*
 * Permissions do not stop root: when the tests run as root, the read runs
 * with the effective uid of nobody (which also drops CAP_DAC_OVERRIDE).
 */
static void test_unreadable(void **state)
{
	struct fx *fx = *state;
	uint8_t d[MG_DIGEST_LEN];
	uid_t was = geteuid();
	int err;

	put(fx, "secret", "secret", 6);
	assert_int_equal(chmod(path_of(fx, "secret"), 0), 0);
	assert_int_equal(chmod(base, 0755), 0);
	assert_int_equal(chmod(fx->dir, 0755), 0);
	if (was == 0)
		assert_int_equal(seteuid(65534), 0);
	err = mg_digest_file(NULL, path_of(fx, "secret"), d, NULL);
	if (was == 0)
		assert_int_equal(seteuid(0), 0);
	assert_int_equal(chmod(fx->dir, 0700), 0);
	assert_int_equal(chmod(base, 0700), 0);
	assert_int_equal(err, -EACCES);
}

static void test_hex(void **state)
{
	static const char upper[] =
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
	uint8_t d[MG_DIGEST_LEN], e[MG_DIGEST_LEN];
	char hex[MG_DIGEST_HEX_LEN + 1], bad[MG_DIGEST_HEX_LEN + 2];

	assert_int_equal(mg_digest_parse_hex(SHA256_ABC, d), 0);
	mg_digest_hex(d, hex);
	assert_string_equal(hex, SHA256_ABC);
	assert_int_equal(d[0], 0xba);
	assert_int_equal(d[31], 0xad);
	assert_int_equal(mg_digest_parse_hex(upper, e), 0);
	assert_memory_equal(d, e, MG_DIGEST_LEN);

	memset(e, 0x5a, sizeof(e));
	assert_int_equal(mg_digest_parse_hex(&SHA256_ABC[1], e), -EINVAL);
	snprintf(bad, sizeof(bad), "%s0", SHA256_ABC);
	assert_int_equal(mg_digest_parse_hex(bad, e), -EINVAL);
	snprintf(bad, sizeof(bad), "%s", SHA256_ABC);
	bad[10] = 'g';
	assert_int_equal(mg_digest_parse_hex(bad, e), -EINVAL);
	bad[10] = ' ';
	assert_int_equal(mg_digest_parse_hex(bad, e), -EINVAL);
	assert_int_equal(mg_digest_parse_hex("", e), -EINVAL);
	assert_int_equal(mg_digest_parse_hex(NULL, e), -EINVAL);
	/* A failed parse leaves the output alone. */
	for (int i = 0; i < MG_DIGEST_LEN; i++)
		assert_int_equal(e[i], 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_abc),
		T(test_empty),
		T(test_large),
		T(test_hit),
		T(test_fresh_not_cached),
		T(test_miss_after_change),
		T(test_miss_after_rename_replace),
		T(test_persisted),
		T(test_memory_only_save),
		T(test_save_error),
		T(test_corrupt_tolerated),
		T(test_cache_symlink_ignored),
		T(test_many_entries),
		T(test_symlink_followed),
		T(test_file_errors),
		T(test_unreadable),
		T(test_hex),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
