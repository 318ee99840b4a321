/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the files of the policy parser share, and nothing outside
 * userspace/policy/ includes: the parser of one file, the key-table reader
 * its section parsers build on, merge and validation.
 */
#ifndef MGUARD_POLICY_INTERNAL_H
#define MGUARD_POLICY_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "core/yaml_reader.h"
#include "policy/policy.h"

#define LOC_TEXT_MAX (PATH_MAX + 32)

/* Rules for paths written in a policy (mgp_path_ok). */
enum {
	PATH_ABSOLUTE = 1u << 0,  /* must start with '/' */
	PATH_NO_DOTDOT = 1u << 1, /* no '..' component */
	PATH_NO_DOTS = 1u << 2,	  /* no '.' or '..' component */
};

/* A key of a list in which repeated keys are errors (mgp_find_dups). */
struct item {
	const char *key;
	const char *owner; /* name of the entry it belongs to, or NULL */
	struct mg_loc loc;
	const struct item *first; /* the earlier item with the same key */
};

/* The keys a mapping may have. */
struct keytab {
	const char *where; /* "in tier": for "unknown key 'x' in tier" */
	const char *const *keys;
	size_t nkeys;
	unsigned int required;	   /* bit i: keys[i] must be present */
	unsigned int unsure_tiers; /* bit i: a repeated keys[i] may hide tiers */
};

/* The parser of one policy file. */
struct parser {
	struct mg_yaml y;	     /* its file is owned by part->sources */
	const struct mg_policy *dst; /* the policy this file is merged into */
	struct mg_policy *part;	     /* what this file defines */
	bool tiers_unsure;	     /* some tier of this file may be missing */
	bool derive_unsure;	     /* what gives some model its tier may be missing */
};

/* What a file with errors may have left out, so that checks built on it would mislead. */
enum {
	UNSURE_TIERS = 1u << 0,	 /* tiers: no reference checks */
	UNSURE_DERIVE = 1u << 1, /* what gives models their tier: no "has no tier" */
	UNSURE_ALL = UNSURE_TIERS | UNSURE_DERIVE,
};

/* ---- keys.c: the key-table reader --------------------------------------- */

/*
 * Room for element @n of an array built by the parser, whose room follows
 * from its count (so it stores none). 0 or -ENOMEM.
 */
int mgp_grow(void *arrp, size_t n, size_t size);

/* Set ->first of every item whose key an earlier item has; O(n log n). */
int mgp_find_dups(struct item *items, size_t n);

/* strcmp() for qsort() and bsearch() of an array of strings. */
int mgp_cmp_str(const void *a, const void *b);

/*
 * The current event is a value that must be a string. Returns 0 with a copy
 * in *ret, 1 when it is something else (reported with @bad), -1 to stop.
 */
int mgp_get_str(struct parser *p, const char *bad, char **ret, struct mg_loc *ret_loc);

/*
 * Next key of the mapping being read. Returns 1 with the key's index in *ret
 * and the value's first event current, 0 at the end of the mapping, or -1.
 * Unknown, duplicate and non-string keys are reported and skipped.
 */
int mgp_map_next(struct parser *p, const struct keytab *kt, struct mg_loc *seen, int *ret);

/* Report the keys of @kt that must be present and were not seen. */
void mgp_check_required(struct parser *p, const struct keytab *kt, const struct mg_loc *seen,
			struct mg_loc loc, const char *kind, const char *name);

/* A tier, model or scope name (@kind); 0, 1 when reported, -1 to stop. */
int mgp_get_name(struct parser *p, const char *kind, char **ret);

int mgp_get_bool(struct parser *p, const char *key, int *ret);

/*
 * Calls @add for each string of a list, with the string (which it takes), its
 * location and its index among the list's items; @key names the list.
 */
int mgp_parse_str_list(struct parser *p, const char *key, bool nonempty,
		       int (*add)(struct parser *, void *, char *, struct mg_loc, size_t),
		       void *arg);

/*
 * Calls @pair for each entry of a mapping with keys of the user's choosing,
 * with the key (which it takes), its location and its index, and the value's
 * first event current; @pair consumes the value.
 */
int mgp_parse_pairs(struct parser *p, const char *bad,
		    int (*pair)(struct parser *, void *, char *, struct mg_loc, size_t), void *arg);

/* Calls @entry for each mapping of a list, with its MAPPING_START current. */
int mgp_parse_entries(struct parser *p, const char *key, bool nonempty,
		      int (*entry)(struct parser *));

/* Report the items whose key an earlier item has, as repeated mapping keys. Frees @items. */
int mgp_report_dup_keys(struct parser *p, struct item *items, size_t n);

/* Append @s (which it takes) and @loc to a list of strings and their locations. */
int mgp_push_str(struct parser *p, char ***v, struct mg_loc **locs, size_t *n, char *s,
		 struct mg_loc loc);

/* Whether @s is usable as a @what ("license path") under @rules; reported when not. */
bool mgp_path_ok(struct parser *p, const char *what, const char *s, unsigned int rules,
		 struct mg_loc loc);

/* ---- The sections: one entry, its MAPPING_START current ----------------- */

int mgp_parse_tier(struct parser *p);  /* tiers.c */
int mgp_parse_model(struct parser *p); /* models.c */
int mgp_parse_scope(struct parser *p); /* scopes.c */

/* An 'egressBudget' mapping, its MAPPING_START current (budget.c). */
int mgp_parse_budget(struct parser *p, struct mg_egress_budget *ret);

/* ---- document.c, merge.c, validate.c ------------------------------------ */

/*
 * Parse one file into @policy. With @keep_partial, what was understood of a
 * file with errors is merged too (so cross-file checks can run on it), and
 * UNSURE_* bits are added to *unsure for what it may have left out.
 */
int mgp_parse_into(struct mg_policy *policy, const char *name, const char *buf, size_t len,
		   struct mg_diags *diags, bool keep_partial, unsigned int *unsure);

/* Forget the tiers resolved by an earlier validation (they point into dst->tiers). */
void mgp_forget_resolved(struct mg_policy *pol);

/* Move everything @src holds to the end of @dst; all or nothing. */
int mgp_merge(struct mg_policy *dst, struct mg_policy *src);

/* mg_policy_validate(), with the checks that @unsure (UNSURE_*) would mislead left out. */
int mgp_validate(struct mg_policy *pol, struct mg_diags *diags, unsigned int unsure);

/* Outputs that hold, or lie inside, a model's files (policy/overlap.c). */
void mgp_check_overlaps(struct mg_policy *pol, struct mg_sink *s);

#endif /* MGUARD_POLICY_INTERNAL_H */
