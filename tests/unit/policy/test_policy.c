// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
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

static int group_setup(void **state)
{
	return unit_mkdtemp(base, sizeof(base), "policy");
}

static int group_teardown(void **state)
{
	return unit_rm_tree(base);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx || unit_mksubdir(fx->dir, sizeof(fx->dir), base)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mg_policy_free(fx->pol);
	mg_diags_free(&fx->diags);
	unit_rm_tree(fx->dir);
	free(fx);
	return 0;
}

static const char *path_of(const struct fx *fx, const char *name)
{
	return unit_path(fx->dir, name);
}

static void put(const struct fx *fx, const char *name, const char *text)
{
	unit_put(path_of(fx, name), text, strlen(text));
}

static void dump(const struct fx *fx)
{
	if (fx->diags.n)
		mg_diags_print(&fx->diags, stderr);
}

/* Load fx->dir; on error *ret must not have been touched. */
static int load(struct fx *fx)
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

static void load_ok(struct fx *fx)
{
	int rc = load(fx);

	if (rc)
		dump(fx);
	assert_int_equal(rc, 0);
	assert_int_equal(fx->diags.n, 0);
}

/* "%D" in @fmt is the test folder (in messages that name files). */
static void expand(const struct fx *fx, char *buf, size_t size, const char *fmt)
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
static void check_diag(const struct fx *fx, size_t i, const char *name, unsigned int line,
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

static void expect_count(struct fx *fx, size_t n)
{
	if (fx->diags.n != n)
		dump(fx);
	assert_int_equal(fx->diags.n, n);
}

/* p.yaml holding @text fails to load with exactly one error. */
static void expect_one(struct fx *fx, const char *text, unsigned int line, unsigned int col,
		       const char *msg)
{
	put(fx, "p.yaml", text);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", line, col, msg);
	expect_count(fx, 1);
}

#define ERROR_TEST(fn, text, line, col, msg)              \
	static void fn(void **state)                      \
	{                                                 \
		expect_one(*state, text, line, col, msg); \
	}

/* ---- Good policies ------------------------------------------------------ */

static void test_good_multi_file(void **state)
{
	struct fx *fx = *state;
	const struct mg_policy *p;
	const struct mg_model *m;
	const struct mg_scope *sc;
	const struct mg_egress_rule *r;

	put(fx, "00-base.yaml",
	    API "mode: audit\n"
		"tiers:\n"
		"  - {name: general, level: 1}\n"
		"  - name: restricted\n"
		"    level: 5\n");
	put(fx, "10-models.yml",
	    API "# weights\n"
		"models:\n"
		"  - name: frontier-x\n"
		"    tier: restricted\n"
		"    files: [/srv/models/frontier-x/, /srv/x.gguf]\n"
		"  - name: small.v2_b\n"
		"    tier: general\n"
		"    files:\n"
		"      - /srv/small\n");
	put(fx, "20-scopes.yaml",
	    API "scopes:\n"
		"  - name: demo\n"
		"    cgroup: /mguard.slice/demo\n"
		"    maxTier: general\n"
		"    egress: [\"127.0.0.1:8000\", \"10.0.0.0/8:443/tcp\", \"[fd00::/8]:443\",\n"
		"             \"0.0.0.0/0:8000-8100/udp\"]\n"
		"  - name: batch\n"
		"    cgroup: /batch.slice\n"
		"    maxTier: restricted\n"
		"    egress: []\n");
	/* None of these is read. */
	put(fx, "README.md", "not: [yaml");
	put(fx, ".hidden.yaml", "not: [yaml");
	put(fx, "old.yaml.bak", "not: [yaml");
	put(fx, "upper.YAML", "not: [yaml");
	assert_int_equal(mkdir(path_of(fx, "folder.yaml"), 0700), 0);
	assert_int_equal(symlink("/nonexistent", path_of(fx, "link.txt")), 0);

	load_ok(fx);
	p = fx->pol;

	assert_int_equal(p->mode, MG_POLICY_AUDIT);
	assert_string_equal(p->mode_loc.file, path_of(fx, "00-base.yaml"));
	assert_int_equal(p->mode_loc.line, 2);
	assert_int_equal(p->mode_loc.col, 7);

	assert_int_equal(p->nsources, 3);
	assert_string_equal(p->sources[0], path_of(fx, "00-base.yaml"));
	assert_string_equal(p->sources[1], path_of(fx, "10-models.yml"));
	assert_string_equal(p->sources[2], path_of(fx, "20-scopes.yaml"));

	assert_int_equal(p->ntiers, 2);
	assert_string_equal(p->tiers[0].name, "general");
	assert_int_equal(p->tiers[0].level, 1);
	assert_ptr_equal(p->tiers[0].loc.file, p->sources[0]);
	assert_int_equal(p->tiers[0].loc.line, 4);
	assert_int_equal(p->tiers[0].loc.col, 5);
	assert_string_equal(p->tiers[1].name, "restricted");
	assert_int_equal(p->tiers[1].level, 5);
	assert_int_equal(p->tiers[1].loc.line, 5);
	assert_int_equal(p->tiers[1].loc.col, 5);
	assert_ptr_equal(mg_policy_find_tier(p, "restricted"), &p->tiers[1]);
	assert_null(mg_policy_find_tier(p, "controlled"));

	assert_int_equal(p->nmodels, 2);
	m = &p->models[0];
	assert_string_equal(m->name, "frontier-x");
	assert_string_equal(m->tier, "restricted");
	assert_ptr_equal(m->loc.file, p->sources[1]);
	assert_int_equal(m->loc.line, 4);
	assert_int_equal(m->loc.col, 5);
	assert_int_equal(m->tier_loc.line, 5);
	assert_int_equal(m->tier_loc.col, 11);
	assert_int_equal(m->nfiles, 2);
	assert_string_equal(m->files[0], "/srv/models/frontier-x/");
	assert_string_equal(m->files[1], "/srv/x.gguf");
	assert_int_equal(m->file_locs[1].line, 6);
	assert_int_equal(m->file_locs[1].col, 38);
	m = &p->models[1];
	assert_string_equal(m->name, "small.v2_b");
	assert_string_equal(m->tier, "general");
	assert_int_equal(m->nfiles, 1);
	assert_string_equal(m->files[0], "/srv/small");
	assert_int_equal(m->file_locs[0].line, 10);
	assert_int_equal(m->file_locs[0].col, 9);

	assert_int_equal(p->nscopes, 2);
	sc = &p->scopes[0];
	assert_string_equal(sc->name, "demo");
	assert_string_equal(sc->cgroup, "/mguard.slice/demo");
	assert_string_equal(sc->max_tier, "general");
	assert_int_equal(sc->loc.line, 3);
	assert_int_equal(sc->cgroup_loc.line, 4);
	assert_int_equal(sc->cgroup_loc.col, 13);
	assert_int_equal(sc->max_tier_loc.line, 5);
	assert_int_equal(sc->max_tier_loc.col, 14);
	assert_int_equal(sc->negress, 4);
	r = &sc->egress[1];
	assert_int_equal(r->prefixlen, 104);
	assert_int_equal(r->addr[10], 0xff);
	assert_int_equal(r->addr[12], 10);
	assert_int_equal(r->port_lo, 443);
	assert_int_equal(r->port_hi, 443);
	assert_int_equal(r->protos, MG_EGRESS_TCP);
	assert_int_equal(r->loc.line, 6);
	assert_int_equal(r->loc.col, 32);
	r = &sc->egress[3];
	assert_int_equal(r->prefixlen, 96);
	assert_int_equal(r->port_lo, 8000);
	assert_int_equal(r->port_hi, 8100);
	assert_int_equal(r->protos, MG_EGRESS_UDP);
	assert_int_equal(r->loc.line, 7);
	assert_int_equal(r->loc.col, 14);
	sc = &p->scopes[1];
	assert_string_equal(sc->name, "batch");
	assert_int_equal(sc->negress, 0);
	assert_null(sc->egress);
}

static void test_default_tiers(void **state)
{
	struct fx *fx = *state;
	const struct mg_policy *p;

	put(fx, "p.yaml",
	    API
	    "models:\n" MODEL("m", "prohibited",
			      "[/m]") "scopes:\n  - {name: s, cgroup: /s, maxTier: controlled}\n");
	load_ok(fx);
	p = fx->pol;
	assert_int_equal(p->mode, MG_POLICY_ENFORCE);
	assert_null(p->mode_loc.file);
	assert_int_equal(p->ntiers, 3);
	assert_string_equal(p->tiers[0].name, "general");
	assert_int_equal(p->tiers[0].level, 1);
	assert_string_equal(p->tiers[1].name, "controlled");
	assert_int_equal(p->tiers[1].level, 2);
	assert_string_equal(p->tiers[2].name, "prohibited");
	assert_int_equal(p->tiers[2].level, 3);
	assert_null(p->tiers[2].loc.file);
}

/* Only the tiers written apply once any file defines tiers. */
static void test_defined_tiers_replace_defaults(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers: [{name: low, level: 10}]\n");
	put(fx, "b.yaml",
	    API "tiers: [{name: high, level: 20}]\nmodels:\n" MODEL("m", "general", "[/m]"));
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 5, 11, "unknown tier 'general'");
	expect_count(fx, 1);
}

static void test_mode_enforce_and_minimal_files(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "mode: enforce\n");
	put(fx, "b.yml", "---\n" API "...\n");
	load_ok(fx);
	assert_int_equal(fx->pol->mode, MG_POLICY_ENFORCE);
	assert_string_equal(fx->pol->mode_loc.file, path_of(fx, "a.yaml"));
	assert_int_equal(fx->pol->nmodels, 0);
	assert_int_equal(fx->pol->ntiers, 3);
}

static void test_name_limits(void **state)
{
	struct fx *fx = *state;
	char text[512];
	char n63[64];

	memset(n63, 'a', 63);
	n63[63] = '\0';
	n63[0] = '7';
	n63[5] = '.';
	n63[6] = '_';
	n63[7] = '-';
	snprintf(text, sizeof(text), API "models:\n" MODEL("%s", "general", "[/m]"), n63);
	put(fx, "p.yaml", text);
	load_ok(fx);
	assert_string_equal(fx->pol->models[0].name, n63);
}

static void test_level_limits(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", API "tiers: [{name: a, level: 1}, {name: b, level: 1000}]\n");
	load_ok(fx);
	assert_int_equal(fx->pol->tiers[0].level, 1);
	assert_int_equal(fx->pol->tiers[1].level, 1000);
}

/* Files are read in strcmp order: "10-b" before "9-a". */
static void test_sorted_order(void **state)
{
	struct fx *fx = *state;

	put(fx, "9-a.yaml", API "models:\n" MODEL("m", "general", "[/a]"));
	put(fx, "10-b.yaml", API "models:\n" MODEL("m", "general", "[/b]"));
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "9-a.yaml", 3, 5,
		   "duplicate model name 'm' (first defined at %D/10-b.yaml:3:5)");
	expect_count(fx, 1);
}

static void test_max_tiers_ok(void **state)
{
	struct fx *fx = *state;
	char text[2048];
	size_t n;

	n = snprintf(text, sizeof(text), API "tiers:\n");
	for (int i = 1; i <= MG_POLICY_MAX_TIERS; i++)
		n += snprintf(text + n, sizeof(text) - n, "  - {name: t%d, level: %d}\n", i, i);
	put(fx, "p.yaml", text);
	load_ok(fx);
	assert_int_equal(fx->pol->ntiers, MG_POLICY_MAX_TIERS);
}

/* A file of exactly the size limit is read (and then fails on its NUL bytes). */
static void test_file_at_size_limit(void **state)
{
	struct fx *fx = *state;
	int fd;

	put(fx, "p.yaml", API "# ");
	fd = open(path_of(fx, "p.yaml"), O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, MG_POLICY_MAX_FILE_SIZE), 0);
	close(fd);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 2, 3, "control characters are not allowed");
	expect_count(fx, 1);
}

/* ---- The in-memory API -------------------------------------------------- */

static void test_parse_buffer(void **state)
{
	struct fx *fx = *state;
	static const char good[] = API "mode: audit\nmodels:\n" MODEL("m", "general", "[/m]");
	static const char bad[] = API "models:\n" MODEL(
		"n", "general", "[/n]") "  - {name: o, tier: general, files: [o]}\n";
	static const char mode[] = API "mode: enforce\n";
	struct mg_policy *p = mg_policy_new();

	assert_non_null(p);
	fx->pol = p;
	assert_int_equal(mg_policy_parse_buffer(p, "good", good, strlen(good), &fx->diags), 0);
	assert_int_equal(p->nmodels, 1);
	assert_int_equal(p->nsources, 1);
	assert_string_equal(p->sources[0], "good");
	assert_ptr_equal(p->models[0].loc.file, p->sources[0]);

	/* A document with errors changes nothing. */
	assert_int_equal(mg_policy_parse_buffer(p, "bad", bad, strlen(bad), &fx->diags), -EINVAL);
	expect_count(fx, 1);
	assert_string_equal(fx->diags.v[0].file, "bad");
	assert_string_equal(fx->diags.v[0].msg, "file path 'o' is not absolute");
	assert_int_equal(fx->diags.v[0].line, 6);
	assert_int_equal(fx->diags.v[0].col, 38);
	assert_int_equal(p->nmodels, 1);
	assert_int_equal(p->nsources, 1);

	/* The mode may be set once over all documents. */
	assert_int_equal(mg_policy_parse_buffer(p, "mode", mode, strlen(mode), &fx->diags),
			 -EINVAL);
	expect_count(fx, 2);
	assert_string_equal(fx->diags.v[1].msg, "'mode' is already set (first set at good:2:7)");
	assert_int_equal(p->mode, MG_POLICY_AUDIT);

	/* Validation adds the default tiers, then finds the references. */
	assert_int_equal(p->ntiers, 0);
	assert_int_equal(mg_policy_validate(p, &fx->diags), 0);
	assert_int_equal(p->ntiers, 3);
	assert_non_null(mg_policy_find_tier(p, "general"));
	expect_count(fx, 2);
}

static void test_parse_buffer_not_nul_terminated(void **state)
{
	struct fx *fx = *state;
	static const char text[] = API "mode: audit\nfoo: bar";
	struct mg_policy *p = mg_policy_new();

	assert_non_null(p);
	fx->pol = p;
	/* The length ends the document before "foo". */
	assert_int_equal(
		mg_policy_parse_buffer(p, "b", text, strlen(API "mode: audit\n"), &fx->diags), 0);
	assert_int_equal(p->mode, MG_POLICY_AUDIT);
	expect_count(fx, 0);
}

static void test_validate_duplicates_in_memory(void **state)
{
	struct fx *fx = *state;
	static const char a[] = API "tiers: [{name: t, level: 1}]\n";
	static const char b[] = API "tiers: [{name: t, level: 2}]\n";
	struct mg_policy *p = mg_policy_new();

	assert_non_null(p);
	fx->pol = p;
	assert_int_equal(mg_policy_parse_buffer(p, "a", a, strlen(a), &fx->diags), 0);
	assert_int_equal(mg_policy_parse_buffer(p, "b", b, strlen(b), &fx->diags), 0);
	assert_int_equal(mg_policy_validate(p, &fx->diags), -EINVAL);
	expect_count(fx, 1);
	assert_string_equal(fx->diags.v[0].msg, "duplicate tier name 't' (first defined at a:2:9)");
	assert_string_equal(fx->diags.v[0].file, "b");
}

/* ---- Folders and files -------------------------------------------------- */

static void test_empty_folder(void **state)
{
	struct fx *fx = *state;

	put(fx, "notes.txt", "");
	assert_int_equal(mkdir(path_of(fx, "sub.yaml"), 0700), 0);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, NULL, 0, 0, "no policy files (*.yaml, *.yml) in '%D'");
	expect_count(fx, 1);
}

static void test_missing_folder(void **state)
{
	struct fx *fx = *state;

	strcat(fx->dir, "/nope");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, NULL, 0, 0, "cannot open policy folder '%D': No such file or directory");
	expect_count(fx, 1);
	fx->dir[strlen(fx->dir) - 5] = '\0';
}

static void test_folder_is_a_file(void **state)
{
	struct fx *fx = *state;

	put(fx, "f", "");
	strcat(fx->dir, "/f");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, NULL, 0, 0, "cannot open policy folder '%D': Not a directory");
	expect_count(fx, 1);
	fx->dir[strlen(fx->dir) - 2] = '\0';
}

/*
 * Permissions do not stop root: when the tests run as root, the load runs
 * with the effective uid of nobody (which also drops CAP_DAC_OVERRIDE).
 */
static uid_t as_nobody(void)
{
	uid_t was = geteuid();

	if (was == 0)
		assert_int_equal(seteuid(65534), 0);
	return was;
}

static void as_before(uid_t was)
{
	if (was == 0)
		assert_int_equal(seteuid(0), 0);
}

static void test_unreadable_folder(void **state)
{
	struct fx *fx = *state;
	uid_t was;
	int err;

	put(fx, "p.yaml", API);
	assert_int_equal(chmod(fx->dir, 0), 0);
	was = as_nobody();
	err = load(fx);
	as_before(was);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(chmod(fx->dir, 0700), 0);
	check_diag(fx, 0, NULL, 0, 0, "cannot open policy folder '%D': Permission denied");
	expect_count(fx, 1);
}

static void test_unreadable_file(void **state)
{
	struct fx *fx = *state;
	uid_t was;
	int err;

	put(fx, "p.yaml", API);
	assert_int_equal(chmod(base, 0755), 0);
	assert_int_equal(chmod(fx->dir, 0755), 0);
	assert_int_equal(chmod(path_of(fx, "p.yaml"), 0), 0);
	was = as_nobody();
	err = load(fx);
	as_before(was);
	assert_int_equal(chmod(fx->dir, 0700), 0);
	assert_int_equal(chmod(base, 0700), 0);
	assert_int_equal(err, -EINVAL);
	check_diag(fx, 0, "p.yaml", 0, 0, "cannot read file: Permission denied");
	expect_count(fx, 1);
}

static void test_dangling_symlink(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API);
	assert_int_equal(symlink("missing.yaml", path_of(fx, "b.yaml")), 0);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 0, 0, "cannot read file: No such file or directory");
	expect_count(fx, 1);
}

static void test_symlink_to_file(void **state)
{
	struct fx *fx = *state;

	put(fx, "real.txt", API "mode: audit\n");
	assert_int_equal(symlink("real.txt", path_of(fx, "p.yaml")), 0);
	load_ok(fx);
	assert_int_equal(fx->pol->mode, MG_POLICY_AUDIT);
}

static void test_file_too_large(void **state)
{
	struct fx *fx = *state;
	int fd;

	put(fx, "a.yaml", API);
	put(fx, "big.yaml", "");
	fd = open(path_of(fx, "big.yaml"), O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, MG_POLICY_MAX_FILE_SIZE + 1), 0);
	close(fd);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "big.yaml", 0, 0, "file is larger than 16 MiB");
	expect_count(fx, 1);
}

static void test_too_many_files(void **state)
{
	struct fx *fx = *state;
	char name[32];

	for (int i = 0; i < MG_POLICY_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "%03d.yml", i);
		put(fx, name, API);
	}
	load_ok(fx);
	assert_int_equal(fx->pol->nsources, MG_POLICY_MAX_FILES);
	mg_policy_free(fx->pol);
	fx->pol = NULL;

	put(fx, "extra.yaml", API);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, NULL, 0, 0, "too many policy files in '%D' (more than 256)");
	expect_count(fx, 1);
}

ERROR_TEST(test_empty_file, "", 0, 0, "empty policy file")
ERROR_TEST(test_comment_only_file, "# nothing yet\n\n   # at all\n", 0, 0, "empty policy file")
ERROR_TEST(test_null_document, "---\n", 0, 0, "empty policy file")
ERROR_TEST(test_second_document, API "---\n" API, 2, 1,
	   "only one YAML document per file is allowed")
ERROR_TEST(test_root_not_mapping, "- apiVersion: mguard/v1\n", 1, 1,
	   "a policy file must be a mapping")
ERROR_TEST(test_root_scalar, "mguard/v1\n", 1, 1, "a policy file must be a mapping")

/* ---- YAML --------------------------------------------------------------- */

ERROR_TEST(test_syntax_error, API "mode: \"audit\n", 3, 1,
	   "found unexpected end of stream (while scanning a quoted scalar at 2:7)")

/* What was read before a syntax error is checked too (libyaml ended the model's mapping). */
static void test_syntax_error_after_content(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", API "models:\n  - name: m\n   tier: x\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 3, 5, "missing key 'files' in model 'm'");
	check_diag(fx, 1, "p.yaml", 4, 4,
		   "did not find expected '-' indicator (while parsing a block collection at 3:3)");
	expect_count(fx, 2);
}

static void test_syntax_error_no_context(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", API "mode: a: b\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 2, 7, "invalid mode 'a' (expected enforce or audit)");
	check_diag(fx, 1, "p.yaml", 2, 8, "mapping values are not allowed in this context");
	expect_count(fx, 2);
}
/* Columns count characters: the 2-byte e-acute is one column. */
ERROR_TEST(test_invalid_utf8, API "# caf\xc3\xa9 \xff\n", 2, 8, "invalid leading UTF-8 octet")
ERROR_TEST(test_control_character, API "mode: \"\x01\"\n", 2, 8,
	   "control characters are not allowed")
ERROR_TEST(test_anchor, "apiVersion: &v mguard/v1\n", 1, 13, "anchors are not supported")
ERROR_TEST(test_alias, API "models: *m\n", 2, 9, "aliases are not supported")
ERROR_TEST(test_tag, API "mode: !!str audit\n", 2, 7, "tags are not supported")
ERROR_TEST(test_key_not_string, API "[a, b]: 1\n", 2, 1, "mapping keys must be strings")
ERROR_TEST(test_nul_in_string, API "models:\n  - {name: \"a\\0b\", tier: general, files: [/m]}\n",
	   3, 12, "strings must not contain NUL characters")

static void test_too_deep(void **state)
{
	struct fx *fx = *state;
	char text[256];
	size_t n;

	/* The root mapping, then 16 lists: 17 levels. */
	n = snprintf(text, sizeof(text), API "models: ");
	for (int i = 0; i < MG_POLICY_MAX_DEPTH; i++)
		text[n++] = '[';
	for (int i = 0; i < MG_POLICY_MAX_DEPTH; i++)
		text[n++] = ']';
	snprintf(text + n, sizeof(text) - n, "\n");
	put(fx, "p.yaml", text);
	assert_int_equal(load(fx), -EINVAL);
	/* The outer list's item is reported before the nesting stops the file. */
	check_diag(fx, 0, "p.yaml", 2, 10, "'models' must be a list of mappings");
	check_diag(fx, 1, "p.yaml", 2, 24, "nesting is deeper than 16 levels");
	expect_count(fx, 2);
}

static void test_deep_enough(void **state)
{
	struct fx *fx = *state;

	char text[256];
	size_t n;

	/* 16 levels: the root mapping and 15 lists. */
	n = snprintf(text, sizeof(text), API "foo: ");
	for (int i = 0; i < MG_POLICY_MAX_DEPTH - 1; i++)
		text[n++] = '[';
	for (int i = 0; i < MG_POLICY_MAX_DEPTH - 1; i++)
		text[n++] = ']';
	snprintf(text + n, sizeof(text) - n, "\n");
	put(fx, "p.yaml", text);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 2, 1, "unknown key 'foo' at top level");
	expect_count(fx, 1);
}

/* ---- Keys --------------------------------------------------------------- */

ERROR_TEST(test_api_missing, "mode: audit\n", 1, 1, "missing key 'apiVersion'")
ERROR_TEST(test_api_wrong, "apiVersion: mguard/v2\n", 1, 13,
	   "unsupported apiVersion 'mguard/v2' (expected 'mguard/v1')")
ERROR_TEST(test_api_not_string, "apiVersion: [mguard/v1]\n", 1, 13, "'apiVersion' must be a string")
ERROR_TEST(test_mode_invalid, API "mode: strict\n", 2, 7,
	   "invalid mode 'strict' (expected enforce or audit)")
ERROR_TEST(test_mode_null, API "mode: ~\n", 2, 7, "'mode' must be a string")
ERROR_TEST(test_unknown_top_key, API "model:\n  - name: m\n", 2, 1,
	   "unknown key 'model' at top level")
ERROR_TEST(test_unknown_tier_key, API "tiers:\n  - {name: a, level: 1, colour: red}\n", 3, 25,
	   "unknown key 'colour' in tier")
ERROR_TEST(test_unknown_model_key, API "models:\n" MODEL("m", "general", "[/m]") "    size: 7\n", 6,
	   5, "unknown key 'size' in model")
ERROR_TEST(test_unknown_scope_key,
	   API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n    Egress: []\n", 6, 5,
	   "unknown key 'Egress' in scope")
ERROR_TEST(test_duplicate_key,
	   API "models:\n  - name: m\n    tier: general\n    tier: general\n    files: [/m]\n", 5,
	   5, "duplicate key 'tier' (first defined at %D/p.yaml:4:5)")
ERROR_TEST(test_duplicate_top_key, API "mode: audit\nmode: audit\n", 3, 1,
	   "duplicate key 'mode' (first defined at %D/p.yaml:2:1)")

static void test_missing_keys(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API "tiers:\n  - {level: 1}\n  - {name: t}\n"
		"models:\n  - name: m\n  - {files: [/x]}\n"
		"scopes:\n  - {egress: []}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 3, 5, "missing key 'name' in tier");
	check_diag(fx, 1, "p.yaml", 4, 5, "missing key 'level' in tier 't'");
	check_diag(fx, 2, "p.yaml", 6, 5, "missing key 'files' in model 'm'");
	check_diag(fx, 3, "p.yaml", 7, 5, "missing key 'name' in model");
	check_diag(fx, 4, "p.yaml", 9, 5, "missing key 'name' in scope");
	check_diag(fx, 5, "p.yaml", 9, 5, "missing key 'cgroup' in scope");
	check_diag(fx, 6, "p.yaml", 9, 5, "missing key 'maxTier' in scope");
	expect_count(fx, 7);
}

/* ---- Types -------------------------------------------------------------- */

ERROR_TEST(test_files_not_list, API "models:\n" MODEL("m", "general", "/m"), 5, 12,
	   "'files' must be a list of strings")
ERROR_TEST(test_files_item_not_string, API "models:\n" MODEL("m", "general", "[/a, [b]]"), 5, 17,
	   "'files' must be a list of strings")
ERROR_TEST(test_files_empty, API "models:\n" MODEL("m", "general", "[]"), 5, 12,
	   "'files' must not be empty")
ERROR_TEST(test_files_relative, API "models:\n" MODEL("m", "general", "[/a, models/x]"), 5, 17,
	   "file path 'models/x' is not absolute")
ERROR_TEST(test_name_not_string, API "models:\n" MODEL("{a: 1}", "general", "[/m]"), 3, 11,
	   "'name' must be a string")
ERROR_TEST(test_tier_not_string, API "models:\n" MODEL("m", "[general]", "[/m]"), 4, 11,
	   "'tier' must be a string")
ERROR_TEST(test_tiers_not_list, API "tiers: general\n", 2, 8, "'tiers' must be a list of mappings")
ERROR_TEST(test_tiers_item_not_mapping, API "tiers: [general]\n", 2, 9,
	   "'tiers' must be a list of mappings")
ERROR_TEST(test_tiers_empty, API "tiers: []\n", 2, 8, "'tiers' must not be empty")
ERROR_TEST(test_models_null, API "models:\n", 2, 8, "'models' must be a list of mappings")
ERROR_TEST(test_scopes_item_not_mapping, API "scopes:\n  - demo\n", 3, 5,
	   "'scopes' must be a list of mappings")
ERROR_TEST(test_egress_not_list,
	   API "scopes: [{name: s, cgroup: /s, maxTier: general, egress: 10.0.0.1}]\n", 2, 58,
	   "'egress' must be a list of strings")
ERROR_TEST(test_cgroup_not_string, API "scopes: [{name: s, cgroup: {a: b}, maxTier: general}]\n", 2,
	   28, "'cgroup' must be a string")
ERROR_TEST(test_max_tier_null, API "scopes: [{name: s, cgroup: /s, maxTier: null}]\n", 2, 41,
	   "'maxTier' must be a string")

/* ---- Names -------------------------------------------------------------- */

#define NAME_RULE "(1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)"

ERROR_TEST(test_name_leading_dash, API "models:\n" MODEL("-m", "general", "[/m]"), 3, 11,
	   "invalid model name '-m' " NAME_RULE)
ERROR_TEST(test_name_space, API "tiers: [{name: 'a b', level: 1}]\n", 2, 16,
	   "invalid tier name 'a b' " NAME_RULE)
ERROR_TEST(test_name_slash, API "scopes: [{name: a/b, cgroup: /s, maxTier: general}]\n", 2, 17,
	   "invalid scope name 'a/b' " NAME_RULE)
ERROR_TEST(test_name_empty, API "models:\n" MODEL("''", "general", "[/m]"), 3, 11,
	   "invalid model name '' " NAME_RULE)
ERROR_TEST(
	test_name_too_long,
	API "models:\n" MODEL("a234567890123456789012345678901234567890123456789012345678901234",
			      "general", "[/m]"),
	3, 11,
	"invalid model name 'a234567890123456789012345678901234567890123456789012345678901234' " NAME_RULE)

/* ---- Tier levels -------------------------------------------------------- */

#define LEVEL_TEST(fn, level, msg) \
	ERROR_TEST(fn, API "tiers: [{name: a, level: " level "}]\n", 2, 26, msg)

LEVEL_TEST(test_level_zero, "0", "invalid tier level '0' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_over, "1001", "invalid tier level '1001' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_negative, "-1", "invalid tier level '-1' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_fraction, "1.5",
	   "invalid tier level '1.5' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_octal, "010", "invalid tier level '010' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_huge, "99999999999999999999",
	   "invalid tier level '99999999999999999999' (must be an integer from 1 to 1000)")
LEVEL_TEST(test_level_quoted, "\"2\"", "'level' must be an integer, not a quoted string")
LEVEL_TEST(test_level_list, "[2]", "'level' must be an integer from 1 to 1000")

static void test_level_duplicate(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers:\n  - {name: a, level: 1}\n  - {name: b, level: 2}\n");
	put(fx, "b.yaml", API "tiers:\n  - {name: c, level: 2}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 3, 5,
		   "duplicate tier level 2 (first used by tier 'b' at %D/a.yaml:4:5)");
	expect_count(fx, 1);
}

static void test_too_many_tiers(void **state)
{
	struct fx *fx = *state;
	char text[2048];
	size_t n;

	n = snprintf(text, sizeof(text), API "tiers:\n");
	for (int i = 1; i <= MG_POLICY_MAX_TIERS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, "  - {name: t%d, level: %d}\n", i, i);
	put(fx, "p.yaml", text);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 19, 5, "too many tiers (17, at most 16)");
	expect_count(fx, 1);
}

/* ---- Across files ------------------------------------------------------- */

static void test_duplicate_names(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml",
	    API
	    "tiers: [{name: t, level: 1}]\n"
	    "models:\n" MODEL("m", "t", "[/a]") "scopes: [{name: s, cgroup: /a, maxTier: t}]\n");
	put(fx, "b.yaml",
	    API
	    "tiers: [{name: t, level: 2}]\n"
	    "models:\n" MODEL("m", "t", "[/b]") "scopes: [{name: s, cgroup: /b, maxTier: t}]\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 2, 9,
		   "duplicate tier name 't' (first defined at %D/a.yaml:2:9)");
	check_diag(fx, 1, "b.yaml", 4, 5,
		   "duplicate model name 'm' (first defined at %D/a.yaml:4:5)");
	check_diag(fx, 2, "b.yaml", 7, 10,
		   "duplicate scope name 's' (first defined at %D/a.yaml:7:10)");
	expect_count(fx, 3);
}

/* A file listed by two models is allowed (it takes the higher tier later on). */
static void test_file_in_two_models(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "models:\n" MODEL("m", "general", "[/w/a, /w/b]"));
	put(fx, "b.yaml", API "models:\n" MODEL("n", "prohibited", "[/w/b]"));
	load_ok(fx);
	assert_int_equal(fx->pol->nmodels, 2);
	assert_string_equal(fx->pol->models[1].files[0], "/w/b");
}

static void test_duplicate_cgroup(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API "scopes:\n  - {name: a, cgroup: /x, maxTier: general}\n"
		"  - {name: b, cgroup: /x, maxTier: general}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 4, 23,
		   "duplicate cgroup '/x' (first used by scope 'a' at %D/p.yaml:3:23)");
	expect_count(fx, 1);
}

static void test_unknown_tier(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers: [{name: low, level: 1}]\n");
	put(fx, "b.yaml",
	    API "models:\n" MODEL("m", "lowe",
				  "[/m]") "scopes: [{name: s, cgroup: /s, maxTier: Low}]\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 4, 11, "unknown tier 'lowe'");
	check_diag(fx, 1, "b.yaml", 6, 41, "unknown tier 'Low'");
	expect_count(fx, 2);
}

/* Every error of every file is reported, in file order. */
static void test_all_errors_reported(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", "apiVersion: v1\nmode: loud\nmodels:\n" MODEL("m", "general", "[x]"));
	put(fx, "b.yaml", "models: [{name: m, tier: general, files: [/y]}]\nx: 1\n");
	put(fx, "c.yaml", API "mode: [\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 1, 13, "unsupported apiVersion 'v1' (expected 'mguard/v1')");
	check_diag(fx, 1, "a.yaml", 2, 7, "invalid mode 'loud' (expected enforce or audit)");
	check_diag(fx, 2, "a.yaml", 6, 13, "file path 'x' is not absolute");
	check_diag(fx, 3, "b.yaml", 2, 1, "unknown key 'x' at top level");
	check_diag(fx, 4, "b.yaml", 1, 1, "missing key 'apiVersion'");
	check_diag(fx, 5, "c.yaml", 2, 7, "'mode' must be a string");
	check_diag(fx, 6, "c.yaml", 3, 1,
		   "did not find expected node content (while parsing a flow node at 3:1)");
	check_diag(fx, 7, "b.yaml", 1, 10,
		   "duplicate model name 'm' (first defined at %D/a.yaml:4:5)");
	expect_count(fx, 8);
}

/* A tiers file that does not parse does not make every reference an error. */
static void test_no_cascade_from_broken_tiers(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers:\n  - {name: gold, level: 1}\n  - {name: silver, level: x}\n");
	put(fx, "b.yaml",
	    API "models:\n" MODEL("m", "silver", "[/m]") MODEL("n", "bronze", "[/n]"));
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 4, 27,
		   "invalid tier level 'x' (must be an integer from 1 to 1000)");
	expect_count(fx, 1);
}

static void test_no_cascade_from_syntax_error(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers: [{name: gold, level: 1}\n");
	put(fx, "b.yaml", API "models:\n" MODEL("m", "gold", "[/m]"));
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 3, 1,
		   "did not find expected ',' or ']' (while parsing a flow sequence at 2:8)");
	expect_count(fx, 1);
}

/* ---- Scopes ------------------------------------------------------------- */

#define CGROUP_TEST(fn, cg, col, msg) \
	ERROR_TEST(fn, API "scopes: [{name: s, maxTier: general, cgroup: '" cg "'}]\n", 2, col, msg)

CGROUP_TEST(test_cgroup_relative, "mguard.slice/demo", 46,
	    "invalid cgroup 'mguard.slice/demo': must be an absolute path")
CGROUP_TEST(test_cgroup_root, "/", 46, "invalid cgroup '/': the root cgroup cannot be a scope")
CGROUP_TEST(test_cgroup_double_slash, "/a//b", 46, "invalid cgroup '/a//b': must not contain '//'")
CGROUP_TEST(test_cgroup_dotdot, "/a/../b", 46,
	    "invalid cgroup '/a/../b': must not contain '.' or '..' components")
CGROUP_TEST(test_cgroup_dotdot_end, "/a/..", 46,
	    "invalid cgroup '/a/..': must not contain '.' or '..' components")
CGROUP_TEST(test_cgroup_dot, "/./a", 46,
	    "invalid cgroup '/./a': must not contain '.' or '..' components")
CGROUP_TEST(test_cgroup_trailing_slash, "/a/", 46, "invalid cgroup '/a/': must not end with '/'")
CGROUP_TEST(test_cgroup_empty, "", 46, "invalid cgroup '': must be an absolute path")

static void test_cgroup_dots_in_names(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", API "scopes: [{name: s, maxTier: general, cgroup: /a..b/.c/d.}]\n");
	load_ok(fx);
	assert_string_equal(fx->pol->scopes[0].cgroup, "/a..b/.c/d.");
}

static void test_egress_errors(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n    egress:\n"
		"      - 10.0.0.0/33\n"
		"      - \"[fd00::/8]:443\"\n"
		"      - 10.1.0.0/8\n"
		"      - [1.2.3.4]\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 7, 9,
		   "invalid egress '10.0.0.0/33': prefix length 33 is over 32 for IPv4");
	check_diag(
		fx, 1, "p.yaml", 9, 9,
		"invalid egress '10.1.0.0/8': address has bits set beyond /8 (the network is 10.0.0.0/8)");
	check_diag(fx, 2, "p.yaml", 10, 9, "'egress' must be a list of strings");
	expect_count(fx, 3);
}

/* ---- The full language -------------------------------------------------- */

/* The example of docs/policy.md. */
#define FULL_EXAMPLE                                                         \
	"apiVersion: mguard/v1\n"                                            \
	"mode: enforce\n"                                                    \
	"unknownWeights: deny\n"                                             \
	"defaultTier: general\n"                                             \
	"trustedKeys: [keys/vendor.pem]\n"                                   \
	"tiers:\n"                                                           \
	"  - {name: general, level: 1}\n"                                    \
	"  - name: controlled\n"                                             \
	"    level: 2\n"                                                     \
	"    when: [\"mmlu >= 70\", \"trainingFlops >= 1e24\"]\n"            \
	"  - name: prohibited\n"                                             \
	"    level: 3\n"                                                     \
	"    requiresLicense: true\n"                                        \
	"    when: [\"mmlu >= 85\", \"trainingFlops >= 1e25\"]\n"            \
	"models:\n"                                                          \
	"  - name: frontier-x\n"                                             \
	"    metrics: {mmlu: 92.1, trainingFlops: 3e25}\n"                   \
	"    files: [/srv/models/frontier-x/]\n"                             \
	"    sha256:\n"                                                      \
	"      model.safetensors: "                                          \
	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n" \
	"  - name: mid-7b\n"                                                 \
	"    metrics: {mmlu: 74}\n"                                          \
	"    files: [/srv/models/mid-7b/]\n"                                 \
	"  - name: llama-3.1-8b\n"                                           \
	"    tier: general\n"                                                \
	"    files: [/srv/models/llama-3.1-8b/model.safetensors]\n"          \
	"  - name: tiny\n"                                                   \
	"    files: [/srv/models/tiny.gguf]\n"                               \
	"scopes:\n"                                                          \
	"  - name: vllm\n"                                                   \
	"    cgroup: /system.slice/vllm.service\n"                           \
	"    maxTier: controlled\n"                                          \
	"    egress: [\"10.0.0.0/8:443/tcp\", \"127.0.0.1:8000\"]\n"         \
	"    outputs: [/srv/outputs/vllm/]\n"                                \
	"    gpus: [0, GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789]\n"          \
	"  - name: lab\n"                                                    \
	"    cgroup: /lab.slice\n"                                           \
	"    maxTier: prohibited\n"                                          \
	"    licenses: [licenses/lab.lic]\n"                                 \
	"    gpus: all\n"

static void assert_loc(struct mg_loc loc, const char *file, unsigned int line, unsigned int col)
{
	assert_string_equal(loc.file, file);
	assert_int_equal(loc.line, line);
	assert_int_equal(loc.col, col);
}

static void test_full_example(void **state)
{
	static const uint8_t digest[32] = {
		0x9f, 0x86, 0xd0, 0x81, 0x88, 0x4c, 0x7d, 0x65, 0x9a, 0x2f, 0xea,
		0xa0, 0xc5, 0x5a, 0xd0, 0x15, 0xa3, 0xbf, 0x4f, 0x1b, 0x2b, 0x0b,
		0x82, 0x2c, 0xd1, 0x5d, 0x6c, 0x15, 0xb0, 0xf0, 0x0a, 0x08,
	};
	struct fx *fx = *state;
	const struct mg_policy *p;
	const struct mg_tier *t;
	const struct mg_model *m;
	const struct mg_scope *sc;
	char path[2 * PATH_MAX];
	const char *f;
	char *s;

	put(fx, "policy.yaml", FULL_EXAMPLE);
	load_ok(fx);
	p = fx->pol;
	f = p->sources[0];
	assert_string_equal(f, path_of(fx, "policy.yaml"));

	assert_string_equal(p->dir, fx->dir);
	assert_int_equal(p->mode, MG_POLICY_ENFORCE);
	assert_int_equal(p->unknown_weights, MG_UNKNOWN_DENY);
	assert_loc(p->unknown_weights_loc, f, 3, 17);
	assert_string_equal(p->default_tier, "general");
	assert_loc(p->default_tier_loc, f, 4, 14);
	assert_int_equal(p->ntrusted_keys, 1);
	assert_string_equal(p->trusted_keys[0], "keys/vendor.pem");
	assert_loc(p->trusted_key_locs[0], f, 5, 15);
	s = mg_policy_path(p, p->trusted_keys[0]);
	assert_non_null(s);
	snprintf(path, sizeof(path), "%s/keys/vendor.pem", fx->dir);
	assert_string_equal(s, path);
	free(s);

	assert_int_equal(p->ntiers, 3);
	t = &p->tiers[0];
	assert_string_equal(t->name, "general");
	assert_false(t->requires_license);
	assert_int_equal(t->nwhen, 0);
	assert_null(t->when);
	t = &p->tiers[1];
	assert_string_equal(t->name, "controlled");
	assert_false(t->requires_license);
	assert_int_equal(t->nwhen, 2);
	assert_string_equal(t->when[0].metric, "mmlu");
	assert_int_equal(t->when[0].op, MG_COND_GE);
	assert_true(t->when[0].value == 70);
	assert_string_equal(t->when[0].text, "mmlu >= 70");
	assert_loc(t->when[0].loc, f, 10, 12);
	assert_string_equal(t->when[1].metric, "trainingFlops");
	assert_true(t->when[1].value == 1e24);
	assert_loc(t->when[1].loc, f, 10, 26);
	t = &p->tiers[2];
	assert_string_equal(t->name, "prohibited");
	assert_true(t->requires_license);
	assert_int_equal(t->nwhen, 2);
	assert_true(t->when[1].value == 1e25);

	assert_int_equal(p->nmodels, 4);
	m = &p->models[0];
	assert_string_equal(m->name, "frontier-x");
	assert_null(m->tier);
	assert_null(m->tier_loc.file);
	assert_int_equal(m->nmetrics, 2);
	assert_string_equal(m->metrics[0].name, "mmlu");
	assert_true(m->metrics[0].value == 92.1);
	assert_loc(m->metrics[0].loc, f, 17, 15);
	assert_string_equal(m->metrics[1].name, "trainingFlops");
	assert_true(m->metrics[1].value == 3e25);
	assert_loc(m->metrics[1].loc, f, 17, 27);
	assert_int_equal(m->ndigests, 1);
	assert_string_equal(m->digests[0].path, "model.safetensors");
	assert_memory_equal(m->digests[0].sha256, digest, 32);
	assert_loc(m->digests[0].loc, f, 20, 7);
	assert_ptr_equal(m->resolved_tier, &p->tiers[2]);
	assert_string_equal(m->tier_reason, "mmlu >= 85 (mmlu = 92.1)");
	m = &p->models[1];
	assert_string_equal(m->name, "mid-7b");
	assert_ptr_equal(m->resolved_tier, &p->tiers[1]);
	assert_string_equal(m->tier_reason, "mmlu >= 70 (mmlu = 74)");
	assert_int_equal(m->ndigests, 0);
	m = &p->models[2];
	assert_string_equal(m->tier, "general");
	assert_ptr_equal(m->resolved_tier, &p->tiers[0]);
	assert_string_equal(m->tier_reason, "explicit");
	assert_int_equal(m->nmetrics, 0);
	m = &p->models[3];
	assert_string_equal(m->name, "tiny");
	assert_ptr_equal(m->resolved_tier, &p->tiers[0]);
	assert_string_equal(m->tier_reason, "defaultTier");

	assert_int_equal(p->nscopes, 2);
	sc = &p->scopes[0];
	assert_string_equal(sc->name, "vllm");
	assert_int_equal(sc->negress, 2);
	assert_int_equal(sc->nlicenses, 0);
	assert_int_equal(sc->noutputs, 1);
	assert_string_equal(sc->outputs[0], "/srv/outputs/vllm/");
	assert_loc(sc->output_locs[0], f, 34, 15);
	assert_int_equal(sc->ngpus, 2);
	assert_int_equal(sc->gpus[0].kind, MG_GPU_INDEX);
	assert_int_equal(sc->gpus[0].index, 0);
	assert_null(sc->gpus[0].uuid);
	assert_loc(sc->gpus[0].loc, f, 35, 12);
	assert_int_equal(sc->gpus[1].kind, MG_GPU_UUID);
	assert_string_equal(sc->gpus[1].uuid, "GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789");
	assert_loc(sc->gpus[1].loc, f, 35, 15);
	sc = &p->scopes[1];
	assert_string_equal(sc->name, "lab");
	assert_int_equal(sc->nlicenses, 1);
	assert_string_equal(sc->licenses[0], "licenses/lab.lic");
	assert_loc(sc->license_locs[0], f, 39, 16);
	assert_int_equal(sc->noutputs, 0);
	assert_int_equal(sc->ngpus, 1);
	assert_int_equal(sc->gpus[0].kind, MG_GPU_ALL);
	assert_loc(sc->gpus[0].loc, f, 40, 11);
}

/* Absent keys take their defaults. */
static void test_full_defaults(void **state)
{
	struct fx *fx = *state;
	const struct mg_policy *p;
	const struct mg_scope *sc;

	put(fx, "p.yaml",
	    API "models:\n" MODEL("m", "general",
				  "[/m]") "scopes: [{name: s, cgroup: /s, maxTier: general}]\n");
	load_ok(fx);
	p = fx->pol;
	assert_int_equal(p->unknown_weights, MG_UNKNOWN_DENY);
	assert_null(p->unknown_weights_loc.file);
	assert_null(p->default_tier);
	assert_null(p->default_tier_loc.file);
	assert_int_equal(p->ntrusted_keys, 0);
	assert_null(p->trusted_keys);
	for (size_t i = 0; i < p->ntiers; i++) {
		assert_false(p->tiers[i].requires_license);
		assert_int_equal(p->tiers[i].nwhen, 0);
	}
	assert_int_equal(p->models[0].nmetrics, 0);
	assert_int_equal(p->models[0].ndigests, 0);
	sc = &p->scopes[0];
	assert_int_equal(sc->nlicenses, 0);
	assert_int_equal(sc->noutputs, 0);
	assert_int_equal(sc->ngpus, 0);
	assert_null(sc->gpus);
}

/* ---- Top level: unknownWeights, defaultTier, trustedKeys ---------------- */

static void test_unknown_weights_values(void **state)
{
	static const struct {
		const char *text;
		enum mg_unknown_weights want;
	} cases[] = {
		{ API "unknownWeights: deny\n", MG_UNKNOWN_DENY },
		{ API "unknownWeights: audit\n", MG_UNKNOWN_AUDIT },
		{ API "unknownWeights: 'allow'\n", MG_UNKNOWN_ALLOW },
	};
	struct fx *fx = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(fx, "p.yaml", cases[i].text);
		load_ok(fx);
		assert_int_equal(fx->pol->unknown_weights, cases[i].want);
		assert_loc(fx->pol->unknown_weights_loc, path_of(fx, "p.yaml"), 2, 17);
		mg_policy_free(fx->pol);
		fx->pol = NULL;
	}
}

ERROR_TEST(test_unknown_weights_invalid, API "unknownWeights: block\n", 2, 17,
	   "invalid unknownWeights 'block' (expected deny, audit or allow)")
ERROR_TEST(test_unknown_weights_not_string, API "unknownWeights: [deny]\n", 2, 17,
	   "'unknownWeights' must be a string")
ERROR_TEST(test_unknown_weights_twice_in_file, API "unknownWeights: deny\nunknownWeights: allow\n",
	   3, 1, "duplicate key 'unknownWeights' (first defined at %D/p.yaml:2:1)")

static void test_unknown_weights_twice(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "unknownWeights: audit\n");
	put(fx, "b.yaml", API "unknownWeights: allow\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 2, 17,
		   "'unknownWeights' is already set (first set at %D/a.yaml:2:17)");
	expect_count(fx, 1);
}

static void test_default_tier_in_other_file(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "defaultTier: low\nmodels:\n  - {name: m, files: [/m]}\n");
	put(fx, "b.yaml", API "tiers: [{name: low, level: 1}, {name: high, level: 2}]\n");
	load_ok(fx);
	assert_string_equal(fx->pol->default_tier, "low");
	assert_loc(fx->pol->default_tier_loc, path_of(fx, "a.yaml"), 2, 14);
	assert_ptr_equal(fx->pol->models[0].resolved_tier, &fx->pol->tiers[0]);
	assert_string_equal(fx->pol->models[0].tier_reason, "defaultTier");
}

static void test_default_tier_twice(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "defaultTier: general\n");
	put(fx, "b.yaml", API "defaultTier: controlled\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 2, 14,
		   "'defaultTier' is already set (first set at %D/a.yaml:2:14)");
	expect_count(fx, 1);
}

/* An unknown defaultTier is one error, not one more for each model it would have caught. */
ERROR_TEST(test_default_tier_unknown,
	   API "defaultTier: generall\nmodels:\n  - {name: m, files: [/m]}\n", 2, 14,
	   "unknown tier 'generall'")
ERROR_TEST(test_default_tier_not_string, API "defaultTier: {name: general}\n", 2, 14,
	   "'defaultTier' must be a string")

static void test_trusted_keys_merged(void **state)
{
	struct fx *fx = *state;
	const struct mg_policy *p;
	char *s;

	put(fx, "a.yaml", API "trustedKeys: [/etc/keys/a.pem, ./b.pem]\n");
	put(fx, "b.yaml", API "trustedKeys:\n  - ../shared/c.pem\n");
	load_ok(fx);
	p = fx->pol;
	assert_int_equal(p->ntrusted_keys, 3);
	assert_string_equal(p->trusted_keys[0], "/etc/keys/a.pem");
	assert_string_equal(p->trusted_keys[1], "./b.pem");
	assert_string_equal(p->trusted_keys[2], "../shared/c.pem");
	assert_loc(p->trusted_key_locs[1], path_of(fx, "a.yaml"), 2, 32);
	assert_loc(p->trusted_key_locs[2], path_of(fx, "b.yaml"), 3, 5);

	s = mg_policy_path(p, p->trusted_keys[0]);
	assert_string_equal(s, "/etc/keys/a.pem");
	free(s);
	s = mg_policy_path(p, p->trusted_keys[2]);
	assert_string_equal(s, path_of(fx, "../shared/c.pem"));
	free(s);
}

ERROR_TEST(test_trusted_keys_not_list, API "trustedKeys: /etc/k.pem\n", 2, 14,
	   "'trustedKeys' must be a list of strings")
ERROR_TEST(test_trusted_keys_empty_path, API "trustedKeys: [a.pem, '']\n", 2, 22,
	   "invalid key path '': must not be empty")

static void test_trusted_keys_long_path(void **state)
{
	static char text[PATH_MAX + 64];
	struct fx *fx = *state;
	size_t n;

	n = snprintf(text, sizeof(text), API "trustedKeys: [");
	memset(text + n, 'k', PATH_MAX);
	snprintf(text + n + PATH_MAX, sizeof(text) - n - PATH_MAX, "]\n");
	expect_one(fx, text, 2, 15, "key path is longer than 4095 bytes");
}

/* ---- Tiers: requiresLicense, when ---------------------------------------- */

#define TIER_WITH(extra) API "tiers: [{name: a, level: 1, " extra "}]\n"

static void test_requires_license(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    API "tiers:\n  - {name: a, level: 1, requiresLicense: false}\n"
		"  - {name: b, level: 2, requiresLicense: true}\n");
	load_ok(fx);
	assert_false(fx->pol->tiers[0].requires_license);
	assert_true(fx->pol->tiers[1].requires_license);
}

ERROR_TEST(test_requires_license_yes, TIER_WITH("requiresLicense: yes"), 2, 46,
	   "'requiresLicense' must be true or false")
ERROR_TEST(test_requires_license_quoted, TIER_WITH("requiresLicense: 'true'"), 2, 46,
	   "'requiresLicense' must be true or false")
ERROR_TEST(test_requires_license_capital, TIER_WITH("requiresLicense: True"), 2, 46,
	   "'requiresLicense' must be true or false")
ERROR_TEST(test_requires_license_list, TIER_WITH("requiresLicense: [true]"), 2, 46,
	   "'requiresLicense' must be true or false")

static void test_when_forms(void **state)
{
	static const struct {
		const char *metric;
		enum mg_cond_op op;
		double value;
	} want[] = {
		{ "mmlu", MG_COND_GE, 85 },    { "mmlu", MG_COND_GE, 85 },
		{ "flops", MG_COND_GT, 1e25 }, { "flops_total", MG_COND_LE, 1.2e24 },
		{ "delta", MG_COND_LT, -3 },   { "Score2", MG_COND_EQ, 0.5 },
		{ "x", MG_COND_GE, 1e-3 },
	};
	struct fx *fx = *state;
	const struct mg_tier *t;

	put(fx, "p.yaml",
	    API "tiers:\n  - name: a\n    level: 1\n    when:\n"
		"      - mmlu>=85\n"
		"      - \"  mmlu >= 85  \"\n"
		"      - flops > 1e25\n"
		"      - flops_total<=1.2E+24\n"
		"      - delta < -3\n"
		"      - 'Score2 == .5'\n"
		"      - \"x\\t>=\\t1e-3\"\n");
	load_ok(fx);
	t = &fx->pol->tiers[0];
	assert_int_equal(t->nwhen, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < t->nwhen; i++) {
		assert_string_equal(t->when[i].metric, want[i].metric);
		assert_int_equal(t->when[i].op, want[i].op);
		assert_true(t->when[i].value == want[i].value);
		assert_int_equal(t->when[i].loc.line, 6 + i);
		assert_int_equal(t->when[i].loc.col, 9);
	}
	/* The text is kept as written. */
	assert_string_equal(t->when[0].text, "mmlu>=85");
	assert_string_equal(t->when[1].text, "  mmlu >= 85  ");
}

#define WHEN_TEST(fn, cond, msg) ERROR_TEST(fn, TIER_WITH("when: ['" cond "']"), 2, 36, msg)

WHEN_TEST(test_when_bad_op, "mmlu => 85",
	  "invalid condition 'mmlu => 85': expected >=, >, <=, < or ==")
WHEN_TEST(test_when_single_equals, "mmlu = 85",
	  "invalid condition 'mmlu = 85': expected >=, >, <=, < or ==")
WHEN_TEST(test_when_no_op, "mmlu", "invalid condition 'mmlu': expected >=, >, <=, < or ==")
WHEN_TEST(test_when_reversed, "85 <= mmlu",
	  "invalid condition '85 <= mmlu': expected a metric name")
WHEN_TEST(test_when_empty, "", "invalid condition '': expected a metric name")
WHEN_TEST(test_when_no_number,
	  "mmlu >=", "invalid condition 'mmlu >=': expected a number after '>='")
WHEN_TEST(test_when_bad_number, "mmlu >= 85%",
	  "invalid condition 'mmlu >= 85%': invalid number '85%'")
WHEN_TEST(test_when_two_numbers, "mmlu >= 8 5",
	  "invalid condition 'mmlu >= 8 5': invalid number '8 5'")
WHEN_TEST(test_when_hex, "mmlu >= 0x10", "invalid condition 'mmlu >= 0x10': invalid number '0x10'")
WHEN_TEST(test_when_inf, "mmlu >= inf", "invalid condition 'mmlu >= inf': invalid number 'inf'")
WHEN_TEST(test_when_nan, "mmlu == nan", "invalid condition 'mmlu == nan': invalid number 'nan'")
WHEN_TEST(test_when_huge, "flops > 1e999",
	  "invalid condition 'flops > 1e999': number '1e999' is out of range")
WHEN_TEST(
	test_when_long_metric, "a23456789012345678901234567890123 > 1",
	"invalid condition 'a23456789012345678901234567890123 > 1': metric name is longer than 32 characters")
WHEN_TEST(test_when_metric_dash, "mm-lu > 1",
	  "invalid condition 'mm-lu > 1': expected >=, >, <=, < or ==")
ERROR_TEST(test_when_not_list, TIER_WITH("when: mmlu >= 85"), 2, 35,
	   "'when' must be a list of strings")
ERROR_TEST(test_when_item_not_string, TIER_WITH("when: [{mmlu: 85}]"), 2, 36,
	   "'when' must be a list of strings")

static void test_when_metric_32(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml", TIER_WITH("when: ['a2345678901234567890123456789012 > 1']"));
	load_ok(fx);
	assert_string_equal(fx->pol->tiers[0].when[0].metric, "a2345678901234567890123456789012");
}

static void test_when_too_many(void **state)
{
	struct fx *fx = *state;
	char text[2048];
	size_t n;

	n = snprintf(text, sizeof(text), API "tiers:\n  - name: a\n    level: 1\n    when:\n");
	for (int i = 0; i <= MG_POLICY_MAX_CONDITIONS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, "      - m%d > %d\n", i, i);
	expect_one(fx, text, 6 + MG_POLICY_MAX_CONDITIONS, 9,
		   "too many conditions in 'when' (at most 16)");
}

static void test_when_at_limit(void **state)
{
	struct fx *fx = *state;
	char text[2048];
	size_t n;

	n = snprintf(text, sizeof(text), API "tiers:\n  - name: a\n    level: 1\n    when:\n");
	for (int i = 0; i < MG_POLICY_MAX_CONDITIONS; i++)
		n += snprintf(text + n, sizeof(text) - n, "      - m%d > %d\n", i, i);
	put(fx, "p.yaml", text);
	load_ok(fx);
	assert_int_equal(fx->pol->tiers[0].nwhen, MG_POLICY_MAX_CONDITIONS);
	assert_string_equal(fx->pol->tiers[0].when[15].text, "m15 > 15");
}

/* ---- Models: optional tier, metrics, sha256 ----------------------------- */

#define MODEL_WITH(extra) API "models:\n  - {name: m, tier: general, files: [/m], " extra "}\n"

static void test_metrics_numbers(void **state)
{
	static const struct {
		const char *name;
		double value;
	} want[] = {
		{ "a", 85 },  { "b", -3 }, { "c", 1e25 },   { "d", 1.2e24 },
		{ "e", 0.5 }, { "f", 7 },  { "g", 2.5e-7 }, { "H_2", 0 },
	};
	struct fx *fx = *state;
	const struct mg_model *m;

	put(fx, "p.yaml",
	    API "models:\n  - name: m\n    tier: general\n    files: [/m]\n    metrics:\n"
		"      a: 85\n      b: -3\n      c: 1e25\n      d: 1.2E+24\n      e: .5\n"
		"      f: +7\n      g: 2.5e-7\n      H_2: 0\n");
	load_ok(fx);
	m = &fx->pol->models[0];
	assert_int_equal(m->nmetrics, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < m->nmetrics; i++) {
		assert_string_equal(m->metrics[i].name, want[i].name);
		assert_true(m->metrics[i].value == want[i].value);
		assert_loc(m->metrics[i].loc, path_of(fx, "p.yaml"), 7 + i, 7);
	}
}

#define METRIC_TEST(fn, metrics, col, msg) \
	ERROR_TEST(fn, MODEL_WITH("metrics: " metrics), 3, col, msg)

METRIC_TEST(test_metric_name_digit, "{1x: 1}", 53,
	    "invalid metric name '1x' (1 to 32 of A-Z a-z 0-9 _, starting with a letter)")
METRIC_TEST(test_metric_name_dash, "{mm-lu: 1}", 53,
	    "invalid metric name 'mm-lu' (1 to 32 of A-Z a-z 0-9 _, starting with a letter)")
METRIC_TEST(
	test_metric_name_long, "{a23456789012345678901234567890123: 1}", 53,
	"invalid metric name 'a23456789012345678901234567890123' (1 to 32 of A-Z a-z 0-9 _, starting with a letter)")
METRIC_TEST(test_metric_name_null, "{~: 1}", 53, "mapping keys must be strings")
METRIC_TEST(test_metric_quoted, "{mmlu: '85'}", 59,
	    "metric 'mmlu' must be a number, not a quoted string")
METRIC_TEST(test_metric_word, "{mmlu: high}", 59,
	    "invalid value 'high' for metric 'mmlu' (expected a finite number)")
METRIC_TEST(test_metric_inf, "{mmlu: .inf}", 59,
	    "invalid value '.inf' for metric 'mmlu' (expected a finite number)")
METRIC_TEST(test_metric_hex, "{mmlu: 0x1F}", 59,
	    "invalid value '0x1F' for metric 'mmlu' (expected a finite number)")
METRIC_TEST(test_metric_huge, "{flops: 1e400}", 60,
	    "invalid value '1e400' for metric 'flops' (expected a finite number)")
METRIC_TEST(test_metric_bool, "{mmlu: true}", 59,
	    "invalid value 'true' for metric 'mmlu' (expected a finite number)")
METRIC_TEST(test_metric_null, "{mmlu: ~}", 59, "metric 'mmlu' must be a number")
METRIC_TEST(test_metric_list, "{mmlu: [85]}", 59, "metric 'mmlu' must be a number")
METRIC_TEST(test_metric_key_list, "{[a]: 1}", 53, "mapping keys must be strings")
METRIC_TEST(test_metrics_not_mapping, "[mmlu, 85]", 52,
	    "'metrics' must be a mapping of metric names to numbers")
METRIC_TEST(test_metric_duplicate, "{mmlu: 85, x: 1, mmlu: 86}", 69,
	    "duplicate key 'mmlu' (first defined at %D/p.yaml:3:53)")

static void test_metrics_too_many(void **state)
{
	struct fx *fx = *state;
	char text[4096];
	size_t n;

	n = snprintf(text, sizeof(text), "%s",
		     API "models:\n  - name: m\n    tier: general\n    files: [/m]\n"
			 "    metrics:\n");
	for (int i = 0; i <= MG_POLICY_MAX_METRICS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, "      m%d: %d\n", i, i);
	expect_one(fx, text, 7 + MG_POLICY_MAX_METRICS, 7, "too many metrics (at most 64)");
}

static void test_metrics_at_limit(void **state)
{
	struct fx *fx = *state;
	char text[4096];
	size_t n;

	n = snprintf(text, sizeof(text), "%s",
		     API "models:\n  - name: m\n    tier: general\n    files: [/m]\n"
			 "    metrics:\n");
	for (int i = 0; i < MG_POLICY_MAX_METRICS; i++)
		n += snprintf(text + n, sizeof(text) - n, "      m%d: %d\n", i, i);
	put(fx, "p.yaml", text);
	load_ok(fx);
	assert_int_equal(fx->pol->models[0].nmetrics, MG_POLICY_MAX_METRICS);
	assert_true(fx->pol->models[0].metrics[63].value == 63);
}

#define SHA_LOWER "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_UPPER "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

static void test_sha256_forms(void **state)
{
	struct fx *fx = *state;
	const struct mg_model *m;

	put(fx, "p.yaml",
	    API "models:\n  - name: m\n    tier: general\n    files: [/srv/m/]\n    sha256:\n"
		"      model.safetensors: " SHA_UPPER "\n"
		"      ./sub/config.json: '" SHA_LOWER "'\n"
		"      /srv/m/tokenizer.json: " SHA_LOWER "\n"
		"      a..b/.c: " SHA_LOWER "\n");
	load_ok(fx);
	m = &fx->pol->models[0];
	assert_int_equal(m->ndigests, 4);
	assert_string_equal(m->digests[0].path, "model.safetensors");
	assert_string_equal(m->digests[1].path, "./sub/config.json");
	assert_string_equal(m->digests[2].path, "/srv/m/tokenizer.json");
	assert_string_equal(m->digests[3].path, "a..b/.c");
	assert_memory_equal(m->digests[0].sha256, m->digests[1].sha256, 32);
	assert_int_equal(m->digests[0].sha256[0], 0x9f);
	assert_int_equal(m->digests[0].sha256[31], 0x08);
	assert_loc(m->digests[2].loc, path_of(fx, "p.yaml"), 9, 7);
}

#define SHA_TEST(fn, pairs, col, msg) ERROR_TEST(fn, MODEL_WITH("sha256: " pairs), 3, col, msg)

#define SHA_63 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0"

SHA_TEST(test_sha256_short, "{a: " SHA_63 "}", 55,
	 "invalid sha256 '" SHA_63 "' for 'a' (expected 64 hex digits)")
SHA_TEST(test_sha256_long, "{a: " SHA_LOWER "0}", 55,
	 "invalid sha256 '" SHA_LOWER "0' for 'a' (expected 64 hex digits)")
SHA_TEST(test_sha256_not_hex, "{a: " SHA_63 "g}", 55,
	 "invalid sha256 '" SHA_63 "g' for 'a' (expected 64 hex digits)")
SHA_TEST(test_sha256_prefixed, "{a: 'sha256:" SHA_LOWER "'}", 55,
	 "invalid sha256 'sha256:" SHA_LOWER "' for 'a' (expected 64 hex digits)")
SHA_TEST(test_sha256_list, "{a: [" SHA_LOWER "]}", 55,
	 "the sha256 of 'a' must be a string of 64 hex digits")
SHA_TEST(test_sha256_null, "{a: }", 55, "the sha256 of 'a' must be a string of 64 hex digits")
SHA_TEST(test_sha256_empty_path, "{'': " SHA_LOWER "}", 52,
	 "invalid sha256 path '': must not be empty")
SHA_TEST(test_sha256_dotdot, "{a/../b: " SHA_LOWER "}", 52,
	 "invalid sha256 path 'a/../b': must not contain '..' components")
SHA_TEST(test_sha256_dotdot_start, "{../b: " SHA_LOWER "}", 52,
	 "invalid sha256 path '../b': must not contain '..' components")
SHA_TEST(test_sha256_dotdot_end, "{/srv/m/..: " SHA_LOWER "}", 52,
	 "invalid sha256 path '/srv/m/..': must not contain '..' components")
SHA_TEST(test_sha256_not_mapping, "[a]", 51,
	 "'sha256' must be a mapping of paths to SHA-256 digests")
SHA_TEST(test_sha256_duplicate, "{a: " SHA_LOWER ", a: " SHA_UPPER "}", 121,
	 "duplicate key 'a' (first defined at %D/p.yaml:3:52)")

/* ---- Scopes: licenses, outputs, gpus ------------------------------------ */

#define SCOPE_WITH(extra) API "scopes: [{name: s, cgroup: /s, maxTier: general, " extra "}]\n"

static void test_licenses_and_outputs(void **state)
{
	struct fx *fx = *state;
	const struct mg_scope *sc;
	char *s;

	put(fx, "p.yaml",
	    API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n"
		"    licenses: [a.lic, /etc/mguard/b.lic, ../c.lic]\n"
		"    outputs: [/srv/out/, /tmp, /]\n");
	load_ok(fx);
	sc = &fx->pol->scopes[0];
	assert_int_equal(sc->nlicenses, 3);
	assert_string_equal(sc->licenses[0], "a.lic");
	assert_string_equal(sc->licenses[1], "/etc/mguard/b.lic");
	assert_string_equal(sc->licenses[2], "../c.lic");
	assert_loc(sc->license_locs[1], path_of(fx, "p.yaml"), 6, 23);
	assert_int_equal(sc->noutputs, 3);
	assert_string_equal(sc->outputs[0], "/srv/out/");
	assert_string_equal(sc->outputs[1], "/tmp");
	assert_string_equal(sc->outputs[2], "/");
	assert_loc(sc->output_locs[2], path_of(fx, "p.yaml"), 7, 32);

	s = mg_policy_path(fx->pol, sc->licenses[0]);
	assert_string_equal(s, path_of(fx, "a.lic"));
	free(s);
	s = mg_policy_path(fx->pol, sc->licenses[1]);
	assert_string_equal(s, "/etc/mguard/b.lic");
	free(s);
}

ERROR_TEST(test_licenses_not_list, SCOPE_WITH("licenses: a.lic"), 2, 60,
	   "'licenses' must be a list of strings")
ERROR_TEST(test_license_empty, SCOPE_WITH("licenses: [a.lic, '']"), 2, 68,
	   "invalid license path '': must not be empty")
ERROR_TEST(test_outputs_not_list, SCOPE_WITH("outputs: /srv/out"), 2, 59,
	   "'outputs' must be a list of strings")
ERROR_TEST(test_output_relative, SCOPE_WITH("outputs: [out]"), 2, 60,
	   "invalid output folder 'out': must be an absolute path")
ERROR_TEST(test_output_empty, SCOPE_WITH("outputs: ['']"), 2, 60,
	   "invalid output folder '': must not be empty")
ERROR_TEST(test_output_dotdot, SCOPE_WITH("outputs: [/srv/../etc]"), 2, 60,
	   "invalid output folder '/srv/../etc': must not contain '.' or '..' components")
ERROR_TEST(test_output_dot, SCOPE_WITH("outputs: [/srv/./out/]"), 2, 60,
	   "invalid output folder '/srv/./out/': must not contain '.' or '..' components")

#define UUID_A "GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789"
#define UUID_B "GPU-00000000-0000-0000-0000-00000000000F"

static void test_gpus_forms(void **state)
{
	struct fx *fx = *state;
	const struct mg_scope *sc;

	put(fx, "p.yaml",
	    API "scopes:\n"
		"  - {name: a, cgroup: /a, maxTier: general, gpus: none}\n"
		"  - {name: b, cgroup: /b, maxTier: general, gpus: all}\n"
		"  - {name: c, cgroup: /c, maxTier: general, gpus: []}\n"
		"  - name: d\n    cgroup: /d\n    maxTier: general\n"
		"    gpus: [0, 255, " UUID_A ", '" UUID_B "', 7]\n");
	load_ok(fx);
	sc = fx->pol->scopes;
	assert_int_equal(sc[0].ngpus, 0);
	assert_null(sc[0].gpus);
	assert_int_equal(sc[1].ngpus, 1);
	assert_int_equal(sc[1].gpus[0].kind, MG_GPU_ALL);
	assert_null(sc[1].gpus[0].uuid);
	assert_loc(sc[1].gpus[0].loc, path_of(fx, "p.yaml"), 4, 51);
	assert_int_equal(sc[2].ngpus, 0);
	assert_int_equal(sc[3].ngpus, 5);
	assert_int_equal(sc[3].gpus[0].kind, MG_GPU_INDEX);
	assert_int_equal(sc[3].gpus[0].index, 0);
	assert_int_equal(sc[3].gpus[1].kind, MG_GPU_INDEX);
	assert_int_equal(sc[3].gpus[1].index, 255);
	assert_int_equal(sc[3].gpus[2].kind, MG_GPU_UUID);
	assert_string_equal(sc[3].gpus[2].uuid, UUID_A);
	assert_int_equal(sc[3].gpus[3].kind, MG_GPU_UUID);
	assert_string_equal(sc[3].gpus[3].uuid, UUID_B);
	assert_int_equal(sc[3].gpus[4].index, 7);
	assert_loc(sc[3].gpus[4].loc, path_of(fx, "p.yaml"), 9, 106);
}

#define GPU_TEST(fn, gpus, col, msg) ERROR_TEST(fn, SCOPE_WITH("gpus: " gpus), 2, col, msg)

GPU_TEST(test_gpus_word, "some", 56,
	 "invalid gpus 'some' (expected all, none or a list of GPU indexes and UUIDs)")
GPU_TEST(test_gpus_number, "0", 56,
	 "invalid gpus '0' (expected all, none or a list of GPU indexes and UUIDs)")
GPU_TEST(test_gpus_null, "~", 56, "'gpus' must be all, none or a list of GPU indexes and UUIDs")
GPU_TEST(test_gpus_mapping, "{a: 1}", 56,
	 "'gpus' must be all, none or a list of GPU indexes and UUIDs")
GPU_TEST(test_gpus_item_list, "[0, [1]]", 60,
	 "'gpus' must be all, none or a list of GPU indexes and UUIDs")
GPU_TEST(test_gpus_all_in_list, "[0, all]", 60, "'all' is not allowed in a list of GPUs")
GPU_TEST(test_gpus_none_in_list, "[none]", 57, "'none' is not allowed in a list of GPUs")
GPU_TEST(test_gpus_256, "[256]", 57, "invalid GPU index '256' (must be an integer from 0 to 255)")
GPU_TEST(test_gpus_negative, "[-1]", 57,
	 "invalid GPU index '-1' (must be an integer from 0 to 255)")
GPU_TEST(test_gpus_leading_zero, "[01]", 57,
	 "invalid GPU index '01' (must be an integer from 0 to 255)")
GPU_TEST(test_gpus_fraction, "[1.0]", 57,
	 "invalid GPU index '1.0' (must be an integer from 0 to 255)")
GPU_TEST(test_gpus_quoted_index, "['1']", 57,
	 "invalid GPU '1' (expected an index from 0 to 255 or GPU-<uuid>)")
GPU_TEST(test_gpus_word_in_list, "[gpu0]", 57,
	 "invalid GPU 'gpu0' (expected an index from 0 to 255 or GPU-<uuid>)")
GPU_TEST(
	test_gpus_bad_uuid, "[GPU-5a1b2c3d-4e5f-6789-abcd-ef012345678]", 57,
	"invalid GPU UUID 'GPU-5a1b2c3d-4e5f-6789-abcd-ef012345678' (expected GPU- and 8-4-4-4-12 hex digits)")
GPU_TEST(
	test_gpus_uuid_groups, "[GPU-5a1b2c3d4e5f-6789-abcd-ef0123456789]", 57,
	"invalid GPU UUID 'GPU-5a1b2c3d4e5f-6789-abcd-ef0123456789' (expected GPU- and 8-4-4-4-12 hex digits)")
GPU_TEST(
	test_gpus_uuid_not_hex, "[GPU-5a1b2c3d-4e5f-6789-abcd-ef012345678g]", 57,
	"invalid GPU UUID 'GPU-5a1b2c3d-4e5f-6789-abcd-ef012345678g' (expected GPU- and 8-4-4-4-12 hex digits)")
GPU_TEST(
	test_gpus_uuid_trailing, "[GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789-]", 57,
	"invalid GPU UUID 'GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789-' (expected GPU- and 8-4-4-4-12 hex digits)")
GPU_TEST(test_gpus_duplicate_index, "[3, 1, 3]", 63,
	 "duplicate GPU '3' (first listed at %D/p.yaml:2:57)")
GPU_TEST(
	test_gpus_duplicate_uuid,
	"[GPU-5a1b2c3d-4e5f-6789-abcd-ef0123456789, GPU-5A1B2C3D-4E5F-6789-ABCD-EF0123456789]", 99,
	"duplicate GPU 'GPU-5A1B2C3D-4E5F-6789-ABCD-EF0123456789' (first listed at %D/p.yaml:2:57)")

static void test_gpus_too_many(void **state)
{
	struct fx *fx = *state;
	char text[4096];
	size_t n;

	n = snprintf(text, sizeof(text),
		     API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n    gpus:\n");
	for (int i = 0; i <= MG_POLICY_MAX_GPUS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, "      - %d\n", i);
	expect_one(fx, text, 7 + MG_POLICY_MAX_GPUS, 9, "too many GPUs (at most 64)");
}

static void test_gpus_at_limit(void **state)
{
	struct fx *fx = *state;
	char text[4096];
	size_t n;

	n = snprintf(text, sizeof(text),
		     API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n    gpus:\n");
	for (int i = 0; i < MG_POLICY_MAX_GPUS; i++)
		n += snprintf(text + n, sizeof(text) - n, "      - %d\n", 2 * i);
	put(fx, "p.yaml", text);
	load_ok(fx);
	assert_int_equal(fx->pol->scopes[0].ngpus, MG_POLICY_MAX_GPUS);
	assert_int_equal(fx->pol->scopes[0].gpus[63].index, 126);
}

/* ---- Scope count -------------------------------------------------------- */

static char *scopes_text(int n)
{
	size_t size = 64 + (size_t)n * 64, len;
	char *text = malloc(size);

	assert_non_null(text);
	len = snprintf(text, size, API "scopes:\n");
	for (int i = 0; i < n; i++)
		len += snprintf(text + len, size - len,
				"  - {name: s%d, cgroup: /s%d, maxTier: general}\n", i, i);
	return text;
}

static void test_scopes_at_limit(void **state)
{
	struct fx *fx = *state;
	char *text = scopes_text(MG_POLICY_MAX_SCOPES);

	put(fx, "p.yaml", text);
	free(text);
	load_ok(fx);
	assert_int_equal(fx->pol->nscopes, MG_POLICY_MAX_SCOPES);
}

static void test_scopes_too_many(void **state)
{
	struct fx *fx = *state;
	char *text = scopes_text(MG_POLICY_MAX_SCOPES + 2);

	put(fx, "p.yaml", text);
	free(text);
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "p.yaml", 3 + MG_POLICY_MAX_SCOPES, 5, "more than 1024 scopes");
	expect_count(fx, 1);
}

/* ---- Tier derivation ---------------------------------------------------- */

#define DERIVE_TIERS                                                            \
	API "tiers:\n"                                                          \
	    "  - {name: low, level: 1}\n"                                       \
	    "  - {name: mid, level: 5, when: ['mmlu >= 70', 'arena>1200']}\n"   \
	    "  - {name: high, level: 9, when: ['mmlu>=85', 'flops >= 1e25']}\n" \
	    "  - {name: odd, level: 3, when: ['mmlu == 92.5']}\n"

static void test_derive(void **state)
{
	static const struct {
		const char *tier;
		const char *reason;
	} want[] = {
		{ "high", "explicit" }, /* explicit beats metrics */
		{ "low", "explicit" },
		{ "high", "mmlu>=85 (mmlu = 92.5)" }, /* the highest of odd, mid, high */
		{ "mid", "mmlu >= 70 (mmlu = 70)" },
		{ "mid", "arena>1200 (arena = 1250.5)" }, /* the second condition */
		{ "high", "flops >= 1e25 (flops = 3e+25)" },
		{ "low", "defaultTier" }, /* holds nothing */
		{ "low", "defaultTier" }, /* no metrics */
	};
	struct fx *fx = *state;
	const struct mg_policy *p;

	put(fx, "a.yaml", DERIVE_TIERS "defaultTier: low\n");
	put(fx, "b.yaml",
	    API "models:\n"
		"  - {name: m0, tier: high, files: [/m0], metrics: {mmlu: 10}}\n"
		"  - {name: m1, tier: low, files: [/m1], metrics: {mmlu: 99}}\n"
		"  - {name: m2, files: [/m2], metrics: {mmlu: 92.5}}\n"
		"  - {name: m3, files: [/m3], metrics: {mmlu: 70, arena: 1250.5}}\n"
		"  - {name: m4, files: [/m4], metrics: {mmlu: 10, arena: 1250.5}}\n"
		"  - {name: m5, files: [/m5], metrics: {arena: 2000, flops: 3e25}}\n"
		"  - {name: m6, files: [/m6], metrics: {mmlu: 69.9, arena: 1200, MMLU: 99}}\n"
		"  - {name: m7, files: [/m7]}\n");
	load_ok(fx);
	p = fx->pol;
	assert_int_equal(p->nmodels, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < p->nmodels; i++) {
		const struct mg_model *m = &p->models[i];
		const struct mg_tier *t;
		char *reason;

		assert_non_null(m->resolved_tier);
		assert_string_equal(m->resolved_tier->name, want[i].tier);
		assert_string_equal(m->tier_reason, want[i].reason);

		/* The same answer from the function itself. */
		t = mg_policy_model_tier(p, m, &reason);
		assert_ptr_equal(t, m->resolved_tier);
		assert_string_equal(reason, want[i].reason);
		free(reason);
		assert_ptr_equal(mg_policy_model_tier(p, m, NULL), t);
	}
}

/* Without a default, a model that no condition catches has no tier. */
static void test_derive_none(void **state)
{
	struct fx *fx = *state;

	put(fx, "p.yaml",
	    DERIVE_TIERS "models:\n"
			 "  - {name: ok, files: [/a], metrics: {mmlu: 90}}\n"
			 "  - name: weak\n    files: [/b]\n    metrics: {mmlu: 10}\n"
			 "  - {name: bare, files: [/c]}\n"
			 "  - {name: other, files: [/d], metrics: {accuracy: 99}}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(
		fx, 0, "p.yaml", 9, 5,
		"model 'weak' has no tier: no 'tier', no tier condition holds on its metrics, and no 'defaultTier'");
	check_diag(
		fx, 1, "p.yaml", 12, 5,
		"model 'bare' has no tier: no 'tier', no tier condition holds on its metrics, and no 'defaultTier'");
	check_diag(
		fx, 2, "p.yaml", 13, 5,
		"model 'other' has no tier: no 'tier', no tier condition holds on its metrics, and no 'defaultTier'");
	expect_count(fx, 3);
}

/* With the default tiers (no conditions) a model needs 'tier' or 'defaultTier'. */
ERROR_TEST(
	test_derive_default_tiers, API "models:\n  - {name: m, files: [/m], metrics: {mmlu: 99}}\n",
	3, 5,
	"model 'm' has no tier: no 'tier', no tier condition holds on its metrics, and no 'defaultTier'")

/* An unknown explicit tier is one error. */
ERROR_TEST(test_derive_unknown_explicit,
	   DERIVE_TIERS "defaultTier: low\nmodels:\n  - {name: m, tier: top, files: [/m]}\n", 9, 21,
	   "unknown tier 'top'")

/* What went wrong in a model may be what would have given it a tier: not reported twice. */
static void test_derive_no_cascade(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", DERIVE_TIERS);
	put(fx, "b.yaml",
	    API "models:\n"
		"  - {name: m, files: [/m], metrics: {mmlu: 9O}}\n"
		"  - {name: n, tier: [high], files: [/n]}\n"
		"  - {name: o, Tier: high, files: [/o]}\n"
		"  - {name: p, files: [/p]}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 3, 44,
		   "invalid value '9O' for metric 'mmlu' (expected a finite number)");
	check_diag(fx, 1, "b.yaml", 4, 21, "'tier' must be a string");
	check_diag(fx, 2, "b.yaml", 5, 15, "unknown key 'Tier' in model");
	expect_count(fx, 3);
}

static void test_derive_no_cascade_default_tier(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "defaultTier: [general]\n");
	put(fx, "b.yaml", API "models:\n  - {name: m, files: [/m]}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 2, 14, "'defaultTier' must be a string");
	expect_count(fx, 1);
}

/* A broken condition makes tiers unsure: nothing about models' tiers is reported. */
static void test_derive_no_cascade_condition(void **state)
{
	struct fx *fx = *state;

	put(fx, "a.yaml", API "tiers: [{name: t, level: 1, when: ['mmlu => 1']}]\n");
	put(fx, "b.yaml", API "models:\n  - {name: m, files: [/m], metrics: {mmlu: 2}}\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "a.yaml", 2, 36,
		   "invalid condition 'mmlu => 1': expected >=, >, <=, < or ==");
	expect_count(fx, 1);
}

/* In memory: validation resolves again, after documents that add tiers. */
static void test_derive_in_memory(void **state)
{
	static const char models[] =
		API "defaultTier: base\n"
		    "models:\n  - {name: m, files: [/m], metrics: {mmlu: 90}}\n";
	static const char low[] = API "tiers: [{name: base, level: 1}]\n";
	static const char top[] = API "tiers: [{name: top, level: 2, when: ['mmlu > 80']}]\n";
	struct fx *fx = *state;
	struct mg_policy *p = mg_policy_new();
	const struct mg_model *m;
	char *s;

	assert_non_null(p);
	fx->pol = p;
	assert_int_equal(mg_policy_parse_buffer(p, "models", models, strlen(models), &fx->diags),
			 0);
	assert_int_equal(mg_policy_parse_buffer(p, "base", low, strlen(low), &fx->diags), 0);
	assert_null(p->dir);
	s = mg_policy_path(p, "keys/k.pem");
	assert_string_equal(s, "keys/k.pem");
	free(s);

	assert_int_equal(mg_policy_validate(p, &fx->diags), 0);
	m = &p->models[0];
	assert_string_equal(m->resolved_tier->name, "base");
	assert_string_equal(m->tier_reason, "defaultTier");
	/* Validating twice frees nothing twice and leaks nothing. */
	assert_int_equal(mg_policy_validate(p, &fx->diags), 0);
	assert_string_equal(m->tier_reason, "defaultTier");

	assert_int_equal(mg_policy_parse_buffer(p, "top", top, strlen(top), &fx->diags), 0);
	m = &p->models[0];
	assert_null(m->resolved_tier);
	assert_null(m->tier_reason);
	assert_int_equal(mg_policy_validate(p, &fx->diags), 0);
	assert_string_equal(m->resolved_tier->name, "top");
	assert_string_equal(m->tier_reason, "mmlu > 80 (mmlu = 90)");
	expect_count(fx, 0);
}

/* A document with an error in the new keys changes nothing either. */
static void test_parse_buffer_new_keys_error(void **state)
{
	static const char bad[] =
		API "defaultTier: general\nunknownWeights: allow\n"
		    "trustedKeys: [k.pem]\nmodels:\n  - {name: m, files: [/m], metrics: {x: y}}\n";
	struct fx *fx = *state;
	struct mg_policy *p = mg_policy_new();

	assert_non_null(p);
	fx->pol = p;
	assert_int_equal(mg_policy_parse_buffer(p, "bad", bad, strlen(bad), &fx->diags), -EINVAL);
	expect_count(fx, 1);
	assert_null(p->default_tier);
	assert_null(p->unknown_weights_loc.file);
	assert_int_equal(p->unknown_weights, MG_UNKNOWN_DENY);
	assert_int_equal(p->ntrusted_keys, 0);
	assert_int_equal(p->nmodels, 0);
	assert_int_equal(p->nsources, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_good_multi_file),
		T(test_default_tiers),
		T(test_defined_tiers_replace_defaults),
		T(test_mode_enforce_and_minimal_files),
		T(test_name_limits),
		T(test_level_limits),
		T(test_sorted_order),
		T(test_max_tiers_ok),
		T(test_file_at_size_limit),
		T(test_parse_buffer),
		T(test_parse_buffer_not_nul_terminated),
		T(test_validate_duplicates_in_memory),
		T(test_empty_folder),
		T(test_missing_folder),
		T(test_folder_is_a_file),
		T(test_unreadable_folder),
		T(test_unreadable_file),
		T(test_dangling_symlink),
		T(test_symlink_to_file),
		T(test_file_too_large),
		T(test_too_many_files),
		T(test_empty_file),
		T(test_comment_only_file),
		T(test_null_document),
		T(test_second_document),
		T(test_root_not_mapping),
		T(test_root_scalar),
		T(test_syntax_error),
		T(test_syntax_error_after_content),
		T(test_syntax_error_no_context),
		T(test_invalid_utf8),
		T(test_control_character),
		T(test_anchor),
		T(test_alias),
		T(test_tag),
		T(test_key_not_string),
		T(test_nul_in_string),
		T(test_too_deep),
		T(test_deep_enough),
		T(test_api_missing),
		T(test_api_wrong),
		T(test_api_not_string),
		T(test_mode_invalid),
		T(test_mode_null),
		T(test_unknown_top_key),
		T(test_unknown_tier_key),
		T(test_unknown_model_key),
		T(test_unknown_scope_key),
		T(test_duplicate_key),
		T(test_duplicate_top_key),
		T(test_missing_keys),
		T(test_files_not_list),
		T(test_files_item_not_string),
		T(test_files_empty),
		T(test_files_relative),
		T(test_name_not_string),
		T(test_tier_not_string),
		T(test_tiers_not_list),
		T(test_tiers_item_not_mapping),
		T(test_tiers_empty),
		T(test_models_null),
		T(test_scopes_item_not_mapping),
		T(test_egress_not_list),
		T(test_cgroup_not_string),
		T(test_max_tier_null),
		T(test_name_leading_dash),
		T(test_name_space),
		T(test_name_slash),
		T(test_name_empty),
		T(test_name_too_long),
		T(test_level_zero),
		T(test_level_over),
		T(test_level_negative),
		T(test_level_fraction),
		T(test_level_octal),
		T(test_level_huge),
		T(test_level_quoted),
		T(test_level_list),
		T(test_level_duplicate),
		T(test_too_many_tiers),
		T(test_duplicate_names),
		T(test_file_in_two_models),
		T(test_duplicate_cgroup),
		T(test_unknown_tier),
		T(test_all_errors_reported),
		T(test_no_cascade_from_broken_tiers),
		T(test_no_cascade_from_syntax_error),
		T(test_cgroup_relative),
		T(test_cgroup_root),
		T(test_cgroup_double_slash),
		T(test_cgroup_dotdot),
		T(test_cgroup_dotdot_end),
		T(test_cgroup_dot),
		T(test_cgroup_trailing_slash),
		T(test_cgroup_empty),
		T(test_cgroup_dots_in_names),
		T(test_egress_errors),
		T(test_full_example),
		T(test_full_defaults),
		T(test_unknown_weights_values),
		T(test_unknown_weights_invalid),
		T(test_unknown_weights_not_string),
		T(test_unknown_weights_twice_in_file),
		T(test_unknown_weights_twice),
		T(test_default_tier_in_other_file),
		T(test_default_tier_twice),
		T(test_default_tier_unknown),
		T(test_default_tier_not_string),
		T(test_trusted_keys_merged),
		T(test_trusted_keys_not_list),
		T(test_trusted_keys_empty_path),
		T(test_trusted_keys_long_path),
		T(test_requires_license),
		T(test_requires_license_yes),
		T(test_requires_license_quoted),
		T(test_requires_license_capital),
		T(test_requires_license_list),
		T(test_when_forms),
		T(test_when_bad_op),
		T(test_when_single_equals),
		T(test_when_no_op),
		T(test_when_reversed),
		T(test_when_empty),
		T(test_when_no_number),
		T(test_when_bad_number),
		T(test_when_two_numbers),
		T(test_when_hex),
		T(test_when_inf),
		T(test_when_nan),
		T(test_when_huge),
		T(test_when_long_metric),
		T(test_when_metric_dash),
		T(test_when_not_list),
		T(test_when_item_not_string),
		T(test_when_metric_32),
		T(test_when_too_many),
		T(test_when_at_limit),
		T(test_metrics_numbers),
		T(test_metric_name_digit),
		T(test_metric_name_dash),
		T(test_metric_name_long),
		T(test_metric_name_null),
		T(test_metric_quoted),
		T(test_metric_word),
		T(test_metric_inf),
		T(test_metric_hex),
		T(test_metric_huge),
		T(test_metric_bool),
		T(test_metric_null),
		T(test_metric_list),
		T(test_metric_key_list),
		T(test_metrics_not_mapping),
		T(test_metric_duplicate),
		T(test_metrics_too_many),
		T(test_metrics_at_limit),
		T(test_sha256_forms),
		T(test_sha256_short),
		T(test_sha256_long),
		T(test_sha256_not_hex),
		T(test_sha256_prefixed),
		T(test_sha256_list),
		T(test_sha256_null),
		T(test_sha256_empty_path),
		T(test_sha256_dotdot),
		T(test_sha256_dotdot_start),
		T(test_sha256_dotdot_end),
		T(test_sha256_not_mapping),
		T(test_sha256_duplicate),
		T(test_licenses_and_outputs),
		T(test_licenses_not_list),
		T(test_license_empty),
		T(test_outputs_not_list),
		T(test_output_relative),
		T(test_output_empty),
		T(test_output_dotdot),
		T(test_output_dot),
		T(test_gpus_forms),
		T(test_gpus_word),
		T(test_gpus_number),
		T(test_gpus_null),
		T(test_gpus_mapping),
		T(test_gpus_item_list),
		T(test_gpus_all_in_list),
		T(test_gpus_none_in_list),
		T(test_gpus_256),
		T(test_gpus_negative),
		T(test_gpus_leading_zero),
		T(test_gpus_fraction),
		T(test_gpus_quoted_index),
		T(test_gpus_word_in_list),
		T(test_gpus_bad_uuid),
		T(test_gpus_uuid_groups),
		T(test_gpus_uuid_not_hex),
		T(test_gpus_uuid_trailing),
		T(test_gpus_duplicate_index),
		T(test_gpus_duplicate_uuid),
		T(test_gpus_too_many),
		T(test_gpus_at_limit),
		T(test_scopes_at_limit),
		T(test_scopes_too_many),
		T(test_derive),
		T(test_derive_none),
		T(test_derive_default_tiers),
		T(test_derive_unknown_explicit),
		T(test_derive_no_cascade),
		T(test_derive_no_cascade_default_tier),
		T(test_derive_no_cascade_condition),
		T(test_derive_in_memory),
		T(test_parse_buffer_new_keys_error),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
