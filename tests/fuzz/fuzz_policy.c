// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for the policy parser: one document parsed from memory,
 * then validated.
 *
 * Built with the core, policy and licence layers (the Makefile's FUZZ_LIB):
 *   make build/fuzz/fuzz_policy
 *   build/fuzz/fuzz_policy -max_total_time=60 CORPUS_DIR policies/default
 */
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_diags diags = { 0 };
	struct mg_policy *policy;

	if (size > MG_POLICY_MAX_FILE_SIZE)
		return 0;
	policy = mg_policy_new();
	if (!policy)
		return 0;
	mg_policy_parse_buffer(policy, "fuzz.yaml", (const char *)data, size, &diags);
	mg_policy_validate(policy, &diags);
	mg_policy_free(policy);
	mg_diags_free(&diags);
	return 0;
}
