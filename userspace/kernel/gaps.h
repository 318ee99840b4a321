/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The routes a guarded process could still take on this kernel: what each
 * engine leaves open, named the same way by 'mguard probe' (for the engines
 * it would choose) and 'mguard status' (for the engines in force).
 */
#ifndef MGUARD_GAPS_H
#define MGUARD_GAPS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mguard_abi.h"

struct mg_gap {
	const char *route; /* short name, stable: the key in JSON */
	const char *why;   /* one line */
};

/*
 * Fill @out (room for @max) with the gaps left open by the engines in
 * @engine (one per hook, enum mg_engine); returns how many.
 */
size_t mg_gaps_list(const __u8 engine[MG_HOOK_SLOTS], struct mg_gap *out, size_t max);

/* Print them: "gaps:" and one indented line each, or a JSON object of route -> why. */
void mg_gaps_print(FILE *out, const __u8 engine[MG_HOOK_SLOTS], bool json);

#endif /* MGUARD_GAPS_H */
