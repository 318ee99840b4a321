// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard report: the sums over event files the daemon's own writers made
 * (events.c), across a rotation, with fields and types the report does not
 * know, with malformed lines, over windows and buckets.
 */
#include "unit.h"

#include <errno.h>

#include "cli/report.h"
#include "core/util.h"
#include "daemon/events.h"

/* 2026-12-01T10:00:00Z */
#define T0 1796119200LL

static char base[1024];

static int group_setup(void **state)
{
	return unit_mkdtemp(base, sizeof(base), "report");
}

static int group_teardown(void **state)
{
	return unit_rm_tree(base);
}

/* A decision line at @t, as the daemon writes it: unit_file_event() shifted. */
static char *decision_at(int64_t t, int verdict, int reason)
{
	struct mg_event e = unit_file_event("a.safetensors");

	e.verdict = verdict;
	e.reason = reason;
	return unit_render(&e, unit_file_image(), t * 1000000000LL - (int64_t)e.ts_boot_ns);
}

/* A daemon line of @type at @t with fields @f. */
static char *daemon_at(int64_t t, const char *type, const struct mg_event_field *f, size_t nf,
		       uint32_t gen)
{
	struct mg_event_ctx ctx = { .host = "node-1", .policy_digest = "00ff", .generation = gen };
	char buf[4096];
	size_t len = mg_service_format_json(buf, sizeof(buf), &ctx, (uint64_t)t * 1000000000ULL,
					    type, f, nf);

	assert_true(len < sizeof(buf));
	buf[len] = '\0';
	return strdup(buf);
}

static char *loaded_at(int64_t t, uint32_t gen)
{
	const struct mg_event_field f[] = {
		{ .key = "policy_dir", .str = "/etc/mguard" },
		{ .key = "previous_digest", .str = NULL },
		{ .key = "mode", .str = "enforce" },
		{ .key = "scopes", .is_number = true, .num = 1 },
	};

	return daemon_at(t, "policy_loaded", f, MG_ARRAY_SIZE(f), gen);
}

static char *switch_at(int64_t t, bool on)
{
	const struct mg_event_field f[] = {
		{ .key = "state", .str = on ? "on" : "off" },
		{ .key = "previous", .str = on ? "off" : "on" },
		{ .key = "changes", .is_number = true, .num = 1 },
	};

	return daemon_at(t, "killswitch", f, MG_ARRAY_SIZE(f), 1);
}

/* Write the lines (NULL-terminated, each freed) to @dir/@name. */
static void put_lines(const char *dir, const char *name, ...)
{
	char path[PATH_MAX];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	va_start(ap, name);
	for (char *l = va_arg(ap, char *); l; l = va_arg(ap, char *)) {
		size_t n = strlen(l);

		fputs(l, f);
		if (!n || l[n - 1] != '\n')
			fputc('\n', f);
		free(l);
	}
	va_end(ap);
	fclose(f);
}

static struct mg_report_opts window(int64_t since, int64_t until)
{
	struct mg_report_opts o = { .now = T0 + 30 * 86400, .since = since, .until = until };

	return o;
}

static const struct mg_report_scope *scope_named(const struct mg_report *r, const char *name)
{
	for (size_t i = 0; i < r->nscopes; i++)
		if (r->scopes[i].name && !strcmp(r->scopes[i].name, name))
			return &r->scopes[i];
	fail_msg("no scope '%s' in the report", name);
	return NULL;
}

static const struct mg_report_class *class_of(const struct mg_report_scope *s, const char *hook,
					      const char *reason)
{
	for (size_t i = 0; i < s->nclasses; i++)
		if (!strcmp(s->classes[i].hook, hook) && !strcmp(s->classes[i].reason, reason))
			return &s->classes[i];
	fail_msg("no class %s/%s", hook, reason);
	return NULL;
}

/* Three files of one rotation: .2 is the oldest, events.jsonl the newest. */
static void test_rotation_read_oldest_first(void **state)
{
	struct mg_report_opts o = window(MG_REPORT_NO_TIME, MG_REPORT_NO_TIME);
	const struct mg_report_scope *s;
	const struct mg_report_class *c;
	struct mg_report r;
	char dir[PATH_MAX];

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	put_lines(dir, "events.jsonl.2", loaded_at(T0, 1),
		  decision_at(T0 + 60, MG_VERDICT_KILL, MG_REASON_TIER), NULL);
	put_lines(dir, "events.jsonl.1",
		  decision_at(T0 + 3600 + 5, MG_VERDICT_KILL, MG_REASON_TIER),
		  loaded_at(T0 + 3600 + 10, 2), NULL);
	put_lines(dir, "events.jsonl", decision_at(T0 + 7200 + 1, MG_VERDICT_DENY, MG_REASON_TIER),
		  decision_at(T0 + 7200 + 2, MG_VERDICT_KILL, MG_REASON_UNLICENSED), NULL);

	mg_report_init(&r, &o);
	assert_int_equal(mg_report_read_dir(&r, dir), 3);
	assert_int_equal(mg_report_finish(&r), 0);

	assert_int_equal(r.nsources, 3);
	assert_non_null(strstr(r.sources[0].path, "events.jsonl.2"));
	assert_non_null(strstr(r.sources[1].path, "events.jsonl.1"));
	assert_string_equal(strrchr(r.sources[2].path, '/'), "/events.jsonl");
	assert_int_equal(r.lines, 6);
	assert_int_equal(r.malformed, 0);
	assert_int_equal(r.decisions, 4);
	/* The reloads in the order they happened, across the rotation. */
	assert_int_equal(r.nreloads, 2);
	assert_int_equal(r.reloads[0].generation, 1);
	assert_int_equal(r.reloads[1].generation, 2);
	assert_int_equal(r.reloads[1].time, T0 + 3610);
	assert_string_equal(r.reloads[1].mode, "enforce");
	assert_false(r.reloads[1].failed);

	/* Two hours and a bit: hourly buckets, three of them. */
	assert_int_equal(r.bucket, MG_REPORT_HOUR);
	assert_int_equal(r.bucket0, T0);
	assert_int_equal(r.nbuckets, 3);
	s = scope_named(&r, "vllm");
	assert_int_equal(s->total, 4);
	assert_int_equal(s->verdicts[MG_REPORT_KILL], 3);
	assert_int_equal(s->verdicts[MG_REPORT_DENY], 1);
	assert_int_equal(s->series[0], 1);
	assert_int_equal(s->series[1], 1);
	assert_int_equal(s->series[2], 2);
	c = class_of(s, "file_open", "tier");
	assert_int_equal(c->count, 3);
	assert_int_equal(c->series[2], 1);
	c = class_of(s, "file_open", "unlicensed");
	assert_int_equal(c->count, 1);
	assert_int_equal(s->nmodels, 1);
	assert_string_equal(s->models[0].name, "frontier-x");
	assert_string_equal(s->models[0].tier, "prohibited");
	assert_int_equal(s->models[0].refused, 4);
	assert_int_equal(s->models[0].audited, 0);
	assert_int_equal(s->models[0].first, T0 + 60);
	assert_int_equal(s->models[0].last, T0 + 7202);
	mg_report_free(&r);
}

/* Fields and line types the report does not know change nothing. */
static void test_unknown_fields_and_types(void **state)
{
	struct mg_report_opts o = window(MG_REPORT_NO_TIME, MG_REPORT_NO_TIME);
	struct mg_report r;
	char dir[PATH_MAX], *d = decision_at(T0, MG_VERDICT_AUDIT, MG_REASON_TIER), *line;
	const char *p = d + strlen("{\"schema\":1,");

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	/* A hash chain's fields inside, and one nested object more. */
	assert_true(asprintf(&line,
			     "{\"schema\":1,\"seq\":7,\"prev\":\"ab12\",\"x\":{\"y\":[1,2]},%s",
			     p) > 0);
	put_lines(dir, "events.jsonl", line,
		  strdup("{\"schema\":1,\"time\":\"2026-12-01T10:00:05Z\",\"type\":\"checkpoint\","
			 "\"seq\":8,\"chain\":\"cd34\"}"),
		  NULL);
	free(d);

	mg_report_init(&r, &o);
	assert_int_equal(mg_report_read_dir(&r, dir), 1);
	assert_int_equal(mg_report_finish(&r), 0);
	assert_int_equal(r.lines, 2);
	assert_int_equal(r.malformed, 0);
	assert_int_equal(r.unknown_type, 1);
	assert_int_equal(r.decisions, 1);
	assert_int_equal(scope_named(&r, "vllm")->verdicts[MG_REPORT_AUDIT], 1);
	/* An audited open is a load that was allowed and recorded. */
	assert_int_equal(scope_named(&r, "vllm")->models[0].audited, 1);
	mg_report_free(&r);
}

/* Malformed lines are counted and placed; the lines around them still count. */
static void test_malformed_lines_counted(void **state)
{
	struct mg_report_opts o = window(MG_REPORT_NO_TIME, MG_REPORT_NO_TIME);
	struct mg_report r;
	char dir[PATH_MAX], path[PATH_MAX + 16];

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	put_lines(
		dir, "events.jsonl", decision_at(T0, MG_VERDICT_KILL, MG_REASON_TIER),
		strdup("not json at all"),
		strdup("{\"schema\":1,\"time\":\"2026-12-01T10:00:01Z\",\"type\":\"decis"),
		strdup("[1,2,3]"), strdup("{\"time\":\"2026-12-01T10:00:01Z\",\"type\":\"mode\"}"),
		strdup("{\"schema\":1,\"time\":\"yesterday\",\"type\":\"mode\"}"),
		strdup("{\"schema\":1,\"time\":\"2026-12-01T10:00:01Z\",\"type\":\"decision\"}"),
		strdup("{\"schema\":1,\"time\":\"2026-12-01T10:00:01Z\",\"type\":\"killswitch\"}"),
		strdup("{\"schema\":2,\"time\":\"2026-12-01T10:00:01Z\",\"type\":\"decision\"}"),
		strdup("{\"schema\":1} trailing"), strdup(""),
		decision_at(T0 + 10, MG_VERDICT_DENY, MG_REASON_EGRESS), NULL);

	mg_report_init(&r, &o);
	assert_int_equal(mg_report_read_dir(&r, dir), 1);
	assert_int_equal(mg_report_finish(&r), 0);
	assert_int_equal(r.decisions, 2);
	assert_int_equal(r.malformed, 8);
	assert_int_equal(r.other_schema, 1);
	assert_int_equal(r.sources[0].malformed, 8);
	assert_int_equal(r.nbad, 8);
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	assert_string_equal(r.bad[0].path, path);
	assert_int_equal(r.bad[0].line, 2);
	assert_string_equal(r.bad[0].why, "not one JSON value");
	assert_int_equal(r.bad[2].line, 4);
	assert_string_equal(r.bad[2].why, "not a JSON object");
	assert_string_equal(r.bad[3].why, "no schema");
	assert_string_equal(r.bad[4].why, "no time, or not RFC 3339");
	assert_int_equal(r.bad[7].line, 10);
	mg_report_free(&r);
}

/* --since and --until: lines outside are counted, the kill switch's state carried in. */
static void test_window_and_killswitch(void **state)
{
	struct mg_report_opts o = window(T0 + 3600, T0 + 3 * 3600);
	struct mg_report r;
	char dir[PATH_MAX];

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	put_lines(dir, "events.jsonl", switch_at(T0 + 60, true),
		  decision_at(T0 + 120, MG_VERDICT_DENY, MG_REASON_KILLSWITCH),
		  decision_at(T0 + 3600 + 30, MG_VERDICT_DENY, MG_REASON_KILLSWITCH),
		  switch_at(T0 + 3600 + 600, false), switch_at(T0 + 2 * 3600, true),
		  switch_at(T0 + 2 * 3600 + 100, false),
		  decision_at(T0 + 4 * 3600, MG_VERDICT_KILL, MG_REASON_TIER), NULL);

	mg_report_init(&r, &o);
	assert_int_equal(mg_report_read_dir(&r, dir), 1);
	assert_int_equal(mg_report_finish(&r), 0);
	assert_int_equal(r.outside, 3);
	assert_int_equal(r.decisions, 1);
	assert_int_equal(r.start, T0 + 3600);
	assert_int_equal(r.end, T0 + 3 * 3600);
	assert_int_equal(r.nbuckets, 3);
	assert_true(r.switch_at_start);
	assert_int_equal(r.nswitches, 3);
	assert_int_equal(r.switch_changes, 3);
	/* On from the window's start for 600 s, then 100 s more. */
	assert_int_equal(r.switch_on_secs, 700);
	assert_int_equal(class_of(scope_named(&r, "vllm"), "file_open", "killswitch")->count, 1);
	mg_report_free(&r);
}

/* --since alone runs to now: the buckets reach it, empty after the last line. */
static void test_since_runs_to_now(void **state)
{
	struct mg_report_opts o = window(T0, MG_REPORT_NO_TIME);
	struct mg_report r;
	char dir[PATH_MAX];

	o.now = T0 + 5 * 3600 + 10;
	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	put_lines(dir, "events.jsonl", decision_at(T0 + 30, MG_VERDICT_KILL, MG_REASON_TIER), NULL);
	mg_report_init(&r, &o);
	assert_int_equal(mg_report_read_dir(&r, dir), 1);
	assert_int_equal(mg_report_finish(&r), 0);
	assert_int_equal(r.end, o.now);
	assert_int_equal(r.nbuckets, 6);
	assert_int_equal(scope_named(&r, "vllm")->series[0], 1);
	assert_int_equal(scope_named(&r, "vllm")->series[5], 0);
	mg_report_free(&r);
}

/* On and off between two looks of the daemon: one line, two writes, no time on. */
static void test_killswitch_two_writes_one_line(void **state)
{
	struct mg_report_opts o = window(MG_REPORT_NO_TIME, MG_REPORT_NO_TIME);
	const struct mg_event_field f[] = {
		{ .key = "state", .str = "off" },
		{ .key = "previous", .str = "off" },
		{ .key = "changes", .is_number = true, .num = 2 },
	};
	struct mg_report r;
	char dir[PATH_MAX];

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	put_lines(dir, "events.jsonl", loaded_at(T0, 1),
		  daemon_at(T0 + 5, "killswitch", f, MG_ARRAY_SIZE(f), 1), NULL);
	mg_report_init(&r, &o);
	assert_int_equal(mg_report_read_dir(&r, dir), 1);
	assert_int_equal(mg_report_finish(&r), 0);
	assert_int_equal(r.nswitches, 1);
	assert_int_equal(r.switch_changes, 2);
	assert_int_equal(r.switches[0].changes, 2);
	assert_false(r.switches[0].on);
	assert_int_equal(r.switch_on_secs, 0);
	mg_report_free(&r);
}

/* A span over two days is bucketed by days; every series sums to its count. */
static void test_daily_buckets(void **state)
{
	struct mg_report_opts o = window(MG_REPORT_NO_TIME, MG_REPORT_NO_TIME);
	const struct mg_report_scope *s;
	struct mg_report r;
	char dir[PATH_MAX];
	uint64_t sum = 0;

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	put_lines(dir, "events.jsonl", decision_at(T0, MG_VERDICT_KILL, MG_REASON_TIER),
		  decision_at(T0 + 86400, MG_VERDICT_KILL, MG_REASON_TIER),
		  decision_at(T0 + 86400 + 7200, MG_VERDICT_KILL, MG_REASON_TIER),
		  decision_at(T0 + 4 * 86400, MG_VERDICT_DENY, MG_REASON_EGRESS), NULL);

	mg_report_init(&r, &o);
	assert_int_equal(mg_report_read_dir(&r, dir), 1);
	assert_int_equal(mg_report_finish(&r), 0);
	assert_int_equal(r.bucket, MG_REPORT_DAY);
	assert_string_equal(mg_report_bucket_name(&r), "day");
	assert_int_equal(r.bucket0, T0 - 10 * 3600); /* midnight UTC */
	assert_int_equal(r.nbuckets, 5);
	s = scope_named(&r, "vllm");
	for (size_t b = 0; b < r.nbuckets; b++)
		sum += s->series[b];
	assert_int_equal(sum, s->total);
	assert_int_equal(s->series[1], 2);
	assert_int_equal(s->series[4], 1);
	mg_report_free(&r);
}

/* Rate-limit summaries say how many went unrecorded; they are not violations. */
static void test_rate_summaries(void **state)
{
	struct mg_report_opts o = window(MG_REPORT_NO_TIME, MG_REPORT_NO_TIME);
	struct mg_event e = unit_file_event("x");
	struct mg_report r;
	char dir[PATH_MAX];

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	e.reason = MG_REASON_RATE_LIMITED;
	e.rate.limit = 100;
	char *limited = unit_render(&e, unit_file_image(), T0 * 1000000000LL);
	e.reason = MG_REASON_RATE_RESUMED;
	e.rate.suppressed = 250;
	char *resumed = unit_render(&e, unit_file_image(), T0 * 1000000000LL + 5000000000LL);
	put_lines(dir, "events.jsonl", limited, resumed, NULL);

	mg_report_init(&r, &o);
	assert_int_equal(mg_report_read_dir(&r, dir), 1);
	assert_int_equal(mg_report_finish(&r), 0);
	assert_int_equal(r.malformed, 0);
	assert_int_equal(r.decisions, 0);
	assert_int_equal(scope_named(&r, "vllm")->rate_suppressed, 250);
	assert_int_equal(scope_named(&r, "vllm")->nclasses, 0);
	mg_report_free(&r);
}

/* No event file at all is -ENOENT; an empty folder too. */
static void test_no_event_files(void **state)
{
	struct mg_report_opts o = window(MG_REPORT_NO_TIME, MG_REPORT_NO_TIME);
	struct mg_report r;
	char dir[PATH_MAX];

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	mg_report_init(&r, &o);
	assert_int_equal(mg_report_read_dir(&r, dir), -ENOENT);
	assert_int_equal(mg_report_read_file(&r, unit_path(dir, "nothing")), -ENOENT);
	mg_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotation_read_oldest_first),
		cmocka_unit_test(test_unknown_fields_and_types),
		cmocka_unit_test(test_malformed_lines_counted),
		cmocka_unit_test(test_window_and_killswitch),
		cmocka_unit_test(test_since_runs_to_now),
		cmocka_unit_test(test_killswitch_two_writes_one_line),
		cmocka_unit_test(test_daily_buckets),
		cmocka_unit_test(test_rate_summaries),
		cmocka_unit_test(test_no_event_files),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
