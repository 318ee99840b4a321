// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Events rendered as JSON lines. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

static char *render(const struct mg_event *e, const struct mg_image *img)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	mg_event_print_json(out, e, img, 0);
	fclose(out);
	return buf;
}

static void test_file_event_names_everything(void **state)
{
	char *model_names[] = { "frontier-x" };
	char *tier_names[] = { NULL, "general", NULL, "prohibited" };
	struct mg_image_inode inodes[] = {
		{ .ino = 42, .dev = (8 << 20) | 1, .val = { 1, 3 }, .path = "/srv/m/a.safetensors" },
	};
	struct mg_image_scope scopes[] = { { .name = "vllm", .val = { 1, 1 } } };
	struct mg_image img = {
		.scopes = scopes, .nscopes = 1, .inodes = inodes, .ninodes = 1,
		.model_names = model_names, .nmodels = 1, .tier_names = tier_names, .ntier_names = 4,
	};
	struct mg_event e = {
		.ts_boot_ns = 1500000000ULL, .cgroup_id = 77, .pid = 11, .tgid = 10, .gen = 2,
		.scope_id = 1, .hook = MG_HOOK_FILE_OPEN, .verdict = MG_VERDICT_KILL,
		.engine = MG_ENGINE_TP_KILL, .reason = MG_REASON_TIER, .comm = "python3",
		.file = { .ino = 42, .dev = (8 << 20) | 1, .model_id = 1, .tier = 3, .name = "a\"b" },
	};
	char *s = render(&e, &img);

	assert_string_equal(s,
		"{\"time\":\"1970-01-01T00:00:01.500000Z\",\"generation\":2,\"hook\":\"file_open\","
		"\"verdict\":\"kill\",\"engine\":\"tracepoint-kill\",\"reason\":\"tier\",\"pid\":10,"
		"\"tid\":11,\"comm\":\"python3\",\"cgroup_id\":77,\"scope\":\"vllm\",\"file\":{\"dev\":\"8:1\","
		"\"ino\":42,\"path\":\"/srv/m/a.safetensors\",\"name\":\"a\\\"b\",\"model\":\"frontier-x\","
		"\"tier\":\"prohibited\",\"flags\":0}}\n");
	free(s);
}

static void test_net_event_without_image(void **state)
{
	struct mg_event e = {
		.hook = MG_HOOK_CONNECT4, .verdict = MG_VERDICT_DENY, .engine = MG_ENGINE_CGROUP,
		.reason = MG_REASON_EGRESS, .comm = "curl",
		.net = { .addr = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 }, .port = 443, .family = 2, .protocol = 6 },
	};
	char *s = render(&e, NULL);

	assert_non_null(strstr(s, "\"scope\":null,\"net\":{\"family\":\"ipv4\",\"addr\":\"10.0.0.1\","
				  "\"port\":443,\"protocol\":\"tcp\"}}\n"));
	free(s);

	e.hook = MG_HOOK_CONNECT6;
	memset(e.net.addr, 0, 16);
	e.net.addr[15] = 1;
	e.net.family = 10;
	e.net.protocol = 17;
	s = render(&e, NULL);
	assert_non_null(strstr(s, "\"hook\":\"connect6\""));
	assert_non_null(strstr(s, "\"family\":\"ipv6\",\"addr\":\"::1\",\"port\":443,\"protocol\":\"udp\""));
	free(s);
}

static void test_device_event(void **state)
{
	struct mg_event e = {
		.hook = MG_HOOK_DEVICE, .verdict = MG_VERDICT_DENY, .engine = MG_ENGINE_CGROUP,
		.reason = MG_REASON_GPU, .comm = "python3",
		.dev = { .major = 195, .minor = 1, .access = 2 | 4, .driver = MG_GPU_NVIDIA },
	};
	char *s = render(&e, NULL);

	assert_non_null(strstr(s, "\"hook\":\"device\",\"verdict\":\"deny\",\"engine\":\"cgroup\",\"reason\":\"gpu\""));
	assert_non_null(strstr(s, ",\"device\":{\"major\":195,\"minor\":1,\"driver\":\"nvidia\",\"access\":\"rw\"}}\n"));
	free(s);
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
		cmocka_unit_test(test_names_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
