// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Follow the audit chain through event files: every line's seq follows the
 * one before, its prev is the SHA-256 of the line before, and every
 * checkpoint signs the head it names with a trusted key.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/base64.h"
#include "core/hex.h"
#include "core/util.h"
#include "daemon/audit.h"
#include "daemon/audit_verify.h"
#include "license/license.h"

#define MG_AUDIT_FILE_MAX  ((size_t)4 << 30)
#define MG_AUDIT_LOOKAHEAD 64 /* lines searched for a seq that came too early */

struct mg_vfile {
	const char *path;
	char *buf;
	size_t len;
	uint64_t first_seq; /* UINT64_MAX: no chained first line */
	size_t index;	    /* as given: the order among equal first seqs */
};

/* One line as the check sees it. */
struct mg_vline {
	const struct mg_vfile *f;
	size_t lineno;
	const char *s;
	size_t len; /* without the newline */
	bool newline;
	struct mg_audit_link link;
	uint8_t hash[MG_AUDIT_HASH_LEN];
};

struct mg_vstate {
	const struct mg_audit_verify_opts *o;
	struct mg_audit_summary *sum;
	bool have_prev;
	struct mg_vline prev;
	uint64_t since; /* lines since the last checkpoint or daemon_start */
	bool since_known;
	uint64_t uncovered; /* lines no good checkpoint signs */
	struct mg_vline first_uncovered;
};

static void mg_hash(const char *s, size_t len, uint8_t out[MG_AUDIT_HASH_LEN])
{
	EVP_Digest(s, len, out, NULL, EVP_sha256(), NULL);
}

static void mg_hex(const uint8_t h[MG_AUDIT_HASH_LEN], char out[MG_AUDIT_HEX_LEN + 1])
{
	mg_hex_encode(h, MG_AUDIT_HASH_LEN, out);
}

/* The line that starts at @pos of @f into @ret; the offset of the next one. */
static size_t mg_next_line(const struct mg_vfile *f, size_t pos, struct mg_vline *ret)
{
	const char *nl = memchr(f->buf + pos, '\n', f->len - pos);

	ret->f = f;
	ret->s = f->buf + pos;
	ret->len = nl ? (size_t)(nl - ret->s) : f->len - pos;
	ret->newline = nl != NULL;
	return pos + ret->len + ret->newline;
}

static int mg_problem(struct mg_vstate *st, const struct mg_vline *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mg_problem(struct mg_vstate *st, const struct mg_vline *at, const char *fmt, ...)
{
	va_list ap;

	fprintf(st->o->out, "%s:%zu: tampered: ", at->f->path, at->lineno);
	va_start(ap, fmt);
	vfprintf(st->o->out, fmt, ap);
	va_end(ap);
	fputc('\n', st->o->out);
	return MG_AUDIT_TAMPERED;
}

/* The value of "KEY":"…" (a string without escapes) in @l's body, or NULL. */
static const char *mg_field_str(const struct mg_vline *l, const char *key, size_t *ret_len)
{
	char pat[32];
	const char *p, *end = l->s + l->link.body_len, *q;
	int n = snprintf(pat, sizeof(pat), ",\"%s\":\"", key);

	p = memmem(l->s, l->link.body_len, pat, n);
	if (!p)
		return NULL;
	p += n;
	q = memchr(p, '"', end - p);
	if (!q)
		return NULL;
	*ret_len = q - p;
	return p;
}

static bool mg_field_u64(const struct mg_vline *l, const char *key, uint64_t *ret)
{
	char pat[32];
	const char *p, *end = l->s + l->link.body_len;
	int n = snprintf(pat, sizeof(pat), ",\"%s\":", key);
	uint64_t v = 0;

	p = memmem(l->s, l->link.body_len, pat, n);
	if (!p)
		return false;
	p += n;
	if (p >= end || *p < '0' || *p > '9')
		return false;
	for (int digits = 0; p < end && *p >= '0' && *p <= '9'; p++) {
		if (++digits > 19)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*ret = v;
	return true;
}

static bool mg_is_type(const struct mg_vline *l, const char *type)
{
	char pat[48];
	int n = snprintf(pat, sizeof(pat), ",\"type\":\"%s\",", type);

	return memmem(l->s, l->link.body_len, pat, n) != NULL;
}

static int mg_check_checkpoint(struct mg_vstate *st, const struct mg_vline *l)
{
	char canon[MG_AUDIT_CANONICAL_MAX], key_id[MG_KEY_ID_LEN + 1], b64[128];
	uint8_t head[MG_AUDIT_HASH_LEN], sig[MG_LICENSE_SIG_LEN];
	size_t head_len = 0, id_len = 0, sig_len = 0, len;
	const char *h = mg_field_str(l, "head", &head_len);
	const char *id = mg_field_str(l, "key_id", &id_len);
	const char *s = mg_field_str(l, "signature", &sig_len);
	uint64_t lines;
	int err;

	if (!h || head_len != MG_AUDIT_HEX_LEN || mg_hex_decode(h, MG_AUDIT_HASH_LEN, head) ||
	    !id || id_len > MG_KEY_ID_LEN || !s || sig_len >= sizeof(b64) ||
	    !mg_field_u64(l, "lines", &lines))
		return mg_problem(st, l,
				  "checkpoint without a well-formed head, lines, key_id "
				  "and signature");
	if (memcmp(head, l->link.prev, sizeof(head)))
		return mg_problem(st, l, "checkpoint head is not the hash of the line before it");
	if (st->since_known && lines != st->since)
		return mg_problem(st, l,
				  "checkpoint counts %" PRIu64 " lines since the last one, "
				  "%" PRIu64 " are there",
				  lines, st->since);
	memcpy(key_id, id, id_len);
	key_id[id_len] = '\0';
	if (!st->o->ring) {
		st->sum->unchecked++;
		return MG_AUDIT_INTACT;
	}
	memcpy(b64, s, sig_len);
	b64[sig_len] = '\0';
	if (mg_base64_decode(b64, sig, sizeof(sig)) != (long)sizeof(sig))
		return mg_problem(st, l, "checkpoint signature is not 64 bytes of base64");
	len = mg_audit_canonical(canon, l->link.seq, head, lines, key_id);
	err = mg_keyring_verify_bytes(st->o->ring, sig, canon, len, key_id);
	if (err == -EKEYREJECTED)
		return mg_problem(
			st, l, "checkpoint signed by key '%s', which is not the key given", key_id);
	if (err == -ENOMEM) {
		fprintf(st->o->out, "out of memory\n");
		return MG_AUDIT_IO_ERROR;
	}
	if (err)
		return mg_problem(st, l,
				  "checkpoint signature does not verify with key '%s' "
				  "(forged or altered)",
				  key_id);
	st->sum->checkpoints++;
	st->uncovered = 0;
	return MG_AUDIT_INTACT;
}

/* Whether a line of @f after @pos, not far, has seq @seq. */
static bool mg_seq_comes_later(const struct mg_vfile *f, size_t pos, uint64_t seq)
{
	struct mg_vline l;

	for (int i = 0; i < MG_AUDIT_LOOKAHEAD && pos < f->len; i++) {
		pos = mg_next_line(f, pos, &l);
		if (!mg_audit_parse_link(l.s, l.len, &l.link) && l.link.seq == seq)
			return true;
	}
	return false;
}

/* The line after @l in its file links to @l as it is now. */
static bool mg_next_links_to(const struct mg_vline *l, size_t next_pos)
{
	struct mg_vline n;

	if (next_pos >= l->f->len)
		return false;
	mg_next_line(l->f, next_pos, &n);
	return !mg_audit_parse_link(n.s, n.len, &n.link) &&
	       !memcmp(n.link.prev, l->hash, MG_AUDIT_HASH_LEN);
}

static int mg_check_link(struct mg_vstate *st, const struct mg_vline *l, size_t next_pos)
{
	const struct mg_vline *p = &st->prev;
	uint64_t want = p->link.seq + 1, seq = l->link.seq;
	char found[MG_AUDIT_HEX_LEN + 1], real[MG_AUDIT_HEX_LEN + 1];
	bool boundary = l->lineno == 1;

	if (seq != want && boundary && seq > want)
		return mg_problem(st, l,
				  "a rotated file is missing before this one: seq %" PRIu64
				  " to %" PRIu64 " (after %s:%zu) are in none of the files given",
				  want, seq - 1, p->f->path, p->lineno);
	if (seq > want && mg_seq_comes_later(l->f, next_pos, want))
		return mg_problem(st, l,
				  "lines out of order: seq %" PRIu64 " comes before seq %" PRIu64,
				  seq, want);
	if (seq > want)
		return mg_problem(st, l,
				  "%" PRIu64 " lines removed before this one: seq %" PRIu64
				  " to %" PRIu64 " are missing",
				  seq - want, want, seq - 1);
	if (seq < want && l->len == p->len && !memcmp(l->s, p->s, l->len))
		return mg_problem(st, l, "line repeats the line before it (seq %" PRIu64 ")", seq);
	if (seq < want)
		return mg_problem(st, l,
				  "seq %" PRIu64 " where %" PRIu64 " was due: a line was inserted "
				  "before this one, or lines moved",
				  seq, want);
	if (!memcmp(l->link.prev, p->hash, MG_AUDIT_HASH_LEN))
		return MG_AUDIT_INTACT;
	mg_hex(l->link.prev, found);
	mg_hex(p->hash, real);
	if (mg_next_links_to(l, next_pos) || next_pos >= l->f->len)
		return mg_problem(st, p,
				  "line altered: its SHA-256 is %s, but the line after it "
				  "(%s:%zu) records %s",
				  real, l->f->path, l->lineno, found);
	return mg_problem(st, l,
			  "line altered: its prev %s is not the SHA-256 of the line before "
			  "it (%s)",
			  found, real);
}

static int mg_check_line(struct mg_vstate *st, struct mg_vline *l, size_t next_pos)
{
	static const uint8_t zero[MG_AUDIT_HASH_LEN];
	int rc;

	if (!l->newline)
		return mg_problem(st, l,
				  "the last line is cut short (no newline): the file was "
				  "truncated");
	if (mg_audit_parse_link(l->s, l->len, &l->link))
		return mg_problem(st, l,
				  "not a line of the audit chain (no seq and prev at its "
				  "end)");
	mg_hash(l->s, l->len, l->hash);
	if (st->have_prev && l->link.seq == 1 && !memcmp(l->link.prev, zero, sizeof(zero))) {
		/*
		 * A daemon that found no chain to continue (its event file was
		 * gone): nothing links what follows to what came before.
		 */
		fprintf(st->o->out,
			"%s:%zu: %s: the chain starts anew here (seq 1): the lines before it "
			"cannot be linked to it (%" PRIu64 " of them unsigned)\n",
			l->f->path, l->lineno, st->o->strict ? "tampered" : "warning",
			st->uncovered);
		if (st->o->strict)
			return MG_AUDIT_TAMPERED;
		st->sum->restarts++;
		st->uncovered = 0;
	} else if (st->have_prev) {
		rc = mg_check_link(st, l, next_pos);
		if (rc)
			return rc;
	} else {
		st->sum->first_seq = l->link.seq;
	}
	if (mg_is_type(l, "checkpoint")) {
		rc = mg_check_checkpoint(st, l);
		if (rc)
			return rc;
		st->since = 0;
		st->since_known = true;
	} else {
		if (mg_is_type(l, "daemon_start")) {
			st->since = 0;
			st->since_known = true;
		}
		st->since++;
		if (!st->uncovered)
			st->first_uncovered = *l;
		st->uncovered++;
	}
	st->sum->lines++;
	st->sum->last_seq = l->link.seq;
	st->prev = *l;
	st->have_prev = true;
	return MG_AUDIT_INTACT;
}

static int mg_check_file(struct mg_vstate *st, const struct mg_vfile *f)
{
	struct mg_vline l;
	size_t pos = 0, lineno = 0;

	while (pos < f->len) {
		int rc;

		pos = mg_next_line(f, pos, &l);
		l.lineno = ++lineno;
		rc = mg_check_line(st, &l, pos);
		if (rc)
			return rc;
	}
	return MG_AUDIT_INTACT;
}

static int mg_load(const char *path, size_t index, struct mg_vfile *f, FILE *out)
{
	struct mg_vline l;
	int err = mg_read_file(path, MG_AUDIT_FILE_MAX, &f->buf, &f->len);

	f->path = path;
	f->index = index;
	f->first_seq = UINT64_MAX;
	if (err) {
		fprintf(out, "%s: cannot read file: %s\n", path, strerror(-err));
		return err;
	}
	if (f->len) {
		mg_next_line(f, 0, &l);
		if (!mg_audit_parse_link(l.s, l.len, &l.link))
			f->first_seq = l.link.seq;
	}
	return 0;
}

static int mg_by_first_seq(const void *a, const void *b)
{
	const struct mg_vfile *x = a, *y = b;

	if (x->first_seq != y->first_seq)
		return x->first_seq < y->first_seq ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int mg_finish(struct mg_vstate *st)
{
	const struct mg_vline *u = &st->first_uncovered;
	int rc = MG_AUDIT_INTACT;

	st->sum->unsigned_tail = st->uncovered;
	if (!st->sum->lines) {
		/* An emptied trail proves nothing, and may be the tampering. */
		fprintf(st->o->out, "tampered: the files given hold no line of the audit chain\n");
		return MG_AUDIT_TAMPERED;
	}
	if (st->uncovered) {
		fprintf(st->o->out,
			"%s:%zu: %s: unsigned tail: %" PRIu64 " lines from here on are not "
			"signed by a checkpoint\n",
			u->f->path, u->lineno, st->o->strict ? "tampered" : "warning",
			st->uncovered);
		if (st->o->strict)
			rc = MG_AUDIT_TAMPERED;
	}
	if (!st->o->ring && st->sum->unchecked) {
		fprintf(st->o->out,
			"%s: no --key: the chain was checked, the signatures of %" PRIu64
			" checkpoints were not\n",
			st->o->strict ? "tampered" : "warning", st->sum->unchecked);
		if (st->o->strict)
			rc = MG_AUDIT_TAMPERED;
	}
	if (st->o->ring && st->sum->lines && !st->sum->checkpoints) {
		fprintf(st->o->out,
			"tampered: no line is signed: no good checkpoint in the files\n");
		rc = MG_AUDIT_TAMPERED;
	}
	return rc;
}

int mg_audit_verify(const char *const *paths, size_t n, const struct mg_audit_verify_opts *o,
		    struct mg_audit_summary *ret)
{
	struct mg_vstate st = { .o = o, .sum = ret };
	struct mg_vfile *files = calloc(n ? n : 1, sizeof(*files));
	int rc = MG_AUDIT_INTACT;

	memset(ret, 0, sizeof(*ret));
	if (!files) {
		fprintf(o->out, "out of memory\n");
		return MG_AUDIT_IO_ERROR;
	}
	for (size_t i = 0; i < n && !rc; i++)
		if (mg_load(paths[i], i, &files[i], o->out))
			rc = MG_AUDIT_IO_ERROR;
	if (!rc)
		qsort(files, n, sizeof(*files), mg_by_first_seq);
	for (size_t i = 0; i < n && !rc; i++)
		rc = mg_check_file(&st, &files[i]);
	if (!rc)
		rc = mg_finish(&st);
	for (size_t i = 0; i < n; i++)
		free(files[i].buf);
	free(files);
	return rc;
}
