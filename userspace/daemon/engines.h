/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The engines the daemon enforces with: the probe's choice per hook, and
 * a refusal to start when a hook that must be enforced has none.
 */
#ifndef MGUARD_ENGINES_H
#define MGUARD_ENGINES_H

#include "kernel/probe.h"

/*
 * Copy the probe's engine per hook into @engine. A hook with no engine is
 * an error (reported) unless the kernel cannot have it and the gap is
 * named (UNIX sockets and the pins without BPF LSM: a warning). 0 or
 * -EOPNOTSUPP.
 */
int mg_daemon_engines(const struct mg_probe *probe, enum mg_engine engine[MG_HOOK__COUNT]);

#endif /* MGUARD_ENGINES_H */
