// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/audit_chain.h"
#include "daemon/eventlog.h"

/* Lines appended are written out in pieces of up to this many bytes. */
#define MG_EVENTLOG_BUF_BYTES (256u << 10)

struct mg_eventlog {
	char path[PATH_MAX];
	int fd;	       /* -1 when the file could not be (re)opened */
	uint64_t size; /* the file's size after the last write to it */
	char *buf;     /* whole lines appended, not written yet */
	size_t buf_len;
	uint64_t buf_lines;
	uint64_t max_bytes;
	unsigned int keep;
	bool syslog;
	int err; /* first error since mg_eventlog_flush() */
	struct mg_eventlog_stats stats;
	FILE *stream;
	char *line; /* the stream's unfinished line */
	size_t len, cap;
	bool skip;		      /* drop the rest of a line that could not be kept */
	struct mg_audit_chain *chain; /* seals each line; NULL: lines as given */
	struct mg_audit_mark batch;   /* the chain before the lines in buf */
	bool hold_rotation;	      /* a checkpoint closes the file, then it rotates */
};

static int mg_open_file(struct mg_eventlog *log)
{
	log->fd = open(log->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	return log->fd < 0 ? -errno : 0;
}

static int mg_old_name(const struct mg_eventlog *log, unsigned int i, char *buf)
{
	int n = snprintf(buf, PATH_MAX, "%s.%u", log->path, i);

	return n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int mg_eventlog_open(const char *dir, uint64_t max_bytes, unsigned int keep,
		     struct mg_eventlog **ret)
{
	struct mg_eventlog *log;
	struct stat st;
	int err;

	if (!dir || !*dir || keep > MG_EVENTLOG_KEEP_MAX)
		return -EINVAL;
	if (mkdir(dir, 0750) && errno != EEXIST)
		return -errno;
	log = calloc(1, sizeof(*log));
	if (!log)
		return -ENOMEM;
	log->max_bytes = max_bytes ? max_bytes : MG_EVENTLOG_MAX_BYTES_DEFAULT;
	log->keep = keep ? keep : MG_EVENTLOG_KEEP_DEFAULT;
	/* The longest rotated name must fit too. */
	if (snprintf(log->path, sizeof(log->path), "%s/%s", dir, MG_EVENTLOG_FILE) >=
	    (int)sizeof(log->path) - 4) {
		free(log);
		return -ENAMETOOLONG;
	}
	log->buf = malloc(MG_EVENTLOG_BUF_BYTES);
	if (!log->buf) {
		free(log);
		return -ENOMEM;
	}
	err = mg_open_file(log);
	if (err) {
		free(log->buf);
		free(log);
		return err;
	}
	if (fstat(log->fd, &st) == 0)
		log->size = st.st_size;
	*ret = log;
	return 0;
}

/* events.jsonl.(keep-1) -> .keep, ..., events.jsonl -> .1; then a new events.jsonl. */
static int mg_rotate(struct mg_eventlog *log)
{
	char from[PATH_MAX], to[PATH_MAX];

	close(log->fd);
	log->fd = -1;
	for (unsigned int i = log->keep - 1; i >= 1; i--) {
		if (mg_old_name(log, i, from) || mg_old_name(log, i + 1, to))
			return -ENAMETOOLONG;
		if (rename(from, to) && errno != ENOENT)
			return -errno;
	}
	if (mg_old_name(log, 1, to))
		return -ENAMETOOLONG;
	if (rename(log->path, to) && errno != ENOENT)
		return -errno;
	log->stats.rotations++;
	return mg_open_file(log);
}

/* Have an open file with room for @len more bytes; its size before them in *ret_size. */
static int mg_make_room(struct mg_eventlog *log, size_t len, off_t *ret_size)
{
	struct stat st;
	int err;

	if (log->fd < 0) {
		err = mg_open_file(log);
		if (err)
			return err;
	}
	if (fstat(log->fd, &st))
		return -errno;
	if (st.st_nlink == 0) {
		/* Removed under us: start a new file where it was. */
		close(log->fd);
		err = mg_open_file(log);
		if (err)
			return err;
		if (fstat(log->fd, &st))
			return -errno;
	}
	if (st.st_size > 0 && (uint64_t)st.st_size + len > log->max_bytes && !log->hold_rotation) {
		err = mg_rotate(log);
		if (err)
			return err;
		st.st_size = 0;
	}
	*ret_size = st.st_size;
	return 0;
}

static int mg_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Never leave part of a line for the next one to be glued to. */
static void mg_cut_back(int fd, off_t size)
{
	while (ftruncate(fd, size) < 0 && errno == EINTR)
		;
}

static void mg_note_lost(struct mg_eventlog *log, uint64_t lines, int err)
{
	log->stats.lost += lines;
	if (!log->err)
		log->err = err;
}

/*
 * @len bytes of @nlines whole lines into the file, rotated first when they
 * would make it too large. Either all of them are written or none is.
 */
static int mg_write_lines(struct mg_eventlog *log, const char *data, size_t len, uint64_t nlines)
{
	off_t size = 0;
	int err;

	err = mg_make_room(log, len, &size);
	if (!err) {
		err = mg_write_all(log->fd, data, len);
		if (err)
			mg_cut_back(log->fd, size);
	}
	if (err) {
		mg_note_lost(log, nlines, err);
		return err;
	}
	log->size = size + len;
	log->stats.lines += nlines;
	return 0;
}

/* Write out the lines appended so far. */
static int mg_drain(struct mg_eventlog *log)
{
	int err;

	if (!log->buf_len)
		return 0;
	err = mg_write_lines(log, log->buf, log->buf_len, log->buf_lines);
	/* Lines lost leave no gap in the chain: the next line follows the last one kept. */
	if (err && log->chain)
		mg_audit_chain_rewind(log->chain, &log->batch);
	log->buf_len = 0;
	log->buf_lines = 0;
	return err;
}

/* A line longer than the buffer: sealed in a buffer of its own, written at once. */
static int mg_write_long(struct mg_eventlog *log, const char *line, size_t len)
{
	struct mg_audit_mark mark;
	ssize_t n;
	char *out;
	int err;

	if (!log->chain)
		return mg_write_lines(log, line, len, 1);
	out = malloc(len + MG_AUDIT_SUFFIX_MAX);
	if (!out) {
		mg_note_lost(log, 1, -ENOMEM);
		return -ENOMEM;
	}
	mg_audit_chain_mark(log->chain, &mark);
	n = mg_audit_chain_seal(log->chain, line, len, out);
	err = n < 0 ? (int)n : mg_write_lines(log, out, n, 1);
	if (n < 0)
		mg_note_lost(log, 1, err);
	else if (err)
		mg_audit_chain_rewind(log->chain, &mark);
	free(out);
	return err;
}

/* Keep @len bytes of one line in the buffer (room checked), sealed when chained. */
static int mg_keep(struct mg_eventlog *log, const char *line, size_t len)
{
	ssize_t n = len;

	if (!log->buf_len && log->chain)
		mg_audit_chain_mark(log->chain, &log->batch);
	if (log->chain)
		n = mg_audit_chain_seal(log->chain, line, len, log->buf + log->buf_len);
	else
		memcpy(log->buf + log->buf_len, line, len);
	if (n < 0) {
		mg_note_lost(log, 1, (int)n);
		return (int)n;
	}
	log->buf_len += n;
	log->buf_lines++;
	return 0;
}

static void mg_to_syslog(const struct mg_eventlog *log, const char *line, size_t len)
{
	if (log->syslog)
		syslog(LOG_WARNING | LOG_AUTHPRIV, "%.*s", (int)(len - (line[len - 1] == '\n')),
		       line);
}

/*
 * A checkpoint after the lines kept, when one is due, written at once and
 * into the current file even when that takes it past max_bytes: a file
 * about to be rotated ends signed.
 */
static int mg_write_checkpoint(struct mg_eventlog *log, bool now_anyway)
{
	char line[MG_EVENT_CHECKPOINT_BUF];
	ssize_t n;
	int err;

	if (!log->chain || !mg_audit_chain_due(log->chain, now_anyway))
		return 0;
	mg_drain(log);
	/* Made last: it must be the next line sealed. */
	n = mg_audit_chain_checkpoint(log->chain, line, sizeof(line));
	if (n < 0)
		return (int)n;
	err = mg_keep(log, line, n);
	if (err)
		return err;
	/* Sealed, so that a copy kept off the host names its seq too. */
	mg_to_syslog(log, log->buf, log->buf_len);
	log->hold_rotation = true;
	err = mg_drain(log);
	log->hold_rotation = false;
	return err;
}

/* Before a line of up to @room bytes is kept: write out or rotate as it needs. */
static void mg_before_line(struct mg_eventlog *log, size_t room)
{
	/*
	 * Lines kept together never need the file rotated between them: a line
	 * that would go past max_bytes starts a new batch, and the rotation is
	 * decided when that batch is written, as it would be for the line alone.
	 */
	if (log->buf_len && (log->buf_len + room > MG_EVENTLOG_BUF_BYTES ||
			     log->size + log->buf_len + room > log->max_bytes))
		mg_drain(log);
	/* A chained file that is full ends with a checkpoint, then rotates. */
	if (log->chain && !log->buf_len && log->size > 0 && log->size + room > log->max_bytes &&
	    mg_audit_chain_due(log->chain, true) && !mg_write_checkpoint(log, true) &&
	    log->fd >= 0 && !mg_rotate(log))
		log->size = 0;
}

int mg_eventlog_append(struct mg_eventlog *log, const char *line, size_t len)
{
	size_t room = log->chain ? len + MG_AUDIT_SUFFIX_MAX : len;

	if (!len)
		return 0;
	mg_to_syslog(log, line, len);
	mg_before_line(log, room);
	if (room > MG_EVENTLOG_BUF_BYTES)
		return mg_write_long(log, line, len);
	return mg_keep(log, line, len);
}

int mg_eventlog_checkpoint(struct mg_eventlog *log, bool now_anyway)
{
	return mg_write_checkpoint(log, now_anyway);
}

int mg_eventlog_set_chain(struct mg_eventlog *log, struct mg_audit_chain *chain)
{
	int err = chain ? mg_audit_chain_resume(chain, log->path) : 0;

	if (err < 0)
		return err;
	mg_drain(log);
	log->chain = chain;
	return err;
}

int mg_eventlog_write(struct mg_eventlog *log, const char *line, size_t len)
{
	int err = mg_eventlog_append(log, line, len);

	return err ? err : mg_drain(log);
}

static int mg_line_append(struct mg_eventlog *log, const char *buf, size_t n)
{
	if (log->len + n > log->cap) {
		size_t cap = log->cap ? log->cap : 1024;
		char *p;

		while (cap < log->len + n)
			cap *= 2;
		p = realloc(log->line, cap);
		if (!p)
			return -ENOMEM;
		log->line = p;
		log->cap = cap;
	}
	memcpy(log->line + log->len, buf, n);
	log->len += n;
	return 0;
}

static ssize_t mg_stream_write(void *cookie, const char *buf, size_t size)
{
	struct mg_eventlog *log = cookie;
	size_t done = 0;

	while (done < size) {
		const char *p = buf + done;
		const char *nl = memchr(p, '\n', size - done);
		size_t n = nl ? (size_t)(nl - p) + 1 : size - done;

		done += n;
		if (log->skip) {
			log->skip = !nl;
		} else if (!log->len && nl) {
			mg_eventlog_write(log, p, n);
		} else if (mg_line_append(log, p, n)) {
			mg_note_lost(log, 1, -ENOMEM);
			log->len = 0;
			log->skip = !nl;
		} else if (nl) {
			mg_eventlog_write(log, log->line, log->len);
			log->len = 0;
		}
	}
	return size;
}

FILE *mg_eventlog_stream(struct mg_eventlog *log)
{
	cookie_io_functions_t io = { .write = mg_stream_write };

	if (log->stream)
		return log->stream;
	log->stream = fopencookie(log, "w", io);
	if (log->stream)
		setvbuf(log->stream, NULL, _IONBF, 0);
	return log->stream;
}

int mg_eventlog_flush(struct mg_eventlog *log)
{
	int err;

	if (log->stream)
		fflush(log->stream);
	mg_drain(log);
	err = log->err;
	log->err = 0;
	return err;
}

void mg_eventlog_set_syslog(struct mg_eventlog *log, bool on)
{
	if (on && !log->syslog)
		openlog("mguard", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	else if (!on && log->syslog)
		closelog();
	log->syslog = on;
}

void mg_eventlog_get_stats(const struct mg_eventlog *log, struct mg_eventlog_stats *ret)
{
	*ret = log->stats;
}

int mg_eventlog_reopen(struct mg_eventlog *log)
{
	struct stat st;
	int err;

	if (log->stream)
		fflush(log->stream);
	mg_drain(log);
	if (log->fd >= 0)
		close(log->fd);
	err = mg_open_file(log);
	if (err)
		return err;
	log->size = fstat(log->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

const char *mg_eventlog_path(const struct mg_eventlog *log)
{
	return log->path;
}

void mg_eventlog_close(struct mg_eventlog *log)
{
	if (!log)
		return;
	if (log->stream)
		fclose(log->stream);
	mg_drain(log);
	mg_eventlog_set_syslog(log, false);
	if (log->fd >= 0)
		close(log->fd);
	free(log->buf);
	free(log->line);
	free(log);
}
