/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The audit trail: every line of the event file ends with its place in a
 * hash chain, ',"seq":N,"prev":"<hex SHA-256 of the line before>"}', and
 * the daemon signs the chain's head now and then in a "checkpoint" line
 * (docs/events.md). This header holds what the writer (audit_chain.c) and
 * the checker (audit_verify.c) must agree on.
 */
#ifndef MGUARD_AUDIT_H
#define MGUARD_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MG_AUDIT_HASH_LEN	  32
#define MG_AUDIT_HEX_LEN	  (2 * MG_AUDIT_HASH_LEN)
#define MG_AUDIT_INTERVAL_DEFAULT 10 /* seconds between checkpoints */
/* ',"seq":' 20 digits ',"prev":"' 64 hex '"}' and the newline. */
#define MG_AUDIT_SUFFIX_MAX	 (7 + 20 + 9 + MG_AUDIT_HEX_LEN + 2 + 1)
#define MG_AUDIT_CANONICAL_MAGIC "mguard-audit-checkpoint-v1\n"
/* Room for the canonical text of a checkpoint. */
#define MG_AUDIT_CANONICAL_MAX 256

/* The chain fields at the end of a line (its newline already removed). */
struct mg_audit_link {
	uint64_t seq;
	uint8_t prev[MG_AUDIT_HASH_LEN];
	size_t body_len; /* bytes before ',"seq":' */
};

/*
 * Parse the chain fields that end @line (@len bytes, no newline). Returns 0,
 * or -EINVAL when the line does not end with them.
 */
int mg_audit_parse_link(const char *line, size_t len, struct mg_audit_link *ret);

/*
 * The bytes a checkpoint's signature covers, NUL-terminated in @buf:
 * "mguard-audit-checkpoint-v1\n" then "seq=N\nhead=HEX\nlines=N\nkey_id=ID\n"
 * (seq: the checkpoint line's own; head: the hash of the line before it).
 * Returns the length.
 */
size_t mg_audit_canonical(char buf[MG_AUDIT_CANONICAL_MAX], uint64_t seq,
			  const uint8_t head[MG_AUDIT_HASH_LEN], uint64_t lines,
			  const char *key_id);

#endif /* MGUARD_AUDIT_H */
