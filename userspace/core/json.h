/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one JSON writer: every JSON text mguard prints (status, probe, policy
 * show and scan, events, notices) is made here.
 *
 * Two faces over one string escaper:
 * - struct mg_json_buf builds a text in a caller's buffer, for the event fast
 *   path: every piece is counted, written or not, so a text longer than the
 *   buffer is measured instead of cut;
 * - struct mg_json writes objects and arrays to a FILE, placing the commas.
 *
 * Strings are escaped for JSON and checked as UTF-8: '"', '\\' and control
 * characters (C0, DEL, C1) are escaped; a byte that is not part of a
 * well-formed UTF-8 sequence becomes U+FFFD ("\ufffd"), so every text is
 * valid JSON whatever bytes a file name or a process name holds.
 */
#ifndef MGUARD_JSON_H
#define MGUARD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct mg_json_buf {
	char *buf;
	size_t size;
	size_t len; /* the text so far, written or not */
};

static inline void mg_jb_put(struct mg_json_buf *o, const void *s, size_t n)
{
	if (n && o->len + n <= o->size)
		memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* A string literal, its length known when compiling: raw, not escaped. */
#define mg_jb_lit(o, lit) mg_jb_put((o), "" lit, sizeof(lit) - 1)

static inline void mg_jb_char(struct mg_json_buf *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* @s as it is (a name known to need no escaping), not quoted. */
static inline void mg_jb_raw(struct mg_json_buf *o, const char *s)
{
	mg_jb_put(o, s, strlen(s));
}

/* @v in decimal, at least @width digits (zero-padded). */
void mg_jb_u64_width(struct mg_json_buf *o, uint64_t v, unsigned int width);

static inline void mg_jb_u64(struct mg_json_buf *o, uint64_t v)
{
	mg_jb_u64_width(o, v, 1);
}

void mg_jb_i64(struct mg_json_buf *o, int64_t v);

/* @s (@len bytes, NULs included) as a quoted JSON string. */
void mg_jb_string_len(struct mg_json_buf *o, const char *s, size_t len);

static inline void mg_jb_string(struct mg_json_buf *o, const char *s)
{
	mg_jb_string_len(o, s, strlen(s));
}

/* @s quoted, or null when @s is NULL. */
static inline void mg_jb_string_or_null(struct mg_json_buf *o, const char *s)
{
	if (s)
		mg_jb_string(o, s);
	else
		mg_jb_lit(o, "null");
}

/* @s quoted and escaped, to @out. */
void mg_json_write_string(FILE *out, const char *s);

/* Objects and arrays written to a FILE, nested at most this deep. */
#define MG_JSON_MAX_DEPTH 16

struct mg_json {
	FILE *out;
	int depth;
	bool has_items[MG_JSON_MAX_DEPTH + 1];
};

static inline void mg_json_init(struct mg_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

/*
 * Every writer takes @key: the member's name inside an object, NULL inside
 * an array or at the top.
 */
void mg_json_object_begin(struct mg_json *j, const char *key);
void mg_json_object_end(struct mg_json *j);
void mg_json_array_begin(struct mg_json *j, const char *key);
void mg_json_array_end(struct mg_json *j);
/* @s NULL writes null. */
void mg_json_str(struct mg_json *j, const char *key, const char *s);
void mg_json_u64(struct mg_json *j, const char *key, uint64_t v);
void mg_json_i64(struct mg_json *j, const char *key, int64_t v);
void mg_json_bool(struct mg_json *j, const char *key, bool v);
void mg_json_null(struct mg_json *j, const char *key);
/* @text, already JSON (a number kept as text), as the member's value. */
void mg_json_raw(struct mg_json *j, const char *key, const char *text);
/* Ends the top-level value with a newline. */
void mg_json_end_line(struct mg_json *j);

#endif /* MGUARD_JSON_H */
