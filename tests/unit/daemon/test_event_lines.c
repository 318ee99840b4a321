// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The exact JSON line of every event shape: the schema, byte for byte. */
#include "core/names.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "daemon/event_ctx.h"
#include "daemon/events.h"
#include "core/util.h"

/* An allowed open of "f" by "t" with nothing else known, at time @t. */
#define PLAIN_LINE(t)                                                                           \
	"{\"schema\":1,\"time\":\"" t "\",\"host\":null,\"type\":\"decision\""                  \
	",\"hook\":\"file_open\",\"verdict\":\"allow\",\"engine\":\"none\",\"reason\":\"none\"" \
	",\"policy_digest\":null,\"generation\":0,\"scope\":null,\"cgroup_id\":0"               \
	",\"cgroup_path\":null,\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"      \
	",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"t\",\"exe\":null"                        \
	",\"file\":{\"dev\":\"0:0\",\"ino\":0,\"path\":null,\"path_source\":null"               \
	",\"name\":\"f\",\"model\":null,\"tier\":null,\"flags\":\"O_RDONLY\",\"flags_raw\":0}}\n"

/*
 * The exact lines of every event shape, pinned: names the kernel or a policy
 * chose (quotes, backslashes, control bytes, bytes above 0x7f), no image,
 * numbers at their limits, unknown enum values, times across seconds.
 */
static char *pin_model_names[] = { "frontier-x", "q\"uo\\te", NULL };
static char *pin_tier_names[] = { NULL, "general", "ctl\x01\x1f\x7f", "prohibited" };
static struct mg_image_inode pin_inodes[] = {
	{ .ino = 42, .dev = (8 << 20) | 1, .path = "/srv/m/a.safetensors" },
	{ .ino = 43, .dev = (8 << 20) | 1, .path = "/srv/\"q\"/b\\c\n\t\r\x02\xc3\xa9.bin" },
	{ .ino = UINT64_MAX, .dev = UINT32_MAX, .path = "/max" },
};
static struct mg_image_scope pin_scopes[] = {
	{ .name = "vllm" },
	{ .name = "team \"a\"\\b\x1b[0m" },
	{ .name = NULL },
};
static struct mg_image_license pin_licenses[] = {
	{ .val = { .narrow_id = MG_NARROW_ID_BASE + 1 }, .id = "lic-2026-0042" },
};
static const struct mg_image pin_img = {
	.licenses = pin_licenses,
	.nlicenses = 1,
	.scopes = pin_scopes,
	.nscopes = 3,
	.inodes = pin_inodes,
	.ninodes = 3,
	.model_names = pin_model_names,
	.nmodels = 3,
	.tier_names = pin_tier_names,
	.ntier_names = 4,
};

struct pin_case {
	struct mg_event e;
	bool img;
	int64_t offset;
	const char *want;
};

static const struct pin_case pin_cases[] = {
	/* File events: every file hook, found and unknown inodes, model and tier lookups. */
	{
		.e = { .ts_boot_ns = 1500000000ULL,
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
		       .file = { .ino = 42,
				 .dev = (8 << 20) | 1,
				 .model_id = 1,
				 .tier = 3,
				 .flags = 0100002,
				 .name = "a.safetensors" } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:01.500000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"file_open\",\"verdict\":\"kill\""
			",\"engine\":\"tracepoint-kill\",\"reason\":\"tier\",\"policy_digest\":null"
			",\"generation\":2,\"scope\":\"vllm\",\"cgroup_id\":77,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":10,\"tid\":11"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"python3\",\"exe\":null"
			",\"file\":{\"dev\":\"8:1\",\"ino\":42,\"path\":\"/srv/m/a.safetensors\""
			",\"path_source\":\"policy\",\"name\":\"a.safetensors\",\"model\":\"frontier-x\""
			",\"tier\":\"prohibited\",\"flags\":\"O_RDWR|O_LARGEFILE\""
			",\"flags_raw\":32770}}\n",
	},
	{
		.e = { .ts_boot_ns = 1700000000123456789ULL,
		       .cgroup_id = UINT64_MAX,
		       .pid = UINT32_MAX,
		       .tgid = UINT32_MAX,
		       .gen = UINT32_MAX,
		       .scope_id = 2,
		       .hook = MG_HOOK_MMAP,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_LSM,
		       .reason = MG_REASON_UNKNOWN,
		       .comm = "0123456789abcdef",
		       .file = { .ino = 43,
				 .dev = (8 << 20) | 1,
				 .model_id = 2,
				 .tier = 2,
				 .flags = UINT32_MAX,
				 .name = "q\"b\\s/\x01\x1f\x7f\xff\n\t\r" } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"2023-11-14T22:13:20.123456Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"mmap\",\"verdict\":\"deny\""
			",\"engine\":\"bpf-lsm\",\"reason\":\"unknown-weights\",\"policy_digest\":null"
			",\"generation\":4294967295,\"scope\":\"team \\\"a\\\"\\\\b\\u001b[0m\""
			",\"cgroup_id\":18446744073709551615,\"cgroup_path\":null,\"container_id\":null"
			",\"pod_uid\":null,\"pid\":4294967295,\"tid\":4294967295,\"ppid\":null"
			",\"uid\":0,\"gid\":0,\"comm\":\"0123456789abcdef\",\"exe\":null"
			",\"file\":{\"dev\":\"8:1\",\"ino\":43,\"path\":\"/srv/\\\"q\\\"/b\\\\c\\n\\t\\r\\u0002\xc3\xa9.bin\""
			",\"path_source\":\"policy\",\"name\":\"q\\\"b\\\\s/\\u0001\\u001f\\u007f\\ufffd\\n\\t\\r\""
			",\"model\":\"q\\\"uo\\\\te\",\"tier\":\"ctl\\u0001\\u001f\\u007f\""
			",\"flags\":\"O_ACCMODE|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_DSYNC|FASYNC|O_DIRECT|O_LARGEFILE|O_DIRECTORY|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_SYNC|O_PATH|O_TMPFILE|037740000074\""
			",\"flags_raw\":4294967295}}\n",
	},
	{
		.e = { .ts_boot_ns = 1700000000999999999ULL,
		       .scope_id = 3,
		       .hook = MG_HOOK_FILE_RECEIVE,
		       .verdict = MG_VERDICT_AUDIT,
		       .engine = MG_ENGINE_LSM,
		       .reason = MG_REASON_OUTPUT,
		       .comm = "a\"\\\x05",
		       .file = { .ino = UINT64_MAX,
				 .dev = UINT32_MAX,
				 .model_id = 3,
				 .tier = MG_TIER_REFUSED,
				 .name = "0123456789012345678901234567890123456789"
					 "012345678901234567890123" } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"2023-11-14T22:13:20.999999Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"file_receive\",\"verdict\":\"audit\""
			",\"engine\":\"bpf-lsm\",\"reason\":\"output\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"a\\\"\\\\\\u0005\""
			",\"exe\":null,\"file\":{\"dev\":\"4095:1048575\",\"ino\":18446744073709551615"
			",\"path\":\"/max\",\"path_source\":\"policy\",\"name\":\"0123456789012345678901234567890123456789012345678901234567890123\""
			",\"model\":null,\"tier\":\"refused\",\"flags\":\"O_RDONLY\""
			",\"flags_raw\":0}}\n",
	},
	{
		.e = { .ts_boot_ns = 1700000001000000000ULL,
		       .scope_id = 9,
		       .hook = MG_HOOK_IO_URING,
		       .verdict = MG_VERDICT_KILL,
		       .engine = MG_ENGINE_TP_KILL,
		       .reason = MG_REASON_IO_URING,
		       .comm = "",
		       .file = { .ino = 7, .dev = 5, .model_id = 0, .tier = 3, .name = "" } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"2023-11-14T22:13:21.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"io_uring\",\"verdict\":\"kill\""
			",\"engine\":\"tracepoint-kill\",\"reason\":\"io_uring\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"\",\"exe\":null"
			",\"file\":{\"dev\":\"0:5\",\"ino\":7,\"path\":null,\"path_source\":null"
			",\"name\":\"\",\"model\":null,\"tier\":null,\"flags\":\"O_RDONLY\""
			",\"flags_raw\":0}}\n",
	},
	{
		.e = { .ts_boot_ns = 60000000000ULL,
		       .scope_id = 1,
		       .hook = MG_HOOK_UNIX,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_LSM,
		       .reason = MG_REASON_UNIX,
		       .comm = "sh",
		       .file = { .ino = 42,
				 .dev = (8 << 20) | 1,
				 .model_id = 4,
				 .tier = 4,
				 .name = "sock" } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:01:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"unix\",\"verdict\":\"deny\""
			",\"engine\":\"bpf-lsm\",\"reason\":\"unix-socket\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":\"vllm\",\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"sh\",\"exe\":null"
			",\"file\":{\"dev\":\"8:1\",\"ino\":42,\"path\":\"/srv/m/a.safetensors\""
			",\"path_source\":\"policy\",\"name\":\"sock\",\"model\":null"
			",\"tier\":null,\"flags\":\"O_RDONLY\",\"flags_raw\":0}}\n",
	},
	{
		/* No image: every name is null. */
		.e = { .ts_boot_ns = 86399999999000ULL,
		       .cgroup_id = 1,
		       .pid = 1,
		       .tgid = 1,
		       .scope_id = 1,
		       .hook = MG_HOOK_FILE_OPEN,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_LSM,
		       .reason = MG_REASON_UNLICENSED,
		       .comm = "x\ty",
		       .file = { .ino = 42,
				 .dev = (8 << 20) | 1,
				 .model_id = 1,
				 .tier = 3,
				 .name = "n\"" } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T23:59:59.999999Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"file_open\",\"verdict\":\"deny\""
			",\"engine\":\"bpf-lsm\",\"reason\":\"unlicensed\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":1,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":1,\"tid\":1"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"x\\ty\",\"exe\":null"
			",\"file\":{\"dev\":\"8:1\",\"ino\":42,\"path\":null,\"path_source\":null"
			",\"name\":\"n\\\"\",\"model\":null,\"tier\":null,\"flags\":\"O_RDONLY\""
			",\"flags_raw\":0}}\n",
	},
	/* Network events: IPv4 (mapped), IPv6, protocols, ports. */
	{
		.e = { .ts_boot_ns = 1000,
		       .hook = MG_HOOK_CONNECT4,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_EGRESS,
		       .comm = "curl",
		       .scope_id = 1,
		       .net = { .addr = { [10] = 0xff, [11] = 0xff, 255, 255, 255, 255 },
				.port = 65535,
				.family = 2,
				.protocol = 6 } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000001Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"connect4\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"egress\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":\"vllm\",\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"curl\",\"exe\":null"
			",\"net\":{\"family\":\"ipv4\",\"addr\":\"255.255.255.255\""
			",\"port\":65535,\"protocol\":\"tcp\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_SENDMSG4,
		       .verdict = MG_VERDICT_AUDIT,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_NARROWED,
		       .comm = "dig",
		       .net = { .addr = { [10] = 0xff, [11] = 0xff, 0, 0, 0, 0 },
				.port = 0,
				.family = 2,
				.protocol = 17 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"sendmsg4\",\"verdict\":\"audit\""
			",\"engine\":\"cgroup\",\"reason\":\"narrowed-by-license\""
			",\"policy_digest\":null,\"generation\":0,\"scope\":null,\"cgroup_id\":0"
			",\"cgroup_path\":null,\"container_id\":null,\"pod_uid\":null"
			",\"pid\":0,\"tid\":0,\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"dig\""
			",\"exe\":null,\"net\":{\"family\":\"ipv4\",\"addr\":\"0.0.0.0\""
			",\"port\":0,\"protocol\":\"udp\"}}\n",
	},
	{
		/* A scope's budget ran out: no task, no licence. */
		.e = { .hook = MG_HOOK_EGRESS_BUDGET,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_BUDGET_EXHAUSTED,
		       .scope_id = 1,
		       .budget = { .budget_bytes = 1048576,
				   .window_ns = 20000000000ull,
				   .sent = 1040000,
				   .dropped_packets = 1 } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"egress_budget\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"budget-exhausted\""
			",\"policy_digest\":null,\"generation\":0,\"scope\":\"vllm\",\"cgroup_id\":0"
			",\"cgroup_path\":null,\"container_id\":null,\"pod_uid\":null"
			",\"pid\":0,\"tid\":0,\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"\""
			",\"exe\":null,\"budget\":{\"license\":null,\"bytes\":1048576,\"per_s\":20"
			",\"sent\":1040000,\"dropped_packets\":1}}\n",
	},
	{
		/* A licence's budget refilled; one the policy no longer has is "unknown". */
		.e = { .hook = MG_HOOK_EGRESS_BUDGET,
		       .verdict = MG_VERDICT_ALLOW,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_BUDGET_REFILLED,
		       .scope_id = 1,
		       .budget = { .budget_bytes = 262144,
				   .window_ns = 10000000000ull,
				   .sent = 262000,
				   .dropped_packets = 7,
				   .narrow_id = MG_NARROW_ID_BASE + 1 } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"egress_budget\",\"verdict\":\"allow\""
			",\"engine\":\"cgroup\",\"reason\":\"budget-refilled\""
			",\"policy_digest\":null,\"generation\":0,\"scope\":\"vllm\",\"cgroup_id\":0"
			",\"cgroup_path\":null,\"container_id\":null,\"pod_uid\":null"
			",\"pid\":0,\"tid\":0,\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"\""
			",\"exe\":null,\"budget\":{\"license\":\"lic-2026-0042\",\"bytes\":262144"
			",\"per_s\":10,\"sent\":262000,\"dropped_packets\":7}}\n",
	},
	{
		.e = { .hook = MG_HOOK_EGRESS_BUDGET,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_BUDGET_EXHAUSTED,
		       .budget = { .narrow_id = MG_NARROW_ID_BASE + 9 } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"egress_budget\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"budget-exhausted\""
			",\"policy_digest\":null,\"generation\":0,\"scope\":null,\"cgroup_id\":0"
			",\"cgroup_path\":null,\"container_id\":null,\"pod_uid\":null"
			",\"pid\":0,\"tid\":0,\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"\""
			",\"exe\":null,\"budget\":{\"license\":\"unknown\",\"bytes\":0"
			",\"per_s\":0,\"sent\":0,\"dropped_packets\":0}}\n",
	},
	{
		.e = { .hook = MG_HOOK_CONNECT6,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_EGRESS,
		       .comm = "wget",
		       .net = { .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					  1 },
				.port = 8443,
				.family = 10,
				.protocol = 6 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"connect6\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"egress\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"wget\",\"exe\":null"
			",\"net\":{\"family\":\"ipv6\",\"addr\":\"2001:db8::1\",\"port\":8443"
			",\"protocol\":\"tcp\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_SENDMSG6,
		       .verdict = MG_VERDICT_KILL,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_KILLSWITCH,
		       .comm = "q",
		       .net = { .addr = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
					  0x9a, 0xbc, 0xde, 0xf0 },
				.port = 53,
				.family = 10,
				.protocol = 132 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"sendmsg6\",\"verdict\":\"kill\""
			",\"engine\":\"cgroup\",\"reason\":\"killswitch\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"q\",\"exe\":null"
			",\"net\":{\"family\":\"ipv6\",\"addr\":\"fe80::1234:5678:9abc:def0\""
			",\"port\":53,\"protocol\":\"other\"}}\n",
	},
	{
		/* IPv4-mapped but reported as IPv6; all-zero address. */
		.e = { .hook = MG_HOOK_CONNECT6,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_EGRESS,
		       .comm = "m",
		       .net = { .addr = { [10] = 0xff, [11] = 0xff, 192, 168, 1, 20 },
				.port = 80,
				.family = 10,
				.protocol = 6 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"connect6\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"egress\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"m\",\"exe\":null"
			",\"net\":{\"family\":\"ipv6\",\"addr\":\"192.168.1.20\",\"port\":80"
			",\"protocol\":\"tcp\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_CONNECT6,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_EGRESS,
		       .comm = "z",
		       .net = { .family = 10, .protocol = 0 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"connect6\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"egress\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"z\",\"exe\":null"
			",\"net\":{\"family\":\"ipv6\",\"addr\":\"::\",\"port\":0,\"protocol\":\"other\"}}\n",
	},
	{
		/* The guard's hooks: the other process, or the signal of a core dump. */
		.e = { .hook = MG_HOOK_SIGNAL,
		       .verdict = MG_VERDICT_KILL,
		       .engine = MG_ENGINE_TP_KILL,
		       .reason = MG_REASON_OTHER_TASK,
		       .comm = "x",
		       .file = { .ino = 4242 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"signal\",\"verdict\":\"kill\""
			",\"engine\":\"tracepoint-kill\",\"reason\":\"other-process\""
			",\"policy_digest\":null,\"generation\":0,\"scope\":null,\"cgroup_id\":0"
			",\"cgroup_path\":null,\"container_id\":null,\"pod_uid\":null"
			",\"pid\":0,\"tid\":0,\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"x\""
			",\"exe\":null,\"target\":4242}\n",
	},
	{
		.e = { .hook = MG_HOOK_COREDUMP,
		       .verdict = MG_VERDICT_KILL,
		       .engine = MG_ENGINE_TP_KILL,
		       .reason = MG_REASON_COREDUMP,
		       .comm = "x",
		       .file = { .ino = 11 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"coredump\",\"verdict\":\"kill\""
			",\"engine\":\"tracepoint-kill\",\"reason\":\"coredump\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"x\",\"exe\":null"
			",\"signal\":11}\n",
	},
	{
		/*
		 * Unknown hook, verdict, engine and reason: named "unknown"; a hook
		 * the payload table does not know carries no payload (never a guess).
		 */
		.e = { .hook = 200,
		       .verdict = 99,
		       .engine = 77,
		       .reason = 250,
		       .comm = "?",
		       .net = { .addr = { [10] = 0xff, [11] = 0xff, 1, 2, 3, 4 },
				.port = 1,
				.family = 2,
				.protocol = 17 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"unknown\",\"verdict\":\"unknown\""
			",\"engine\":\"unknown\",\"reason\":\"unknown\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"?\",\"exe\":null}\n",
	},
	/* Device events: every driver, unknown ones, every access combination. */
	{
		.e = { .hook = MG_HOOK_DEVICE,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_GPU,
		       .comm = "python3",
		       .scope_id = 2,
		       .dev = { .major = 195,
				.minor = 255,
				.access = 7,
				.driver = MG_GPU_NVIDIA } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"device\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"gpu\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":\"team \\\"a\\\"\\\\b\\u001b[0m\""
			",\"cgroup_id\":0,\"cgroup_path\":null,\"container_id\":null"
			",\"pod_uid\":null,\"pid\":0,\"tid\":0,\"ppid\":null,\"uid\":0"
			",\"gid\":0,\"comm\":\"python3\",\"exe\":null,\"device\":{\"major\":195"
			",\"minor\":255,\"driver\":\"nvidia\",\"access\":\"rwm\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_DEVICE,
		       .verdict = MG_VERDICT_AUDIT,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_GPU,
		       .comm = "p",
		       .dev = { .major = 510,
				.minor = 0,
				.access = 1,
				.driver = MG_GPU_NVIDIA_UVM } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"device\",\"verdict\":\"audit\""
			",\"engine\":\"cgroup\",\"reason\":\"gpu\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"p\",\"exe\":null"
			",\"device\":{\"major\":510,\"minor\":0,\"driver\":\"nvidia-uvm\""
			",\"access\":\"m\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_DEVICE,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_GPU,
		       .comm = "p",
		       .dev = { .major = 226, .minor = 128, .access = 4, .driver = MG_GPU_DRM } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"device\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"gpu\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"p\",\"exe\":null"
			",\"device\":{\"major\":226,\"minor\":128,\"driver\":\"drm\""
			",\"access\":\"w\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_DEVICE,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_GPU,
		       .comm = "p",
		       .dev = { .major = 261, .minor = 1, .access = 0, .driver = MG_GPU_ACCEL } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"device\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"gpu\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"p\",\"exe\":null"
			",\"device\":{\"major\":261,\"minor\":1,\"driver\":\"accel\""
			",\"access\":\"\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_DEVICE,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_GPU,
		       .comm = "p",
		       .dev = { .major = 234, .minor = 0, .access = 6, .driver = MG_GPU_KFD } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"device\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"gpu\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"p\",\"exe\":null"
			",\"device\":{\"major\":234,\"minor\":0,\"driver\":\"kfd\""
			",\"access\":\"rw\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_DEVICE,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_GPU,
		       .comm = "p",
		       .dev = { .major = UINT32_MAX,
				.minor = UINT32_MAX,
				.access = 3,
				.driver = MG_GPU_NVIDIA_CAPS } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"device\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"gpu\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"p\",\"exe\":null"
			",\"device\":{\"major\":4294967295,\"minor\":4294967295,\"driver\":\"nvidia-caps\""
			",\"access\":\"rm\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_DEVICE,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_GPU,
		       .comm = "p",
		       .dev = { .major = 1, .minor = 2, .access = 5, .driver = 0 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"device\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"gpu\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"p\",\"exe\":null"
			",\"device\":{\"major\":1,\"minor\":2,\"driver\":\"unknown\""
			",\"access\":\"wm\"}}\n",
	},
	{
		.e = { .hook = MG_HOOK_DEVICE,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_GPU,
		       .comm = "p",
		       .dev = { .major = 1, .minor = 2, .access = 0xfffffff8, .driver = 1000 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"device\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"gpu\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"p\",\"exe\":null"
			",\"device\":{\"major\":1,\"minor\":2,\"driver\":\"unknown\""
			",\"access\":\"\"}}\n",
	},
	/* Rate summaries, whatever the hook. */
	{
		.e = { .ts_boot_ns = 2000000000ULL,
		       .scope_id = 1,
		       .hook = MG_HOOK_FILE_OPEN,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_LSM,
		       .reason = MG_REASON_RATE_LIMITED,
		       .comm = "python3",
		       .rate = { .limit = 1000, .suppressed = 0 } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:02.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"file_open\",\"verdict\":\"deny\""
			",\"engine\":\"bpf-lsm\",\"reason\":\"rate-limited\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":\"vllm\",\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"python3\",\"exe\":null"
			",\"rate\":{\"limit\":1000,\"suppressed\":0}}\n",
	},
	{
		.e = { .ts_boot_ns = 3000000000ULL,
		       .scope_id = 2,
		       .hook = MG_HOOK_CONNECT4,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_RATE_RESUMED,
		       .comm = "python3",
		       .rate = { .limit = UINT32_MAX, .suppressed = UINT32_MAX } },
		.img = true,
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:03.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"connect4\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"rate-resumed\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":\"team \\\"a\\\"\\\\b\\u001b[0m\""
			",\"cgroup_id\":0,\"cgroup_path\":null,\"container_id\":null"
			",\"pod_uid\":null,\"pid\":0,\"tid\":0,\"ppid\":null,\"uid\":0"
			",\"gid\":0,\"comm\":\"python3\",\"exe\":null,\"rate\":{\"limit\":4294967295"
			",\"suppressed\":4294967295}}\n",
	},
	{
		.e = { .hook = MG_HOOK_DEVICE,
		       .verdict = MG_VERDICT_DENY,
		       .engine = MG_ENGINE_CGROUP,
		       .reason = MG_REASON_RATE_RESUMED,
		       .comm = "p",
		       .rate = { .limit = 5, .suppressed = 12 } },
		.want = "{\"schema\":1,\"time\":\"1970-01-01T00:00:00.000000Z\",\"host\":null"
			",\"type\":\"decision\",\"hook\":\"device\",\"verdict\":\"deny\""
			",\"engine\":\"cgroup\",\"reason\":\"rate-resumed\",\"policy_digest\":null"
			",\"generation\":0,\"scope\":null,\"cgroup_id\":0,\"cgroup_path\":null"
			",\"container_id\":null,\"pod_uid\":null,\"pid\":0,\"tid\":0"
			",\"ppid\":null,\"uid\":0,\"gid\":0,\"comm\":\"p\",\"exe\":null"
			",\"rate\":{\"limit\":5,\"suppressed\":12}}\n",
	},
	/* Times: the boot-to-realtime offset, a leap day, far ahead, and before 1970. */
	{
		.e = { .ts_boot_ns = 5000000123ULL,
		       .hook = MG_HOOK_FILE_OPEN,
		       .comm = "t",
		       .file = { .name = "f" } },
		.offset = 1582934400000000000LL,
		.want = PLAIN_LINE("2020-02-29T00:00:05.000000Z"),
	},
	{
		.e = { .ts_boot_ns = 5000000999ULL,
		       .hook = MG_HOOK_FILE_OPEN,
		       .comm = "t",
		       .file = { .name = "f" } },
		.offset = 1582934400000000000LL,
		.want = PLAIN_LINE("2020-02-29T00:00:05.000000Z"),
	},
	{
		.e = { .ts_boot_ns = 4999999999ULL,
		       .hook = MG_HOOK_FILE_OPEN,
		       .comm = "t",
		       .file = { .name = "f" } },
		.offset = 1582934400000000000LL,
		.want = PLAIN_LINE("2020-02-29T00:00:04.999999Z"),
	},
	{
		.e = { .ts_boot_ns = 9000000000000000000ULL,
		       .hook = MG_HOOK_FILE_OPEN,
		       .comm = "t",
		       .file = { .name = "f" } },
		.want = PLAIN_LINE("2255-03-14T16:00:00.000000Z"),
	},
	{
		/* Before 1970 (a wrong clock): the seconds round toward 0, the fraction keeps its sign. */
		.e = { .ts_boot_ns = 0,
		       .hook = MG_HOOK_FILE_OPEN,
		       .comm = "t",
		       .file = { .name = "f" } },
		.offset = -1500,
		.want = PLAIN_LINE("1970-01-01T00:00:00.-00001Z"),
	},
	{
		.e = { .ts_boot_ns = 0,
		       .hook = MG_HOOK_FILE_OPEN,
		       .comm = "t",
		       .file = { .name = "f" } },
		.offset = -86400000000000LL - 1,
		.want = PLAIN_LINE("1969-12-31T00:00:00.000000Z"),
	},
};

static void test_pinned_lines(void **state)
{
	for (size_t i = 0; i < MG_ARRAY_SIZE(pin_cases); i++) {
		const struct pin_case *c = &pin_cases[i];
		char *s = unit_render(&c->e, c->img ? &pin_img : NULL, c->offset);

		if (strcmp(s, c->want))
			print_message("pinned case %zu differs\n", i);
		assert_string_equal(s, c->want);
		free(s);
	}
}

/* Into a buffer: exactly the lines above; a short buffer is measured, never overrun. */
static void test_format_into_buffer(void **state)
{
	const struct pin_case *c = &pin_cases[1];
	size_t want = strlen(c->want);
	char *buf = malloc(want);
	size_t len;

	assert_non_null(buf);
	const struct mg_event_ctx ctx = { .img = &pin_img, .boot_offset_ns = c->offset };

	len = mg_event_format_json(buf, want, &c->e, &ctx);
	assert_int_equal(len, want);
	assert_memory_equal(buf, c->want, want);

	/* One byte short: the length is still the whole line's. */
	assert_int_equal(mg_event_format_json(buf, want - 1, &c->e, &ctx), want);
	assert_int_equal(mg_event_format_json(NULL, 0, &c->e, &ctx), want);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinned_lines),
		cmocka_unit_test(test_format_into_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
