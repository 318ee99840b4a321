// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The event file: whole lines, size-based rotation, kept files, errors. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/eventlog.h"
#include "core/util.h"

struct fx {
	char dir[PATH_MAX]; /* the log folder, not made yet */
	char base[PATH_MAX - 16];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx || unit_mkdtemp(fx->base, sizeof(fx->base), "eventlog")) {
		free(fx);
		return -1;
	}
	snprintf(fx->dir, sizeof(fx->dir), "%s/log", fx->base);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	unit_rm_tree(fx->base);
	free(fx);
	return 0;
}

/* The content of DIR/NAME; "" when it does not exist. */
static char *slurp(const struct fx *fx, const char *name)
{
	char path[PATH_MAX * 2], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	if (mg_read_file(path, 1 << 20, &buf, &len))
		return strdup("");
	return buf;
}

static void assert_file(const struct fx *fx, const char *name, const char *want)
{
	char *got = slurp(fx, name);

	assert_string_equal(got, want);
	free(got);
}

static bool exists(const struct fx *fx, const char *name)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	return access(path, F_OK) == 0;
}

static void test_rotates_only_past_the_limit(void **state)
{
	struct fx *fx = *state;
	struct mg_eventlog_stats stats;
	struct mg_eventlog *log;
	struct stat st;

	umask(022);
	assert_int_equal(mg_eventlog_open(fx->dir, 30, 2, &log), 0);
	assert_int_equal(stat(fx->dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(stat(mg_eventlog_path(log), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	/* 3 x 10 bytes: exactly the limit, still one file. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(mg_eventlog_write(log, "123456789\n", 10), 0);
	assert_file(fx, "events.jsonl", "123456789\n123456789\n123456789\n");
	assert_false(exists(fx, "events.jsonl.1"));

	/* One byte more would exceed it. */
	assert_int_equal(mg_eventlog_write(log, "x\n", 2), 0);
	assert_file(fx, "events.jsonl.1", "123456789\n123456789\n123456789\n");
	assert_file(fx, "events.jsonl", "x\n");

	/* 2 + 28 = 30 fits; 2 + 29 does not. */
	assert_int_equal(mg_eventlog_write(log, "abcdefghijklmnopqrstuvwxyz0\n", 28), 0);
	assert_file(fx, "events.jsonl", "x\nabcdefghijklmnopqrstuvwxyz0\n");
	assert_int_equal(mg_eventlog_write(log, "y\n", 2), 0);
	assert_file(fx, "events.jsonl", "y\n");
	assert_file(fx, "events.jsonl.1", "x\nabcdefghijklmnopqrstuvwxyz0\n");
	assert_file(fx, "events.jsonl.2", "123456789\n123456789\n123456789\n");

	mg_eventlog_get_stats(log, &stats);
	assert_int_equal(stats.lines, 6);
	assert_int_equal(stats.rotations, 2);
	assert_int_equal(stats.lost, 0);
	mg_eventlog_close(log);
}

static void test_keeps_keep_files(void **state)
{
	struct fx *fx = *state;
	struct mg_eventlog *log;
	char line[16];

	assert_int_equal(mg_eventlog_open(fx->dir, 8, 3, &log), 0);
	for (int i = 1; i <= 6; i++) {
		snprintf(line, sizeof(line), "line%d\n", i);
		assert_int_equal(mg_eventlog_write(log, line, strlen(line)), 0);
	}
	mg_eventlog_close(log);
	assert_file(fx, "events.jsonl", "line6\n");
	assert_file(fx, "events.jsonl.1", "line5\n");
	assert_file(fx, "events.jsonl.2", "line4\n");
	assert_file(fx, "events.jsonl.3", "line3\n");
	assert_false(exists(fx, "events.jsonl.4"));

	/* Reopened, it appends to what is there. */
	assert_int_equal(mg_eventlog_open(fx->dir, 16, 3, &log), 0);
	assert_int_equal(mg_eventlog_write(log, "line7\n", 6), 0);
	mg_eventlog_close(log);
	assert_file(fx, "events.jsonl", "line6\nline7\n");
	assert_file(fx, "events.jsonl.3", "line3\n");
}

static void test_stream_never_splits_a_line(void **state)
{
	struct fx *fx = *state;
	struct mg_eventlog_stats stats;
	struct mg_eventlog *log;
	FILE *f;

	assert_int_equal(mg_eventlog_open(fx->dir, 12, 5, &log), 0);
	f = mg_eventlog_stream(log);
	assert_non_null(f);
	assert_ptr_equal(mg_eventlog_stream(log), f);

	/* Written in pieces that straddle the limit and the newlines. */
	fputs("{\"a\":", f);
	fprintf(f, "%d}\n{\"bb\":", 1);
	assert_file(fx, "events.jsonl", "{\"a\":1}\n");
	fputs("22}\n{\"ccc\":333}\n", f);
	assert_int_equal(mg_eventlog_flush(log), 0);
	assert_file(fx, "events.jsonl.2", "{\"a\":1}\n");
	assert_file(fx, "events.jsonl.1", "{\"bb\":22}\n");
	assert_file(fx, "events.jsonl", "{\"ccc\":333}\n");

	/* Longer than the limit: alone in a fresh file, whole. */
	fputs("{\"long\":\"0123456789abcdef\"}\n", f);
	assert_file(fx, "events.jsonl", "{\"long\":\"0123456789abcdef\"}\n");
	assert_file(fx, "events.jsonl.1", "{\"ccc\":333}\n");

	/* An unfinished line is not written. */
	fputs("{\"half\":", f);
	assert_file(fx, "events.jsonl", "{\"long\":\"0123456789abcdef\"}\n");
	mg_eventlog_get_stats(log, &stats);
	assert_int_equal(stats.lines, 4);
	assert_int_equal(stats.rotations, 3);
	mg_eventlog_close(log);
}

static void test_removed_file_is_recreated(void **state)
{
	struct fx *fx = *state;
	struct mg_eventlog *log;
	char path[PATH_MAX * 2];

	assert_int_equal(mg_eventlog_open(fx->dir, 0, 0, &log), 0);
	assert_int_equal(mg_eventlog_write(log, "a\n", 2), 0);
	snprintf(path, sizeof(path), "%s/events.jsonl", fx->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mg_eventlog_write(log, "b\n", 2), 0);
	assert_file(fx, "events.jsonl", "b\n");
	mg_eventlog_close(log);
}

/* logrotate renamed the file: until SIGUSR2 lines follow it, after it a new file starts. */
static void test_reopen_after_rename(void **state)
{
	struct fx *fx = *state;
	struct mg_eventlog *log;
	char path[PATH_MAX * 2], moved[PATH_MAX * 2 + 16];

	assert_int_equal(mg_eventlog_open(fx->dir, 0, 0, &log), 0);
	assert_int_equal(mg_eventlog_write(log, "a\n", 2), 0);
	snprintf(path, sizeof(path), "%s/events.jsonl", fx->dir);
	snprintf(moved, sizeof(moved), "%s-20261201", path);
	assert_int_equal(rename(path, moved), 0);
	/* Appended before the signal, kept: written out to the renamed file. */
	assert_int_equal(mg_eventlog_append(log, "b\n", 2), 0);
	assert_int_equal(mg_eventlog_reopen(log), 0);
	assert_int_equal(mg_eventlog_write(log, "c\n", 2), 0);
	assert_file(fx, "events.jsonl-20261201", "a\nb\n");
	assert_file(fx, "events.jsonl", "c\n");
	/* A reopen with nothing renamed appends to the same file. */
	assert_int_equal(mg_eventlog_reopen(log), 0);
	assert_int_equal(mg_eventlog_write(log, "d\n", 2), 0);
	assert_file(fx, "events.jsonl", "c\nd\n");
	mg_eventlog_close(log);
}

static void test_write_error_is_returned(void **state)
{
	struct fx *fx = *state;
	struct mg_eventlog_stats stats;
	struct mg_eventlog *log;
	FILE *f;

	assert_int_equal(mg_eventlog_open(fx->dir, 0, 0, &log), 0);
	f = mg_eventlog_stream(log);
	assert_non_null(f);
	assert_int_equal(unit_rm_tree(fx->dir), 0);

	assert_int_equal(mg_eventlog_write(log, "a\n", 2), -ENOENT);
	fputs("b\n", f);
	assert_int_equal(mg_eventlog_flush(log), -ENOENT);
	assert_int_equal(mg_eventlog_flush(log), 0);
	mg_eventlog_get_stats(log, &stats);
	assert_int_equal(stats.lines, 0);
	assert_int_equal(stats.lost, 2);

	/* The folder is back: so is the log. */
	assert_int_equal(mkdir(fx->dir, 0750), 0);
	assert_int_equal(mg_eventlog_write(log, "c\n", 2), 0);
	assert_file(fx, "events.jsonl", "c\n");
	mg_eventlog_close(log);
}

/* Appended lines: kept, then in the same files as when written one by one. */
static void test_appended_lines_rotate_as_written(void **state)
{
	static const char *const lines[] = {
		"123456789\n", "123456789\n", "123456789\n", "x\n", "abcdefghijklmnopqrstuvwxyz0\n",
		"y\n",
	};
	struct fx *fx = *state;
	struct mg_eventlog_stats stats;
	struct mg_eventlog *log;

	assert_int_equal(mg_eventlog_open(fx->dir, 30, 2, &log), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(mg_eventlog_append(log, lines[i], strlen(lines[i])), 0);
	assert_file(fx, "events.jsonl", "");
	mg_eventlog_get_stats(log, &stats);
	assert_int_equal(stats.lines, 0);

	for (int i = 3; i < 6; i++)
		assert_int_equal(mg_eventlog_append(log, lines[i], strlen(lines[i])), 0);
	assert_int_equal(mg_eventlog_flush(log), 0);
	assert_file(fx, "events.jsonl", "y\n");
	assert_file(fx, "events.jsonl.1", "x\nabcdefghijklmnopqrstuvwxyz0\n");
	assert_file(fx, "events.jsonl.2", "123456789\n123456789\n123456789\n");
	mg_eventlog_get_stats(log, &stats);
	assert_int_equal(stats.lines, 6);
	assert_int_equal(stats.rotations, 2);
	assert_int_equal(stats.lost, 0);

	/* Longer than max_bytes: alone in a fresh file, appended or not. */
	assert_int_equal(mg_eventlog_append(log, "z\n", 2), 0);
	assert_int_equal(mg_eventlog_append(log, "0123456789012345678901234567890123456789\n", 41),
			 0);
	assert_int_equal(mg_eventlog_append(log, "w\n", 2), 0);
	mg_eventlog_close(log);
	assert_file(fx, "events.jsonl", "w\n");
	assert_file(fx, "events.jsonl.1", "0123456789012345678901234567890123456789\n");
	assert_file(fx, "events.jsonl.2", "y\nz\n");
}

/* Written lines and the stream's come after the lines appended before them. */
static void test_append_keeps_the_order(void **state)
{
	struct fx *fx = *state;
	struct mg_eventlog *log;
	FILE *f;

	assert_int_equal(mg_eventlog_open(fx->dir, 0, 0, &log), 0);
	f = mg_eventlog_stream(log);
	assert_non_null(f);
	assert_int_equal(mg_eventlog_append(log, "a\n", 2), 0);
	assert_int_equal(mg_eventlog_append(log, "", 0), 0);
	fputs("b\n", f);
	assert_file(fx, "events.jsonl", "a\nb\n");
	assert_int_equal(mg_eventlog_append(log, "c\n", 2), 0);
	assert_int_equal(mg_eventlog_write(log, "d\n", 2), 0);
	assert_file(fx, "events.jsonl", "a\nb\nc\nd\n");
	assert_int_equal(mg_eventlog_append(log, "e\n", 2), 0);
	mg_eventlog_close(log);
	assert_file(fx, "events.jsonl", "a\nb\nc\nd\ne\n");
}

/*
 * Many lines, more than are kept at once, over several files: every file as
 * it would be with the lines written one by one, every line whole, in order.
 */
static void test_append_many_lines(void **state)
{
	const size_t max = 600 << 10, nlines = 20000;
	struct fx *fx = *state;
	struct mg_eventlog_stats stats;
	struct mg_eventlog *log;
	size_t nfiles = 1, cur = 0, starts[16] = { 0 }, total = 0;
	char *all = malloc(nlines * 160), name[48];

	assert_non_null(all);
	assert_int_equal(mg_eventlog_open(fx->dir, max, 10, &log), 0);
	for (size_t i = 0; i < nlines; i++) {
		char line[160];
		int n = snprintf(
			line, sizeof(line), "{\"n\":%zu,\"pad\":\"%.*s\"}\n", i, (int)(i * 7 % 120),
			"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
			"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");

		assert_int_equal(mg_eventlog_append(log, line, n), 0);
		/* Where the line goes when written one by one. */
		if (cur > 0 && cur + n > max) {
			assert_true(nfiles < MG_ARRAY_SIZE(starts));
			starts[nfiles++] = total;
			cur = 0;
		}
		memcpy(all + total, line, n);
		cur += n;
		total += n;
	}
	assert_int_equal(mg_eventlog_flush(log), 0);
	mg_eventlog_get_stats(log, &stats);
	assert_int_equal(stats.lines, nlines);
	assert_int_equal(stats.rotations, nfiles - 1);
	assert_true(nfiles >= 3);
	mg_eventlog_close(log);

	for (size_t i = 0; i < nfiles; i++) {
		size_t end = i + 1 < nfiles ? starts[i + 1] : total;
		size_t age = nfiles - 1 - i;
		char *got;

		if (age)
			snprintf(name, sizeof(name), "events.jsonl.%zu", age);
		else
			snprintf(name, sizeof(name), "events.jsonl");
		got = slurp(fx, name);
		assert_int_equal(strlen(got), end - starts[i]);
		assert_memory_equal(got, all + starts[i], end - starts[i]);
		free(got);
	}
	free(all);
}

/* A line longer than what is kept at once goes out whole, in its place. */
static void test_append_line_longer_than_kept(void **state)
{
	const size_t n = 300 << 10;
	struct fx *fx = *state;
	struct mg_eventlog *log;
	char *big = malloc(n), *got;

	assert_non_null(big);
	memset(big, 'x', n - 1);
	big[n - 1] = '\n';
	assert_int_equal(mg_eventlog_open(fx->dir, 0, 0, &log), 0);
	assert_int_equal(mg_eventlog_append(log, "a\n", 2), 0);
	assert_int_equal(mg_eventlog_append(log, big, n), 0);
	assert_int_equal(mg_eventlog_append(log, "b\n", 2), 0);
	assert_int_equal(mg_eventlog_flush(log), 0);
	mg_eventlog_close(log);

	got = slurp(fx, "events.jsonl");
	assert_int_equal(strlen(got), n + 4);
	assert_memory_equal(got, "a\n", 2);
	assert_memory_equal(got + 2, big, n);
	assert_string_equal(got + 2 + n, "b\n");
	free(got);
	free(big);
}

/* Appended lines that cannot be written are lost together, and said so once. */
static void test_append_error_is_returned(void **state)
{
	struct fx *fx = *state;
	struct mg_eventlog_stats stats;
	struct mg_eventlog *log;

	assert_int_equal(mg_eventlog_open(fx->dir, 0, 0, &log), 0);
	assert_int_equal(mg_eventlog_append(log, "a\n", 2), 0);
	assert_int_equal(mg_eventlog_append(log, "b\n", 2), 0);
	assert_int_equal(unit_rm_tree(fx->dir), 0);
	assert_int_equal(mg_eventlog_append(log, "c\n", 2), 0);

	assert_int_equal(mg_eventlog_flush(log), -ENOENT);
	assert_int_equal(mg_eventlog_flush(log), 0);
	mg_eventlog_get_stats(log, &stats);
	assert_int_equal(stats.lines, 0);
	assert_int_equal(stats.lost, 3);

	assert_int_equal(mkdir(fx->dir, 0750), 0);
	assert_int_equal(mg_eventlog_append(log, "d\n", 2), 0);
	assert_int_equal(mg_eventlog_flush(log), 0);
	assert_file(fx, "events.jsonl", "d\n");
	mg_eventlog_get_stats(log, &stats);
	assert_int_equal(stats.lines, 1);
	assert_int_equal(stats.lost, 3);
	mg_eventlog_close(log);
}

static void test_bad_arguments(void **state)
{
	struct fx *fx = *state;
	struct mg_eventlog *log = NULL;
	char path[PATH_MAX * 2];

	assert_int_equal(mg_eventlog_open(fx->dir, 0, MG_EVENTLOG_KEEP_MAX + 1, &log), -EINVAL);
	assert_int_equal(mg_eventlog_open("", 0, 0, &log), -EINVAL);
	snprintf(path, sizeof(path), "%s/missing/log", fx->base);
	assert_int_equal(mg_eventlog_open(path, 0, 0, &log), -ENOENT);
	assert_null(log);
	mg_eventlog_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rotates_only_past_the_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keeps_keep_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_never_splits_a_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_file_is_recreated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_after_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error_is_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_appended_lines_rotate_as_written, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_append_keeps_the_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_many_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_line_longer_than_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_error_is_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
