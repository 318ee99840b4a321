/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Scope selectors over cgroup paths (below the cgroup2 mount, "/a/b"): the
 * matcher the kernel runs when a cgroup is created (bpf/mguard_glob.h, the
 * same code), the rules a pattern must follow, where its cgroup programs
 * attach, and a walk that binds the cgroups that already exist.
 */
#ifndef MGUARD_CORE_CGROUP_GLOB_H
#define MGUARD_CORE_CGROUP_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* Does @path match @pattern ('*': any run of bytes within one component)? */
bool mg_cgroup_glob_match(const char *pattern, const char *path);

/* What is wrong with @pattern as a cgroupPattern, or NULL. */
const char *mg_cgroup_pattern_problem(const char *pattern);

/*
 * The stable ancestor of every cgroup @pattern can match: its components
 * before the first one with a '*' ("/machine.slice" for
 * "/machine.slice/libpod-*.scope"); for an exact path, its parent. "" when
 * that is the root.
 */
int mg_cgroup_pattern_anchor(const char *pattern, char *buf, size_t len);

/*
 * Call @fn for every cgroup below @mount whose path matches @pattern, with
 * the path relative to @mount. Only as many levels as the pattern has
 * components are visited. A non-zero return of @fn stops the walk and is
 * returned.
 */
int mg_cgroup_glob_scan(const char *mount, const char *pattern,
			int (*fn)(const char *rel, void *arg), void *arg);

#endif /* MGUARD_CORE_CGROUP_GLOB_H */
