// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The compiled view (policy show) and the weight scan (policy scan). */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compile/compile.h"
#include "cli/show.h"

static char tmpdir[] = "/tmp/mg-show-XXXXXX";

static void put(const char *rel, const void *data, size_t len)
{
	unit_put(unit_path(tmpdir, rel), data, len);
}

static int setup(void **state)
{
	/* A minimal safetensors file: 8-byte header length, then a JSON header. */
	static const char st[] = "\x0d\0\0\0\0\0\0\0{\"__meta\":{}}";

	assert_non_null(mkdtemp(tmpdir));
	mkdir(unit_path(tmpdir, "models"), 0755);
	mkdir(unit_path(tmpdir, "cache"), 0755);
	put("models/model.safetensors", st, sizeof(st) - 1);
	put("cache/notes.txt", st, sizeof(st) - 1); /* weights under another name */
	put("cache/readme.md", "# hello\n", 8);
	return 0;
}

static int teardown(void **state)
{
	return unit_rm_tree(tmpdir);
}

static char *capture_scan(const struct mg_image *img, bool json, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	*ret = mg_scan_print(tmpdir, img, json, out);
	fclose(out);
	return buf;
}

static void test_scan_names_models_and_unknown_weights(void **state)
{
	struct mg_tier tiers[] = { { .name = "general", .level = 1 },
				   { .name = "prohibited", .level = 3 } };
	char folder[512];
	char *files[] = { folder };
	struct mg_model models[] = {
		{ .name = "frontier", .resolved_tier = &tiers[1], .files = files, .nfiles = 1 }
	};
	struct mg_policy p = { .tiers = tiers, .ntiers = 2, .models = models, .nmodels = 1 };
	struct mg_compile_opts opts = { .cgroup_root = "/", .no_cgroups = 1 };
	struct mg_diags diags = {};
	struct mg_image *img;
	char *out;
	int n;

	snprintf(folder, sizeof(folder), "%s/models/", tmpdir);
	assert_int_equal(mg_compile(&p, &opts, &img, &diags), 0);

	out = capture_scan(img, false, &n);
	assert_int_equal(n, 1); /* notes.txt is weights of no model */
	assert_non_null(strstr(out, "safetensors  frontier                 prohibited   "));
	assert_non_null(strstr(out, "safetensors  -                        unknown      "));
	assert_non_null(strstr(out, "/cache/notes.txt"));
	assert_null(strstr(out, "readme.md"));
	free(out);

	out = capture_scan(img, true, &n);
	assert_non_null(strstr(
		out, "\"format\":\"safetensors\",\"model\":\"frontier\",\"tier\":\"prohibited\"}"));
	assert_non_null(
		strstr(out, "\"format\":\"safetensors\",\"model\":null,\"tier\":\"unknown\"}"));
	assert_non_null(strstr(out, "],\"unknown\":1}\n"));
	free(out);
	mg_image_free(img);
}

static void test_egress_format_round_trips(void **state)
{
	const char *cases[][2] = {
		{ "127.0.0.1:8000", "127.0.0.1/32:8000" },
		{ "10.0.0.0/8:443/tcp", "10.0.0.0/8:443/tcp" },
		{ "0.0.0.0/0:53/udp", "0.0.0.0/0:53/udp" },
		{ "[fd00::/8]:8000-8100", "[fd00::/8]:8000-8100" },
		{ "::1", "[::1/128]" },
	};
	char buf[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mg_egress_rule r, again;
		const char *err;

		assert_int_equal(mg_egress_parse(cases[i][0], &r, &err), 0);
		mg_egress_format(&r, buf, sizeof(buf));
		assert_string_equal(buf, cases[i][1]);
		assert_int_equal(mg_egress_parse(buf, &again, &err), 0);
		assert_memory_equal(&r.addr, &again.addr, 16);
		assert_int_equal(r.prefixlen, again.prefixlen);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_names_models_and_unknown_weights),
		cmocka_unit_test(test_egress_format_round_trips),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
