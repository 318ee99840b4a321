// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The audit chain's cost on the event file alone: decision lines as the
 * daemon formats them, appended to an event file with and without the chain
 * (and its checkpoints), in interleaved rounds. Needs no root.
 *
 *   bench_chain DIR KEY.pem [LINES [ROUNDS]]
 *       DIR: a folder for the event files (emptied between runs); KEY.pem:
 *       an audit key (mguard audit keygen). Prints one JSON object: the
 *       median lines per second of each mode and the line length.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/diag.h"
#include "daemon/audit_chain.h"
#include "daemon/eventlog.h"
#include "daemon/events.h"
#include "license/license.h"

/* A decision line of the size the daemon writes for a model file (docs/events.md). */
static const char line_fmt[] =
	"{\"schema\":1,\"time\":\"2026-12-01T22:13:20.%06dZ\",\"host\":\"gpu-node-7\","
	"\"type\":\"decision\",\"hook\":\"file_open\",\"verdict\":\"audit\",\"engine\":"
	"\"tracepoint-kill\",\"reason\":\"tier\",\"policy_digest\":\"sha256:0123456789abcdef"
	"0123456789abcdef0123456789abcdef0123456789abcdef\",\"generation\":2,\"scope\":\"vllm\","
	"\"cgroup_id\":77,\"cgroup_path\":\"/mguard.slice/bench.scope\",\"container_id\":null,"
	"\"pod_uid\":null,\"pid\":%d,\"tid\":%d,\"ppid\":1,\"uid\":1000,\"gid\":100,\"comm\":"
	"\"python3\",\"exe\":\"/usr/bin/python3.11\",\"file\":{\"dev\":\"8:1\",\"ino\":42,"
	"\"path\":\"/srv/m/a.safetensors\",\"path_source\":\"policy\",\"name\":"
	"\"a.safetensors\",\"model\":\"frontier-x\",\"tier\":\"prohibited\",\"flags\":"
	"\"O_RDONLY|O_LARGEFILE\",\"flags_raw\":32768}}\n";

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void clean(const char *dir)
{
	char path[PATH_MAX];

	for (int i = 0; i <= 5; i++) {
		if (i)
			snprintf(path, sizeof(path), "%s/events.jsonl.%d", dir, i);
		else
			snprintf(path, sizeof(path), "%s/events.jsonl", dir);
		unlink(path);
	}
}

/* Lines per second of one run: 0 plain, 1 chained, 2 chained and signed every 10 s. */
static double run(const char *dir, const char *key, int mode, long lines, size_t *ret_len)
{
	static const struct mg_event_ctx ctx = { .host = "bench" };
	struct mg_audit_chain *chain = NULL;
	struct mg_signer *signer = NULL;
	struct mg_diags diags = {};
	struct mg_eventlog *log;
	char line[2048];
	double t0, t;

	clean(dir);
	if (mg_eventlog_open(dir, 0, 0, &log))
		exit(1);
	if (mode == 2 && mg_signer_load(key, &signer, &diags)) {
		mg_diags_print(&diags, stderr);
		exit(1);
	}
	if (mode &&
	    (mg_audit_chain_new(signer, 0, &ctx, &chain) || mg_eventlog_set_chain(log, chain) < 0))
		exit(1);
	t0 = now_s();
	for (long i = 0; i < lines; i++) {
		int len =
			snprintf(line, sizeof(line), line_fmt, (int)(i % 1000000), (int)i, (int)i);

		*ret_len = len;
		mg_eventlog_append(log, line, len);
		/* The daemon flushes once per poll, every few hundred events. */
		if (i % 256 == 255)
			mg_eventlog_flush(log);
		if (mode == 2 && i % 65536 == 0)
			mg_eventlog_checkpoint(log, false);
	}
	mg_eventlog_checkpoint(log, true);
	mg_eventlog_flush(log);
	t = now_s() - t0;
	mg_eventlog_close(log);
	mg_audit_chain_free(chain);
	clean(dir);
	return lines / t;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long lines = argc > 3 ? atol(argv[3]) : 500000;
	int rounds = argc > 4 ? atoi(argv[4]) : 5;
	double r[3][64];
	size_t len = 0;

	if (argc < 3 || lines <= 0 || rounds <= 0 || rounds > 64) {
		fprintf(stderr, "usage: bench_chain DIR KEY.pem [LINES [ROUNDS]]\n");
		return 2;
	}
	for (int k = 0; k < rounds; k++)
		for (int m = 0; m < 3; m++)
			r[m][k] = run(argv[1], argv[2], m, lines, &len);
	for (int m = 0; m < 3; m++)
		qsort(r[m], rounds, sizeof(double), by_value);
	printf("{\"line_bytes\":%zu,\"lines\":%ld,\"rounds\":%d,\"plain_lines_per_s\":%.0f,"
	       "\"chained_lines_per_s\":%.0f,\"signed_lines_per_s\":%.0f}\n",
	       len, lines, rounds, r[0][rounds / 2], r[1][rounds / 2], r[2][rounds / 2]);
	return 0;
}
