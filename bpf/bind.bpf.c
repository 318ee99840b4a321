// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Binding in the kernel: when a cgroup is created in the cgroup2 hierarchy,
 * its path is matched against the selectors of the generation in force (and
 * of the one being filled, so a reload misses nothing); the first that
 * matches makes the cgroup a scope at once. The tracepoint fires before the
 * new folder is visible, so no process can enter the cgroup before it is
 * bound, and no daemon has to be running: a unit that restarts, or a
 * container that starts, is guarded from its first instruction. When the
 * cgroup is removed, its entries go too (ids are never reused).
 *
 * These programs only add and remove scope entries: they deny nothing.
 */
#include "common.bpf.h"
#include "mguard_glob.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * MG_MAX_SELECTORS);
	__type(key, struct mg_selector_key);
	__type(value, struct mg_selector_val);
} mg_selectors SEC(".maps") __weak;

/* The path being matched, and the matcher's state: too big for the stack. */
struct mg_bind_scratch {
	struct mg_glob glob;
	struct mg_selector_key key; /* the selector being matched */
	__u32 slen;
	__s32 result;
	char path[MG_CGROUP_PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mg_bind_scratch);
} mg_bind_scratch SEC(".maps");

struct mg_bind_ctx {
	__u64 cgid;
	__u32 gen; /* the generation whose selectors are matched */
	__u32 pad;
};

static long mg_glob_cb(__u32 i, void *ctx)
{
	const struct mg_selector_val *sel;
	struct mg_bind_scratch *sc;
	__u32 zero = 0;
	int r;

	sc = bpf_map_lookup_elem(&mg_bind_scratch, &zero);
	if (!sc)
		return 1;
	sel = bpf_map_lookup_elem(&mg_selectors, &sc->key);
	if (!sel) {
		sc->result = -1;
		return 1;
	}
	r = mg_glob_step(&sc->glob, sel->pattern, sel->len, sc->path, sc->slen);
	if (!r)
		return 0;
	sc->result = r;
	return 1;
}

/* Selector @i of one generation: stop at the first that matches, or at the last one. */
static long mg_selector_cb(__u32 i, void *ctx)
{
	struct mg_bind_ctx *b = ctx;
	const struct mg_selector_val *sel;
	struct mg_bind_scratch *sc;
	struct mg_scope_key skey = { .cgroup_id = b->cgid, .gen = b->gen };
	__u32 zero = 0;

	sc = bpf_map_lookup_elem(&mg_bind_scratch, &zero);
	if (!sc)
		return 1;
	sc->key.gen = b->gen;
	sc->key.index = i;
	sel = bpf_map_lookup_elem(&mg_selectors, &sc->key);
	if (!sel)
		return 1; /* indexes are contiguous: no more selectors */
	if (sel->flags & MG_SELECTOR_ANNOTATION)
		return 0; /* the OCI hook binds these, by the container's annotation */
	/* A cheap refusal first: the first bytes of a pattern are fixed ("/x..."). */
	if (sel->len > 1 && sel->pattern[1] != '*' && sel->pattern[1] != sc->path[1])
		return 0;
	__builtin_memset(&sc->glob, 0, sizeof(sc->glob));
	sc->result = -1;
	bpf_loop(MG_GLOB_MAX_STEPS, mg_glob_cb, NULL, 0);
	if (sc->result != 1)
		return 0;
	bpf_map_update_elem(&mg_scopes, &skey, &sel->scope, BPF_ANY);
	return 1;
}

SEC("raw_tp/cgroup_mkdir")
int BPF_PROG(mg_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	const struct mg_config *cfg = mg_config_get();
	struct mg_bind_ctx b = {};
	struct mg_bind_scratch *sc;
	__u32 zero = 0;
	long n;

	if (!cfg)
		return 0;
	/* cgroup2 is hierarchy 0; the v1 hierarchies of a hybrid host are not scopes. */
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	sc = bpf_map_lookup_elem(&mg_bind_scratch, &zero);
	if (!sc)
		return 0;
	n = bpf_probe_read_kernel_str(sc->path, sizeof(sc->path), path);
	if (n <= 1 || n >= MG_CGROUP_PATH_LEN)
		return 0; /* longer than any selector can name */
	sc->slen = n - 1;
	b.cgid = BPF_CORE_READ(cgrp, kn, id);
	b.gen = cfg->active_gen;
	bpf_loop(MG_MAX_SELECTORS, mg_selector_cb, &b, 0);
	/* A reload may be filling the next generation: its selectors bind too. */
	b.gen = cfg->active_gen + 1;
	bpf_loop(MG_MAX_SELECTORS, mg_selector_cb, &b, 0);
	return 0;
}

SEC("raw_tp/cgroup_rmdir")
int BPF_PROG(mg_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	const struct mg_config *cfg = mg_config_get();
	struct mg_scope_key key = {};

	if (!cfg || BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	key.cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	key.gen = cfg->active_gen;
	bpf_map_delete_elem(&mg_scopes, &key);
	key.gen = cfg->active_gen + 1;
	bpf_map_delete_elem(&mg_scopes, &key);
	bpf_map_delete_elem(&mg_scope_cache, &key.cgroup_id);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
