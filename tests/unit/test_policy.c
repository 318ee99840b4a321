// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"

#define API "apiVersion: mguard/v1\n"

/* One entry of a block "models:" list, three lines. */
#define MODEL(name, tier, files)                                                   \
	"  - name: " name "\n    tier: " tier "\n    files: " files "\n"

static char base[1024];

struct fx {
	char dir[PATH_MAX];
	struct mg_diags diags;
	struct mg_policy *pol;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP)
		chmod(path, 0700);
	return remove(path);
}

static int group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(base, sizeof(base), "%s/mguard-policy-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(base) ? 0 : -1;
}

static int group_teardown(void **state)
{
	return nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	static unsigned int seq;
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/t%u", base, ++seq);
	if (mkdir(fx->dir, 0700)) {
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
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static const char *path_of(const struct fx *fx, const char *name)
{
	static char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	return path;
}

static void put(const struct fx *fx, const char *name, const char *text)
{
	FILE *f = fopen(path_of(fx, name), "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
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

#define ERROR_TEST(fn, text, line, col, msg)                                       \
	static void fn(void **state)                                               \
	{                                                                          \
		expect_one(*state, text, line, col, msg);                          \
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
	    API "models:\n" MODEL("m", "prohibited", "[/m]")
		"scopes:\n  - {name: s, cgroup: /s, maxTier: controlled}\n");
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
	put(fx, "b.yaml", API "tiers: [{name: high, level: 20}]\nmodels:\n" MODEL("m", "general", "[/m]"));
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
	static const char bad[] = API "models:\n" MODEL("n", "general", "[/n]")
		"  - {name: o, tier: general, files: [o]}\n";
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
	assert_int_equal(mg_policy_parse_buffer(p, "mode", mode, strlen(mode), &fx->diags), -EINVAL);
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
	assert_int_equal(mg_policy_parse_buffer(p, "b", text, strlen(API "mode: audit\n"),
						&fx->diags), 0);
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
	check_diag(fx, 0, NULL, 0, 0,
		   "cannot open policy folder '%D': No such file or directory");
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
	check_diag(fx, 0, "p.yaml", 3, 5, "missing key 'tier' in model 'm'");
	check_diag(fx, 1, "p.yaml", 3, 5, "missing key 'files' in model 'm'");
	check_diag(fx, 2, "p.yaml", 4, 4,
		   "did not find expected '-' indicator (while parsing a block collection at 3:3)");
	expect_count(fx, 3);
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
ERROR_TEST(test_api_not_string, "apiVersion: [mguard/v1]\n", 1, 13,
	   "'apiVersion' must be a string")
ERROR_TEST(test_mode_invalid, API "mode: strict\n", 2, 7,
	   "invalid mode 'strict' (expected enforce or audit)")
ERROR_TEST(test_mode_null, API "mode: ~\n", 2, 7, "'mode' must be a string")
ERROR_TEST(test_unknown_top_key, API "model:\n  - name: m\n", 2, 1,
	   "unknown key 'model' at top level")
ERROR_TEST(test_unknown_tier_key, API "tiers:\n  - {name: a, level: 1, colour: red}\n", 3, 25,
	   "unknown key 'colour' in tier")
ERROR_TEST(test_unknown_model_key, API "models:\n" MODEL("m", "general", "[/m]") "    size: 7\n",
	   6, 5, "unknown key 'size' in model")
ERROR_TEST(test_unknown_scope_key,
	   API "scopes:\n  - name: s\n    cgroup: /s\n    maxTier: general\n    Egress: []\n", 6, 5,
	   "unknown key 'Egress' in scope")
ERROR_TEST(test_duplicate_key,
	   API "models:\n  - name: m\n    tier: general\n    tier: general\n    files: [/m]\n", 5, 5,
	   "duplicate key 'tier' (first defined at %D/p.yaml:4:5)")
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
	check_diag(fx, 2, "p.yaml", 6, 5, "missing key 'tier' in model 'm'");
	check_diag(fx, 3, "p.yaml", 6, 5, "missing key 'files' in model 'm'");
	check_diag(fx, 4, "p.yaml", 7, 5, "missing key 'name' in model");
	check_diag(fx, 5, "p.yaml", 7, 5, "missing key 'tier' in model");
	check_diag(fx, 6, "p.yaml", 9, 5, "missing key 'name' in scope");
	check_diag(fx, 7, "p.yaml", 9, 5, "missing key 'cgroup' in scope");
	check_diag(fx, 8, "p.yaml", 9, 5, "missing key 'maxTier' in scope");
	expect_count(fx, 9);
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
ERROR_TEST(test_cgroup_not_string,
	   API "scopes: [{name: s, cgroup: {a: b}, maxTier: general}]\n", 2, 28,
	   "'cgroup' must be a string")
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
ERROR_TEST(test_name_too_long,
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
LEVEL_TEST(test_level_fraction, "1.5", "invalid tier level '1.5' (must be an integer from 1 to 1000)")
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
	    API "tiers: [{name: t, level: 1}]\n"
		"models:\n" MODEL("m", "t", "[/a]")
		"scopes: [{name: s, cgroup: /a, maxTier: t}]\n");
	put(fx, "b.yaml",
	    API "tiers: [{name: t, level: 2}]\n"
		"models:\n" MODEL("m", "t", "[/b]")
		"scopes: [{name: s, cgroup: /b, maxTier: t}]\n");
	assert_int_equal(load(fx), -EINVAL);
	check_diag(fx, 0, "b.yaml", 2, 9, "duplicate tier name 't' (first defined at %D/a.yaml:2:9)");
	check_diag(fx, 1, "b.yaml", 4, 5, "duplicate model name 'm' (first defined at %D/a.yaml:4:5)");
	check_diag(fx, 2, "b.yaml", 7, 10, "duplicate scope name 's' (first defined at %D/a.yaml:7:10)");
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
	    API "models:\n" MODEL("m", "lowe", "[/m]")
		"scopes: [{name: s, cgroup: /s, maxTier: Low}]\n");
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
	put(fx, "b.yaml", API "models:\n" MODEL("m", "silver", "[/m]") MODEL("n", "bronze", "[/n]"));
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
	check_diag(fx, 1, "p.yaml", 9, 9,
		   "invalid egress '10.1.0.0/8': address has bits set beyond /8 (the network is 10.0.0.0/8)");
	check_diag(fx, 2, "p.yaml", 10, 9, "'egress' must be a list of strings");
	expect_count(fx, 3);
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
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
