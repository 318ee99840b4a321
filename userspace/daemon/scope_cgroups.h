/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The scope cgroups the daemon made because they did not exist yet (mguard
 * run, a unit not started): it takes back only those, and only when empty.
 */
#ifndef MGUARD_SCOPE_CGROUPS_H
#define MGUARD_SCOPE_CGROUPS_H

#include <stddef.h>

#include "policy/policy.h"

struct mg_scope_cgroup {
	char *path;
	int levels; /* how many folders up to take back */
};

struct mg_scope_cgroups {
	struct mg_scope_cgroup *v;
	size_t n, cap;
};

/* Make every missing scope cgroup of @policy below @root, remembering them. 0 or a negative errno (reported). */
int mg_scope_cgroups_create(struct mg_scope_cgroups *c, const char *root,
			    const struct mg_policy *policy);

/* Remove what was made, deepest first, when empty; a warning for each one left. */
void mg_scope_cgroups_remove(struct mg_scope_cgroups *c);

void mg_scope_cgroups_free(struct mg_scope_cgroups *c);

#endif /* MGUARD_SCOPE_CGROUPS_H */
