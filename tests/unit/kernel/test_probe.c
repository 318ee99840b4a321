// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "core/names.h"
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/probe.h"

/* The features of this project's development host: BPF LSM listed but refused at load. */
static void host_like(struct mg_probe *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->kernel, sizeof(p->kernel), "6.18.44-test");
	p->btf = true;
	p->lsm_bpf_active = true;
	snprintf(p->lsm_list, sizeof(p->lsm_list), "lockdown,capability,landlock,bpf");
	p->lsm_bpf_built = 1;
	p->lsm_hook_in_btf = true;
	p->lsm_prog_loads = false;
	p->lsm_prog_errno = EPERM;
	p->trampoline_loads = false;
	p->trampoline_errno = EPERM;
	snprintf(p->trampoline_target, sizeof(p->trampoline_target), "bpf_fentry_test1");
	p->fmod.err = EPERM;
	p->fmod.step = "load";
	p->fmod.target[MG_HOOK_FILE_OPEN] = true;
	p->ringbuf = true;
	p->tracepoint_progs = true;
	p->cgroup_sock_addr = true;
	p->cgroup_device = true;
	p->cgroup_skb = true;
	snprintf(p->cgroup2_mount, sizeof(p->cgroup2_mount), "/sys/fs/cgroup/unified");
	p->landlock_abi = 7;
}

static char *print_to_string(const struct mg_probe *p, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	mg_probe_print(p, f, json);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static void test_engines_lsm(void **state)
{
	struct mg_probe p;

	host_like(&p);
	p.lsm_prog_loads = true;
	p.lsm_prog_errno = 0;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_LSM);
	assert_int_equal(p.engine[MG_HOOK_CONNECT4], MG_ENGINE_CGROUP);
	assert_int_equal(p.engine[MG_HOOK_CONNECT6], MG_ENGINE_CGROUP);
	/* Mapped and received files go with the file engine; io_uring needs nothing more. */
	assert_int_equal(p.engine[MG_HOOK_MMAP], MG_ENGINE_LSM);
	assert_int_equal(p.engine[MG_HOOK_FILE_RECEIVE], MG_ENGINE_LSM);
	assert_int_equal(p.engine[MG_HOOK_IO_URING], MG_ENGINE_COVERED);
	assert_string_equal(mg_engine_name(MG_ENGINE_COVERED), "covered");

	/* Loading alone is not enough: bpf must be in the active list, and BTF present. */
	p.lsm_bpf_active = false;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_TP_KILL);
	p.lsm_bpf_active = true;
	p.btf = false;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_NONE);
}

/* The guard's own hooks go with the file engine; the fallback's gaps are named. */
static void test_engines_guard(void **state)
{
	struct mg_probe p;
	char note[160];

	host_like(&p);
	p.lsm_prog_loads = true;
	p.lsm_prog_errno = 0;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_BPF], MG_ENGINE_LSM);
	assert_int_equal(p.engine[MG_HOOK_PINS], MG_ENGINE_LSM);
	assert_int_equal(p.engine[MG_HOOK_PTRACE], MG_ENGINE_LSM);
	assert_int_equal(p.engine[MG_HOOK_FD_SHARE], MG_ENGINE_COVERED);
	assert_int_equal(p.engine[MG_HOOK_COREDUMP], MG_ENGINE_TP_KILL);
	for (int h = MG_HOOK_BPF; h < MG_HOOK__COUNT; h++)
		assert_null(mg_guard_gap(h, MG_ENGINE_LSM));
	mg_guard_note(&p, MG_HOOK_FD_SHARE, note, sizeof(note));
	assert_string_equal(note, "(nothing to close: a denied open installs no descriptor)");

	p.lsm_bpf_active = false;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_BPF], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_PINS], MG_ENGINE_NONE);
	assert_int_equal(p.engine[MG_HOOK_FD_SHARE], MG_ENGINE_TP_KILL);
	mg_guard_note(&p, MG_HOOK_SIGNAL, note, sizeof(note));
	assert_string_equal(
		note, "(gap: the sender dies on the attempt, but the signal is still delivered)");
	assert_non_null(mg_guard_gap(MG_HOOK_PINS, MG_ENGINE_TP_KILL));
	assert_null(mg_guard_gap(MG_HOOK_COREDUMP, MG_ENGINE_TP_KILL));
	assert_null(mg_guard_gap(MG_HOOK_FILE_OPEN, MG_ENGINE_TP_KILL));
}

static void test_engines_lsm_eperm(void **state)
{
	struct mg_probe p;
	char *text;

	host_like(&p);
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_CONNECT4], MG_ENGINE_CGROUP);
	assert_int_equal(p.engine[MG_HOOK_CONNECT6], MG_ENGINE_CGROUP);

	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "engines:"));
	assert_non_null(strstr(text, "EPERM at load"));
	assert_non_null(strstr(text, "tracepoint-kill"));
	assert_non_null(strstr(
		text, "(BPF LSM not usable: EPERM at load; fmod_ret not usable: EPERM at load)"));
	assert_non_null(strstr(text, "/sys/fs/cgroup/unified"));
	free(text);
}

static void test_engines_none(void **state)
{
	struct mg_probe p;
	char *text;

	host_like(&p);
	p.lsm_bpf_active = false;
	p.lsm_prog_errno = EPERM;
	p.tracepoint_progs = false;
	p.tracepoint_errno = ENOENT;
	p.tracepoint_step = "tracefs";
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_NONE);
	assert_int_equal(p.engine[MG_HOOK_CONNECT4], MG_ENGINE_CGROUP);

	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "bpf not in the active LSM list"));
	assert_non_null(strstr(text, "tracepoints not usable"));
	free(text);

	/* Tracepoints without BTF are not enough for the kill engine (it needs CO-RE). */
	host_like(&p);
	p.lsm_prog_loads = true;
	p.btf = false;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_NONE);
}

static void test_engines_net(void **state)
{
	struct mg_probe p;
	char *text;

	host_like(&p);
	p.cgroup2_mount[0] = '\0';
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_CONNECT4], MG_ENGINE_NONE);
	assert_int_equal(p.engine[MG_HOOK_CONNECT6], MG_ENGINE_NONE);
	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "(cgroup2 not mounted)"));
	free(text);

	host_like(&p);
	p.cgroup_sock_addr = false;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_CONNECT4], MG_ENGINE_NONE);
	assert_int_equal(p.engine[MG_HOOK_CONNECT6], MG_ENGINE_NONE);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_EGRESS_BUDGET], MG_ENGINE_CGROUP);

	host_like(&p);
	p.cgroup_skb = false;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_EGRESS_BUDGET], MG_ENGINE_NONE);
	assert_int_equal(p.engine[MG_HOOK_CONNECT4], MG_ENGINE_CGROUP);
	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "(cgroup skb programs do not load)"));
	free(text);
}

/* fs-verity digests need BPF LSM for files and the verity program to load. */
static void test_engines_verity(void **state)
{
	struct mg_probe p;
	char *text;

	host_like(&p);
	p.verity_loads = true;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_VERITY], MG_ENGINE_NONE); /* fallback engine */

	p.lsm_prog_loads = true;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_VERITY], MG_ENGINE_LSM);
	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "verity_loads       yes   lsm/file_post_open with "
				     "bpf_get_fsverity_digest"));
	free(text);

	p.verity_loads = false;
	p.verity_errno = ENOENT;
	p.verity_hook_in_btf = true;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_VERITY], MG_ENGINE_NONE);
	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "bpf_get_fsverity_digest not in BTF (needs 6.7+ and "
				     "CONFIG_FS_VERITY)"));
	assert_non_null(strstr(text, "SHA-256 digests and taint on write serve"));
	free(text);
}

static void test_names(void **state)
{
	assert_string_equal(mg_engine_name(MG_ENGINE_LSM), "bpf-lsm");
	assert_string_equal(mg_engine_name(MG_ENGINE_TP_KILL), "tracepoint-kill");
	assert_string_equal(mg_engine_name(MG_ENGINE_CGROUP), "cgroup");
	assert_string_equal(mg_engine_name(MG_ENGINE_NONE), "none");
	assert_string_equal(mg_engine_name(MG_ENGINE__COUNT), "unknown");
	assert_string_equal(mg_engine_name((enum mg_engine) - 1), "unknown");
	assert_string_equal(mg_hook_name(MG_HOOK_FILE_OPEN), "file_open");
	assert_string_equal(mg_hook_name(MG_HOOK_CONNECT4), "connect4");
	assert_string_equal(mg_hook_name(MG_HOOK_CONNECT6), "connect6");
	assert_string_equal(mg_hook_name(MG_HOOK__COUNT), "unknown");
}

/* Structural check of one JSON object: balanced braces outside strings, valid escapes. */
static void assert_json_object(const char *s)
{
	int depth = 0;
	bool in_str = false;

	while (*s == ' ' || *s == '\n')
		s++;
	assert_int_equal(*s, '{');
	for (; *s; s++) {
		if (in_str) {
			assert_true((unsigned char)*s >= 0x20);
			if (*s == '\\') {
				s++;
				assert_non_null(strchr("\"\\/bfnrtu", *s));
			} else if (*s == '"') {
				in_str = false;
			}
			continue;
		}
		if (*s == '"') {
			in_str = true;
		} else if (*s == '{' || *s == '[') {
			depth++;
		} else if (*s == '}' || *s == ']') {
			depth--;
			assert_true(depth >= 0);
			if (depth == 0)
				break;
		}
	}
	assert_false(in_str);
	assert_int_equal(depth, 0);
	assert_int_equal(*s, '}');
	for (s++; *s; s++)
		assert_true(*s == '\n' || *s == ' ');
}

static void test_json(void **state)
{
	static const char *const keys[] = {
		"\"kernel\":\"6.18.44-test\"",
		"\"btf\":true",
		"\"lsm_bpf_active\":true",
		"\"lsm_list\":\"lockdown,capability,landlock,bpf\"",
		"\"lsm_bpf_built\":true",
		"\"lsm_prog_loads\":false",
		"\"lsm_prog_errno\":1",
		"\"lsm_prog_error\":\"EPERM\"",
		"\"trampoline_loads\":false",
		"\"trampoline_error\":\"EPERM\"",
		"\"trampoline_target\":\"bpf_fentry_test1\"",
		"\"ringbuf\":true",
		"\"tracepoint_progs\":true",
		"\"tracepoint_step\":null",
		"\"cgroup_sock_addr\":true",
		"\"cgroup_device\":true",
		"\"cgroup_skb\":true",
		"\"cgroup2_mount\":\"/sys/fs/cgroup/unified\"",
		"\"landlock_abi\":7",
		("\"engines\":{\"file_open\":\"tracepoint-kill\",\"connect4\":\"cgroup\","
		 "\"connect6\":\"cgroup\",\"device\":\"cgroup\",\"sendmsg4\":\"cgroup\","
		 "\"sendmsg6\":\"cgroup\",\"mmap\":\"tracepoint-kill\",\"file_receive\":\"tracepoint-kill\","
		 "\"io_uring\":\"tracepoint-kill\",\"unix\":\"none\",\"bpf\":\"tracepoint-kill\","
		 "\"pins\":\"none\",\"signal\":\"tracepoint-kill\",\"ptrace\":\"tracepoint-kill\","
		 "\"cgroup_move\":\"tracepoint-kill\",\"fd_share\":\"tracepoint-kill\","
		 "\"coredump\":\"tracepoint-kill\",\"socket\":\"tracepoint-kill\","
		 "\"paths\":\"tracepoint-kill\",\"syscalls\":\"tracepoint-kill\","
		 "\"skb_egress\":\"cgroup\",\"egress_budget\":\"cgroup\",\"verity\":\"none\"}"),
		"\"gaps\":{\"unix-sockets\":",
	};
	struct mg_probe p;
	char *json;

	host_like(&p);
	mg_probe_choose_engines(&p);
	json = print_to_string(&p, true);
	assert_json_object(json);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!strstr(json, keys[i]))
			fail_msg("missing %s in %s", keys[i], json);
	}
	free(json);

	/* A string that needs escaping, a null and an errno name. */
	snprintf(p.cgroup2_mount, sizeof(p.cgroup2_mount), "/odd \"path\"\\x\n");
	p.lsm_bpf_built = -1;
	p.landlock_abi = 0;
	p.landlock_errno = EOPNOTSUPP;
	json = print_to_string(&p, true);
	assert_json_object(json);
	assert_non_null(strstr(json, "\"cgroup2_mount\":\"/odd \\\"path\\\"\\\\x\\n\""));
	assert_non_null(strstr(json, "\"lsm_bpf_built\":null"));
	assert_non_null(strstr(json, "\"landlock_error\":\"EOPNOTSUPP\""));
	free(json);
}

/*
 * The real probe, whatever the privileges: it must succeed, agree with the
 * engine rules, and print. Repeated calls return the cached result.
 */
static void test_run(void **state)
{
	struct mg_probe p, again, chosen;
	char *text;

	assert_int_equal(mg_probe_run(&p), 0);
	assert_true(p.kernel[0] != '\0');
	chosen = p;
	mg_probe_choose_engines(&chosen);
	assert_memory_equal(chosen.engine, p.engine, sizeof(p.engine));
	assert_true(p.lsm_prog_loads == (p.lsm_prog_errno == 0));
	assert_true(p.trampoline_loads == (p.trampoline_errno == 0));
	assert_true(p.tracepoint_progs == (p.tracepoint_errno == 0));

	assert_int_equal(mg_probe_run(&again), 0);
	assert_string_equal(again.kernel, p.kernel);
	assert_string_equal(again.cgroup2_mount, p.cgroup2_mount);
	assert_int_equal(again.lsm_prog_errno, p.lsm_prog_errno);
	assert_int_equal(again.tracepoint_progs, p.tracepoint_progs);
	assert_memory_equal(again.engine, p.engine, sizeof(p.engine));

	text = print_to_string(&p, true);
	assert_json_object(text);
	free(text);
	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "engines:"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engines_lsm),
		cmocka_unit_test(test_engines_guard),
		cmocka_unit_test(test_engines_lsm_eperm),
		cmocka_unit_test(test_engines_none),
		cmocka_unit_test(test_engines_net),
		cmocka_unit_test(test_engines_verity),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
