/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Does this kernel run fmod_ret programs on its security_* functions? Found
 * by trying: a minimal fmod_ret/security_file_open program is loaded and
 * attached, and it must really change what an open(2) returns.
 */
#ifndef MGUARD_PROBE_FMODRET_H
#define MGUARD_PROBE_FMODRET_H

#include <stdbool.h>

#include "mguard_abi.h"

struct btf;

#define MG_PROBE_FMODRET_FUNC "security_file_open"

struct mg_fmod_probe {
	bool runs;		     /* loaded, attached, and it changed an open's result */
	int err;		     /* why not: a positive errno, 0 when it runs */
	const char *step;	     /* where it failed: "btf", "load", "attach", "run"; NULL */
	bool target[MG_HOOK__COUNT]; /* the hook's security_* functions are all in BTF */
	const char *missing[MG_HOOK__COUNT]; /* the first of them that is not, or NULL */
};

/*
 * Try it. The program refuses (with an errno no open returns otherwise) only
 * the opens of the calling thread, by its pid and tid, and is detached and
 * unloaded before this returns, so nothing else on the host is touched.
 * A result, never an error: @ret says what worked.
 */
void mg_probe_fmod_ret(const struct btf *btf, struct mg_fmod_probe *ret);

/* The (first) kernel function the fmod-ret engine attaches to for @h, or NULL. */
const char *mg_fmod_ret_func(enum mg_hook h);

#endif /* MGUARD_PROBE_FMODRET_H */
