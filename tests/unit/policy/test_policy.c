// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Policies that load: whole examples, the in-memory API, the full language. */
#include "policy_fixture.h"

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
		T(test_full_example),
		T(test_full_defaults),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
