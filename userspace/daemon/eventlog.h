/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The daemon's event file: JSON lines appended to DIR/events.jsonl, rotated
 * by size (events.jsonl -> events.jsonl.1 -> ... -> events.jsonl.KEEP), and
 * optionally forwarded to syslog. A line is always written whole to one file.
 */
#ifndef MGUARD_EVENTLOG_H
#define MGUARD_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MG_EVENTLOG_DIR_DEFAULT	      "/var/log/mguard"
#define MG_EVENTLOG_FILE	      "events.jsonl"
#define MG_EVENTLOG_MAX_BYTES_DEFAULT (64ull << 20)
#define MG_EVENTLOG_KEEP_DEFAULT      5
#define MG_EVENTLOG_KEEP_MAX	      100

struct mg_eventlog;

struct mg_eventlog_stats {
	uint64_t lines; /* lines written to the file */
	uint64_t lost;	/* lines that could not be written */
	uint64_t rotations;
};

/*
 * Open (creating it 0640, and @dir 0750 when missing) @dir/events.jsonl for
 * appending. @max_bytes 0 and @keep 0 take the defaults; @keep above
 * MG_EVENTLOG_KEEP_MAX is -EINVAL. Returns 0 or a negative errno.
 */
int mg_eventlog_open(const char *dir, uint64_t max_bytes, unsigned int keep,
		     struct mg_eventlog **ret);

/*
 * Write one line of @len bytes, its newline included, now (with the lines
 * appended before it). When it would make the file larger than max_bytes,
 * the file is rotated first; a line longer than max_bytes goes alone into a
 * fresh file. Returns 0, or a negative errno (the line is then counted as
 * lost; the next write tries again).
 */
int mg_eventlog_write(struct mg_eventlog *log, const char *line, size_t len);

/*
 * Keep one line for the next write: lines are written out together, in large
 * pieces, when enough have gathered and at mg_eventlog_write(),
 * mg_eventlog_flush() and mg_eventlog_close(), rotated as if written one by
 * one. An error met writing them out counts them as lost and is returned by
 * mg_eventlog_flush(). Returns 0, or a negative errno when the line was
 * written at once (longer than what is kept) and could not be.
 */
int mg_eventlog_append(struct mg_eventlog *log, const char *line, size_t len);

/*
 * Write out the lines appended, flush the stream (when there is one) and
 * return the first error met by a line since the last call, or 0.
 */
int mg_eventlog_flush(struct mg_eventlog *log);

/*
 * A write-only stream on the log: what is written to it is kept until a
 * newline and each line is then passed to mg_eventlog_write(). It belongs to
 * @log (do not fclose it). NULL with errno set when it cannot be made.
 */
FILE *mg_eventlog_stream(struct mg_eventlog *log);

/*
 * Also send each line to syslog (ident "mguard", LOG_AUTHPRIV, LOG_WARNING)
 * when it is written or appended.
 */
void mg_eventlog_set_syslog(struct mg_eventlog *log, bool on);

void mg_eventlog_get_stats(const struct mg_eventlog *log, struct mg_eventlog_stats *ret);

/*
 * Write out the lines appended (to the file open until now), then close it
 * and open DIR/events.jsonl anew: after logrotate has renamed the file
 * (SIGUSR2 from its postrotate), the next lines go to a new file. Returns 0
 * or a negative errno (the next write tries to open it again).
 */
int mg_eventlog_reopen(struct mg_eventlog *log);

struct mg_audit_chain;

/* Room for a checkpoint line of the audit trail. */
#define MG_EVENT_CHECKPOINT_BUF 1024

/*
 * Seal every line written from now on into @chain (daemon/audit_chain.h),
 * which continues the chain found at the end of the file; the log does not
 * take it (it must outlive the log, or be set back to NULL). A file about to
 * be rotated first gets a checkpoint line, when the chain has a key, so it
 * may grow past max_bytes by that line. Returns 1 when an earlier chain is
 * continued, 0 when it starts anew, or a negative errno.
 */
int mg_eventlog_set_chain(struct mg_eventlog *log, struct mg_audit_chain *chain);

/*
 * Append a checkpoint line signing the chain's head when one is due (see
 * mg_audit_chain_due()). Returns 0 (also when none is due) or a negative errno.
 */
int mg_eventlog_checkpoint(struct mg_eventlog *log, bool now_anyway);

/* The path of the current file. */
const char *mg_eventlog_path(const struct mg_eventlog *log);

/*
 * Write out the lines appended, close the stream and the file; a line left
 * without its newline in the stream is lost.
 */
void mg_eventlog_close(struct mg_eventlog *log);

#endif /* MGUARD_EVENTLOG_H */
