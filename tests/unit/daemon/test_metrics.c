// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Prometheus text of the pinned state, and its atomic file. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/metrics.h"
#include "core/util.h"

static const char *const want_lines[] = {
	"# HELP mguard_decisions_total Decisions of the BPF programs in scopes, by hook, verdict and engine.",
	"# TYPE mguard_decisions_total counter",
	"mguard_decisions_total{hook=\"file_open\",verdict=\"allow\",engine=\"bpf-lsm\"} 1",
	"mguard_decisions_total{hook=\"file_open\",verdict=\"deny\",engine=\"bpf-lsm\"} 2",
	"mguard_decisions_total{hook=\"file_open\",verdict=\"kill\",engine=\"bpf-lsm\"} 3",
	"mguard_decisions_total{hook=\"file_open\",verdict=\"audit\",engine=\"bpf-lsm\"} 4",
	"mguard_decisions_total{hook=\"connect4\",verdict=\"allow\",engine=\"cgroup\"} 5",
	"mguard_decisions_total{hook=\"connect4\",verdict=\"deny\",engine=\"cgroup\"} 6",
	"mguard_decisions_total{hook=\"connect4\",verdict=\"kill\",engine=\"cgroup\"} 7",
	"mguard_decisions_total{hook=\"connect4\",verdict=\"audit\",engine=\"cgroup\"} 8",
	"mguard_decisions_total{hook=\"connect6\",verdict=\"allow\",engine=\"cgroup\"} 9",
	"mguard_decisions_total{hook=\"connect6\",verdict=\"deny\",engine=\"cgroup\"} 10",
	"mguard_decisions_total{hook=\"connect6\",verdict=\"kill\",engine=\"cgroup\"} 11",
	"mguard_decisions_total{hook=\"connect6\",verdict=\"audit\",engine=\"cgroup\"} 12",
	"mguard_decisions_total{hook=\"device\",verdict=\"allow\",engine=\"cgroup\"} 13",
	"mguard_decisions_total{hook=\"device\",verdict=\"deny\",engine=\"cgroup\"} 14",
	"mguard_decisions_total{hook=\"device\",verdict=\"kill\",engine=\"cgroup\"} 15",
	"mguard_decisions_total{hook=\"device\",verdict=\"audit\",engine=\"cgroup\"} 16",
	"mguard_decisions_total{hook=\"sendmsg4\",verdict=\"allow\",engine=\"cgroup\"} 17",
	"mguard_decisions_total{hook=\"sendmsg4\",verdict=\"deny\",engine=\"cgroup\"} 18",
	"mguard_decisions_total{hook=\"sendmsg4\",verdict=\"kill\",engine=\"cgroup\"} 19",
	"mguard_decisions_total{hook=\"sendmsg4\",verdict=\"audit\",engine=\"cgroup\"} 20",
	"mguard_decisions_total{hook=\"sendmsg6\",verdict=\"allow\",engine=\"cgroup\"} 21",
	"mguard_decisions_total{hook=\"sendmsg6\",verdict=\"deny\",engine=\"cgroup\"} 22",
	"mguard_decisions_total{hook=\"sendmsg6\",verdict=\"kill\",engine=\"cgroup\"} 23",
	"mguard_decisions_total{hook=\"sendmsg6\",verdict=\"audit\",engine=\"cgroup\"} 24",
	"mguard_decisions_total{hook=\"mmap\",verdict=\"allow\",engine=\"bpf-lsm\"} 25",
	"mguard_decisions_total{hook=\"mmap\",verdict=\"deny\",engine=\"bpf-lsm\"} 26",
	"mguard_decisions_total{hook=\"mmap\",verdict=\"kill\",engine=\"bpf-lsm\"} 27",
	"mguard_decisions_total{hook=\"mmap\",verdict=\"audit\",engine=\"bpf-lsm\"} 28",
	"mguard_decisions_total{hook=\"file_receive\",verdict=\"allow\",engine=\"bpf-lsm\"} 29",
	"mguard_decisions_total{hook=\"file_receive\",verdict=\"deny\",engine=\"bpf-lsm\"} 30",
	"mguard_decisions_total{hook=\"file_receive\",verdict=\"kill\",engine=\"bpf-lsm\"} 31",
	"mguard_decisions_total{hook=\"file_receive\",verdict=\"audit\",engine=\"bpf-lsm\"} 32",
	"mguard_decisions_total{hook=\"io_uring\",verdict=\"allow\",engine=\"covered\"} 33",
	"mguard_decisions_total{hook=\"io_uring\",verdict=\"deny\",engine=\"covered\"} 34",
	"mguard_decisions_total{hook=\"io_uring\",verdict=\"kill\",engine=\"covered\"} 35",
	"mguard_decisions_total{hook=\"io_uring\",verdict=\"audit\",engine=\"covered\"} 36",
	"mguard_decisions_total{hook=\"unix\",verdict=\"allow\",engine=\"none\"} 37",
	"mguard_decisions_total{hook=\"unix\",verdict=\"deny\",engine=\"none\"} 38",
	"mguard_decisions_total{hook=\"unix\",verdict=\"kill\",engine=\"none\"} 39",
	"mguard_decisions_total{hook=\"unix\",verdict=\"audit\",engine=\"none\"} 40",
	"mguard_decisions_total{hook=\"bpf\",verdict=\"allow\",engine=\"none\"} 41",
	"mguard_decisions_total{hook=\"bpf\",verdict=\"deny\",engine=\"none\"} 42",
	"mguard_decisions_total{hook=\"bpf\",verdict=\"kill\",engine=\"none\"} 43",
	"mguard_decisions_total{hook=\"bpf\",verdict=\"audit\",engine=\"none\"} 44",
	"mguard_decisions_total{hook=\"pins\",verdict=\"allow\",engine=\"none\"} 45",
	"mguard_decisions_total{hook=\"pins\",verdict=\"deny\",engine=\"none\"} 46",
	"mguard_decisions_total{hook=\"pins\",verdict=\"kill\",engine=\"none\"} 47",
	"mguard_decisions_total{hook=\"pins\",verdict=\"audit\",engine=\"none\"} 48",
	"mguard_decisions_total{hook=\"signal\",verdict=\"allow\",engine=\"none\"} 49",
	"mguard_decisions_total{hook=\"signal\",verdict=\"deny\",engine=\"none\"} 50",
	"mguard_decisions_total{hook=\"signal\",verdict=\"kill\",engine=\"none\"} 51",
	"mguard_decisions_total{hook=\"signal\",verdict=\"audit\",engine=\"none\"} 52",
	"mguard_decisions_total{hook=\"ptrace\",verdict=\"allow\",engine=\"none\"} 53",
	"mguard_decisions_total{hook=\"ptrace\",verdict=\"deny\",engine=\"none\"} 54",
	"mguard_decisions_total{hook=\"ptrace\",verdict=\"kill\",engine=\"none\"} 55",
	"mguard_decisions_total{hook=\"ptrace\",verdict=\"audit\",engine=\"none\"} 56",
	"mguard_decisions_total{hook=\"cgroup_move\",verdict=\"allow\",engine=\"none\"} 57",
	"mguard_decisions_total{hook=\"cgroup_move\",verdict=\"deny\",engine=\"none\"} 58",
	"mguard_decisions_total{hook=\"cgroup_move\",verdict=\"kill\",engine=\"none\"} 59",
	"mguard_decisions_total{hook=\"cgroup_move\",verdict=\"audit\",engine=\"none\"} 60",
	"mguard_decisions_total{hook=\"fd_share\",verdict=\"allow\",engine=\"none\"} 61",
	"mguard_decisions_total{hook=\"fd_share\",verdict=\"deny\",engine=\"none\"} 62",
	"mguard_decisions_total{hook=\"fd_share\",verdict=\"kill\",engine=\"none\"} 63",
	"mguard_decisions_total{hook=\"fd_share\",verdict=\"audit\",engine=\"none\"} 64",
	"mguard_decisions_total{hook=\"coredump\",verdict=\"allow\",engine=\"none\"} 65",
	"mguard_decisions_total{hook=\"coredump\",verdict=\"deny\",engine=\"none\"} 66",
	"mguard_decisions_total{hook=\"coredump\",verdict=\"kill\",engine=\"none\"} 67",
	"mguard_decisions_total{hook=\"coredump\",verdict=\"audit\",engine=\"none\"} 68",
	"mguard_decisions_total{hook=\"socket\",verdict=\"allow\",engine=\"none\"} 69",
	"mguard_decisions_total{hook=\"socket\",verdict=\"deny\",engine=\"none\"} 70",
	"mguard_decisions_total{hook=\"socket\",verdict=\"kill\",engine=\"none\"} 71",
	"mguard_decisions_total{hook=\"socket\",verdict=\"audit\",engine=\"none\"} 72",
	"mguard_decisions_total{hook=\"paths\",verdict=\"allow\",engine=\"none\"} 73",
	"mguard_decisions_total{hook=\"paths\",verdict=\"deny\",engine=\"none\"} 74",
	"mguard_decisions_total{hook=\"paths\",verdict=\"kill\",engine=\"none\"} 75",
	"mguard_decisions_total{hook=\"paths\",verdict=\"audit\",engine=\"none\"} 76",
	"mguard_decisions_total{hook=\"syscalls\",verdict=\"allow\",engine=\"none\"} 77",
	"mguard_decisions_total{hook=\"syscalls\",verdict=\"deny\",engine=\"none\"} 78",
	"mguard_decisions_total{hook=\"syscalls\",verdict=\"kill\",engine=\"none\"} 79",
	"mguard_decisions_total{hook=\"syscalls\",verdict=\"audit\",engine=\"none\"} 80",
	"mguard_decisions_total{hook=\"skb_egress\",verdict=\"allow\",engine=\"none\"} 81",
	"mguard_decisions_total{hook=\"skb_egress\",verdict=\"deny\",engine=\"none\"} 82",
	"mguard_decisions_total{hook=\"skb_egress\",verdict=\"kill\",engine=\"none\"} 83",
	"mguard_decisions_total{hook=\"skb_egress\",verdict=\"audit\",engine=\"none\"} 84",
	"mguard_decisions_total{hook=\"egress_budget\",verdict=\"allow\",engine=\"cgroup\"} 85",
	"mguard_decisions_total{hook=\"egress_budget\",verdict=\"deny\",engine=\"cgroup\"} 86",
	"mguard_decisions_total{hook=\"egress_budget\",verdict=\"kill\",engine=\"cgroup\"} 87",
	"mguard_decisions_total{hook=\"egress_budget\",verdict=\"audit\",engine=\"cgroup\"} 88",
	"mguard_decisions_total{hook=\"verity\",verdict=\"allow\",engine=\"none\"} 89",
	"mguard_decisions_total{hook=\"verity\",verdict=\"deny\",engine=\"none\"} 90",
	"mguard_decisions_total{hook=\"verity\",verdict=\"kill\",engine=\"none\"} 91",
	"mguard_decisions_total{hook=\"verity\",verdict=\"audit\",engine=\"none\"} 92",
	"# HELP mguard_errors_total Failures counted by the BPF programs, by kind.",
	"# TYPE mguard_errors_total counter",
	"mguard_errors_total{kind=\"events_dropped\"} 93",
	"mguard_errors_total{kind=\"config_unreadable\"} 94",
	"mguard_errors_total{kind=\"fd_unresolved\"} 95",
	"mguard_errors_total{kind=\"walk_limit\"} 96",
	"mguard_errors_total{kind=\"events_rate_limited\"} 97",
	"# HELP mguard_policy_generation Generation of the policy in force; 0 when none is.",
	"# TYPE mguard_policy_generation gauge",
	"mguard_policy_generation 3",
	"# HELP mguard_audit_mode 1 when the policy in force only audits, 0 when it enforces.",
	"# TYPE mguard_audit_mode gauge",
	"mguard_audit_mode 0",
	"# HELP mguard_killswitch 1 when the kill switch denies every scope every weight load and connection.",
	"# TYPE mguard_killswitch gauge",
	"mguard_killswitch 1",
	"# HELP mguard_scopes Scopes in the policy in force.",
	"# TYPE mguard_scopes gauge",
	"mguard_scopes 2",
	"# HELP mguard_egress_budget_bytes Bytes a scope may send per window.",
	"# TYPE mguard_egress_budget_bytes gauge",
	"mguard_egress_budget_bytes{cgroup_id=\"77\"} 1048576",
	"# HELP mguard_egress_budget_window_seconds The window of a scope's budget.",
	"# TYPE mguard_egress_budget_window_seconds gauge",
	"mguard_egress_budget_window_seconds{cgroup_id=\"77\"} 5",
	"# HELP mguard_egress_sent_bytes Bytes a scope sent in the current window.",
	"# TYPE mguard_egress_sent_bytes gauge",
	"mguard_egress_sent_bytes{cgroup_id=\"77\"} 4096",
	"# HELP mguard_egress_dropped_packets_total Packets dropped because the scope's budget ran out.",
	"# TYPE mguard_egress_dropped_packets_total counter",
	"mguard_egress_dropped_packets_total{cgroup_id=\"77\"} 3",
	"# HELP mguard_egress_dropped_bytes_total Bytes dropped because the scope's budget ran out.",
	"# TYPE mguard_egress_dropped_bytes_total counter",
	"mguard_egress_dropped_bytes_total{cgroup_id=\"77\"} 196608",
	"# HELP mguard_egress_exhausted_windows_total Windows in which a scope's budget ran out.",
	"# TYPE mguard_egress_exhausted_windows_total counter",
	"mguard_egress_exhausted_windows_total{cgroup_id=\"77\"} 2",
	"# HELP mguard_events_dropped_total Events the kernel could not queue: the ring buffer was full.",
	"# TYPE mguard_events_dropped_total counter",
	"mguard_events_dropped_total 93",
	"# HELP mguard_event_rate_limit Events per second a scope may send before it is rate-limited; 0: no limit.",
	"# TYPE mguard_event_rate_limit gauge",
	"mguard_event_rate_limit 1000",
	"# HELP mguard_links Program links pinned (attached).",
	"# TYPE mguard_links gauge",
	"mguard_links 3",
	"# HELP mguard_events_written_total Events the daemon wrote to its event file.",
	"# TYPE mguard_events_written_total counter",
	"mguard_events_written_total 12",
	"# HELP mguard_events_lost_total Events the daemon read from the ring buffer but could not write.",
	"# TYPE mguard_events_lost_total counter",
	"mguard_events_lost_total 1",
	"# HELP mguard_policy_load_timestamp_seconds Unix time the policy in force was loaded.",
	"# TYPE mguard_policy_load_timestamp_seconds gauge",
	"mguard_policy_load_timestamp_seconds 1790000000",
	"# HELP mguard_licenses_expiring Licences in force that expire within 7 days.",
	"# TYPE mguard_licenses_expiring gauge",
	"mguard_licenses_expiring 2",
};

static const struct mg_metrics_extra extra = {
	.events_written = 12,
	.events_lost = 1,
	.policy_loaded_at = 1790000000,
	.licenses_expiring = 2,
};

static struct mg_pinned *filled_status(void)
{
	static const enum mg_engine engines[MG_HOOK__COUNT] = {
		[MG_HOOK_FILE_OPEN] = MG_ENGINE_LSM,	[MG_HOOK_CONNECT4] = MG_ENGINE_CGROUP,
		[MG_HOOK_CONNECT6] = MG_ENGINE_CGROUP,	[MG_HOOK_DEVICE] = MG_ENGINE_CGROUP,
		[MG_HOOK_SENDMSG4] = MG_ENGINE_CGROUP,	[MG_HOOK_SENDMSG6] = MG_ENGINE_CGROUP,
		[MG_HOOK_MMAP] = MG_ENGINE_LSM,		[MG_HOOK_FILE_RECEIVE] = MG_ENGINE_LSM,
		[MG_HOOK_IO_URING] = MG_ENGINE_COVERED, [MG_HOOK_EGRESS_BUDGET] = MG_ENGINE_CGROUP,
	};
	struct mg_pinned *st = calloc(1, sizeof(*st));

	assert_non_null(st);
	st->cfg.active_gen = 3;
	st->cfg.mode = MG_MODE_ENFORCE;
	for (int h = 0; h < MG_HOOK__COUNT; h++)
		st->cfg.engine[h] = engines[h];
	for (int i = 0; i < MG_COUNTERS; i++)
		st->counters[i] = i + 1;
	st->ctl.killswitch = 1;
	st->nscopes = 2;
	st->nbudgets = 1;
	st->budgets[0] = (struct mg_pinned_budget){
		.cgroup_id = 77,
		.budget_bytes = 1048576,
		.window_ns = 5000000000ull,
		.state = { .sent = 4096,
			   .dropped_packets = 3,
			   .dropped_bytes = 196608,
			   .exhausted_windows = 2,
			   .exhausted = 1 },
	};
	st->cfg.event_rate = 1000;
	st->nlinks = 3;
	return st;
}

/* @text is exactly the lines of want_lines, from @from, @n of them. */
static void assert_lines(const char *text, size_t from, size_t n)
{
	const char *p = text;

	for (size_t i = from; i < from + n; i++) {
		const char *nl = strchr(p, '\n');
		char *line;

		assert_non_null(nl);
		line = strndup(p, nl - p);
		assert_string_equal(line, want_lines[i]);
		free(line);
		p = nl + 1;
	}
	assert_string_equal(p, "");
}

static char *render(const struct mg_pinned *st, const struct mg_metrics_extra *x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(mg_metrics_write(out, st, x), 0);
	fclose(out);
	return buf;
}

static void test_exact_text(void **state)
{
	struct mg_pinned *st = filled_status();
	char *text = render(st, &extra);

	/* This text follows the hooks, verdicts and errors of mguard_abi.h. */
	assert_int_equal(MG_HOOK__COUNT * MG_VERDICT__COUNT, 92);
	assert_int_equal(MG_ERR__COUNT, 5);
	assert_lines(text, 0, MG_ARRAY_SIZE(want_lines));
	free(text);
	free(st);
}

static void test_without_extra(void **state)
{
	struct mg_pinned *st = filled_status();
	struct mg_metrics_extra x = extra;
	char *text = render(st, NULL);

	assert_lines(text, 0, MG_ARRAY_SIZE(want_lines) - 12);
	free(text);

	/* An unknown load time is left out rather than given as 1970. */
	x.policy_loaded_at = 0;
	text = render(st, &x);
	assert_null(strstr(text, "mguard_policy_load_timestamp_seconds"));
	assert_non_null(strstr(text, "\nmguard_licenses_expiring 2\n"));
	free(text);
	free(st);
}

static void test_atomic_file(void **state)
{
	struct mg_pinned *st = filled_status();
	char dir[PATH_MAX - 64], path[PATH_MAX], *text, *buf;
	struct dirent *de;
	struct stat sb;
	size_t len, nfiles = 0;
	DIR *d;

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir), "metrics"), 0);
	snprintf(path, sizeof(path), "%s/mguard.prom", dir);

	umask(077);
	assert_int_equal(mg_metrics_write_file(path, st, &extra), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(mg_read_file(path, 1 << 20, &buf, &len), 0);
	text = render(st, &extra);
	assert_string_equal(buf, text);
	free(buf);
	free(text);

	/* Replaced whole, and nothing left beside it. */
	st->nscopes = 5;
	assert_int_equal(mg_metrics_write_file(path, st, NULL), 0);
	assert_int_equal(mg_read_file(path, 1 << 20, &buf, &len), 0);
	assert_non_null(strstr(buf, "\nmguard_scopes 5\n"));
	assert_null(strstr(buf, "mguard_events_written_total"));
	free(buf);
	umask(022);

	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		nfiles += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	assert_int_equal(nfiles, 1);

	/* A folder that does not exist: an error, no file. */
	snprintf(path, sizeof(path), "%s/missing/mguard.prom", dir);
	assert_int_equal(mg_metrics_write_file(path, st, NULL), -ENOENT);
	snprintf(path, sizeof(path), "%s/", dir);
	assert_int_equal(mg_metrics_write_file(path, st, NULL), -EINVAL);

	unit_rm_tree(dir);
	free(st);
}

static void test_licenses_expiring(void **state)
{
	struct mg_image_license lic[] = {
		{ .id = "a", .not_after = 1000 + 3600 }, /* two models, one licence */
		{ .id = "a", .not_after = 1000 + 3600 },
		{ .id = "b", .not_after = 1000 + MG_METRICS_LICENSE_SOON }, /* the last second */
		{ .id = "c", .not_after = 1000 + MG_METRICS_LICENSE_SOON + 1 },
		{ .id = "d", .not_after = 1000 }, /* over */
		{ .id = NULL, .not_after = 2000 },
	};
	struct mg_image img = { .licenses = lic, .nlicenses = MG_ARRAY_SIZE(lic) };

	assert_int_equal(mg_metrics_licenses_expiring(&img, 1000, MG_METRICS_LICENSE_SOON), 3);
	img.nlicenses = 0;
	assert_int_equal(mg_metrics_licenses_expiring(&img, 1000, MG_METRICS_LICENSE_SOON), 0);
}

/* A policy in force: two scopes (one with a name that needs escaping), a licence on two models. */
static struct mg_image_scope lab_scopes[] = {
	{ .name = "sandbox", .cgroup = "/mguard.slice/sandbox", .val = { .scope_id = 1 } },
	{ .name = "odd\"name\\x", .cgroup = "/a\nb", .val = { .scope_id = 2 } },
};
static char *lab_models[] = { "llama-70b", "mistral-7b" };
static struct mg_image_license lab_lics[] = {
	{ .key = { .scope_id = 1, .model_id = 1 }, .id = "lic-1", .not_after = 1800000000 },
	{ .key = { .scope_id = 1, .model_id = 2 },
	  .val = { .narrow_id = MG_NARROW_ID_BASE },
	  .id = "lic-1",
	  .not_after = 1800000000 },
};
static struct mg_image lab_img = {
	.scopes = lab_scopes,
	.nscopes = 2,
	.licenses = lab_lics,
	.nlicenses = 2,
	.model_names = lab_models,
	.nmodels = 2,
};

static char *render_labelled(struct mg_metrics_scope *sc)
{
	struct mg_pinned *st = filled_status();
	struct mg_metrics_extra x = extra;
	char *text;

	sc[0] = (struct mg_metrics_scope){ .name = "sandbox", .cgroup = "/mguard.slice/sandbox" };
	sc[1] = (struct mg_metrics_scope){ .name = "odd\"name\\x", .cgroup = "/a\nb" };
	sc[0].events[MG_HOOK_FILE_OPEN][MG_VERDICT_DENY] = 7;
	sc[1].events[MG_HOOK_CONNECT4][MG_VERDICT_AUDIT] = 2;
	x.version = "0.1.0";
	x.scopes = sc;
	x.nscopes = 2;
	x.img = &lab_img;
	/* A licence's budget window in the scope of cgroup 77. */
	st->budgets[1] = st->budgets[0];
	st->budgets[1].narrow_id = MG_NARROW_ID_BASE;
	st->budgets[1].budget_bytes = 262144;
	st->nbudgets = 2;
	text = render(st, &x);
	free(st);
	return text;
}

static void test_labels(void **state)
{
	struct mg_metrics_scope sc[2];
	char *text = render_labelled(sc);

	assert_non_null(
		strstr(text, "\nmguard_build_info{version=\"0.1.0\",engine=\"bpf-lsm\"} 1\n"));
	/* The scope's budget, and the licence's within it, by the licence's id. */
	assert_non_null(strstr(text, "\nmguard_egress_budget_bytes{cgroup_id=\"77\"} 1048576\n"));
	assert_non_null(strstr(
		text, "\nmguard_egress_budget_bytes{cgroup_id=\"77\",license=\"lic-1\"} 262144\n"));
	assert_non_null(strstr(
		text, "\nmguard_hook_engine_info{hook=\"io_uring\",engine=\"covered\"} 1\n"));
	assert_non_null(strstr(
		text,
		"\nmguard_scope_info{scope=\"sandbox\",cgroup=\"/mguard.slice/sandbox\"} 1\n"));
	/* Quote, backslash and newline escaped as the text format wants. */
	assert_non_null(strstr(
		text, "\nmguard_scope_info{scope=\"odd\\\"name\\\\x\",cgroup=\"/a\\nb\"} 1\n"));
	assert_non_null(strstr(text,
			       "\nmguard_scope_events_total{scope=\"sandbox\",hook=\"file_open\","
			       "verdict=\"deny\"} 7\n"));
	assert_non_null(strstr(text,
			       "\nmguard_scope_events_total{scope=\"sandbox\",hook=\"file_open\","
			       "verdict=\"allow\"} 0\n"));
	assert_non_null(strstr(text, "\nmguard_scope_events_total{scope=\"odd\\\"name\\\\x\","
				     "hook=\"connect4\",verdict=\"audit\"} 2\n"));
	assert_non_null(strstr(text, "\nmguard_license_expiry_timestamp_seconds{license=\"lic-1\","
				     "scope=\"sandbox\",model=\"mistral-7b\"} 1800000000\n"));
	assert_non_null(strstr(text, "\nmguard_events_dropped_total 93\n"));
	free(text);
}

/* promtool (Debian's prometheus package) accepts the whole text, lint included. */
static int promtool_check(const char *text, char *report, size_t size)
{
	char dir[PATH_MAX - 64], path[PATH_MAX], cmd[3 * PATH_MAX];
	size_t n;
	FILE *p;
	int st;

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir), "promtool"), 0);
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	unit_put(path, text, strlen(text));
	snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s' 2>&1", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(report, 1, size - 1, p);
	report[n] = '\0';
	st = pclose(p);
	unit_rm_tree(dir);
	return st;
}

static void test_promtool(void **state)
{
	struct mg_metrics_scope sc[2];
	char *text = render_labelled(sc), report[4096];
	int st = promtool_check(text, report, sizeof(report));

	if (st != 0)
		fprintf(stderr, "promtool: %s\n", report);
	assert_int_equal(st, 0);
	free(text);

	/* The check can fail: a counter without _total and a broken line. */
	st = promtool_check("# HELP a_count x\n# TYPE a_count counter\na_count{x=\"1} 2\n", report,
			    sizeof(report));
	assert_int_not_equal(st, 0);
}

static void test_ready(void **state)
{
	struct mg_pinned *st = filled_status();
	const char *why = NULL;

	assert_true(mg_metrics_ready(st, &why));
	st->nlinks = 0;
	assert_false(mg_metrics_ready(st, &why));
	assert_string_equal(why, "no program attached");
	st->cfg.active_gen = 0;
	assert_false(mg_metrics_ready(st, &why));
	assert_string_equal(why, "no policy in force");
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_text),  cmocka_unit_test(test_without_extra),
		cmocka_unit_test(test_atomic_file), cmocka_unit_test(test_licenses_expiring),
		cmocka_unit_test(test_labels),	    cmocka_unit_test(test_promtool),
		cmocka_unit_test(test_ready),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
