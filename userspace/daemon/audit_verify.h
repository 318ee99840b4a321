/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The checker's side of the audit trail (daemon/audit.h): follow the chain
 * through event files, check every link and every checkpoint's signature,
 * and name the first line where it breaks.
 */
#ifndef MGUARD_AUDIT_VERIFY_H
#define MGUARD_AUDIT_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct mg_keyring;

enum mg_audit_result {
	MG_AUDIT_INTACT = 0,
	MG_AUDIT_TAMPERED = 1,
	MG_AUDIT_IO_ERROR = 2,
};

struct mg_audit_verify_opts {
	const struct mg_keyring *ring; /* checks the checkpoints; NULL: not checked */
	bool strict;		       /* an unsigned tail or unchecked signatures fail */
	FILE *out;		       /* each problem and warning, one line each */
};

struct mg_audit_summary {
	uint64_t lines;
	uint64_t first_seq, last_seq;
	uint64_t checkpoints;	/* signatures checked and good */
	uint64_t unchecked;	/* checkpoints not checked (no keyring) */
	uint64_t unsigned_tail; /* lines after the last good checkpoint */
	uint64_t restarts;	/* the chain started anew inside the files */
};

/*
 * Check @n event files: they are taken in the order of their first seq
 * (rotation order, whatever the order given). Every problem found is
 * written to @o->out as "FILE:LINE: ..."; checking stops at the first
 * broken link. Returns an enum mg_audit_result; @ret is filled as far as
 * the check went.
 */
int mg_audit_verify(const char *const *paths, size_t n, const struct mg_audit_verify_opts *o,
		    struct mg_audit_summary *ret);

#endif /* MGUARD_AUDIT_VERIFY_H */
