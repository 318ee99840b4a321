/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel-feature probe: what this kernel lets mguard load and attach, found
 * by trying (a program is loaded, never assumed from a version or a config
 * option), and the enforcement engine that follows for each hook.
 */
#ifndef MGUARD_PROBE_H
#define MGUARD_PROBE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "mguard_abi.h"
#include "kernel/probe_fmodret.h"

#define MG_PROBE_LSM_HOOK     "bpf_lsm_file_open"
#define MG_PROBE_TRACEPOINT   "syscalls/sys_exit_openat"
#define MG_PROBE_SECURITYFS   "/sys/kernel/security"
#define MG_PROBE_VMLINUX_BTF  "/sys/kernel/btf/vmlinux"
#define MG_PROBE_VERITY_HOOK  "bpf_lsm_file_post_open"
#define MG_PROBE_VERITY_KFUNC "bpf_get_fsverity_digest"

struct mg_probe {
	bool btf;	       /* /sys/kernel/btf/vmlinux present and parsed */
	bool lsm_bpf_active;   /* "bpf" in /sys/kernel/security/lsm */
	int lsm_list_errno;    /* 0, or why the LSM list could not be read */
	char lsm_list[256];    /* the active LSM list as the kernel gives it */
	int lsm_bpf_built;     /* CONFIG_BPF_LSM: 1 yes, 0 no, -1 unknown */
	bool lsm_hook_in_btf;  /* MG_PROBE_LSM_HOOK has a BTF id */
	bool lsm_prog_loads;   /* a minimal BPF_LSM_MAC program on file_open loads */
	int lsm_prog_errno;    /* errno of that load, 0 when it loaded */
	bool trampoline_loads; /* a minimal fentry program loads */
	int trampoline_errno;
	char trampoline_target[64];   /* the function it was tried on; empty: none in BTF */
	struct mg_fmod_probe fmod;    /* fmod_ret on security_file_open really runs */
	bool ringbuf;		      /* BPF_MAP_TYPE_RINGBUF can be created */
	bool tracepoint_progs;	      /* a tracepoint program loads and attaches to
					 * MG_PROBE_TRACEPOINT */
	int tracepoint_errno;	      /* why not, 0 when it works */
	const char *tracepoint_step;  /* where it failed: "tracefs", "load" or
					 * "attach"; NULL when it works */
	bool cgroup_sock_addr;	      /* BPF_PROG_TYPE_CGROUP_SOCK_ADDR loads */
	bool cgroup_device;	      /* BPF_PROG_TYPE_CGROUP_DEVICE loads */
	bool cgroup_skb;	      /* BPF_PROG_TYPE_CGROUP_SKB loads: egress budgets */
	char cgroup2_mount[PATH_MAX]; /* empty if cgroup2 is not mounted */
	int landlock_abi;	      /* Landlock ABI version, 0 when unavailable */
	int landlock_errno;	      /* why unavailable, 0 otherwise */
	bool compat_entry;	      /* 32-bit syscalls (int $0x80, x32) are taken */
	bool verity_hook_in_btf;      /* MG_PROBE_VERITY_HOOK has a BTF id */
	bool verity_kfunc_in_btf;     /* MG_PROBE_VERITY_KFUNC has a BTF id */
	bool verity_loads;	      /* an LSM program on file_post_open calling it loads */
	int verity_errno;	      /* why not, 0 when it loads */
	char kernel[128];	      /* uname -r */
	enum mg_engine engine[MG_HOOK__COUNT]; /* by mg_probe_choose_engines() */
};

/*
 * Probe the running kernel and choose the engines. A missing or refused
 * feature is a result, not an error: this fails only when memory runs out
 * (-ENOMEM). Needs CAP_BPF/CAP_SYS_ADMIN for the loads to mean anything;
 * without them every load reports EPERM.
 *
 * Side effects: when securityfs or tracefs is not mounted at its standard
 * place (/sys/kernel/security, /sys/kernel/tracing) it is mounted there and
 * left mounted, as systemd does at boot; the tracepoint engine needs tracefs
 * anyway. Each test program is unloaded before this returns; the tracepoint
 * one is attached, for the time of one ioctl, to CPU 0 and returns 0.
 * libbpf's print callback is silenced during the probe and then restored.
 *
 * The first successful result is cached for the life of the process: later
 * calls copy it and touch nothing. Not thread-safe.
 */
int mg_probe_run(struct mg_probe *ret);

/* Fill @p->engine from the feature fields of @p alone. */
void mg_probe_choose_engines(struct mg_probe *p);
/* The engines of the guard's own hooks, from the file engine (probe_guard.c). */
void mg_probe_choose_guard_engines(struct mg_probe *p);
/* probe's note for a guard hook: its gap, or why it needs nothing; "" for none. */
void mg_guard_note(const struct mg_probe *p, enum mg_hook h, char *buf, size_t len);

/* An aligned table and the engines per hook, or one JSON object (and a newline). */
void mg_probe_print(const struct mg_probe *p, FILE *out, bool json);

/* Can fs-verity digests be checked at every open (probe_verity.c)? Fills verity_*. */
struct btf;
void mg_probe_verity(struct mg_probe *p, const struct btf *btf);

/* Does the kernel take 32-bit syscalls (probe_compat.c)? */
bool mg_probe_compat_entry(void);

#endif /* MGUARD_PROBE_H */
