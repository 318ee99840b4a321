// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The daemon's audit trail: the chain on its event file, and the host key that signs it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "core/diag.h"
#include "core/log.h"
#include "daemon/audit_chain.h"
#include "daemon/audit_trail.h"
#include "daemon/eventlog.h"
#include "license/license.h"

int mg_audit_trail_start(struct mg_eventlog *log, const char *key_path, unsigned int interval_s,
			 const struct mg_event_ctx *ctx, struct mg_audit_chain **ret)
{
	struct mg_signer *signer = NULL;
	struct mg_diags diags = {};
	struct mg_audit_chain *c;
	int err;

	if (key_path) {
		err = mg_signer_load(key_path, &signer, &diags);
		mg_diags_print(&diags, stderr);
		mg_diags_free(&diags);
		if (err)
			return mg_log_errno(err, "failed to load the audit key '%s'", key_path);
	}
	err = mg_audit_chain_new(signer, interval_s, ctx, &c);
	if (err) {
		mg_signer_free(signer);
		return mg_log_errno(err, "failed to start the audit chain");
	}
	err = mg_eventlog_set_chain(log, c);
	if (err < 0) {
		mg_audit_chain_free(c);
		return mg_log_errno(err, "failed to read the end of the audit chain in '%s'",
				    mg_eventlog_path(log));
	}
	if (err)
		mg_info("audit chain continues from '%s' at seq %" PRIu64, mg_eventlog_path(log),
			mg_audit_chain_next_seq(c));
	if (signer)
		mg_info("audit checkpoints signed with key %s every %u s", mg_signer_key_id(signer),
			interval_s ? interval_s : MG_AUDIT_INTERVAL_DEFAULT);
	*ret = c;
	return 0;
}
