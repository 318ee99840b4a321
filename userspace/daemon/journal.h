/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Events to journald as structured entries (--journal): MESSAGE= holds the
 * event's JSON line, and MGUARD_SCOPE=, MGUARD_VERDICT=, MGUARD_HOOK=,
 * MGUARD_PID= and the rest let `journalctl MGUARD_VERDICT=deny` select them.
 */
#ifndef MGUARD_JOURNAL_H
#define MGUARD_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "compile/compile.h"
#include "mguard_abi.h"

#define MG_JOURNAL_FIELDS 16

/* How an entry is sent: sd_journal_sendv() unless a test puts its own. */
typedef int (*mg_journal_sendv_fn)(const struct iovec *iov, int n);

struct mg_journal {
	mg_journal_sendv_fn sendv;
	struct iovec iov[MG_JOURNAL_FIELDS];
	int n;
	char *buf; /* the fields' text, one after the other */
	size_t cap;
	uint64_t sent, failed;
	int last_err; /* the negative errno of the last failed send; 0: none */
};

/* @sendv NULL: sd_journal_sendv. */
void mg_journal_init(struct mg_journal *j, mg_journal_sendv_fn sendv);

/*
 * The fields of event @e in j->iov (j->n of them), @img naming its scope;
 * @line (@len bytes, a newline at the end left out) is the MESSAGE=.
 * Returns 0 or -ENOMEM.
 */
int mg_journal_fields(struct mg_journal *j, const struct mg_event *e, const struct mg_image *img,
		      const char *line, size_t len);

/*
 * Build the fields and send them. Returns 0, or the negative errno of the
 * send (counted in j->failed, kept in j->last_err; the caller decides
 * whether to warn).
 */
int mg_journal_send(struct mg_journal *j, const struct mg_event *e, const struct mg_image *img,
		    const char *line, size_t len);

void mg_journal_free(struct mg_journal *j);

#endif /* MGUARD_JOURNAL_H */
