/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The guard's own protection and the boundary between processes
 * (bpf/guard_*.bpf.c): which of their programs load, and their attachments.
 */
#ifndef MGUARD_KERNEL_ATTACH_GUARD_H
#define MGUARD_KERNEL_ATTACH_GUARD_H

#include <stdbool.h>

struct mguard_bpf;
struct mg_loader;

/* Load the BPF LSM programs with @lsm, the fallback's with @tp, core dumps with either. */
void mg_guard_select_programs(struct mguard_bpf *s, bool lsm, bool tp);

/* Attach what mg_guard_select_programs loaded, per the loader's engines; 0 or -errno. */
int mg_guard_attach(struct mg_loader *l);

#endif /* MGUARD_KERNEL_ATTACH_GUARD_H */
