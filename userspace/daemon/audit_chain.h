/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The writer's side of the audit trail (daemon/audit.h): the chain's state,
 * the fields each line gets as it is appended to the event file, and the
 * signed checkpoints.
 */
#ifndef MGUARD_AUDIT_CHAIN_H
#define MGUARD_AUDIT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/audit.h"

struct mg_audit_chain;
struct mg_event_ctx;
struct mg_signer;

/* Where the chain stood: taken before a batch of lines, put back when it is lost. */
struct mg_audit_mark {
	uint64_t seq;
	uint8_t head[MG_AUDIT_HASH_LEN];
	uint64_t since;
};

/*
 * A chain that starts at seq 1 after 64 zeros (mg_audit_chain_resume() may
 * continue an older one). With @signer (the chain takes it) checkpoints are
 * made, at most every @interval_s seconds (0: the default); their head of
 * line is made from @ctx, which must outlive the chain. Without one, lines
 * are chained but never signed. Returns 0 or -ENOMEM.
 */
int mg_audit_chain_new(struct mg_signer *signer, unsigned int interval_s,
		       const struct mg_event_ctx *ctx, struct mg_audit_chain **ret);
void mg_audit_chain_free(struct mg_audit_chain *c);

/*
 * Continue the chain whose last line is the last line of @path, or of
 * @path.1 when @path has none (a daemon restarted, or stopped right after a
 * rotation). Returns 1 when it continues one, 0 when there is none to
 * continue (the chain starts anew), or a negative errno.
 */
int mg_audit_chain_resume(struct mg_audit_chain *c, const char *path);

/* The seq the next line gets. */
uint64_t mg_audit_chain_next_seq(const struct mg_audit_chain *c);

/*
 * @line (@len bytes, a JSON object and its newline) with the chain fields
 * added before its closing brace, into @out, which has room for @len +
 * MG_AUDIT_SUFFIX_MAX bytes; the chain moves on by that line. Returns the
 * length written, or -EINVAL (nothing written) for a line that is not an
 * object and a newline.
 */
ssize_t mg_audit_chain_seal(struct mg_audit_chain *c, const char *line, size_t len, char *out);

void mg_audit_chain_mark(const struct mg_audit_chain *c, struct mg_audit_mark *ret);
void mg_audit_chain_rewind(struct mg_audit_chain *c, const struct mg_audit_mark *m);

/*
 * Whether a checkpoint is to be written now: a key, lines since the last
 * one, and, unless @now_anyway, the interval passed since it.
 */
bool mg_audit_chain_due(const struct mg_audit_chain *c, bool now_anyway);

/*
 * A checkpoint line, not yet sealed, that signs the chain's head, into @buf
 * of @size bytes: it must be the next line sealed. Returns its length, or
 * a negative errno (-ENOSPC when @size is too small).
 */
ssize_t mg_audit_chain_checkpoint(struct mg_audit_chain *c, char *buf, size_t size);

#endif /* MGUARD_AUDIT_CHAIN_H */
