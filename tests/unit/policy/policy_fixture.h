/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The fixture the policy parser tests share: a folder per test, loading it,
 * and checks on the diagnostics. Each test file compiles what it uses.
 */
#ifndef MGUARD_TEST_POLICY_FIXTURE_H
#define MGUARD_TEST_POLICY_FIXTURE_H

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"

#define API "apiVersion: mguard/v1\n"

/* One entry of a block "models:" list, three lines. */
#define MODEL(name, tier, files) "  - name: " name "\n    tier: " tier "\n    files: " files "\n"

static char base[1024];

struct fx {
	char dir[PATH_MAX];
	struct mg_diags diags;
	struct mg_policy *pol;
};

static inline int group_setup(void **state)
{
	return unit_mkdtemp(base, sizeof(base), "policy");
}

static inline int group_teardown(void **state)
{
	return unit_rm_tree(base);
}

static inline int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx || unit_mksubdir(fx->dir, sizeof(fx->dir), base)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static inline int teardown(void **state)
{
	struct fx *fx = *state;

	mg_policy_free(fx->pol);
	mg_diags_free(&fx->diags);
	unit_rm_tree(fx->dir);
	free(fx);
	return 0;
}

static inline const char *path_of(const struct fx *fx, const char *name)
{
	return unit_path(fx->dir, name);
}

static inline void put(const struct fx *fx, const char *name, const char *text)
{
	unit_put(path_of(fx, name), text, strlen(text));
}

static inline void dump(const struct fx *fx)
{
	if (fx->diags.n)
		mg_diags_print(&fx->diags, stderr);
}

/* Load fx->dir; on error *ret must not have been touched. */
static inline int load(struct fx *fx)
{
	struct mg_policy sentinel, *pol = &sentinel;
	int rc = mg_policy_load_dir(fx->dir, &pol, &fx->diags);

	if (rc) {
		assert_ptr_equal(pol, &sentinel);
	} else {
		assert_ptr_not_equal(pol, &sentinel);
		assert_non_null(pol);
		fx->pol = pol;
	}
	return rc;
}

static inline void load_ok(struct fx *fx)
{
	int rc = load(fx);

	if (rc)
		dump(fx);
	assert_int_equal(rc, 0);
	assert_int_equal(fx->diags.n, 0);
}

/* "%D" in @fmt is the test folder (in messages that name files). */
static inline void expand(const struct fx *fx, char *buf, size_t size, const char *fmt)
{
	size_t n = 0;

	for (const char *p = fmt; *p && n + 1 < size; p++) {
		if (p[0] == '%' && p[1] == 'D') {
			n += snprintf(buf + n, size - n, "%s", fx->dir);
			p++;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n < size ? n : size - 1] = '\0';
}

/* Diagnostic @i is @msg at @name:@line:@col (@name NULL: no file). */
static inline void check_diag(const struct fx *fx, size_t i, const char *name, unsigned int line,
			      unsigned int col, const char *msg)
{
	char want[2 * PATH_MAX];
	const struct mg_diag *d;

	if (i >= fx->diags.n)
		dump(fx);
	assert_true(i < fx->diags.n);
	d = &fx->diags.v[i];
	expand(fx, want, sizeof(want), msg);
	if (strcmp(d->msg, want) != 0)
		dump(fx);
	assert_string_equal(d->msg, want);
	if (name)
		assert_string_equal(d->file, path_of(fx, name));
	else
		assert_null(d->file);
	assert_int_equal(d->line, line);
	assert_int_equal(d->col, col);
}

static inline void expect_count(struct fx *fx, size_t n)
{
	if (fx->diags.n != n)
		dump(fx);
	assert_int_equal(fx->diags.n, n);
}

/* p.yaml holding @text fails to load with exactly one error. */
static inline void expect_one(struct fx *fx, const char *text, unsigned int line, unsigned int col,
			      const char *msg)
{
	put(fx, "p.yaml", text);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", line, col, msg);
	expect_count(fx, 1);
}

/* @loc is @file:@line:@col. */
static inline void assert_loc(struct mg_loc loc, const char *file, unsigned int line,
			      unsigned int col)
{
	assert_string_equal(loc.file, file);
	assert_int_equal(loc.line, line);
	assert_int_equal(loc.col, col);
}

#define ERROR_TEST(fn, text, line, col, msg)              \
	static void fn(void **state)                      \
	{                                                 \
		expect_one(*state, text, line, col, msg); \
	}

#endif /* MGUARD_TEST_POLICY_FIXTURE_H */
