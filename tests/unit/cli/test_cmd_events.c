// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* mguard events: the line formatter, the tail and following a rotated file. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd_events.h"
#include "daemon/events.h"

/* The line events.c writes for @e, without its newline. */
static char *json_line(const struct mg_event *e, const struct mg_image *img)
{
	char *buf = unit_render(e, img, 0);
	size_t len = strlen(buf);

	assert_true(len > 0 && buf[len - 1] == '\n');
	buf[len - 1] = '\0';
	return buf;
}

static void assert_formats(const struct mg_event *e, const struct mg_image *img, const char *want)
{
	char *line = json_line(e, img);
	char buf[1024];
	int n = mg_events_format(line, strlen(line), buf, sizeof(buf));

	assert_int_equal(n, strlen(want));
	assert_string_equal(buf, want);
	free(line);
}

static void test_format_file_event(void **state)
{
	struct mg_event e = unit_file_event("a.safetensors");

	assert_formats(
		&e, unit_file_image(),
		"1970-01-01T00:00:01.500000Z  kill   file_open     vllm          python3[10]  "
		"/srv/m/a.safetensors frontier-x/prohibited  (tier)");

	/* Without the image: the name, no model, no scope. */
	assert_formats(
		&e, NULL,
		"1970-01-01T00:00:01.500000Z  kill   file_open     -             python3[10]  "
		"a.safetensors  (tier)");
}

static void test_format_hostile_names(void **state)
{
	struct mg_event e = {
		.hook = MG_HOOK_MMAP,
		.verdict = MG_VERDICT_DENY,
		.engine = MG_ENGINE_LSM,
		.reason = MG_REASON_TIER,
		.tgid = 7,
		.comm = "a\033[2Jb",
		.file = { .ino = 1, .name = "x\",\"hook\":\"evil\nz" },
	};

	assert_formats(&e, NULL,
		       "1970-01-01T00:00:00.000000Z  deny   mmap          -             a?[2Jb[7]  "
		       "x\",\"hook\":\"evil?z  (tier)");
}

static void test_format_net_and_device(void **state)
{
	struct mg_event e = {
		.hook = MG_HOOK_CONNECT4,
		.verdict = MG_VERDICT_DENY,
		.engine = MG_ENGINE_CGROUP,
		.reason = MG_REASON_EGRESS,
		.tgid = 99,
		.comm = "curl",
		.net = { .addr = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 },
			 .port = 443,
			 .family = 2,
			 .protocol = 6 },
	};

	assert_formats(&e, NULL,
		       "1970-01-01T00:00:00.000000Z  deny   connect4      -             curl[99]  "
		       "10.0.0.1:443/tcp  (egress)");

	e.hook = MG_HOOK_SENDMSG6;
	e.verdict = MG_VERDICT_AUDIT;
	memset(e.net.addr, 0, 16);
	e.net.addr[15] = 1;
	e.net.family = 10;
	e.net.protocol = 17;
	assert_formats(&e, NULL,
		       "1970-01-01T00:00:00.000000Z  audit  sendmsg6      -             curl[99]  "
		       "[::1]:443/udp  (egress)");
}

static void test_format_device_and_garbage(void **state)
{
	struct mg_event e = {
		.hook = MG_HOOK_DEVICE,
		.verdict = MG_VERDICT_DENY,
		.engine = MG_ENGINE_CGROUP,
		.reason = MG_REASON_GPU,
		.tgid = 5,
		.comm = "python3",
		.dev = { .major = 195, .minor = 1, .access = 2, .driver = MG_GPU_NVIDIA },
	};
	char buf[64];

	assert_formats(
		&e, NULL,
		"1970-01-01T00:00:00.000000Z  deny   device        -             python3[5]  "
		"195:1 (nvidia)  (gpu)");
	assert_int_equal(mg_events_format("not json", 8, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mg_events_format("{\"time\":\"x\"}", 12, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mg_events_format("{\"hook", 6, buf, sizeof(buf)), -EINVAL);
}

/* The tail and follow tests: a folder with the two files. */
struct fx {
	char dir[PATH_MAX - 32];
	char cur[PATH_MAX];
	char old[PATH_MAX];
	char *out;
	size_t outlen;
	FILE *mem;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx || unit_mkdtemp(fx->dir, sizeof(fx->dir), "events")) {
		free(fx);
		return -1;
	}
	snprintf(fx->cur, sizeof(fx->cur), "%s/events.jsonl", fx->dir);
	snprintf(fx->old, sizeof(fx->old), "%s/events.jsonl.1", fx->dir);
	fx->mem = open_memstream(&fx->out, &fx->outlen);
	*state = fx;
	return fx->mem ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	fclose(fx->mem);
	free(fx->out);
	unit_rm_tree(fx->dir);
	free(fx);
	return 0;
}

static void append(const char *path, const char *s)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(s, f);
	assert_int_equal(fclose(f), 0);
}

/* What was printed since the last call. */
static void assert_printed(struct fx *fx, const char *want)
{
	char *got;

	fflush(fx->mem);
	got = strndup(fx->out, fx->outlen);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	rewind(fx->mem);
	fflush(fx->mem);
}

static void test_tail_reads_the_rotated_file_too(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mg_events_tail(fx->dir, 20, true, fx->mem, NULL), -ENOENT);
	assert_printed(fx, "");

	append(fx->old, "1\n2\n3\n4\n5\n");
	assert_int_equal(mg_events_tail(fx->dir, 2, true, fx->mem, NULL), 2);
	assert_printed(fx, "4\n5\n");

	append(fx->cur, "6\n7\n8\n9 unfinished");
	assert_int_equal(mg_events_tail(fx->dir, 2, true, fx->mem, NULL), 2);
	assert_printed(fx, "7\n8\n");
	assert_int_equal(mg_events_tail(fx->dir, 3, true, fx->mem, NULL), 3);
	assert_printed(fx, "6\n7\n8\n");
	assert_int_equal(mg_events_tail(fx->dir, 5, true, fx->mem, NULL), 5);
	assert_printed(fx, "4\n5\n6\n7\n8\n");
	assert_int_equal(mg_events_tail(fx->dir, 20, true, fx->mem, NULL), 8);
	assert_printed(fx, "1\n2\n3\n4\n5\n6\n7\n8\n");
	assert_int_equal(mg_events_tail(fx->dir, 0, true, fx->mem, NULL), 0);
	assert_printed(fx, "");

	/* Not JSON: printed as it is, in the human form too. */
	assert_int_equal(mg_events_tail(fx->dir, 1, false, fx->mem, NULL), 1);
	assert_printed(fx, "8\n");
}

static void test_tail_of_a_large_file(void **state)
{
	struct fx *fx = *state;
	FILE *f = fopen(fx->cur, "w");

	assert_non_null(f);
	for (int i = 0; i < 100000; i++)
		fprintf(f, "line %d\n", i);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(mg_events_tail(fx->dir, 2, true, fx->mem, NULL), 2);
	assert_printed(fx, "line 99998\nline 99999\n");
	assert_int_equal(mg_events_tail(fx->dir, 50000, true, fx->mem, NULL), 50000);
	fflush(fx->mem);
	assert_int_equal(fx->outlen, 50000 * strlen("line 50000\n"));
	assert_memory_equal(fx->out, "line 50000\nline 50001\n", 22);
	rewind(fx->mem);
	assert_int_equal(mg_events_tail(fx->dir, 200000, true, fx->mem, NULL), 100000);
	fflush(fx->mem);
	assert_memory_equal(fx->out, "line 0\nline 1\n", 14);
}

static void test_follow_across_rotation(void **state)
{
	struct fx *fx = *state;
	struct mg_events_follow f;

	/* Nothing there yet: following waits for the file. */
	assert_int_equal(mg_events_tail(fx->dir, 20, true, fx->mem, &f), -ENOENT);
	assert_int_equal(mg_events_poll(&f, fx->mem), 0);
	append(fx->cur, "a\nb");
	assert_int_equal(mg_events_poll(&f, fx->mem), 1);
	assert_printed(fx, "a\n");
	assert_int_equal(mg_events_poll(&f, fx->mem), 0);
	append(fx->cur, "b\nc\n");
	assert_int_equal(mg_events_poll(&f, fx->mem), 2);
	assert_printed(fx, "bb\nc\n");

	/* Rotated: the last lines of the old file first, then the new one. */
	append(fx->cur, "d\n");
	assert_int_equal(rename(fx->cur, fx->old), 0);
	assert_int_equal(mg_events_poll(&f, fx->mem), 1);
	assert_printed(fx, "d\n");
	append(fx->old, "late\n");
	append(fx->cur, "e\n");
	assert_int_equal(mg_events_poll(&f, fx->mem), 2);
	assert_printed(fx, "late\ne\n");

	/* Truncated in place: from the top again. */
	assert_int_equal(truncate(fx->cur, 0), 0);
	assert_int_equal(mg_events_poll(&f, fx->mem), 0);
	append(fx->cur, "f\n");
	assert_int_equal(mg_events_poll(&f, fx->mem), 1);
	assert_printed(fx, "f\n");
	mg_events_follow_close(&f);
}

static void test_follow_starts_after_the_tail(void **state)
{
	struct fx *fx = *state;
	struct mg_events_follow f;

	append(fx->old, "1\n");
	append(fx->cur, "2\n3");
	assert_int_equal(mg_events_tail(fx->dir, 5, true, fx->mem, &f), 2);
	assert_printed(fx, "1\n2\n");
	append(fx->cur, "\n4\n");
	assert_int_equal(mg_events_poll(&f, fx->mem), 2);
	assert_printed(fx, "3\n4\n");
	mg_events_follow_close(&f);
}

static void test_command_usage(void **state)
{
	char *bad_n[] = { "events", "-n", "x", NULL };
	char *operand[] = { "events", "extra", NULL };
	char *bad_opt[] = { "events", "--nope", NULL };
	struct fx *fx = *state;
	char *empty[] = { "events", "--log-dir", fx->dir, "-n", "3", NULL };

	assert_int_equal(mg_cmd_events(3, bad_n), 2);
	assert_int_equal(mg_cmd_events(2, operand), 2);
	assert_int_equal(mg_cmd_events(2, bad_opt), 2);
	assert_int_equal(mg_cmd_events(5, empty), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_file_event),
		cmocka_unit_test(test_format_hostile_names),
		cmocka_unit_test(test_format_net_and_device),
		cmocka_unit_test(test_format_device_and_garbage),
		cmocka_unit_test_setup_teardown(test_tail_reads_the_rotated_file_too, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tail_of_a_large_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_across_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_starts_after_the_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_usage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
