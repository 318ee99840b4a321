// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/cgroup.h"
#include "core/cgroup_glob.h"
#include "kernel/pins.h"
#include "kernel/scope_pins.h"

struct mg_pins {
	int config, scopes, selectors;
	__u32 gen;
};

static void mg_pins_close(struct mg_pins *p)
{
	if (p->config >= 0)
		close(p->config);
	if (p->scopes >= 0)
		close(p->scopes);
	if (p->selectors >= 0)
		close(p->selectors);
}

static int mg_pins_open(const char *pin_dir, struct mg_pins *p)
{
	char path[PATH_MAX];
	struct mg_config cfg;
	__u32 zero = 0;

	p->config = p->scopes = p->selectors = -1;
	snprintf(path, sizeof(path), "%s/" MG_PIN_CONFIG, pin_dir);
	p->config = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/" MG_PIN_SCOPES, pin_dir);
	p->scopes = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/" MG_PIN_SELECTORS, pin_dir);
	p->selectors = bpf_obj_get(path);
	if (p->config < 0 || p->scopes < 0 || p->selectors < 0) {
		mg_pins_close(p);
		return -ENOTCONN;
	}
	if (bpf_map_lookup_elem(p->config, &zero, &cfg) || !cfg.active_gen) {
		mg_pins_close(p);
		return -ENOTCONN;
	}
	p->gen = cfg.active_gen;
	return 0;
}

int mg_pins_scope_of(const char *pin_dir, const char *cgroup_root, const char *rel,
		     struct mg_scope_val *ret)
{
	char path[PATH_MAX];
	struct mg_pins p;
	size_t len;
	int err;

	err = mg_pins_open(pin_dir, &p);
	if (err)
		return err;
	err = -ENOENT;
	/* The cgroup, then its ancestors: the closest scope is the one that decides. */
	len = (size_t)snprintf(path, sizeof(path), "%s%s", cgroup_root, rel);
	while (len < sizeof(path) && len > strlen(cgroup_root)) {
		struct mg_scope_key key = { .gen = p.gen };
		uint64_t id;
		char *slash;

		key.cgroup_id = mg_cgroup_id(path, &id) ? 0 : id;
		if (key.cgroup_id && bpf_map_lookup_elem(p.scopes, &key, ret) == 0) {
			err = 0;
			break;
		}
		slash = strrchr(path, '/');
		if (!slash)
			break;
		*slash = '\0';
		len = slash - path;
	}
	mg_pins_close(&p);
	return err;
}

/*
 * Does the scope reach @rel: the cgroup, or one of its ancestors, is the
 * scope's cgroup or matches its pattern (a pod's slice matched, its
 * containers below). The anchor is then an ancestor, so the programs
 * attached there see the cgroup.
 */
static bool mg_selector_covers(const struct mg_selector_val *sel, const char *rel)
{
	char path[MG_CGROUP_PATH_LEN];
	size_t n = strlen(rel);
	char *slash;

	if (!(sel->flags & MG_SELECTOR_PATTERN)) {
		n = strlen(sel->pattern);
		return !strncmp(sel->pattern, rel, n) && (rel[n] == '\0' || rel[n] == '/');
	}
	if (n >= sizeof(path))
		return false;
	memcpy(path, rel, n + 1);
	do {
		if (mg_cgroup_glob_match(sel->pattern, path))
			return true;
		slash = strrchr(path, '/');
		if (slash)
			*slash = '\0';
	} while (slash && slash != path);
	return false;
}

int mg_pins_bind(const char *pin_dir, const char *cgroup_root, const char *rel, __u32 index,
		 struct mg_scope_val *ret)
{
	struct mg_selector_key skey = { .index = index };
	struct mg_selector_val sel;
	struct mg_scope_key key = {};
	struct mg_scope_val back;
	char path[PATH_MAX];
	struct mg_pins p;
	uint64_t id;
	int err, cache;

	err = mg_pins_open(pin_dir, &p);
	if (err)
		return err;
	skey.gen = p.gen;
	err = -ENOENT;
	if (bpf_map_lookup_elem(p.selectors, &skey, &sel))
		goto out;
	sel.pattern[MG_SELECTOR_LEN - 1] = '\0';
	err = -EXDEV;
	if (!mg_selector_covers(&sel, rel))
		goto out;
	snprintf(path, sizeof(path), "%s%s", cgroup_root, rel);
	err = mg_cgroup_id(path, &id);
	if (err)
		goto out;
	key.cgroup_id = id;
	key.gen = p.gen + 1;
	bpf_map_update_elem(p.scopes, &key, &sel.scope, BPF_ANY); /* a reload being filled */
	key.gen = p.gen;
	if (bpf_map_update_elem(p.scopes, &key, &sel.scope, BPF_ANY) ||
	    bpf_map_lookup_elem(p.scopes, &key, &back)) {
		err = -errno;
		goto out;
	}
	err = back.scope_id == sel.scope.scope_id ? 0 : -EIO;
	*ret = back;
	/* The runtime ran in the cgroup before: forget what the programs remembered of it. */
	snprintf(path, sizeof(path), "%s/" MG_PIN_SCOPE_CACHE, pin_dir);
	cache = bpf_obj_get(path);
	if (cache < 0) {
		err = -errno;
		goto out;
	}
	if (bpf_map_delete_elem(cache, &key.cgroup_id) && errno != ENOENT)
		err = -errno;
	close(cache);
out:
	mg_pins_close(&p);
	return err;
}

int mg_pins_any_scope_of(const char *cgroup_root, const char *rel, struct mg_scope_val *ret,
			 char *ret_pin, size_t len)
{
	struct dirent *de;
	int err = -ENOTCONN;
	DIR *dir;

	dir = opendir(MG_BPFFS);
	if (!dir)
		return -ENOTCONN;
	while ((de = readdir(dir))) {
		char pin[PATH_MAX];
		int r;

		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf(pin, sizeof(pin), "%s/%s", MG_BPFFS, de->d_name);
		r = mg_pins_scope_of(pin, cgroup_root, rel, ret);
		if (r == 0) {
			snprintf(ret_pin, len, "%s", pin);
			err = 0;
			break;
		}
		if (r == -ENOENT)
			err = -ENOENT; /* a guard runs, but not for this cgroup */
	}
	closedir(dir);
	return err;
}
