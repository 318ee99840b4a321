// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Events rendered as JSON lines. */
#include "core/names.h"
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "daemon/event_ctx.h"
#include "daemon/events.h"
#include "core/util.h"

static void test_file_event_names_everything(void **state)
{
	struct mg_event e = unit_file_event("a\"b");
	char *s = unit_render(&e, unit_file_image(), 0);

	assert_string_equal(
		s, "{\"schema\":1,\"time\":\"1970-01-01T00:00:01.500000Z\",\"host\":null"
		   ",\"type\":\"decision\",\"hook\":\"file_open\",\"verdict\":\"kill\""
		   ",\"engine\":\"tracepoint-kill\",\"reason\":\"tier\",\"policy_digest\":null"
		   ",\"generation\":2,\"scope\":\"vllm\",\"cgroup_id\":77,\"cgroup_path\":null"
		   ",\"container_id\":null,\"pod_uid\":null,\"pid\":10,\"tid\":11"
		   ",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"python3\",\"exe\":null"
		   ",\"file\":{\"dev\":\"8:1\",\"ino\":42,\"path\":\"/srv/m/a.safetensors\""
		   ",\"path_source\":\"policy\",\"name\":\"a\\\"b\",\"model\":\"frontier-x\""
		   ",\"tier\":\"prohibited\",\"flags\":\"O_RDONLY\",\"flags_raw\":0}}\n");
	free(s);
}

static void test_net_event_without_image(void **state)
{
	struct mg_event e = {
		.hook = MG_HOOK_CONNECT4,
		.verdict = MG_VERDICT_DENY,
		.engine = MG_ENGINE_CGROUP,
		.reason = MG_REASON_EGRESS,
		.comm = "curl",
		.net = { .addr = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 },
			 .port = 443,
			 .family = 2,
			 .protocol = 6 },
	};
	char *s = unit_render(&e, NULL, 0);

	assert_non_null(strstr(s, "\"exe\":null,\"net\":{\"family\":\"ipv4\",\"addr\":\"10.0.0.1\","
				  "\"port\":443,\"protocol\":\"tcp\"}}\n"));
	assert_non_null(strstr(s, "\"scope\":null,"));
	free(s);

	e.hook = MG_HOOK_CONNECT6;
	memset(e.net.addr, 0, 16);
	e.net.addr[15] = 1;
	e.net.family = 10;
	e.net.protocol = 17;
	s = unit_render(&e, NULL, 0);
	assert_non_null(strstr(s, "\"hook\":\"connect6\""));
	assert_non_null(strstr(
		s, "\"family\":\"ipv6\",\"addr\":\"::1\",\"port\":443,\"protocol\":\"udp\""));
	free(s);
}

static void test_device_event(void **state)
{
	struct mg_event e = {
		.hook = MG_HOOK_DEVICE,
		.verdict = MG_VERDICT_DENY,
		.engine = MG_ENGINE_CGROUP,
		.reason = MG_REASON_GPU,
		.comm = "python3",
		.dev = { .major = 195, .minor = 1, .access = 2 | 4, .driver = MG_GPU_NVIDIA },
	};
	char *s = unit_render(&e, NULL, 0);

	assert_non_null(strstr(
		s,
		"\"hook\":\"device\",\"verdict\":\"deny\",\"engine\":\"cgroup\",\"reason\":\"gpu\""));
	assert_non_null(strstr(
		s,
		",\"device\":{\"major\":195,\"minor\":1,\"driver\":\"nvidia\",\"access\":\"rw\"}}\n"));
	free(s);
}

/* A path longer than MG_EVENT_JSON_BUF once escaped is still written whole. */
static void test_long_path_is_whole(void **state)
{
	char *model_names[] = { "m" };
	char *tier_names[] = { NULL, "t" };
	size_t n = MG_EVENT_JSON_BUF;
	char *path = malloc(n + 1);
	struct mg_image_inode inodes[] = { { .ino = 1, .dev = 1, .path = path } };
	struct mg_image img = {
		.inodes = inodes,
		.ninodes = 1,
		.model_names = model_names,
		.nmodels = 1,
		.tier_names = tier_names,
		.ntier_names = 2,
	};
	struct mg_event e = {
		.hook = MG_HOOK_FILE_OPEN,
		.comm = "c",
		.file = { .ino = 1, .dev = 1, .model_id = 1, .tier = 1, .name = "n" },
	};
	char *s, *p;

	assert_non_null(path);
	memset(path, '\x01', n);
	path[n] = '\0';
	s = unit_render(&e, &img, 0);
	p = strstr(s, "\"path\":\"\\u0001");
	assert_non_null(p);
	p += strlen("\"path\":\"");
	for (size_t i = 0; i < n; i++, p += 6)
		assert_memory_equal(p, "\\u0001", 6);
	assert_string_equal(p, "\",\"path_source\":\"policy\",\"name\":\"n\",\"model\":\"m\""
			       ",\"tier\":\"t\",\"flags\":\"O_RDONLY\",\"flags_raw\":0}}\n");
	free(s);
	free(path);
}

/* Every byte is escaped as mg_json_write_string() escapes it. */
static void test_escaping_matches_json_string(void **state)
{
	char all[256], *want = NULL, *got, *p;
	size_t want_len = 0;
	struct mg_image_scope scopes[] = { { .name = all } };
	struct mg_image img = { .scopes = scopes, .nscopes = 1 };
	struct mg_event e = { .scope_id = 1, .hook = MG_HOOK_DEVICE, .comm = "c" };
	FILE *out = open_memstream(&want, &want_len);

	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	assert_non_null(out);
	mg_json_write_string(out, all);
	fclose(out);

	got = unit_render(&e, &img, 0);
	p = strstr(got, ",\"scope\":");
	assert_non_null(p);
	p += strlen(",\"scope\":");
	assert_true(strlen(p) > want_len);
	assert_memory_equal(p, want, want_len);
	assert_true(!strncmp(p + want_len, ",\"cgroup_id\":", 13));
	free(got);
	free(want);
}

static void test_drops_notice(void **state)
{
	char *buf = NULL, *tail;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	mg_drops_print_json(out, NULL, 5, 17);
	fclose(out);
	/* {"schema":1,"time":"YYYY-MM-DDTHH:MM:SS.uuuuuuZ",... */
	assert_true(len > 50);
	assert_memory_equal(buf, "{\"schema\":1,\"time\":\"", 20);
	assert_int_equal(buf[24], '-');
	assert_int_equal(buf[30], 'T');
	assert_int_equal(buf[39], '.');
	assert_memory_equal(buf + 46, "Z\"", 2);
	tail = buf + 48;
	assert_string_equal(tail,
			    ",\"host\":null,\"type\":\"events_dropped\",\"policy_digest\":null"
			    ",\"generation\":null,\"dropped\":5,\"dropped_total\":17}\n");
	free(buf);
}

static int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* The daemon's sources, faked: a docker container in a Kubernetes pod. */
static const char *fake_cgroup_path(uint64_t id)
{
	return id == 77 ?
		       "/kubepods.slice/kubepods-burstable.slice/"
		       "kubepods-burstable-pod0e1f2a3b_4c5d_6e7f_8091_a2b3c4d5e6f7.slice/"
		       "docker-4f1c0a9e3b2d1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f.scope" :
		       NULL;
}

static const char *fake_cgroup_members(void *data, uint64_t id, size_t *ret_len)
{
	static char buf[1024];
	const char *path = fake_cgroup_path(id);

	if (!path)
		return NULL;
	*ret_len = mg_event_cgroup_members(buf, sizeof(buf), path);
	assert_true(*ret_len < sizeof(buf));
	return buf;
}

static void fake_process(void *data, uint32_t tgid, struct mg_event_proc *ret)
{
	if (tgid == 10) {
		ret->ppid = 1;
		ret->exe = "/usr/bin/python3.11";
	}
}

/* Everything the daemon adds: host, policy digest, cgroup path, container, pod, process. */
static void test_full_context_line(void **state)
{
	struct mg_event e = unit_file_event("a.safetensors");
	const struct mg_event_ctx ctx = {
		.img = unit_file_image(),
		.host = "gpu-node-7",
		.policy_digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.cgroup_members = fake_cgroup_members,
		.process = fake_process,
	};
	char buf[MG_EVENT_JSON_BUF];
	size_t len;

	e.uid = 1000;
	e.gid = 100;
	e.file.flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
	len = mg_event_format_json(buf, sizeof(buf), &e, &ctx);
	assert_true(len < sizeof(buf));
	buf[len] = '\0';
	assert_string_equal(
		buf,
		"{\"schema\":1,\"time\":\"1970-01-01T00:00:01.500000Z\",\"host\":\"gpu-node-7\""
		",\"type\":\"decision\",\"hook\":\"file_open\",\"verdict\":\"kill\""
		",\"engine\":\"tracepoint-kill\",\"reason\":\"tier\",\"policy_digest\":\"sha256:"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\""
		",\"generation\":2,\"scope\":\"vllm\",\"cgroup_id\":77"
		",\"cgroup_path\":\"/kubepods.slice/kubepods-burstable.slice/"
		"kubepods-burstable-pod0e1f2a3b_4c5d_6e7f_8091_a2b3c4d5e6f7.slice/"
		"docker-4f1c0a9e3b2d1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f.scope\""
		",\"container_id\":\"4f1c0a9e3b2d1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f\""
		",\"pod_uid\":\"0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7\""
		",\"pid\":10,\"tid\":11,\"ppid\":1,\"uid\":1000,\"gid\":100,\"comm\":\"python3\""
		",\"exe\":\"/usr/bin/python3.11\",\"file\":{\"dev\":\"8:1\",\"ino\":42"
		",\"path\":\"/srv/m/a.safetensors\",\"path_source\":\"policy\""
		",\"name\":\"a.safetensors\",\"model\":\"frontier-x\",\"tier\":\"prohibited\""
		",\"flags\":\"O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC\",\"flags_raw\":524865}}\n");
}

/* The daemon's own lines: same head, the policy in force, then their fields. */
static void test_service_line(void **state)
{
	const struct mg_event_ctx ctx = { .host = "h\"1", .policy_digest = "ab", .generation = 3 };
	const struct mg_event_field f[] = {
		{ .key = "state", .str = "on" },
		{ .key = "previous", .str = NULL },
		{ .key = "count", .is_number = true, .num = -2 },
	};
	char buf[512];
	size_t len = mg_service_format_json(buf, sizeof(buf), &ctx, 1500000000ULL, "killswitch", f,
					    MG_ARRAY_SIZE(f));

	assert_true(len < sizeof(buf));
	buf[len] = '\0';
	assert_string_equal(buf, "{\"schema\":1,\"time\":\"1970-01-01T00:00:01.500000Z\""
				 ",\"host\":\"h\\\"1\",\"type\":\"killswitch\""
				 ",\"policy_digest\":\"sha256:ab\",\"generation\":3"
				 ",\"state\":\"on\",\"previous\":null,\"count\":-2}\n");
	/* Measured when the buffer is short, never overrun. */
	assert_int_equal(mg_service_format_json(buf, 10, &ctx, 1500000000ULL, "killswitch", f,
						MG_ARRAY_SIZE(f)),
			 len);
}

/* Every hook the ABI has carries a payload the table names (none forgotten). */
static void test_every_hook_has_a_payload(void **state)
{
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		struct mg_event e = { .hook = h, .comm = "c" };
		char *s = unit_render(&e, NULL, 0);

		assert_true(strstr(s, ",\"file\":{") || strstr(s, ",\"net\":{") ||
			    strstr(s, ",\"device\":{") || strstr(s, ",\"target\":") ||
			    strstr(s, ",\"signal\":") || strstr(s, ",\"socket\":{") ||
			    strstr(s, ",\"syscall\":{") || strstr(s, ",\"budget\":{"));
		free(s);
	}
}

/* Every kill-switch write is on record, however close together. */
static void test_killswitch_notes(void **state)
{
	struct mg_killswitch_seen seen = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	mg_event_note_killswitch(NULL, out, NULL, false, 0, &seen); /* off at start: nothing */
	mg_event_note_killswitch(NULL, out, NULL, false, 0, &seen); /* no change: nothing */
	mg_event_note_killswitch(NULL, out, NULL, true, 1, &seen);
	mg_event_note_killswitch(NULL, out, NULL, false, 3, &seen); /* on, off, off */
	fclose(out);
	assert_non_null(strstr(buf,
			       "\"type\":\"killswitch\",\"policy_digest\":null,\"generation\":null"
			       ",\"state\":\"on\",\"previous\":\"off\",\"changes\":1}\n"));
	assert_non_null(strstr(buf, ",\"state\":\"off\",\"previous\":\"on\",\"changes\":2}\n"));
	assert_int_equal(count_char(buf, '\n'), 2);
	free(buf);

	/* Found on at the first look: recorded, with no previous state. */
	buf = NULL;
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	seen = (struct mg_killswitch_seen){};
	mg_event_note_killswitch(NULL, out, NULL, true, 5, &seen);
	fclose(out);
	assert_non_null(strstr(buf, ",\"state\":\"on\",\"previous\":null,\"changes\":5}\n"));
	free(buf);
}

static void test_names_out_of_range(void **state)
{
	assert_string_equal(mg_verdict_name(99), "unknown");
	assert_string_equal(mg_reason_name(MG_REASON__COUNT), "unknown");
	assert_string_equal(mg_reason_name(MG_REASON_KILLSWITCH), "killswitch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_event_names_everything),
		cmocka_unit_test(test_net_event_without_image),
		cmocka_unit_test(test_device_event),
		cmocka_unit_test(test_long_path_is_whole),
		cmocka_unit_test(test_escaping_matches_json_string),
		cmocka_unit_test(test_drops_notice),
		cmocka_unit_test(test_full_context_line),
		cmocka_unit_test(test_service_line),
		cmocka_unit_test(test_every_hook_has_a_payload),
		cmocka_unit_test(test_killswitch_notes),
		cmocka_unit_test(test_names_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
