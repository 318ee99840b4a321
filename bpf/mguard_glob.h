/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The matcher of scope selectors over cgroup paths, one step at a time, so
 * that the BPF side can run it in a bpf_loop() callback and userspace in a
 * plain loop: both sides run this same code. A '*' matches any run of bytes
 * within one path component, never a '/'; every other byte matches itself.
 * Iterative, with one remembered star: since a star cannot cross a '/', a
 * '/' matched by a '/' commits the component and forgets the star. At most
 * (plen + 1) * (slen + 1) + plen steps.
 *
 * Includes nothing: the BPF side gets __u32 from vmlinux.h, userspace from
 * <linux/types.h>.
 */
#ifndef MGUARD_GLOB_H
#define MGUARD_GLOB_H

#include "mguard_abi.h"

#define MG_GLOB_MAX_STEPS ((MG_SELECTOR_LEN + 1) * (MG_CGROUP_PATH_LEN + 1) + MG_SELECTOR_LEN)

struct mg_glob {
	__u32 p;    /* next byte of the pattern */
	__u32 s;    /* next byte of the path */
	__u32 star; /* 1 + position of the star in force; 0: none */
	__u32 mark; /* where in the path that star's run ends */
};

/* 0: go on; 1: the path matches; -1: it does not. */
static inline int mg_glob_step(struct mg_glob *g, const char *pat, __u32 plen, const char *path,
			       __u32 slen)
{
	char pc = 0, sc;

	if (g->p < plen)
		pc = pat[g->p & (MG_SELECTOR_LEN - 1)];
	if (g->s >= slen) {
		/* The path is used up: what is left of the pattern must be stars. */
		if (g->p < plen && pc == '*') {
			g->p++;
			return 0;
		}
		return g->p >= plen ? 1 : -1;
	}
	sc = path[g->s & (MG_CGROUP_PATH_LEN - 1)];
	if (g->p < plen && pc == '*') {
		g->star = g->p + 1;
		g->mark = g->s;
		g->p++;
		return 0;
	}
	if (g->p < plen && pc == sc) {
		if (sc == '/')
			g->star = 0;
		g->p++;
		g->s++;
		return 0;
	}
	/* Give the star one more byte of the path, unless that byte ends the component. */
	if (g->star && path[g->mark & (MG_CGROUP_PATH_LEN - 1)] != '/') {
		g->mark++;
		g->s = g->mark;
		g->p = g->star;
		return 0;
	}
	return -1;
}

#endif /* MGUARD_GLOB_H */
