/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The daemon's audit trail: the chain on its event file, and the host key that signs it. */
#ifndef MGUARD_AUDIT_TRAIL_H
#define MGUARD_AUDIT_TRAIL_H

struct mg_audit_chain;
struct mg_event_ctx;
struct mg_eventlog;

/*
 * Chain every line of @log from now on, continuing the chain its file ends
 * with; sign checkpoints every @interval_s seconds (0: the default) with the
 * private key at @key_path, or make none when it is NULL. A key that cannot
 * be read, is not Ed25519 or is readable by every user is refused. Logs
 * why and returns a negative errno on failure; 0 and the chain (to free
 * after mg_eventlog_close()) in *ret.
 */
int mg_audit_trail_start(struct mg_eventlog *log, const char *key_path, unsigned int interval_s,
			 const struct mg_event_ctx *ctx, struct mg_audit_chain **ret);

#endif /* MGUARD_AUDIT_TRAIL_H */
