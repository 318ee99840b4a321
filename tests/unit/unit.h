/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every cmocka unit test includes first: cmocka (and the headers it
 * needs), then the fixture helpers the tests share. Each test_*.c is a program
 * of its own, so the helpers are static inline: each test compiles the ones it
 * calls, and the Makefile rebuilds every test when this file changes.
 */
#ifndef MGUARD_UNIT_H
#define MGUARD_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/events.h"

/* ---- Folders and files ---------------------------------------------------------- */

/* Make a fresh folder $TMPDIR/mguard-@name-XXXXXX (/tmp without TMPDIR) in @dir; 0 or -1. */
static inline int unit_mkdtemp(char *dir, size_t size, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, size, "%s/mguard-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	return mkdtemp(dir) ? 0 : -1;
}

/* Make the next folder @base/tN (N counts up through the test program) in @dir; 0 or -1. */
static inline int unit_mksubdir(char *dir, size_t size, const char *base)
{
	static unsigned int seq;

	snprintf(dir, size, "%s/t%u", base, ++seq);
	return mkdir(dir, 0700) ? -1 : 0;
}

/* nftw() callback of unit_rm_tree(): folders a test closed are opened before they go. */
static inline int unit_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *pos)
{
	if (flag == FTW_DP || flag == FTW_DNR)
		chmod(path, 0700);
	return remove(path);
}

/* Remove @path and everything below it, symlinks not followed; 0, or -1 at the first failure. */
static inline int unit_rm_tree(const char *path)
{
	chmod(path, 0700);
	return nftw(path, unit_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* "@dir/@name", in one of 32 buffers used in turn, so one call can take several paths. */
static inline const char *unit_path(const char *dir, const char *name)
{
	static char buf[32][2 * PATH_MAX];
	static unsigned int next;
	char *p = buf[next++ % 32];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

/* Create or truncate @path (mode 0644) and write @len bytes of @data; 0 or -1. */
static inline int unit_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	if (close(fd) || n != (ssize_t)len)
		return -1;
	return 0;
}

/* unit_write_file() that fails the test when the file cannot be written whole. */
static inline void unit_put(const char *path, const void *data, size_t len)
{
	assert_int_equal(unit_write_file(path, data, len), 0);
}

/* The content of @path, NUL-terminated, to free(), its length in *@ret_len (may be NULL). */
static inline char *unit_slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (ret_len)
		*ret_len = (size_t)n;
	return buf;
}

/* ---- Commands ------------------------------------------------------------------- */

/* What a command returned and printed. */
struct unit_cli {
	int status;
	char *out;
	char *err;
};

/*
 * Run "mguard @name ARGS..." through @cmd, ARGS from @arg on and NULL-terminated,
 * with stdout and stderr captured in @dir/cli.out and @dir/cli.err.
 */
static inline struct unit_cli unit_run_cli(int (*cmd)(int, char **), const char *name,
					   const char *dir, const char *arg, ...)
{
	char *argv[16] = { (char *)name };
	int argc = 1, saved_out, saved_err, fd;
	struct unit_cli r;
	va_list ap;

	va_start(ap, arg);
	for (; arg; arg = va_arg(ap, const char *)) {
		assert_true(argc < 15);
		argv[argc++] = (char *)arg;
	}
	va_end(ap);

	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	fd = open(unit_path(dir, "cli.out"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 1);
	close(fd);
	fd = open(unit_path(dir, "cli.err"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);

	r.status = cmd(argc, argv);

	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	r.out = unit_slurp(unit_path(dir, "cli.out"), NULL);
	r.err = unit_slurp(unit_path(dir, "cli.err"), NULL);
	return r;
}

/* @r exited with @status and printed @out and @err (NULL: not checked); frees @r. */
static inline void unit_expect_cli(struct unit_cli r, int status, const char *out, const char *err)
{
	if (r.status != status || (out && strcmp(r.out, out)) || (err && strcmp(r.err, err)))
		fprintf(stderr, "status %d\nstdout:\n%s\nstderr:\n%s\n", r.status, r.out, r.err);
	assert_int_equal(r.status, status);
	if (out)
		assert_string_equal(r.out, out);
	if (err)
		assert_string_equal(r.err, err);
	free(r.out);
	free(r.err);
}

/* ---- Events --------------------------------------------------------------------- */

/* The JSON line mg_event_print_json() writes for @e, newline included, to free(). */
static inline char *unit_render(const struct mg_event *e, const struct mg_image *img,
				int64_t boot_offset_ns)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	struct mg_event_ctx ctx = { .img = img, .boot_offset_ns = boot_offset_ns };

	mg_event_print_json(out, e, &ctx);
	fclose(out);
	return buf;
}

/*
 * A file_open that the tracepoint killed for its tier: python3, pid 10 tid 11,
 * cgroup 77, generation 2, 1.5 s after boot, scope 1, inode 42 on 8:1 named
 * @name, model 1 at tier 3.
 */
static inline struct mg_event unit_file_event(const char *name)
{
	struct mg_event e = {
		.ts_boot_ns = 1500000000ULL,
		.cgroup_id = 77,
		.pid = 11,
		.tgid = 10,
		.gen = 2,
		.scope_id = 1,
		.hook = MG_HOOK_FILE_OPEN,
		.verdict = MG_VERDICT_KILL,
		.engine = MG_ENGINE_TP_KILL,
		.reason = MG_REASON_TIER,
		.comm = "python3",
		.file = { .ino = 42, .dev = (8 << 20) | 1, .model_id = 1, .tier = 3 },
	};

	snprintf(e.file.name, sizeof(e.file.name), "%s", name);
	return e;
}

/*
 * The image that names unit_file_event()'s numbers: scope 1 is "vllm", inode 42
 * on 8:1 is /srv/m/a.safetensors, model 1 is "frontier-x", tier 3 "prohibited".
 */
static inline const struct mg_image *unit_file_image(void)
{
	static char *model_names[] = { "frontier-x" };
	static char *tier_names[] = { NULL, "general", NULL, "prohibited" };
	static struct mg_image_inode inodes[] = {
		{ .ino = 42,
		  .dev = (8 << 20) | 1,
		  .val = { 1, 3 },
		  .path = "/srv/m/a.safetensors" },
	};
	static struct mg_image_scope scopes[] = { { .name = "vllm", .val = { 1, 1 } } };
	static const struct mg_image img = {
		.scopes = scopes,
		.nscopes = 1,
		.inodes = inodes,
		.ninodes = 1,
		.model_names = model_names,
		.nmodels = 1,
		.tier_names = tier_names,
		.ntier_names = 4,
	};

	return &img;
}

#endif /* MGUARD_UNIT_H */
