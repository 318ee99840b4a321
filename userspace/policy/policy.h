/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The policy model: what the YAML files in a policy folder say, after
 * parsing and validation, before anything is resolved against the system.
 * Nothing here touches the kernel or libbpf.
 */
#ifndef MGUARD_POLICY_H
#define MGUARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"

#define MG_POLICY_API_VERSION "mguard/v1"

/* Limits on input, checked while parsing (absurd input is an error). */
#define MG_POLICY_MAX_FILES	256	    /* YAML files in a folder */
#define MG_POLICY_MAX_FILE_SIZE (16u << 20) /* bytes per YAML file */
#define MG_POLICY_MAX_DEPTH	16	    /* YAML nesting */
#define MG_POLICY_MAX_NAME	63	    /* tier, model and scope names */
#define MG_POLICY_MAX_TIERS	16
#define MG_POLICY_MAX_LEVEL	1000 /* tier levels are 1 to this */

#define MG_POLICY_MAX_CONDITIONS  16   /* 'when' entries per tier */
#define MG_POLICY_MAX_METRICS	  64   /* per model */
#define MG_POLICY_MAX_METRIC_NAME 32   /* [A-Za-z][A-Za-z0-9_]{0,31} */
#define MG_POLICY_MAX_GPUS	  64   /* per scope */
#define MG_POLICY_MAX_SCOPES	  1024 /* MG_MAX_SCOPES of bpf/mguard_abi.h */

enum mg_policy_mode {
	MG_POLICY_ENFORCE = 0,
	MG_POLICY_AUDIT,
};

/* What happens to weight-like files that belong to no registered model. */
enum mg_unknown_weights {
	MG_UNKNOWN_DENY = 0, /* the default: fail closed */
	MG_UNKNOWN_AUDIT,
	MG_UNKNOWN_ALLOW,
};

enum mg_cond_op {
	MG_COND_GE = 0, /* >= */
	MG_COND_GT,	/* >  */
	MG_COND_LE,	/* <= */
	MG_COND_LT,	/* <  */
	MG_COND_EQ,	/* == */
};

/* One 'when' condition of a tier: "METRIC OP NUMBER", e.g. "mmlu >= 85". */
struct mg_condition {
	char *metric;
	enum mg_cond_op op;
	double value;
	char *text; /* as written, for explanations */
	struct mg_loc loc;
};

struct mg_tier {
	char *name;
	unsigned int level;	   /* 1.. ; higher is more restricted */
	int requires_license;	   /* a scope reaches its models only through a licence */
	struct mg_condition *when; /* any one holding puts a model in this tier */
	size_t nwhen;
	struct mg_loc loc;
};

struct mg_metric {
	char *name;
	double value;
	struct mg_loc loc;
};

/*
 * An expected SHA-256 of one of a model's files; under 'verity', its
 * expected fs-verity file digest (SHA-256, 4096-byte blocks) instead.
 */
struct mg_digest {
	char *path; /* absolute, or relative to one of the model's folders */
	uint8_t sha256[32];
	struct mg_loc loc;
};

struct mg_model {
	char *name;
	char *tier;   /* tier name as written; NULL: derived from metrics */
	char **files; /* absolute paths: files or folders */
	struct mg_loc *file_locs;
	size_t nfiles;
	struct mg_metric *metrics;
	size_t nmetrics;
	struct mg_digest *digests;
	size_t ndigests;
	struct mg_digest *verity; /* 'verity': each path also under 'sha256' */
	size_t nverity;
	int manifest_strict; /* 'manifest: strict': only the files under 'sha256' are the model's */
	struct mg_loc manifest_loc;
	struct mg_loc loc;
	struct mg_loc tier_loc;
	/* Set by mg_policy_validate(): the tier in force and why. */
	const struct mg_tier *resolved_tier;
	char *tier_reason; /* "explicit", "mmlu >= 85 (mmlu = 92.1)", "defaultTier" */
};

/* A GPU a scope may use: an index, a UUID, or every GPU. */
enum mg_gpu_kind {
	MG_GPU_INDEX = 0,
	MG_GPU_UUID,
	MG_GPU_ALL,
};

struct mg_gpu {
	enum mg_gpu_kind kind;
	unsigned int index; /* MG_GPU_INDEX */
	char *uuid;	    /* MG_GPU_UUID: "GPU-xxxxxxxx-..." as written */
	struct mg_loc loc;
};

/* One egress allow-list entry: ADDR[/LEN][:PORT[-PORT]][/tcp|/udp]. */
struct mg_egress_rule {
	uint8_t addr[16];	   /* IPv4 stored IPv4-mapped (::ffff:a.b.c.d) */
	unsigned int prefixlen;	   /* over the 128-bit form (v4 /8 -> 104) */
	uint16_t port_lo, port_hi; /* inclusive; 0-65535 when not given */
	uint8_t protos;		   /* MG_EGRESS_TCP | MG_EGRESS_UDP */
	struct mg_loc loc;
};

#define MG_EGRESS_TCP (1u << 0)
#define MG_EGRESS_UDP (1u << 1)

/* How a scope's cgroups become the scope. */
enum mg_scope_bind {
	MG_BIND_CGROUP = 0, /* the kernel binds every cgroup at its path or matching its pattern */
	MG_BIND_ANNOTATION, /* mguard oci-hook binds containers annotated mguard.io/scope: NAME */
};

/*
 * An egress budget: what a scope's sockets may send per window, counted in
 * the kernel on every packet; the packets over it are dropped.
 */
struct mg_egress_budget {
	uint64_t bytes;	 /* 0: no budget */
	uint64_t per_ns; /* the window */
	struct mg_loc loc;
};

#define MG_BUDGET_MIN_PER_S 1
#define MG_BUDGET_MAX_PER_S (30ull * 86400) /* 30 days */

struct mg_scope {
	char *name;
	char *cgroup;	     /* path below the cgroup2 mount, starts with '/'; or a pattern */
	bool cgroup_pattern; /* from 'cgroupPattern': '*' matches within one component */
	enum mg_scope_bind bind;
	struct mg_loc bind_loc;
	char *max_tier; /* tier name as written */
	struct mg_egress_rule *egress;
	size_t negress;
	char **licenses; /* licence files: absolute, or relative to the policy folder */
	struct mg_loc *license_locs;
	size_t nlicenses;
	char **outputs; /* absolute folders it may write under */
	struct mg_loc *output_locs;
	size_t noutputs;
	char **reads; /* folders (or files) it may read besides the system's */
	struct mg_loc *read_locs;
	size_t nreads;
	char **unix_sockets; /* UNIX sockets (or folders of them) it may connect to */
	struct mg_loc *unix_socket_locs;
	size_t nunix_sockets;
	char **devices; /* block devices and guarded nodes (/dev/mem, tun) it may open */
	struct mg_loc *device_locs;
	size_t ndevices;
	struct mg_gpu *gpus; /* none: no GPU at all ('gpus: none' or absent) */
	size_t ngpus;
	int allow_debug; /* others may trace it and read its memory; it may dump core */
	struct mg_loc loc;
	struct mg_loc cgroup_loc;
	struct mg_loc max_tier_loc;
	struct mg_egress_budget budget; /* egressBudget */
};

struct mg_policy {
	char *dir; /* the policy folder, when loaded from one */
	enum mg_policy_mode mode;
	struct mg_loc mode_loc; /* where mode was set; .file NULL when not set */
	enum mg_unknown_weights unknown_weights;
	struct mg_loc unknown_weights_loc;
	char *default_tier; /* tier name, or NULL */
	struct mg_loc default_tier_loc;
	char **trusted_keys; /* Ed25519 public keys (PEM): absolute or relative to dir */
	struct mg_loc *trusted_key_locs;
	size_t ntrusted_keys;
	struct mg_tier *tiers;
	size_t ntiers;
	struct mg_model *models;
	size_t nmodels;
	struct mg_scope *scopes;
	size_t nscopes;
	char **sources; /* the files read, owned; mg_loc.file points here */
	size_t nsources;
};

/*
 * Parse every regular *.yaml / *.yml file of @dir (sorted by name with
 * strcmp; names starting with '.' are skipped), merge them, and validate the
 * result. All errors are appended to @diags (file:line:col). Returns 0 and a
 * policy in *ret, or a negative errno: -EINVAL when the policy has errors,
 * -ENOMEM; *ret is untouched on error.
 */
int mg_policy_load_dir(const char *dir, struct mg_policy **ret, struct mg_diags *diags);

/*
 * Parse one YAML document held in memory and merge it into @policy; @name is
 * used in diagnostics and kept in policy->sources. Returns 0, -EINVAL when
 * the document has errors (all appended to @diags; @policy unchanged), or
 * -ENOMEM (@policy unchanged).
 */
int mg_policy_parse_buffer(struct mg_policy *policy, const char *name, const char *buf, size_t len,
			   struct mg_diags *diags);

/*
 * Cross-file checks: unique tier, model and scope names, unique tier levels,
 * no cgroup used by two scopes, known tier references (models, maxTier,
 * defaultTier), at most MG_POLICY_MAX_TIERS tiers and MG_POLICY_MAX_SCOPES
 * scopes, and a tier for every model: sets each model's resolved_tier and
 * tier_reason with mg_policy_model_tier(). A policy without tiers gets the
 * default ones (general=1, controlled=2, prohibited=3) first. Returns 0,
 * -EINVAL (errors appended to @diags) or -ENOMEM. resolved_tier points into
 * policy->tiers: it is reset when a later document adds tiers.
 */
int mg_policy_validate(struct mg_policy *policy, struct mg_diags *diags);

struct mg_policy *mg_policy_new(void);
void mg_policy_free(struct mg_policy *policy);

const struct mg_tier *mg_policy_find_tier(const struct mg_policy *policy, const char *name);

/*
 * The tier of @model: its explicit 'tier'; else the tier of highest level
 * any of whose 'when' conditions holds on the model's metrics (a missing
 * metric holds no condition); else the policy's 'defaultTier'. Returns the
 * tier and a malloc'd explanation in *ret_reason (when @ret_reason is not
 * NULL), or NULL with errno ENOENT when none applies (an explicit tier that
 * does not exist applies none), ENOMEM when out of memory.
 */
const struct mg_tier *mg_policy_model_tier(const struct mg_policy *policy,
					   const struct mg_model *model, char **ret_reason);

/*
 * Resolve @path (absolute, or relative to the policy folder) into a new
 * string; a relative path is returned as it is when the policy has no
 * folder (parsed from memory). NULL when out of memory.
 */
char *mg_policy_path(const struct mg_policy *policy, const char *path);

/*
 * Parse one 'when' condition, "METRIC OP NUMBER" with optional whitespace
 * between the tokens, into ret->metric (allocated), ->op and ->value; ->text
 * and ->loc are left to the caller. Returns 0, -ENOMEM, or -EINVAL with a
 * message in *ret_err ("expected >=, >, <=, < or =="), held in thread-local
 * storage and valid until this thread's next call; *ret untouched on error.
 */
int mg_condition_parse(const char *text, struct mg_condition *ret, const char **ret_err);

/*
 * Parse a finite decimal number, as YAML writes one: an optional sign, digits
 * with an optional fraction, an optional exponent ("85", "-3", ".5", "1.2e24").
 * Returns 0, -EINVAL when @text is not such a number, -ERANGE when it is
 * beyond a double.
 */
int mg_number_parse(const char *text, double *ret);

/* Whether @name is a metric name: [A-Za-z][A-Za-z0-9_]{0,31}. */
bool mg_metric_name_valid(const char *name);

/*
 * Parse one egress entry. Returns 0, or -EINVAL with a message in *ret_err
 * ("prefix length 33 is over 32 for IPv4"), *ret untouched. The message is
 * held in thread-local storage, valid until this thread's next call.
 */
int mg_egress_parse(const char *text, struct mg_egress_rule *ret, const char **ret_err);

/*
 * Parse a size: a whole number of bytes, or one followed by a unit (B, KiB,
 * MiB, GiB, TiB; kB, MB, GB, TB in powers of 1000), e.g. "200MiB". Returns 0,
 * -EINVAL (not a size, or 0), or -ERANGE (over 2^63 bytes).
 */
int mg_size_parse(const char *text, uint64_t *ret);

/*
 * Parse a duration: a whole number followed by s, m or h ("90s", "1h").
 * Returns 0 with nanoseconds in *ret, -EINVAL, or -ERANGE (outside
 * MG_BUDGET_MIN_PER_S .. MG_BUDGET_MAX_PER_S).
 */
int mg_duration_parse(const char *text, uint64_t *ret_ns);

#endif /* MGUARD_POLICY_H */
