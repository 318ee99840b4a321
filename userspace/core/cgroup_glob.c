// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/types.h>
#include <stdio.h>
#include <string.h>

#include "mguard_glob.h"
#include "core/cgroup_glob.h"

bool mg_cgroup_glob_match(const char *pattern, const char *path)
{
	size_t plen = strlen(pattern), slen = strlen(path);
	struct mg_glob g = {};
	int r = 0;

	/* The kernel looks at no longer path and holds no longer pattern. */
	if (plen >= MG_SELECTOR_LEN || slen >= MG_CGROUP_PATH_LEN)
		return false;
	for (unsigned long i = 0; i < MG_GLOB_MAX_STEPS && !r; i++)
		r = mg_glob_step(&g, pattern, plen, path, slen);
	return r == 1;
}

const char *mg_cgroup_pattern_problem(const char *pattern)
{
	const char *c = pattern;

	if (pattern[0] != '/')
		return "must start with '/' (a path below the cgroup2 mount)";
	if (strlen(pattern) >= MG_SELECTOR_LEN)
		return "is too long for the kernel's selectors (255 bytes at most)";
	if (strstr(pattern, "**"))
		return "'**' is not supported: '*' matches within one path component";
	while (*c) {
		const char *end = strchrnul(c + 1, '/');
		size_t n = end - (c + 1);

		if (n == 0)
			return "has an empty path component";
		if ((n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			return "has a '.' or '..' component";
		c = end;
	}
	if (!strchr(pattern, '*'))
		return "has no '*': use 'cgroup' for an exact path";
	if (strchr(pattern + 1, '/') == NULL ||
	    memchr(pattern, '*', strchr(pattern + 1, '/') - pattern))
		return "its first component must be fixed (no '*'): the programs attach there, never on the root cgroup";
	return NULL;
}

int mg_cgroup_pattern_anchor(const char *pattern, char *buf, size_t len)
{
	const char *star = strchr(pattern, '*'), *cut;

	if (star) {
		/* The component holding the first star starts after the last '/' before it. */
		cut = star;
		while (cut > pattern && *cut != '/')
			cut--;
	} else {
		cut = strrchr(pattern, '/');
		if (!cut)
			return -EINVAL;
	}
	if ((size_t)(cut - pattern) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, pattern, cut - pattern);
	buf[cut - pattern] = '\0';
	return 0;
}

static int mg_components(const char *path)
{
	int n = 0;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* Does "/name" match component @depth (from 0) of @pattern? */
static bool mg_component_matches(const char *pattern, int depth, const char *name)
{
	char comp[MG_SELECTOR_LEN];
	const char *c = pattern, *end;

	for (int i = 0; i < depth && c; i++)
		c = strchr(c + 1, '/');
	if (!c)
		return false;
	end = strchrnul(c + 1, '/');
	if ((size_t)(end - c) >= sizeof(comp))
		return false;
	memcpy(comp, c, end - c);
	comp[end - c] = '\0';
	return mg_cgroup_glob_match(comp, name);
}

static int mg_scan_dir(const char *mount, char *rel, size_t rlen, int depth, int max_depth,
		       const char *pattern, int (*fn)(const char *, void *), void *arg)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t at = strlen(rel);
	int err = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s%s", mount, rel);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (de = readdir(dir))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (at + 1 + strlen(de->d_name) >= rlen)
			continue; /* deeper than any selector can name */
		snprintf(rel + at, rlen - at, "/%s", de->d_name);
		/* Only folders whose name matches the pattern's component at this depth. */
		if (!mg_component_matches(pattern, depth, rel + at)) {
			rel[at] = '\0';
			continue;
		}
		if (depth + 1 == max_depth) {
			if (mg_cgroup_glob_match(pattern, rel))
				err = fn(rel, arg);
		} else {
			err = mg_scan_dir(mount, rel, rlen, depth + 1, max_depth, pattern, fn, arg);
		}
		rel[at] = '\0';
	}
	closedir(dir);
	return err;
}

int mg_cgroup_glob_scan(const char *mount, const char *pattern,
			int (*fn)(const char *rel, void *arg), void *arg)
{
	char rel[MG_CGROUP_PATH_LEN] = "";

	return mg_scan_dir(mount, rel, sizeof(rel), 0, mg_components(pattern), pattern, fn, arg);
}
