// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"
#include "kernel/probe.h"
#include "kernel/probe_fmodret.h"

/*
 * A distribution kernel with trampolines and CONFIG_BPF_LSM, but without bpf
 * in its boot-time LSM list: LSM programs load, their hooks never run.
 */
static void distro_like(struct mg_probe *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->kernel, sizeof(p->kernel), "6.1.0-57-amd64");
	p->btf = true;
	p->lsm_bpf_active = false;
	snprintf(p->lsm_list, sizeof(p->lsm_list), "lockdown,capability,landlock,yama,apparmor");
	p->lsm_bpf_built = 1;
	p->lsm_hook_in_btf = true;
	p->lsm_prog_loads = true;
	p->trampoline_loads = true;
	snprintf(p->trampoline_target, sizeof(p->trampoline_target), "bpf_fentry_test1");
	p->fmod.runs = true;
	p->fmod.target[MG_HOOK_FILE_OPEN] = true;
	p->fmod.target[MG_HOOK_MMAP] = true;
	p->fmod.target[MG_HOOK_FILE_RECEIVE] = true;
	p->fmod.target[MG_HOOK_UNIX] = true;
	p->fmod.target[MG_HOOK_PATHS] = true;
	p->fmod.target[MG_HOOK_SOCKET] = true;
	p->fmod.target[MG_HOOK_BPF] = true;
	p->fmod.target[MG_HOOK_PINS] = true;
	p->fmod.target[MG_HOOK_SIGNAL] = true;
	p->fmod.target[MG_HOOK_PTRACE] = true;
	p->fmod.target[MG_HOOK_CGROUP_MOVE] = true;
	p->ringbuf = true;
	p->tracepoint_progs = true;
	p->cgroup_sock_addr = true;
	p->cgroup_device = true;
	snprintf(p->cgroup2_mount, sizeof(p->cgroup2_mount), "/sys/fs/cgroup");
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

/* Between bpf-lsm and tracepoint-kill: every file hook, io_uring covered, UNIX sockets too. */
static void test_fmod_ret_chosen(void **state)
{
	struct mg_probe p;
	char *text;

	distro_like(&p);
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_MMAP], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_FILE_RECEIVE], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_UNIX], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_IO_URING], MG_ENGINE_COVERED);
	assert_int_equal(p.engine[MG_HOOK_CONNECT4], MG_ENGINE_CGROUP);
	assert_string_equal(mg_engine_name(MG_ENGINE_FMOD_RET), "fmod-ret");

	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "fmod_ret_runs"));
	assert_non_null(strstr(text, "fmod_ret/security_file_open"));
	assert_non_null(strstr(text, "(BPF LSM not usable: bpf not in the active LSM list"));
	assert_non_null(strstr(text, "(its opens reach security_file_open like any other)"));
	free(text);
	text = print_to_string(&p, true);
	assert_non_null(strstr(text, "\"fmod_ret_runs\":true"));
	assert_non_null(strstr(text, "\"file_open\":\"fmod-ret\""));
	free(text);

	/* BPF LSM, where it is active, comes first. */
	p.lsm_bpf_active = true;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_LSM);
	assert_int_equal(p.engine[MG_HOOK_MMAP], MG_ENGINE_LSM);
	assert_int_equal(p.engine[MG_HOOK_UNIX], MG_ENGINE_LSM);
}

/* Loading is not enough: the probe program must have run and changed an open. */
static void test_fmod_ret_not_running(void **state)
{
	struct mg_probe p;
	char *text;

	distro_like(&p);
	p.fmod.runs = false;
	p.fmod.err = 0;
	p.fmod.step = "run";
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_MMAP], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_IO_URING], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_UNIX], MG_ENGINE_NONE);
	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "fmod_ret not usable: attached but did not run"));
	free(text);

	/* This project's host: trampolines refused at load. */
	p.fmod.err = EPERM;
	p.fmod.step = "load";
	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "fmod_ret not usable: EPERM at load"));
	free(text);
	text = print_to_string(&p, true);
	assert_non_null(strstr(text, "\"fmod_ret_runs\":false"));
	assert_non_null(strstr(text, "\"fmod_ret_error\":\"EPERM\""));
	assert_non_null(strstr(text, "\"fmod_ret_step\":\"load\""));
	free(text);
}

/* Per hook: a security_* function missing from BTF leaves that hook to the tracepoints. */
static void test_fmod_ret_per_hook(void **state)
{
	struct mg_probe p;

	distro_like(&p);
	p.fmod.target[MG_HOOK_MMAP] = false;
	p.fmod.target[MG_HOOK_UNIX] = false;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_MMAP], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_FILE_RECEIVE], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_UNIX], MG_ENGINE_NONE);

	/* Without tracepoints either, that hook has no engine. */
	p.tracepoint_progs = false;
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_MMAP], MG_ENGINE_NONE);
}

/* The routes beyond open and the guard's own hooks refuse the same way; nothing left to close. */
static void test_fmod_ret_routes_and_guard(void **state)
{
	struct mg_probe p;
	char *text;

	distro_like(&p);
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_PATHS], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_SOCKET], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_BPF], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_PINS], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_SIGNAL], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_PTRACE], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_CGROUP_MOVE], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_FD_SHARE], MG_ENGINE_COVERED);
	assert_int_equal(p.engine[MG_HOOK_COREDUMP], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_SYSCALLS], MG_ENGINE_COVERED);

	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "reach the security_* functions like any other"));
	/* No gap of the tracepoint engine, and the ones of the refusing engines only. */
	assert_null(strstr(text, "name-changes"));
	assert_null(strstr(text, "closed-in-scopes"));
	assert_null(strstr(text, "netlink-config"));
	assert_null(strstr(text, "unix-sockets"));
	assert_null(strstr(text, "gap: the caller dies"));
	assert_non_null(strstr(text, "inherited-descriptors"));
	free(text);
}

/* A function missing from BTF leaves its hook (or the guard's group) to the tracepoints, named. */
static void test_fmod_ret_missing_function(void **state)
{
	struct mg_probe p;
	char *text;

	distro_like(&p);
	p.fmod.target[MG_HOOK_PATHS] = false;
	p.fmod.missing[MG_HOOK_PATHS] = "security_path_rename";
	p.fmod.target[MG_HOOK_PTRACE] = false;
	p.fmod.missing[MG_HOOK_PTRACE] = "security_ptrace_traceme";
	mg_probe_choose_engines(&p);
	assert_int_equal(p.engine[MG_HOOK_FILE_OPEN], MG_ENGINE_FMOD_RET);
	assert_int_equal(p.engine[MG_HOOK_PATHS], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_SOCKET], MG_ENGINE_FMOD_RET);
	/* The guard's hooks go as one group: their tracepoints serve them together. */
	assert_int_equal(p.engine[MG_HOOK_BPF], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_SIGNAL], MG_ENGINE_TP_KILL);
	assert_int_equal(p.engine[MG_HOOK_PINS], MG_ENGINE_NONE);
	assert_int_equal(p.engine[MG_HOOK_FD_SHARE], MG_ENGINE_TP_KILL);
	/* 32-bit syscalls pass the tracepoints of those hooks: closed again. */
	assert_int_equal(p.engine[MG_HOOK_SYSCALLS], MG_ENGINE_TP_KILL);

	text = print_to_string(&p, false);
	assert_non_null(strstr(text, "(security_path_rename not in BTF)"));
	assert_non_null(strstr(text, "(security_ptrace_traceme not in BTF; gap: the caller dies"));
	assert_non_null(strstr(text, "name-changes"));
	assert_non_null(strstr(text, "closed-in-scopes"));
	assert_null(strstr(text, "netlink-config"));
	free(text);
}

static void test_fmod_ret_funcs(void **state)
{
	assert_string_equal(mg_fmod_ret_func(MG_HOOK_FILE_OPEN), "security_file_open");
	assert_string_equal(mg_fmod_ret_func(MG_HOOK_MMAP), "security_mmap_file");
	assert_string_equal(mg_fmod_ret_func(MG_HOOK_FILE_RECEIVE), "security_file_receive");
	assert_string_equal(mg_fmod_ret_func(MG_HOOK_PATHS), "security_path_rename");
	assert_string_equal(mg_fmod_ret_func(MG_HOOK_BPF), "security_bpf");
	assert_string_equal(mg_fmod_ret_func(MG_HOOK_CGROUP_MOVE), "security_task_alloc");
	assert_null(mg_fmod_ret_func(MG_HOOK_COREDUMP));
	assert_null(mg_fmod_ret_func(MG_HOOK_CONNECT4));
	assert_null(mg_fmod_ret_func(MG_HOOK__COUNT));
}

/* The real probe, whatever the kernel: a consistent answer, and nothing left attached. */
static void test_fmod_ret_real(void **state)
{
	struct mg_fmod_probe f;
	struct mg_probe p;
	int fd;

	mg_probe_fmod_ret(NULL, &f);
	assert_false(f.runs);
	assert_string_equal(f.step, "btf");

	assert_int_equal(mg_probe_run(&p), 0);
	assert_true(p.fmod.runs == (p.fmod.step == NULL));
	assert_true(p.fmod.runs == (p.fmod.err == 0));
	/* Whatever happened, this thread's opens work again. */
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmod_ret_chosen),
		cmocka_unit_test(test_fmod_ret_not_running),
		cmocka_unit_test(test_fmod_ret_per_hook),
		cmocka_unit_test(test_fmod_ret_routes_and_guard),
		cmocka_unit_test(test_fmod_ret_missing_function),
		cmocka_unit_test(test_fmod_ret_funcs),
		cmocka_unit_test(test_fmod_ret_real),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
