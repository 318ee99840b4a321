// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard report: --since and --until, the command's exit statuses, the
 * policy in force from a daemon's state file, and the JSON and HTML made
 * from one report agreeing with its sums.
 */
#include "unit.h"

#include <errno.h>

#include <json-c/json.h>

#include "cli/cmd_report.h"
#include "cli/report.h"
#include "daemon/state.h"
#include "policy/policy.h"

/* 2026-12-01T10:00:00Z */
#define T0 1796119200LL

static char base[1024];

static int group_setup(void **state)
{
	return unit_mkdtemp(base, sizeof(base), "report-cli");
}

static int group_teardown(void **state)
{
	return unit_rm_tree(base);
}

static void test_parse_when(void **state)
{
	int64_t t;

	assert_int_equal(mg_report_parse_when("2026-12-01T10:00:00Z", 0, &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(mg_report_parse_when("2026-12-01T10:00:00.123456Z", 0, &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(mg_report_parse_when("2026-12-01T12:30:00+02:30", 0, &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(mg_report_parse_when("2026-12-01T05:00:00-05:00", 0, &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(mg_report_parse_when("24h", T0, &t), 0);
	assert_int_equal(t, T0 - 86400);
	assert_int_equal(mg_report_parse_when("7d", T0, &t), 0);
	assert_int_equal(t, T0 - 7 * 86400);
	assert_int_equal(mg_report_parse_when("90m", T0, &t), 0);
	assert_int_equal(t, T0 - 5400);
	assert_int_equal(mg_report_parse_when("2w", T0, &t), 0);
	assert_int_equal(t, T0 - 14 * 86400);

	static const char *const bad[] = {
		"",
		"yesterday",
		"24",
		"-1h",
		"24x",
		"1.5h",
		"h",
		"24hh",
		"2026-13-01T00:00:00Z",
		"2026-02-30T00:00:00Z",
		"2026-12-01 10:00:00Z",
		"2026-12-01T10:00:00",
		"2026-12-01T10:00:00+2",
		"2026-12-01T10:00:00.Z",
		"99999999999999999999d",
		"40000w",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mg_report_parse_when(bad[i], T0, &t) != -EINVAL)
			fail_msg("'%s' was taken as a time", bad[i]);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	unit_put(unit_path(dir, name), text, strlen(text));
}

static const char events[] =
	"{\"schema\":1,\"time\":\"2026-12-01T10:00:00Z\",\"type\":\"policy_loaded\",\"generation\":1,"
	"\"policy_digest\":\"sha256:aa\",\"mode\":\"enforce\",\"scopes\":1}\n"
	"{\"schema\":1,\"time\":\"2026-12-01T10:20:00Z\",\"type\":\"decision\",\"hook\":\"file_open\","
	"\"verdict\":\"kill\",\"reason\":\"tier\",\"scope\":\"lab\",\"file\":{\"model\":\"big\","
	"\"tier\":\"prohibited\"}}\n"
	"garbage\n"
	"{\"schema\":1,\"time\":\"2026-12-01T11:30:00Z\",\"type\":\"killswitch\",\"state\":\"on\"}\n"
	"{\"schema\":1,\"time\":\"2026-12-01T11:40:00Z\",\"type\":\"decision\",\"hook\":\"connect4\","
	"\"verdict\":\"deny\",\"reason\":\"killswitch\",\"scope\":\"lab\"}\n"
	"{\"schema\":1,\"time\":\"2026-12-01T11:50:00Z\",\"type\":\"killswitch\",\"state\":\"off\","
	"\"previous\":\"on\"}\n";

/* Bad input: one line on stderr, exit 2 (usage) or 1 (no such file). */
static void test_cli_errors(void **state)
{
	char dir[PATH_MAX];
	struct unit_cli r;

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	put_file(dir, "events.jsonl", events);
	r = unit_run_cli(mg_cmd_report, "report", dir, "--since", "yesterday", "--log-dir", dir,
			 NULL);
	assert_non_null(strstr(r.err, "invalid --since 'yesterday'"));
	unit_expect_cli(r, 2, "", NULL);
	r = unit_run_cli(mg_cmd_report, "report", dir, "--until", "7x", NULL);
	unit_expect_cli(r, 2, "", NULL);
	r = unit_run_cli(mg_cmd_report, "report", dir, "--json", "--html", "--log-dir", dir, NULL);
	unit_expect_cli(r, 2, "", NULL);
	r = unit_run_cli(mg_cmd_report, "report", dir, "--since", "2026-12-02T00:00:00Z", "--until",
			 "2026-12-01T00:00:00Z", "--log-dir", dir, NULL);
	unit_expect_cli(r, 2, "", NULL);
	r = unit_run_cli(mg_cmd_report, "report", dir, "--log-dir", dir, unit_path(dir, "x"), NULL);
	unit_expect_cli(r, 2, "", NULL);
	r = unit_run_cli(mg_cmd_report, "report", dir, "--frobnicate", NULL);
	unit_expect_cli(
		r, 2, "",
		"mguard: error: unknown option '--frobnicate' (try 'mguard report --help')\n");
	r = unit_run_cli(mg_cmd_report, "report", dir, "--pin-dir", "/nonexistent",
			 unit_path(dir, "missing.jsonl"), NULL);
	assert_non_null(strstr(r.err, "missing.jsonl"));
	unit_expect_cli(r, 1, "", NULL);
	r = unit_run_cli(mg_cmd_report, "report", dir, "--pin-dir", "/nonexistent", "--log-dir",
			 unit_path(dir, "empty"), NULL);
	unit_expect_cli(r, 1, "", NULL);
	/* The error lines are one line each. */
	r = unit_run_cli(mg_cmd_report, "report", dir, "--since", "soon", NULL);
	assert_int_equal(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err));
	unit_expect_cli(r, 2, "", NULL);
}

static struct json_object *get(struct json_object *o, const char *path)
{
	const char *whole = path;
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, atoi(key));
		else if (!json_object_object_get_ex(o, key, &o))
			o = NULL;
		path += n + (path[n] == '.');
	}
	if (!o)
		fail_msg("no '%s' in the JSON", whole);
	return o;
}

/* Member @key of the object at @path is there, and null. */
static bool is_null(struct json_object *o, const char *path, const char *key)
{
	struct json_object *v = (struct json_object *)1;

	return json_object_object_get_ex(get(o, path), key, &v) && v == NULL;
}

static int64_t num(struct json_object *o, const char *path)
{
	return json_object_get_int64(get(o, path));
}

/* The command's JSON: valid, schema 1, its numbers those of the events above. */
static void test_cli_json(void **state)
{
	char dir[PATH_MAX];
	struct json_object *o;
	struct unit_cli r;

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	put_file(dir, "events.jsonl", events);
	r = unit_run_cli(mg_cmd_report, "report", dir, "--json", "--pin-dir", "/nonexistent",
			 "--since", "2026-12-01T10:00:00Z", "--until", "2026-12-01T12:00:00Z",
			 unit_path(dir, "events.jsonl"), NULL);
	o = json_tokener_parse(r.out);
	assert_non_null(o);
	assert_int_equal(num(o, "schema"), 1);
	assert_string_equal(json_object_get_string(get(o, "window.bucket")), "hour");
	assert_int_equal(json_object_array_length(get(o, "window.buckets")), 3);
	assert_int_equal(num(o, "totals.violations"), 2);
	assert_int_equal(num(o, "totals.kill"), 1);
	assert_int_equal(num(o, "totals.deny"), 1);
	assert_int_equal(num(o, "input.malformed"), 1);
	assert_int_equal(num(o, "input.malformed_lines.0.line"), 3);
	assert_int_equal(num(o, "killswitch.on_seconds"), 1200);
	assert_int_equal(json_object_array_length(get(o, "killswitch.changes")), 2);
	assert_int_equal(num(o, "reloads.0.generation"), 1);
	assert_string_equal(json_object_get_string(get(o, "scopes.0.name")), "lab");
	assert_int_equal(num(o, "scopes.0.violations.series.0"), 1);
	assert_int_equal(num(o, "scopes.0.violations.series.1"), 1);
	assert_int_equal(num(o, "scopes.0.violations.series.2"), 0);
	assert_int_equal(num(o, "scopes.0.refused.0.attempts"), 1);
	/* No daemon: said, and nothing made up of the policy. */
	assert_false(json_object_get_boolean(get(o, "daemon.running")));
	assert_non_null(strstr(json_object_get_string(get(o, "daemon.note")), "no daemon runs"));
	assert_true(is_null(o, "scopes.0", "may_load"));
	assert_true(is_null(o, "scopes.0", "max_tier"));
	json_object_put(o);
	unit_expect_cli(r, 0, NULL, "");
}

/* The HTML: one file, no script, nothing fetched; a bar per bucket, a point per change. */
static void test_cli_html_self_contained(void **state)
{
	char dir[PATH_MAX];
	struct unit_cli r;
	size_t bars = 0, points = 0;

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	put_file(dir, "events.jsonl", events);
	r = unit_run_cli(mg_cmd_report, "report", dir, "--html", "--pin-dir", "/nonexistent",
			 "--log-dir", dir, NULL);
	assert_int_equal(strncmp(r.out, "<!DOCTYPE html>", 15), 0);
	assert_null(strstr(r.out, "http"));
	assert_null(strstr(r.out, "src="));
	assert_null(strstr(r.out, "<script"));
	assert_null(strstr(r.out, "<link"));
	assert_null(strstr(r.out, "url("));
	for (const char *p = r.out; (p = strstr(p, "<rect class=\"bar\"")); p++)
		bars++;
	for (const char *p = r.out; (p = strstr(p, "<circle class=\"point")); p++)
		points++;
	assert_int_equal(bars, 2);   /* 10:00 to 11:50: two hours */
	assert_int_equal(points, 3); /* a reload, two kill switch changes */
	unit_expect_cli(r, 0, NULL, "");
}

/* A running daemon: its scopes' tier ceilings, licences and what they may load. */
static void test_live_state(void **state)
{
	struct mg_report_opts o = { .now = T0,
				    .since = MG_REPORT_NO_TIME,
				    .until = MG_REPORT_NO_TIME };
	char dir[PATH_MAX], pol[PATH_MAX + 8], statefile[PATH_MAX + 16], digest[65], *text;
	struct mg_diags diags = {};
	struct mg_policy *p = NULL;
	const struct mg_report_scope *s;
	struct mg_report r;

	assert_int_equal(unit_mksubdir(dir, sizeof(dir), base), 0);
	snprintf(pol, sizeof(pol), "%s/pol", dir);
	assert_int_equal(mkdir(pol, 0700), 0);
	put_file(pol, "policy.yaml",
		 "apiVersion: mguard/v1\n"
		 "tiers: [{name: general, level: 1}, {name: prohibited, level: 3}]\n"
		 "models:\n"
		 "  - {name: small, tier: general, files: [/srv/small/]}\n"
		 "  - {name: big, tier: prohibited, files: [/srv/big/]}\n"
		 "scopes:\n"
		 "  - {name: lab, cgroup: /lab, maxTier: general}\n");
	assert_int_equal(mg_policy_load_dir(pol, &p, &diags), 0);
	assert_int_equal(mg_policy_digest(p, digest), 0);
	mg_policy_free(p);
	mg_diags_free(&diags);
	assert_true(asprintf(&text,
			     "policy\t%s\ndigest\t%s\nloaded\t%lld\nevents\t-\n"
			     "scope\tlab\t/lab\t0\tgeneral\n"
			     "license\tlic-1\tlab\t%lld\nlicense\tlic-0\tlab\t%lld\n",
			     pol, digest, T0 - 60, T0 + 10 * 86400 + 5, T0 - 1) > 0);
	snprintf(statefile, sizeof(statefile), "%s/x.state", dir);
	put_file(dir, "x.state", text);
	free(text);

	mg_report_init(&r, &o);
	assert_int_equal(mg_report_add_live(&r, statefile, 4242, NULL), 0);
	assert_int_equal(mg_report_finish(&r), 0);
	assert_true(r.live.known);
	assert_true(r.live.folder_matches);
	assert_null(r.live.why_not);
	assert_int_equal(r.live.pid, 4242);
	assert_int_equal(r.live.loaded_at, T0 - 60);
	assert_int_equal(r.nscopes, 1);
	s = &r.scopes[0];
	assert_true(s->in_policy);
	assert_string_equal(s->max_tier, "general");
	assert_string_equal(s->cgroup, "/lab");
	assert_int_equal(s->nmay_load, 1);
	assert_string_equal(s->may_load[0].model, "small");
	assert_string_equal(s->may_load[0].tier, "general");
	assert_null(s->may_load[0].license);
	assert_int_equal(s->nlicenses, 2);
	assert_string_equal(s->licenses[0].id, "lic-1");
	assert_int_equal(s->licenses[0].days_left, 10);
	assert_int_equal(s->licenses[1].days_left, -1); /* ended a second ago */
	mg_report_free(&r);

	/* The folder changed since it was loaded: nothing shown from it. */
	put_file(pol, "more.yaml", "apiVersion: mguard/v1\n");
	mg_report_init(&r, &o);
	assert_int_equal(mg_report_add_live(&r, statefile, 4242, NULL), 0);
	assert_true(r.live.known);
	assert_false(r.live.folder_matches);
	assert_non_null(strstr(r.live.why_not, "changed since it was loaded"));
	assert_int_equal(r.scopes[0].nmay_load, 0);
	assert_string_equal(r.scopes[0].max_tier, "general");
	mg_report_free(&r);

	/* No daemon: the state is not read at all. */
	mg_report_init(&r, &o);
	assert_int_equal(mg_report_add_live(&r, statefile, 0, "none here"), 0);
	assert_false(r.live.known);
	assert_string_equal(r.live.why_not, "none here");
	assert_int_equal(r.nscopes, 0);
	mg_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_when), cmocka_unit_test(test_cli_errors),
		cmocka_unit_test(test_cli_json),   cmocka_unit_test(test_cli_html_self_contained),
		cmocka_unit_test(test_live_state),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
