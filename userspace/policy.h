/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The policy model: what the YAML files in a policy folder say, after
 * parsing and validation, before anything is resolved against the system.
 * Nothing here touches the kernel or libbpf.
 */
#ifndef MGUARD_POLICY_H
#define MGUARD_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define MG_POLICY_API_VERSION "mguard/v1"

/* Limits on input, checked while parsing (absurd input is an error). */
#define MG_POLICY_MAX_FILES	256		/* YAML files in a folder */
#define MG_POLICY_MAX_FILE_SIZE	(16u << 20)	/* bytes per YAML file */
#define MG_POLICY_MAX_DEPTH	16		/* YAML nesting */
#define MG_POLICY_MAX_NAME	63		/* tier, model and scope names */
#define MG_POLICY_MAX_TIERS	16

enum mg_policy_mode {
	MG_POLICY_ENFORCE = 0,
	MG_POLICY_AUDIT,
};

struct mg_tier {
	char *name;
	unsigned int level;		/* 1.. ; higher is more restricted */
	struct mg_loc loc;
};

struct mg_model {
	char *name;
	char *tier;			/* tier name as written */
	char **files;			/* absolute paths: files or folders */
	struct mg_loc *file_locs;
	size_t nfiles;
	struct mg_loc loc;
	struct mg_loc tier_loc;
};

/* One egress allow-list entry: ADDR[/LEN][:PORT[-PORT]][/tcp|/udp]. */
struct mg_egress_rule {
	uint8_t addr[16];		/* IPv4 stored IPv4-mapped (::ffff:a.b.c.d) */
	unsigned int prefixlen;		/* over the 128-bit form (v4 /8 -> 104) */
	uint16_t port_lo, port_hi;	/* inclusive; 0-65535 when not given */
	uint8_t protos;			/* MG_EGRESS_TCP | MG_EGRESS_UDP */
	struct mg_loc loc;
};

#define MG_EGRESS_TCP (1u << 0)
#define MG_EGRESS_UDP (1u << 1)

struct mg_scope {
	char *name;
	char *cgroup;			/* path below the cgroup2 mount, starts with '/' */
	char *max_tier;			/* tier name as written */
	struct mg_egress_rule *egress;
	size_t negress;
	struct mg_loc loc;
	struct mg_loc cgroup_loc;
	struct mg_loc max_tier_loc;
};

struct mg_policy {
	enum mg_policy_mode mode;
	struct mg_loc mode_loc;		/* where mode was set; .file NULL when not set */
	struct mg_tier *tiers;
	size_t ntiers;
	struct mg_model *models;
	size_t nmodels;
	struct mg_scope *scopes;
	size_t nscopes;
	char **sources;			/* the files read, owned; mg_loc.file points here */
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
int mg_policy_parse_buffer(struct mg_policy *policy, const char *name,
			   const char *buf, size_t len, struct mg_diags *diags);

/*
 * Cross-file checks: unique tier, model and scope names, unique tier levels,
 * no cgroup used by two scopes, known tier references,
 * at most MG_POLICY_MAX_TIERS tiers. A policy without tiers gets the default
 * ones (general=1, controlled=2, prohibited=3) first. Returns 0, -EINVAL
 * (errors appended to @diags) or -ENOMEM.
 */
int mg_policy_validate(struct mg_policy *policy, struct mg_diags *diags);

struct mg_policy *mg_policy_new(void);
void mg_policy_free(struct mg_policy *policy);

const struct mg_tier *mg_policy_find_tier(const struct mg_policy *policy, const char *name);

/*
 * Parse one egress entry. Returns 0, or -EINVAL with a message in *ret_err
 * ("prefix length 33 is over 32 for IPv4"), *ret untouched. The message is
 * held in thread-local storage, valid until this thread's next call.
 */
int mg_egress_parse(const char *text, struct mg_egress_rule *ret, const char **ret_err);

#endif /* MGUARD_POLICY_H */
