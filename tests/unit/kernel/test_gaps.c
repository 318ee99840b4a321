// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The gaps each engine leaves open, as probe and status name them. */
#include "unit.h"

#include <string.h>

#include "kernel/gaps.h"

static bool has_gap(const __u8 engine[MG_HOOK_SLOTS], const char *route)
{
	struct mg_gap g[16];
	size_t n = mg_gaps_list(engine, g, 16);

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(g[i].route, route))
			return true;
	return false;
}

static void fallback(__u8 e[MG_HOOK_SLOTS])
{
	memset(e, 0, MG_HOOK_SLOTS);
	e[MG_HOOK_FILE_OPEN] = e[MG_HOOK_SOCKET] = e[MG_HOOK_PATHS] = MG_ENGINE_TP_KILL;
	e[MG_HOOK_SYSCALLS] = MG_ENGINE_TP_KILL;
	e[MG_HOOK_UNIX] = MG_ENGINE_NONE;
}

static void lsm(__u8 e[MG_HOOK_SLOTS])
{
	memset(e, 0, MG_HOOK_SLOTS);
	e[MG_HOOK_FILE_OPEN] = e[MG_HOOK_SOCKET] = e[MG_HOOK_PATHS] = MG_ENGINE_LSM;
	e[MG_HOOK_UNIX] = MG_ENGINE_LSM;
	e[MG_HOOK_SYSCALLS] = MG_ENGINE_COVERED;
}

static void test_fallback_names_what_it_cannot_undo(void **state)
{
	__u8 e[MG_HOOK_SLOTS];

	fallback(e);
	assert_true(has_gap(e, "unix-sockets"));
	assert_true(has_gap(e, "name-changes"));
	assert_true(has_gap(e, "closed-in-scopes"));
	assert_true(has_gap(e, "netlink-config"));
	assert_true(has_gap(e, "inherited-descriptors"));
	assert_true(has_gap(e, "names"));
	assert_true(has_gap(e, "verity"));
}

static void test_lsm_leaves_only_what_no_hook_sees(void **state)
{
	__u8 e[MG_HOOK_SLOTS];

	lsm(e);
	assert_false(has_gap(e, "unix-sockets"));
	assert_false(has_gap(e, "name-changes"));
	assert_false(has_gap(e, "closed-in-scopes"));
	assert_false(has_gap(e, "netlink-config"));
	assert_true(has_gap(e, "names"));
	assert_true(has_gap(e, "inherited-descriptors"));
	/* BPF LSM without bpf_get_fsverity_digest or file_post_open: the SHA-256 path serves. */
	assert_true(has_gap(e, "verity"));
	e[MG_HOOK_VERITY] = MG_ENGINE_LSM;
	assert_false(has_gap(e, "verity"));
}

static void test_print_text_and_json(void **state)
{
	__u8 e[MG_HOOK_SLOTS];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	lsm(e);
	mg_gaps_print(f, e, true);
	fclose(f);
	assert_non_null(strstr(buf, "{\"names\":\""));
	assert_int_equal(buf[len - 1], '}');
	free(buf);

	f = open_memstream(&buf, &len);
	mg_gaps_print(f, e, false);
	fclose(f);
	assert_non_null(strstr(buf, "gaps (routes this kernel's engines leave open):\n  names"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fallback_names_what_it_cannot_undo),
		cmocka_unit_test(test_lsm_leaves_only_what_no_hook_sees),
		cmocka_unit_test(test_print_text_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
