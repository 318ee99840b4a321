// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/cgroup.h"
#include "core/log.h"
#include "daemon/scope_cgroups.h"

int mg_scope_cgroups_create(struct mg_scope_cgroups *c, const char *root,
			    const struct mg_policy *policy)
{
	for (size_t i = 0; i < policy->nscopes; i++) {
		const struct mg_scope *s = &policy->scopes[i];
		struct mg_scope_cgroup *v;
		char path[PATH_MAX];
		int created, err;

		if (s->cgroup_pattern)
			continue; /* the runtimes make these; the loader makes the anchor */
		err = mg_cgroup_create(root, s->cgroup, &created);
		if (err)
			return mg_log_errno(err, "failed to create cgroup '%s' of scope '%s'",
					    s->cgroup, s->name);
		if (!created)
			continue;
		snprintf(path, sizeof(path), "%s%s", root, s->cgroup);
		v = mg_array_push(&c->v, &c->n, &c->cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		v->path = strdup(path);
		v->levels = created;
		if (!v->path) {
			c->n--;
			return -ENOMEM;
		}
		mg_info("created cgroup '%s' for scope '%s'", path, s->name);
	}
	return 0;
}

void mg_scope_cgroups_remove(struct mg_scope_cgroups *c)
{
	for (size_t i = c->n; i-- > 0;) {
		int err = mg_cgroup_remove(c->v[i].path, c->v[i].levels);

		if (err)
			mg_warn("left cgroup '%s' in place: %s", c->v[i].path, strerror(-err));
	}
}

void mg_scope_cgroups_free(struct mg_scope_cgroups *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}
