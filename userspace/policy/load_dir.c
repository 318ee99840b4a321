// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Policy folders: the files of one, read in order, merged and validated. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include <dirent.h>
#include <sys/stat.h>

#include "core/util.h"
#include "core/yaml_reader.h"
#include "policy/policy.h"
#include "policy/policy_internal.h"

static bool is_policy_file_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *path;

	if (asprintf(&path, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name) < 0)
		return NULL;
	return path;
}

char *mg_policy_path(const struct mg_policy *policy, const char *path)
{
	if (path[0] == '/' || !policy->dir)
		return strdup(path);
	return join(policy->dir, path);
}

/*
 * The names of the policy files of @dir, sorted. Returns 0, -EINVAL when
 * the folder cannot be used (reported), or -ENOMEM.
 */
static int list_dir(const char *dir, struct mg_sink *s, char ***ret_names, size_t *ret_n)
{
	const struct mg_loc noloc = { 0 };
	char **names = NULL;
	size_t n = 0;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		mg_report(s, noloc, "cannot open policy folder '%s': %s", dir, strerror(errno));
		return -EINVAL;
	}
	for (;;) {
		struct dirent *de;
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				mg_report(s, noloc, "cannot read policy folder '%s': %s", dir,
					  strerror(errno));
				err = -EINVAL;
			}
			break;
		}
		if (!is_policy_file_name(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0) {
			int e = errno;
			char *path = join(dir, de->d_name);

			if (!path) {
				err = -ENOMEM;
				break;
			}
			mg_report(s, (struct mg_loc){ .file = path }, "cannot read file: %s",
				  strerror(e));
			free(path);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (n == MG_POLICY_MAX_FILES) {
			mg_report(s, noloc, "too many policy files in '%s' (more than %d)", dir,
				  MG_POLICY_MAX_FILES);
			err = -EINVAL;
			break;
		}
		if (mgp_grow(&names, n, sizeof(*names)) || !(names[n] = strdup(de->d_name))) {
			err = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!err && !n && !s->nerr) {
		mg_report(s, noloc, "no policy files (*.yaml, *.yml) in '%s'", dir);
		err = -EINVAL;
	}
	if (err) {
		while (n--)
			free(names[n]);
		free(names);
		return err;
	}
	if (n)
		qsort(names, n, sizeof(*names), mgp_cmp_str);
	*ret_names = names;
	*ret_n = n;
	return 0;
}

int mg_policy_load_dir(const char *dir, struct mg_policy **ret, struct mg_diags *diags)
{
	struct mg_sink s = { .diags = diags };
	struct mg_policy *pol = NULL;
	char **names = NULL;
	size_t n = 0;
	unsigned int unsure = 0;
	bool failed = false;
	int err;

	err = list_dir(dir, &s, &names, &n);
	if (err)
		return err;
	if (s.nerr) {
		unsure = UNSURE_ALL;
		failed = true;
	}

	pol = mg_policy_new();
	if (!pol) {
		err = -ENOMEM;
		goto out;
	}
	pol->dir = strdup(dir);
	if (!pol->dir) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char *path = join(dir, names[i]);
		char *buf;
		size_t len;

		if (!path) {
			err = -ENOMEM;
			goto out;
		}
		/* One byte over the limit, so a file of exactly the limit reads fine. */
		err = mg_read_file(path, MG_POLICY_MAX_FILE_SIZE + 1, &buf, &len);
		if (err == -EFBIG)
			mg_report(&s, (struct mg_loc){ .file = path }, "file is larger than %u MiB",
				  MG_POLICY_MAX_FILE_SIZE >> 20);
		else if (err && err != -ENOMEM)
			mg_report(&s, (struct mg_loc){ .file = path }, "cannot read file: %s",
				  strerror(-err));
		if (err) {
			free(path);
			if (err == -ENOMEM)
				goto out;
			unsure = UNSURE_ALL;
			failed = true;
			continue;
		}
		err = mgp_parse_into(pol, path, buf, len, diags, true, &unsure);
		free(buf);
		free(path);
		if (err == -ENOMEM)
			goto out;
		if (err)
			failed = true;
	}

	err = mgp_validate(pol, diags, unsure);
	if (!err && failed)
		err = -EINVAL;
out:
	while (n--)
		free(names[n]);
	free(names);
	if (err) {
		mg_policy_free(pol);
		return err;
	}
	*ret = pol;
	return 0;
}
