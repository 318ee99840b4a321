// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The policy model's life: a new, empty policy and freeing one. Parsing is
 * in document.c (one file) and load_dir.c (a folder), built on the
 * key-table reader of keys.c and the section parsers tiers.c, models.c and
 * scopes.c; merge.c and validate.c finish the job.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "mguard_abi.h"
#include "policy/policy.h"

/* The policy's limits and enums that the kernel side reads as the ABI's. */
_Static_assert(MG_POLICY_MAX_SCOPES == MG_MAX_SCOPES, "the scope limit is the ABI's");
_Static_assert((int)MG_POLICY_ENFORCE == (int)MG_MODE_ENFORCE, "enum mg_policy_mode is mg_mode");
_Static_assert((int)MG_POLICY_AUDIT == (int)MG_MODE_AUDIT, "enum mg_policy_mode is mg_mode");
_Static_assert((int)MG_UNKNOWN_DENY == (int)MG_UNKNOWN_READS_DENY,
	       "enum mg_unknown_weights is mg_unknown_reads");
_Static_assert((int)MG_UNKNOWN_AUDIT == (int)MG_UNKNOWN_READS_AUDIT,
	       "enum mg_unknown_weights is mg_unknown_reads");
_Static_assert((int)MG_UNKNOWN_ALLOW == (int)MG_UNKNOWN_READS_ALLOW,
	       "enum mg_unknown_weights is mg_unknown_reads");
/* A tier level is the ABI's __u16 mg_inode_val.tier; 0xffff is the compiler's "refused". */
_Static_assert(MG_POLICY_MAX_LEVEL < 0xffff &&
		       sizeof(((struct mg_inode_val *)0)->tier) == sizeof(__u16),
	       "tier levels fit the ABI's tier field");
_Static_assert(MG_EGRESS_TCP == MG_PROTO_TCP, "egress protocols are the ABI's");
_Static_assert(MG_EGRESS_UDP == MG_PROTO_UDP, "egress protocols are the ABI's");

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct mg_policy *mg_policy_new(void)
{
	return calloc(1, sizeof(struct mg_policy));
}

void mg_policy_free(struct mg_policy *policy)
{
	if (!policy)
		return;
	for (size_t i = 0; i < policy->ntiers; i++) {
		struct mg_tier *t = &policy->tiers[i];

		free(t->name);
		for (size_t j = 0; j < t->nwhen; j++) {
			free(t->when[j].metric);
			free(t->when[j].text);
		}
		free(t->when);
	}
	for (size_t i = 0; i < policy->nmodels; i++) {
		struct mg_model *m = &policy->models[i];

		free(m->name);
		free(m->tier);
		free_strs(m->files, m->nfiles);
		free(m->file_locs);
		for (size_t j = 0; j < m->nmetrics; j++)
			free(m->metrics[j].name);
		free(m->metrics);
		for (size_t j = 0; j < m->ndigests; j++)
			free(m->digests[j].path);
		free(m->digests);
		for (size_t j = 0; j < m->nverity; j++)
			free(m->verity[j].path);
		free(m->verity);
		free(m->tier_reason);
	}
	for (size_t i = 0; i < policy->nscopes; i++) {
		struct mg_scope *sc = &policy->scopes[i];

		free(sc->name);
		free(sc->cgroup);
		free(sc->max_tier);
		free(sc->egress);
		free_strs(sc->licenses, sc->nlicenses);
		free(sc->license_locs);
		free_strs(sc->outputs, sc->noutputs);
		free(sc->output_locs);
		free_strs(sc->unix_sockets, sc->nunix_sockets);
		free(sc->unix_socket_locs);
		free_strs(sc->devices, sc->ndevices);
		free(sc->device_locs);
		free_strs(sc->reads, sc->nreads);
		free(sc->read_locs);
		for (size_t j = 0; j < sc->ngpus; j++)
			free(sc->gpus[j].uuid);
		free(sc->gpus);
	}
	free_strs(policy->sources, policy->nsources);
	free_strs(policy->trusted_keys, policy->ntrusted_keys);
	free(policy->trusted_key_locs);
	free(policy->tiers);
	free(policy->models);
	free(policy->scopes);
	free(policy->default_tier);
	free(policy->dir);
	free(policy);
}
