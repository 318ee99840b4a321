// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The guard's own hooks: bpf(), the pins, signals, ptrace and what asks it,
 * cgroup moves, shared descriptor tables, core dumps. They go with the file
 * engine: BPF LSM hooks where it runs, entry tracepoints of a few rare
 * syscalls where the fallback does; the core-dump tracepoint with either.
 * Every attachment is pinned as link_<name>, like the others.
 */
#include <stdio.h>

#include <bpf/libbpf.h>

#include "core/util.h"
#include "kernel/attach_guard.h"
#include "kernel/loader_state.h"
#include "mguard.skel.h"

struct mg_guard_prog {
	struct bpf_program *prog;
	const char *name; /* the LSM hook, or the syscalls tracepoint */
};

#define MG_GUARD_LSM(s)                                                                   \
	{                                                                                 \
		{ (s)->progs.mg_lsm_bpf, "bpf" },                                         \
			{ (s)->progs.mg_lsm_inode_unlink, "inode_unlink" },               \
			{ (s)->progs.mg_lsm_inode_rmdir, "inode_rmdir" },                 \
			{ (s)->progs.mg_lsm_inode_rename, "inode_rename" },               \
			{ (s)->progs.mg_lsm_task_kill, "task_kill" },                     \
			{ (s)->progs.mg_lsm_file_send_sigiotask, "file_send_sigiotask" }, \
			{ (s)->progs.mg_lsm_ptrace_access_check, "ptrace_access_check" }, \
			{ (s)->progs.mg_lsm_ptrace_traceme, "ptrace_traceme" },           \
			{ (s)->progs.mg_lsm_task_alloc, "task_alloc" },                   \
	}

#define MG_GUARD_TP(s)                                                                             \
	{                                                                                          \
		{ (s)->progs.mg_tp_enter_bpf, "sys_enter_bpf" },                                   \
			{ (s)->progs.mg_tp_enter_kill, "sys_enter_kill" },                         \
			{ (s)->progs.mg_tp_enter_tkill, "sys_enter_tkill" },                       \
			{ (s)->progs.mg_tp_enter_tgkill, "sys_enter_tgkill" },                     \
			{ (s)->progs.mg_tp_enter_rt_sigqueueinfo, "sys_enter_rt_sigqueueinfo" },   \
			{ (s)->progs.mg_tp_enter_rt_tgsigqueueinfo,                                \
			  "sys_enter_rt_tgsigqueueinfo" },                                         \
			{ (s)->progs.mg_tp_enter_pidfd_send_signal,                                \
			  "sys_enter_pidfd_send_signal" },                                         \
			{ (s)->progs.mg_tp_enter_ptrace, "sys_enter_ptrace" },                     \
			{ (s)->progs.mg_tp_enter_process_vm_readv, "sys_enter_process_vm_readv" }, \
			{ (s)->progs.mg_tp_enter_process_vm_writev,                                \
			  "sys_enter_process_vm_writev" },                                         \
			{ (s)->progs.mg_tp_enter_pidfd_open, "sys_enter_pidfd_open" },             \
			{ (s)->progs.mg_tp_enter_pidfd_getfd, "sys_enter_pidfd_getfd" },           \
			{ (s)->progs.mg_tp_enter_perf_event_open, "sys_enter_perf_event_open" },   \
	}

void mg_guard_select_programs(struct mguard_bpf *s, bool lsm, bool tp)
{
	struct mg_guard_prog lsms[] = MG_GUARD_LSM(s), tps[] = MG_GUARD_TP(s);

	for (size_t i = 0; i < MG_ARRAY_SIZE(lsms); i++)
		bpf_program__set_autoload(lsms[i].prog, lsm);
	for (size_t i = 0; i < MG_ARRAY_SIZE(tps); i++)
		bpf_program__set_autoload(tps[i].prog, tp);
	bpf_program__set_autoload(s->progs.mg_tp_guard_fork, tp);
	bpf_program__set_autoload(s->progs.mg_tp_signal_deliver, lsm || tp);
}

int mg_guard_attach(struct mg_loader *l)
{
	struct mguard_bpf *s = l->skel;
	struct mg_guard_prog lsms[] = MG_GUARD_LSM(s), tps[] = MG_GUARD_TP(s);
	char name[80];
	int err = 0;

	if (l->engine[MG_HOOK_COREDUMP] == MG_ENGINE_TP_KILL)
		err = mg_link_keep(l, bpf_program__attach(s->progs.mg_tp_signal_deliver), 0,
				   "tp_signal_deliver");
	switch (l->engine[MG_HOOK_FILE_OPEN]) {
	case MG_ENGINE_LSM:
		for (size_t i = 0; i < MG_ARRAY_SIZE(lsms) && !err; i++) {
			snprintf(name, sizeof(name), "lsm_%s", lsms[i].name);
			err = mg_link_keep(l, bpf_program__attach_lsm(lsms[i].prog), 0, name);
		}
		break;
	case MG_ENGINE_TP_KILL:
		for (size_t i = 0; i < MG_ARRAY_SIZE(tps) && !err; i++) {
			snprintf(name, sizeof(name), "tp_%s", tps[i].name);
			err = mg_link_keep(l,
					   bpf_program__attach_tracepoint(tps[i].prog, "syscalls",
									  tps[i].name),
					   0, name);
		}
		if (!err)
			err = mg_link_keep(l, bpf_program__attach(s->progs.mg_tp_guard_fork), 0,
					   "tp_btf_sched_process_fork");
		break;
	default:
		break;
	}
	return err;
}
