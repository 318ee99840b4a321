// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The compiler: files to inodes, scopes to cgroup ids, egress to tries. */
#include "unit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/compile.h"
#include "license/license.h"
#include "core/util.h"

static struct mg_tier tiers[] = {
	{ .name = "general", .level = 1 },
	{ .name = "prohibited", .level = 3 },
};

static char tmpdir[] = "/tmp/mg-compile-XXXXXX";

static void write_file(const char *rel, const char *text)
{
	unit_put(unit_path(tmpdir, rel), text, strlen(text));
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(tmpdir));
	mkdir(unit_path(tmpdir, "big"), 0755);
	mkdir(unit_path(tmpdir, "big/sub"), 0755);
	mkdir(unit_path(tmpdir, "cg"), 0755); /* stands in for a cgroup folder */
	write_file("big/a.safetensors", "a");
	write_file("big/sub/b.gguf", "b");
	write_file("small.gguf", "s");
	return 0;
}

static int teardown(void **state)
{
	return unit_rm_tree(tmpdir);
}

static struct mg_egress_rule rule(const char *text)
{
	struct mg_egress_rule r;
	const char *err = NULL;

	assert_int_equal(mg_egress_parse(text, &r, &err), 0);
	return r;
}

static void test_folders_expand_and_highest_tier_wins(void **state)
{
	char big[512], small[512], dup[512];
	char *big_files[] = { big };
	char *small_files[] = { small, dup };
	struct mg_model models[] = {
		{ .name = "frontier", .resolved_tier = &tiers[1], .files = big_files, .nfiles = 1 },
		{ .name = "tiny", .resolved_tier = &tiers[0], .files = small_files, .nfiles = 2 },
	};
	struct mg_policy p = { .tiers = tiers, .ntiers = 2, .models = models, .nmodels = 2 };
	struct mg_compile_opts opts = { .cgroup_root = tmpdir };
	struct mg_diags diags = {};
	struct mg_image *img = NULL;
	struct stat st;

	snprintf(big, sizeof(big), "%s/big/", tmpdir);
	snprintf(small, sizeof(small), "%s/small.gguf", tmpdir);
	/* The same inode listed by a general model too: the prohibited tier must win. */
	snprintf(dup, sizeof(dup), "%s/big/a.safetensors", tmpdir);

	assert_int_equal(mg_compile(&p, &opts, &img, &diags), 0);
	assert_int_equal(diags.n, 0);
	/* Three files, and the folder: files created in it later are the model's too. */
	assert_int_equal(img->ninodes, 4);
	snprintf(dup, sizeof(dup), "%s/big", tmpdir);
	assert_int_equal(stat(dup, &st), 0);
	const struct mg_image_inode *dir =
		mg_image_find_inode(img, mg_kernel_dev(st.st_dev), st.st_ino);
	assert_non_null(dir);
	assert_int_equal(dir->val.flags, MG_INODE_DIR);
	snprintf(dup, sizeof(dup), "%s/big/a.safetensors", tmpdir);

	assert_int_equal(stat(dup, &st), 0);
	const struct mg_image_inode *in =
		mg_image_find_inode(img, mg_kernel_dev(st.st_dev), st.st_ino);
	assert_non_null(in);
	assert_int_equal(in->val.tier, 3);
	assert_string_equal(mg_image_model_name(img, in->val.model_id), "frontier");
	assert_string_equal(mg_image_tier_name(img, 3), "prohibited");
	assert_null(mg_image_tier_name(img, 2));
	mg_image_free(img);
}

static void test_missing_file_is_an_error(void **state)
{
	char *files[] = { "/nonexistent/mguard/model.bin" };
	struct mg_model models[] = {
		{ .name = "ghost",
		  .resolved_tier = &tiers[0],
		  .files = files,
		  .nfiles = 1,
		  .loc = { .file = "p.yaml", .line = 3, .col = 5 } },
	};
	struct mg_policy p = { .tiers = tiers, .ntiers = 2, .models = models, .nmodels = 1 };
	struct mg_compile_opts opts = { .cgroup_root = tmpdir };
	struct mg_diags diags = {};
	struct mg_image *img = NULL;

	assert_int_equal(mg_compile(&p, &opts, &img, &diags), -EINVAL);
	assert_null(img);
	assert_int_equal(diags.n, 1);
	assert_string_equal(
		diags.v[0].msg,
		"model 'ghost': cannot use '/nonexistent/mguard/model.bin': No such file or directory");
	assert_int_equal(diags.v[0].line, 3);
	mg_diags_free(&diags);
}

static void test_scope_cgroup_resolves_to_its_id(void **state)
{
	struct mg_scope scopes[] = {
		{ .name = "a", .cgroup = "/cg", .max_tier = "general" },
		{ .name = "b", .cgroup = "/cg", .max_tier = "general" },
		{ .name = "c", .cgroup = "/missing", .max_tier = "general" },
	};
	struct mg_policy p = { .tiers = tiers, .ntiers = 2, .scopes = scopes, .nscopes = 1 };
	struct mg_compile_opts opts = { .cgroup_root = tmpdir };
	struct mg_diags diags = {};
	struct mg_image *img = NULL;
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/cg", tmpdir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(mg_compile(&p, &opts, &img, &diags), 0);
	assert_int_equal(img->nscopes, 1);
	assert_int_equal(img->scopes[0].cgroup_id, st.st_ino);
	assert_int_equal(img->scopes[0].val.scope_id, 1);
	assert_int_equal(img->scopes[0].val.max_tier, 1);
	mg_image_free(img);

	/* Two scopes on one cgroup, and a cgroup that does not exist. */
	p.nscopes = 3;
	assert_int_equal(mg_compile(&p, &opts, &img, &diags), -EINVAL);
	assert_int_equal(diags.n, 2);
	assert_string_equal(diags.v[0].msg, "scope 'b': cgroup '/cg' is already scope 'a'");
	assert_string_equal(diags.v[1].msg,
			    "scope 'c': cgroup '/missing': No such file or directory");
	mg_diags_free(&diags);
}

static bool has_path_inode(const struct mg_image *img, const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	for (size_t i = 0; i < img->npath_inodes; i++)
		if (img->path_inodes[i].ino == st.st_ino &&
		    img->path_inodes[i].dev == mg_kernel_dev(st.st_dev))
			return true;
	return false;
}

/* Output folders get MG_INODE_PATHS: on a model's entry, or listed once apart. */
static void test_output_folders_are_marked_for_the_walk(void **state)
{
	char big[512], out[512], cg[512];
	char *big_files[] = { big };
	char *outs[] = { out };
	char *reads[] = { big };
	struct mg_model models[] = {
		{ .name = "frontier", .resolved_tier = &tiers[1], .files = big_files, .nfiles = 1 },
	};
	struct mg_scope scopes[] = {
		{ .name = "a",
		  .cgroup = "/cg",
		  .max_tier = "general",
		  .outputs = outs,
		  .noutputs = 1,
		  .reads = reads,
		  .nreads = 1 },
		{ .name = "b",
		  .cgroup = "/cg/b",
		  .max_tier = "general",
		  .outputs = outs,
		  .noutputs = 1 },
	};
	struct mg_policy p = { .tiers = tiers,
			       .ntiers = 2,
			       .models = models,
			       .nmodels = 1,
			       .scopes = scopes,
			       .nscopes = 2 };
	struct mg_compile_opts opts = { .cgroup_root = tmpdir };
	struct mg_diags diags = {};
	struct mg_image *img = NULL;
	struct stat st;
	size_t n;

	snprintf(big, sizeof(big), "%s/big", tmpdir);
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	snprintf(cg, sizeof(cg), "%s/cg/b", tmpdir);
	mkdir(out, 0755);
	mkdir(cg, 0755);
	assert_int_equal(mg_compile(&p, &opts, &img, &diags), 0);
	assert_int_equal(diags.n, 0);

	/* A model folder that is also a readable folder: marked on its own entry. */
	assert_int_equal(stat(big, &st), 0);
	const struct mg_image_inode *dir =
		mg_image_find_inode(img, mg_kernel_dev(st.st_dev), st.st_ino);
	assert_non_null(dir);
	assert_int_equal(dir->val.flags, MG_INODE_DIR | MG_INODE_PATHS);
	assert_false(has_path_inode(img, big));
	/* An output folder of two scopes: one entry apart. */
	assert_true(has_path_inode(img, out));
	n = 0;
	for (size_t i = 0; i < img->npath_inodes; i++) {
		assert_true(i == 0 || img->path_inodes[i - 1].dev < img->path_inodes[i].dev ||
			    (img->path_inodes[i - 1].dev == img->path_inodes[i].dev &&
			     img->path_inodes[i - 1].ino < img->path_inodes[i].ino));
		n += img->path_inodes[i].gen == 0;
	}
	assert_int_equal(n, img->npath_inodes);
	/* No model file is marked unless it is such a folder. */
	for (size_t i = 0; i < img->ninodes; i++)
		if (&img->inodes[i] != dir)
			assert_int_equal(img->inodes[i].val.flags & MG_INODE_PATHS, 0);
	mg_image_free(img);
	rmdir(cg);
	rmdir(out);
}

static const struct mg_image_egress *find_prefix(const struct mg_image_egress *v, size_t n,
						 unsigned int prefixlen)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].key.prefixlen == MG_EGRESS_KEY_FIXED_BITS + prefixlen)
			return &v[i];
	return NULL;
}

static void test_egress_longer_prefixes_inherit_ports(void **state)
{
	struct mg_egress_rule rules[] = {
		rule("10.0.0.0/8:443/tcp"),
		rule("10.1.0.0/16:80"),
		rule("10.1.0.0/16:8000-8100/udp"),
		rule("192.168.0.0/16:53/udp"),
	};
	struct mg_scope s = { .name = "s", .egress = rules, .negress = 4 };
	struct mg_image_egress *v = NULL;
	size_t n = 0, cap = 0;
	struct mg_diags diags = {};
	const struct mg_image_egress *e;

	assert_int_equal(mg_compile_egress(&s, 7, &v, &n, &cap, &diags), 0);
	assert_int_equal(n, 3);

	e = find_prefix(v, n, 96 + 16); /* 10.1.0.0/16: its own two ranges plus /8's */
	assert_non_null(e);
	assert_int_equal(e->key.scope_id, 7);
	assert_int_equal(e->val.nranges, 3);
	e = find_prefix(v, n, 96 + 8); /* 10.0.0.0/8 does not get the /16's ranges */
	assert_non_null(e);
	assert_int_equal(e->val.nranges, 1);
	assert_int_equal(e->val.ranges[0].lo, 443);
	assert_int_equal(e->val.ranges[0].protos, MG_PROTO_TCP);
	free(v);
}

static void test_egress_too_many_ranges(void **state)
{
	struct mg_egress_rule rules[MG_MAX_PORT_RANGES + 1];
	struct mg_scope s = { .name = "wide", .egress = rules, .negress = MG_MAX_PORT_RANGES + 1 };
	struct mg_image_egress *v = NULL;
	size_t n = 0, cap = 0;
	struct mg_diags diags = {};
	char text[64];

	for (int i = 0; i <= MG_MAX_PORT_RANGES; i++) {
		snprintf(text, sizeof(text), "10.0.0.0/8:%d", 1000 + i);
		rules[i] = rule(text);
	}
	assert_int_equal(mg_compile_egress(&s, 1, &v, &n, &cap, &diags), -E2BIG);
	assert_int_equal(diags.n, 1);
	assert_string_equal(diags.v[0].msg,
			    "scope 'wide': more than 8 port ranges apply to one egress prefix");
	mg_diags_free(&diags);
	free(v);
}

static void test_digest_mismatch_refuses_the_model(void **state)
{
	char small[512];
	char *files[] = { small };
	struct mg_digest digests[] = {
		/* sha256("s") */
		{ .path = "small.gguf", .loc = { .file = "p.yaml", .line = 7, .col = 9 } },
	};
	struct mg_model models[] = {
		{ .name = "tiny",
		  .resolved_tier = &tiers[0],
		  .files = files,
		  .nfiles = 1,
		  .digests = digests,
		  .ndigests = 1 },
	};
	struct mg_policy p = { .tiers = tiers, .ntiers = 2, .models = models, .nmodels = 1 };
	struct mg_compile_opts opts = { .cgroup_root = tmpdir };
	struct mg_diags diags = {};
	struct mg_image *img = NULL;
	char abs[600];

	snprintf(small, sizeof(small), "%s/small.gguf", tmpdir);
	snprintf(abs, sizeof(abs), "%s", small);
	digests[0].path = abs;
	assert_int_equal(mg_digest_parse_hex(
				 "043a718774c572bd8a25adbeb1bfcd5c0256ae11cecf9f9c3f925d0e52beaf89",
				 digests[0].sha256),
			 0);
	assert_int_equal(mg_compile(&p, &opts, &img, &diags), 0);
	assert_int_equal(diags.n, 0);
	assert_int_equal(img->model_tiers[0], 1);
	mg_image_free(img);

	/* One byte off: the model is refused, its file denied to every scope. */
	digests[0].sha256[0] ^= 1;
	assert_int_equal(mg_compile(&p, &opts, &img, &diags), 0);
	assert_int_equal(diags.n, 1);
	assert_true(diags.v[0].warning);
	assert_non_null(strstr(diags.v[0].msg, "model 'tiny' refused: '"));
	assert_non_null(strstr(diags.v[0].msg, "small.gguf' has SHA-256 043a7187"));
	assert_int_equal(img->model_tiers[0], MG_TIER_REFUSED);
	assert_int_equal(img->inodes[0].val.tier, MG_TIER_REFUSED);
	assert_string_equal(mg_image_tier_name(img, MG_TIER_REFUSED), "refused");
	mg_diags_free(&diags);
	mg_image_free(img);
}

/* A file's fs-verity digest becomes its (dev, ino) entry; a refused model gives none. */
static void test_verity_digests_by_inode(void **state)
{
	char big[512];
	char *files[] = { big };
	struct mg_digest digests[] = { { .path = "a.safetensors" } };
	struct mg_digest verity[] = { { .path = "a.safetensors" } };
	struct mg_model models[] = {
		{ .name = "big",
		  .resolved_tier = &tiers[0],
		  .files = files,
		  .nfiles = 1,
		  .digests = digests,
		  .ndigests = 1,
		  .verity = verity,
		  .nverity = 1 },
	};
	struct mg_policy p = { .tiers = tiers, .ntiers = 2, .models = models, .nmodels = 1 };
	struct mg_compile_opts opts = { .cgroup_root = tmpdir };
	struct mg_diags diags = {};
	struct mg_image *img = NULL;
	struct stat st;

	snprintf(big, sizeof(big), "%s/big", tmpdir);
	/* sha256("a") */
	assert_int_equal(mg_digest_parse_hex(
				 "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
				 digests[0].sha256),
			 0);
	memset(verity[0].sha256, 0xab, sizeof(verity[0].sha256));
	assert_int_equal(stat(unit_path(tmpdir, "big/a.safetensors"), &st), 0);
	assert_int_equal(mg_compile(&p, &opts, &img, &diags), 0);
	assert_int_equal(diags.n, 0);
	assert_int_equal(img->nverity, 1);
	assert_int_equal(img->verity[0].key.ino, st.st_ino);
	assert_int_equal(img->verity[0].key.dev, mg_kernel_dev(st.st_dev));
	assert_int_equal(img->verity[0].key.gen, 0);
	assert_memory_equal(img->verity[0].val.digest, verity[0].sha256, MG_VERITY_DIGEST_LEN);
	assert_non_null(strstr(img->verity[0].path, "big/a.safetensors"));
	mg_image_free(img);

	/* Its SHA-256 wrong: refused, and no fs-verity entry to compare. */
	digests[0].sha256[0] ^= 1;
	assert_int_equal(mg_compile(&p, &opts, &img, &diags), 0);
	assert_int_equal(img->model_tiers[0], MG_TIER_REFUSED);
	assert_int_equal(img->nverity, 0);
	mg_diags_free(&diags);
	mg_image_free(img);
}

static void sign(const char *dir, const char *name, const char *scope, const char *key, int64_t nb,
		 int64_t na)
{
	char text[1024], path[600], tb[MG_LICENSE_TIME_LEN], ta[MG_LICENSE_TIME_LEN];
	struct mg_diags diags = {};
	struct mg_license *l;
	FILE *f;

	mg_license_format_time(nb, tb);
	mg_license_format_time(na, ta);
	snprintf(text, sizeof(text),
		 "apiVersion: mguard/v1\nkind: License\nid: %s\nuseCase: test\nscope: %s\n"
		 "models: [big]\nnotBefore: %s\nnotAfter: %s\nissuer: t\n",
		 name, scope, tb, ta);
	assert_int_equal(mg_license_parse_buffer(name, text, strlen(text), &l, &diags), 0);
	assert_int_equal(mg_license_sign(l, key, &diags), 0);
	snprintf(path, sizeof(path), "%s/%s.lic", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(mg_license_write(l, f), 0);
	fclose(f);
	mg_license_free(l);
}

static void test_licences_grant_and_refuse(void **state)
{
	struct mg_tier ltiers[] = {
		{ .name = "general", .level = 1 },
		{ .name = "controlled", .level = 2, .requires_license = 1 },
	};
	char big[512], key[600], pub[600], dir[512];
	char *files[] = { big };
	struct mg_model models[] = {
		{ .name = "big", .resolved_tier = &ltiers[1], .files = files, .nfiles = 1 },
	};
	char *lics[] = { "good.lic", "expired.lic", "other.lic", "rogue.lic" };
	struct mg_scope scopes[] = {
		{ .name = "a",
		  .cgroup = "/cg",
		  .max_tier = "controlled",
		  .licenses = lics,
		  .nlicenses = 4 },
	};
	char *keys[] = { "issuer.pub" };
	struct mg_policy p = { .tiers = ltiers,
			       .ntiers = 2,
			       .models = models,
			       .nmodels = 1,
			       .scopes = scopes,
			       .nscopes = 1,
			       .trusted_keys = keys,
			       .ntrusted_keys = 1 };
	struct mg_compile_opts opts = { .cgroup_root = tmpdir,
					.now = 2000000000,
					.boot_ns_at_now = 1000 };
	struct mg_diags diags = {};
	struct mg_image *img = NULL;

	snprintf(dir, sizeof(dir), "%s/lic", tmpdir);
	mkdir(dir, 0700);
	p.dir = dir;
	snprintf(big, sizeof(big), "%s/big/", tmpdir);
	snprintf(key, sizeof(key), "%s/issuer.key", dir);
	snprintf(pub, sizeof(pub), "%s/issuer.pub", dir);
	assert_int_equal(mg_license_keygen(key, pub, &diags), 0);
	sign(dir, "good", "a", key, 1900000000, 2000003600);
	sign(dir, "expired", "a", key, 1900000000, 1999999999);
	sign(dir, "other", "b", key, 1900000000, 2000003600);
	snprintf(key, sizeof(key), "%s/rogue.key", dir);
	snprintf(pub, sizeof(pub), "%s/rogue.pub", dir);
	assert_int_equal(mg_license_keygen(key, pub, &diags), 0);
	sign(dir, "rogue", "a", key, 1900000000, 2000003600);

	assert_int_equal(mg_compile(&p, &opts, &img, &diags), 0);
	/* Only the good licence grants; its notAfter in CLOCK_BOOTTIME terms. */
	assert_int_equal(img->nlicenses, 1);
	assert_string_equal(img->licenses[0].id, "good");
	assert_int_equal(img->licenses[0].key.scope_id, 1);
	assert_int_equal(img->licenses[0].key.model_id, 1);
	assert_true(img->licenses[0].val.not_after_boot_ns == 1000 + 3600ULL * 1000000000ULL);
	assert_int_equal(img->inodes[0].val.flags & MG_INODE_REQUIRES_LICENSE,
			 MG_INODE_REQUIRES_LICENSE);
	assert_int_equal(diags.n, 3);
	assert_non_null(
		strstr(diags.v[0].msg, "expired.lic' refused: expired on 2033-05-18T03:33:19Z"));
	assert_non_null(strstr(diags.v[1].msg, "other.lic' refused: issued to scope 'b', not 'a'"));
	assert_non_null(
		strstr(diags.v[2].msg, "rogue.lic' refused: signature matches no trusted key"));
	assert_int_equal(mg_diags_errors(&diags), 0);
	mg_diags_free(&diags);
	mg_image_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folders_expand_and_highest_tier_wins),
		cmocka_unit_test(test_missing_file_is_an_error),
		cmocka_unit_test(test_scope_cgroup_resolves_to_its_id),
		cmocka_unit_test(test_output_folders_are_marked_for_the_walk),
		cmocka_unit_test(test_egress_longer_prefixes_inherit_ports),
		cmocka_unit_test(test_egress_too_many_ranges),
		cmocka_unit_test(test_digest_mismatch_refuses_the_model),
		cmocka_unit_test(test_verity_digests_by_inode),
		cmocka_unit_test(test_licences_grant_and_refuse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
