// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Scopes: cgroups, egress, licences, outputs, GPUs and the scope limit. */
#include "policy_fixture.h"

/* ---- Scopes ------------------------------------------------------------- */

#define CGROUP_TEST(fn, cg, col, msg) \
	ERROR_TEST(fn, API "scopes: [{name: s, maxTier: general, cgroup: '" cg "'}]\n", 2, col, msg)

CGROUP_TEST(test_cgroup_relative, "mguard.slice/demo", 46,
	    "invalid cgroup 'mguard.slice/demo': must be an absolute path")
CGROUP_TEST(test_cgroup_root, "/", 46, "invalid cgroup '/': the root cgroup cannot be a scope")
CGROUP_TEST(test_cgroup_double_slash, "/a//b", 46, "invalid cgroup '/a//b': must not contain '//'")
CGROUP_TEST(test_cgroup_dotdot, "/a/../b", 46,
	    "invalid cgroup '/a/../b': must not contain '.' or '..' components")
CGROUP_TEST(test_cgroup_dotdot_end, "/a/..", 46,
	    "invalid cgroup '/a/..': must not contain '.' or '..' components")
CGROUP_TEST(test_cgroup_dot, "/./a", 46,
	    "invalid cgroup '/./a': must not contain '.' or '..' components")
CGROUP_TEST(test_cgroup_trailing_slash, "/a/", 46, "invalid cgroup '/a/': must not end with '/'")
CGROUP_TEST(test_cgroup_empty, "", 46, "invalid cgroup '': must be an absolute path")

static void test_cgroup_dots_in_names(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", API "scopes: [{name: s, maxTier: general, cgroup: /a..b/.c/d.}]\n");
	load_ok(fx);
	assert_string_equal(fx->pol->scopes[0].cgroup, "/a..b/.c/d.");
}

static void test_egress_errors(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n    egress:\n"
		"      - 10.0.0.0/33\n"
		"      - \"[fd00::/8]:443\"\n"
		"      - 10.1.0.0/8\n"
		"      - [1.2.3.4]\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 7, 9,
		   "invalid egress '10.0.0.0/33': prefix length 33 is over 32 for IPv4");
	check_diag(
		fx, 1, "p.yaml", 9, 9,
		"invalid egress '10.1.0.0/8': address has bits set beyond /8 (the network is 10.0.0.0/8)");
	check_diag(fx, 2, "p.yaml", 10, 9, "'egress' must be a list of strings");
	expect_count(fx, 3);
}

/* ---- Scopes: licenses, outputs, gpus ------------------------------------ */

#define SCOPE_WITH(extra) API "scopes: [{name: s, cgroup: /s, maxTier: general, " extra "}]\n"

static void test_licenses_and_outputs(void **state)
{
	struct fx *fx = *state;
	const struct mg_scope *sc;
	char *s;

	put(fx, "p.yaml",
	    API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n"
		"    licenses: [a.lic, /etc/mguard/b.lic, ../c.lic]\n"
		"    outputs: [/srv/out/, /tmp, /]\n");
	load_ok(fx);
	sc = &fx->pol->scopes[0];
	assert_int_equal(sc->nlicenses, 3);
	assert_string_equal(sc->licenses[0], "a.lic");
	assert_string_equal(sc->licenses[1], "/etc/mguard/b.lic");
	assert_string_equal(sc->licenses[2], "../c.lic");
	assert_loc(sc->license_locs[1], path_of(fx, "p.yaml"), 6, 23);
	assert_int_equal(sc->noutputs, 3);
	assert_string_equal(sc->outputs[0], "/srv/out/");
	assert_string_equal(sc->outputs[1], "/tmp");
	assert_string_equal(sc->outputs[2], "/");
	assert_loc(sc->output_locs[2], path_of(fx, "p.yaml"), 7, 32);

	s = mg_policy_path(fx->pol, sc->licenses[0]);
	assert_string_equal(s, path_of(fx, "a.lic"));
	free(s);
	s = mg_policy_path(fx->pol, sc->licenses[1]);
	assert_string_equal(s, "/etc/mguard/b.lic");
	free(s);
}

ERROR_TEST(test_licenses_not_list, SCOPE_WITH("licenses: a.lic"), 2, 60,
	   "'licenses' must be a list of strings")
ERROR_TEST(test_license_empty, SCOPE_WITH("licenses: [a.lic, '']"), 2, 68,
	   "invalid license path '': must not be empty")
ERROR_TEST(test_outputs_not_list, SCOPE_WITH("outputs: /srv/out"), 2, 59,
	   "'outputs' must be a list of strings")
ERROR_TEST(test_output_relative, SCOPE_WITH("outputs: [out]"), 2, 60,
	   "invalid output folder 'out': must be an absolute path")
ERROR_TEST(test_output_empty, SCOPE_WITH("outputs: ['']"), 2, 60,
	   "invalid output folder '': must not be empty")
ERROR_TEST(test_output_dotdot, SCOPE_WITH("outputs: [/srv/../etc]"), 2, 60,
	   "invalid output folder '/srv/../etc': must not contain '.' or '..' components")
ERROR_TEST(test_output_dot, SCOPE_WITH("outputs: [/srv/./out/]"), 2, 60,
	   "invalid output folder '/srv/./out/': must not contain '.' or '..' components")

#define UUID_A "GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789"
#define UUID_B "GPU-00000000-0000-0000-0000-00000000000F"

static void test_gpus_forms(void **state)
{
	struct fx *fx = *state;
	const struct mg_scope *sc;

	put(fx, "p.yaml",
	    API "scopes:\n"
		"  - {name: a, cgroup: /a, maxTier: general, gpus: none}\n"
		"  - {name: b, cgroup: /b, maxTier: general, gpus: all}\n"
		"  - {name: c, cgroup: /c, maxTier: general, gpus: []}\n"
		"  - name: d\n    cgroup: /d\n    maxTier: general\n"
		"    gpus: [0, 255, " UUID_A ", '" UUID_B "', 7]\n");
	load_ok(fx);
	sc = fx->pol->scopes;
	assert_int_equal(sc[0].ngpus, 0);
	assert_null(sc[0].gpus);
	assert_int_equal(sc[1].ngpus, 1);
	assert_int_equal(sc[1].gpus[0].kind, MG_GPU_ALL);
	assert_null(sc[1].gpus[0].uuid);
	assert_loc(sc[1].gpus[0].loc, path_of(fx, "p.yaml"), 4, 51);
	assert_int_equal(sc[2].ngpus, 0);
	assert_int_equal(sc[3].ngpus, 5);
	assert_int_equal(sc[3].gpus[0].kind, MG_GPU_INDEX);
	assert_int_equal(sc[3].gpus[0].index, 0);
	assert_int_equal(sc[3].gpus[1].kind, MG_GPU_INDEX);
	assert_int_equal(sc[3].gpus[1].index, 255);
	assert_int_equal(sc[3].gpus[2].kind, MG_GPU_UUID);
	assert_string_equal(sc[3].gpus[2].uuid, UUID_A);
	assert_int_equal(sc[3].gpus[3].kind, MG_GPU_UUID);
	assert_string_equal(sc[3].gpus[3].uuid, UUID_B);
	assert_int_equal(sc[3].gpus[4].index, 7);
	assert_loc(sc[3].gpus[4].loc, path_of(fx, "p.yaml"), 9, 106);
}

#define GPU_TEST(fn, gpus, col, msg) ERROR_TEST(fn, SCOPE_WITH("gpus: " gpus), 2, col, msg)

GPU_TEST(test_gpus_word, "some", 56,
	 "invalid gpus 'some' (expected all, none or a list of GPU indexes and UUIDs)")
GPU_TEST(test_gpus_number, "0", 56,
	 "invalid gpus '0' (expected all, none or a list of GPU indexes and UUIDs)")
GPU_TEST(test_gpus_null, "~", 56, "'gpus' must be all, none or a list of GPU indexes and UUIDs")
GPU_TEST(test_gpus_mapping, "{a: 1}", 56,
	 "'gpus' must be all, none or a list of GPU indexes and UUIDs")
GPU_TEST(test_gpus_item_list, "[0, [1]]", 60,
	 "'gpus' must be all, none or a list of GPU indexes and UUIDs")
GPU_TEST(test_gpus_all_in_list, "[0, all]", 60, "'all' is not allowed in a list of GPUs")
GPU_TEST(test_gpus_none_in_list, "[none]", 57, "'none' is not allowed in a list of GPUs")
GPU_TEST(test_gpus_256, "[256]", 57, "invalid GPU index '256' (must be an integer from 0 to 255)")
GPU_TEST(test_gpus_negative, "[-1]", 57,
	 "invalid GPU index '-1' (must be an integer from 0 to 255)")
GPU_TEST(test_gpus_leading_zero, "[01]", 57,
	 "invalid GPU index '01' (must be an integer from 0 to 255)")
GPU_TEST(test_gpus_fraction, "[1.0]", 57,
	 "invalid GPU index '1.0' (must be an integer from 0 to 255)")
GPU_TEST(test_gpus_quoted_index, "['1']", 57,
	 "invalid GPU '1' (expected an index from 0 to 255 or GPU-<uuid>)")
GPU_TEST(test_gpus_word_in_list, "[gpu0]", 57,
	 "invalid GPU 'gpu0' (expected an index from 0 to 255 or GPU-<uuid>)")
GPU_TEST(
	test_gpus_bad_uuid, "[GPU-5a1b2c3d-4e5f-6789-abcd-ef012345678]", 57,
	"invalid GPU UUID 'GPU-5a1b2c3d-4e5f-6789-abcd-ef012345678' (expected GPU- and 8-4-4-4-12 hex digits)")
GPU_TEST(
	test_gpus_uuid_groups, "[GPU-5a1b2c3d4e5f-6789-abcd-ef0123456789]", 57,
	"invalid GPU UUID 'GPU-5a1b2c3d4e5f-6789-abcd-ef0123456789' (expected GPU- and 8-4-4-4-12 hex digits)")
GPU_TEST(
	test_gpus_uuid_not_hex, "[GPU-5a1b2c3d-4e5f-6789-abcd-ef012345678g]", 57,
	"invalid GPU UUID 'GPU-5a1b2c3d-4e5f-6789-abcd-ef012345678g' (expected GPU- and 8-4-4-4-12 hex digits)")
GPU_TEST(
	test_gpus_uuid_trailing, "[GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789-]", 57,
	"invalid GPU UUID 'GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789-' (expected GPU- and 8-4-4-4-12 hex digits)")
GPU_TEST(test_gpus_duplicate_index, "[3, 1, 3]", 63,
	 "duplicate GPU '3' (first listed at %D/p.yaml:2:57)")
GPU_TEST(
	test_gpus_duplicate_uuid,
	"[GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789, GPU-5A1B2C3D-4E5F-6789-ABCD-EF0123456789]", 99,
	"duplicate GPU 'GPU-5A1B2C3D-4E5F-6789-ABCD-EF0123456789' (first listed at %D/p.yaml:2:57)")

static void test_gpus_too_many(void **state)
{
	struct fx *fx = *state;
	char text[4096];
	size_t n;

	n = snprintf(text, sizeof(text),
		     API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n    gpus:\n");
	for (int i = 0; i <= MG_POLICY_MAX_GPUS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, "      - %d\n", i);
	expect_one(fx, text, 7 + MG_POLICY_MAX_GPUS, 9, "too many GPUs (at most 64)");
}

static void test_gpus_at_limit(void **state)
{
	struct fx *fx = *state;
	char text[4096];
	size_t n;

	n = snprintf(text, sizeof(text),
		     API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n    gpus:\n");
	for (int i = 0; i < MG_POLICY_MAX_GPUS; i++)
		n += snprintf(text + n, sizeof(text) - n, "      - %d\n", 2 * i);
	put(fx, "p.yaml", text);
	load_ok(fx);
	assert_int_equal(fx->pol->scopes[0].ngpus, MG_POLICY_MAX_GPUS);
	assert_int_equal(fx->pol->scopes[0].gpus[63].index, 126);
}

/* ---- Scope count -------------------------------------------------------- */

static char *scopes_text(int n)
{
	size_t size = 64 + (size_t)n * 64, len;
	char *text = malloc(size);

	assert_non_null(text);
	len = snprintf(text, size, API "scopes:\n");
	for (int i = 0; i < n; i++)
		len += snprintf(text + len, size - len,
				"  - {name: s%d, cgroup: /s%d, maxTier: general}\n", i, i);
	return text;
}

static void test_scopes_at_limit(void **state)
{
	struct fx *fx = *state;
	char *text = scopes_text(MG_POLICY_MAX_SCOPES);

	put(fx, "p.yaml", text);
	free(text);
	load_ok(fx);
	assert_int_equal(fx->pol->nscopes, MG_POLICY_MAX_SCOPES);
}

static void test_scopes_too_many(void **state)
{
	struct fx *fx = *state;
	char *text = scopes_text(MG_POLICY_MAX_SCOPES + 2);

	put(fx, "p.yaml", text);
	free(text);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 3 + MG_POLICY_MAX_SCOPES, 5, "more than 1024 scopes");
	expect_count(fx, 1);
}

static void test_allow_debug(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API "scopes:\n  - {name: a, cgroup: /a, maxTier: general, allowDebug: true}\n"
		"  - {name: b, cgroup: /b, maxTier: general}\n");
	load_ok(fx);
	assert_int_equal(fx->pol->scopes[0].allow_debug, 1);
	assert_int_equal(fx->pol->scopes[1].allow_debug, 0); /* shielded by default */
}

ERROR_TEST(test_allow_debug_not_bool, SCOPE_WITH("allowDebug: yes"), 2, 62,
	   "'allowDebug' must be true or false")

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

		T(test_cgroup_relative),
		T(test_cgroup_root),
		T(test_cgroup_double_slash),
		T(test_cgroup_dotdot),
		T(test_cgroup_dotdot_end),
		T(test_cgroup_dot),
		T(test_cgroup_trailing_slash),
		T(test_cgroup_empty),
		T(test_cgroup_dots_in_names),
		T(test_egress_errors),
		T(test_allow_debug),
		T(test_allow_debug_not_bool),
		T(test_licenses_and_outputs),
		T(test_licenses_not_list),
		T(test_license_empty),
		T(test_outputs_not_list),
		T(test_output_relative),
		T(test_output_empty),
		T(test_output_dotdot),
		T(test_output_dot),
		T(test_gpus_forms),
		T(test_gpus_word),
		T(test_gpus_number),
		T(test_gpus_null),
		T(test_gpus_mapping),
		T(test_gpus_item_list),
		T(test_gpus_all_in_list),
		T(test_gpus_none_in_list),
		T(test_gpus_256),
		T(test_gpus_negative),
		T(test_gpus_leading_zero),
		T(test_gpus_fraction),
		T(test_gpus_quoted_index),
		T(test_gpus_word_in_list),
		T(test_gpus_bad_uuid),
		T(test_gpus_uuid_groups),
		T(test_gpus_uuid_not_hex),
		T(test_gpus_uuid_trailing),
		T(test_gpus_duplicate_index),
		T(test_gpus_duplicate_uuid),
		T(test_gpus_too_many),
		T(test_gpus_at_limit),
		T(test_scopes_at_limit),
		T(test_scopes_too_many),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
