/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The programs of the hooks that are not per scope (files, routes beyond
 * open, the guard's own), one table for the loader (which loads only those
 * of the engine chosen for their hook) and for attach.c (which attaches
 * them): each program with the hook it serves, the engine it belongs to,
 * where it attaches and the name its link is pinned under. Internal to
 * kernel/.
 */
#ifndef MGUARD_HOOK_PROGS_H
#define MGUARD_HOOK_PROGS_H

#include <stddef.h>

#include "mguard_abi.h"

struct bpf_program;
struct mguard_bpf;

enum mg_hook_prog_flags {
	MG_HOOK_PROG_OPTIONAL = 1 << 0, /* a tracepoint this kernel may lack (ENOENT) */
	MG_HOOK_PROG_COMPAT = 1 << 1,	/* only where the kernel takes 32-bit syscalls */
};

struct mg_hook_prog {
	struct bpf_program *prog;
	enum mg_hook hook;
	enum mg_engine engine;
	/*
	 * MG_ENGINE_TP_KILL: syscalls/<tracepoint>, or NULL for the one the
	 * program's section names; NULL for the other engines.
	 */
	const char *tracepoint;
	const char *name; /* pinned as link_<name> */
	unsigned int flags;
};

/* Fill @out (room for MG_HOOK_PROGS_MAX) from @s; returns how many. */
#define MG_HOOK_PROGS_MAX 112
size_t mg_hook_progs(struct mguard_bpf *s, struct mg_hook_prog *out);

#endif /* MGUARD_HOOK_PROGS_H */
