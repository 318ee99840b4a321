// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>

#include "core/json.h"
#include "core/utf8.h"

static const char mg_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

void mg_jb_u64_width(struct mg_json_buf *o, uint64_t v, unsigned int width)
{
	char tmp[20];
	char *p = tmp + sizeof(tmp);

	while (v >= 100) {
		unsigned int i = (v % 100) * 2;

		v /= 100;
		*--p = mg_digit_pairs[i + 1];
		*--p = mg_digit_pairs[i];
	}
	if (v >= 10) {
		*--p = mg_digit_pairs[v * 2 + 1];
		*--p = mg_digit_pairs[v * 2];
	} else {
		*--p = '0' + v;
	}
	while (p > tmp && (size_t)(tmp + sizeof(tmp) - p) < width)
		*--p = '0';
	mg_jb_put(o, p, tmp + sizeof(tmp) - p);
}

void mg_jb_i64(struct mg_json_buf *o, int64_t v)
{
	if (v < 0) {
		mg_jb_char(o, '-');
		mg_jb_u64(o, -(uint64_t)v);
	} else {
		mg_jb_u64(o, v);
	}
}

static void mg_jb_escape_byte(struct mg_json_buf *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

	switch (c) {
	case '"':
		mg_jb_lit(o, "\\\"");
		break;
	case '\\':
		mg_jb_lit(o, "\\\\");
		break;
	case '\n':
		mg_jb_lit(o, "\\n");
		break;
	case '\t':
		mg_jb_lit(o, "\\t");
		break;
	case '\r':
		mg_jb_lit(o, "\\r");
		break;
	default:
		mg_jb_put(o, esc, sizeof(esc));
	}
}

void mg_jb_string_len(struct mg_json_buf *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len, *run = p;

	mg_jb_char(o, '"');
	while (p < end) {
		unsigned char c = *p;
		size_t n;

		/* Plain ASCII is copied in runs. */
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			p++;
			continue;
		}
		mg_jb_put(o, run, p - run);
		if (c < 0x80) {
			mg_jb_escape_byte(o, c);
			p++;
		} else if ((n = mg_utf8_seq_len(p, end - p)) == 0) {
			mg_jb_lit(o, "\\ufffd");
			p++;
		} else if (c == 0xc2 && p[1] < 0xa0) {
			/* C1 controls: escaped, as terminals act on them. */
			mg_jb_escape_byte(o, p[1]);
			p += 2;
		} else {
			mg_jb_put(o, p, n);
			p += n;
		}
		run = p;
	}
	mg_jb_put(o, run, p - run);
	mg_jb_char(o, '"');
}

void mg_json_write_string(FILE *out, const char *s)
{
	char buf[512];
	struct mg_json_buf o = { .buf = buf, .size = sizeof(buf) };
	size_t len = strlen(s);

	mg_jb_string_len(&o, s, len);
	if (o.len <= sizeof(buf)) {
		fwrite(buf, 1, o.len, out);
		return;
	}
	/* Long: measured above, written in pieces that each fit. */
	fputc('"', out);
	for (size_t at = 0; at < len;) {
		size_t n = len - at > 64 ? 64 : len - at;

		/* Never cut a UTF-8 sequence: back up to its first byte. */
		while (at + n < len && n > 1 && ((unsigned char)s[at + n] & 0xc0) == 0x80)
			n--;
		o.len = 0;
		mg_jb_string_len(&o, s + at, n);
		fwrite(buf + 1, 1, o.len - 2, out);
		at += n;
	}
	fputc('"', out);
}

/* The comma and key before a value. */
static void mg_json_member(struct mg_json *j, const char *key)
{
	if (j->has_items[j->depth])
		fputc(',', j->out);
	j->has_items[j->depth] = true;
	if (key) {
		mg_json_write_string(j->out, key);
		fputc(':', j->out);
	}
}

static void mg_json_open(struct mg_json *j, const char *key, char c)
{
	mg_json_member(j, key);
	fputc(c, j->out);
	if (j->depth < MG_JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void mg_json_close(struct mg_json *j, char c)
{
	fputc(c, j->out);
	if (j->depth > 0)
		j->depth--;
}

void mg_json_object_begin(struct mg_json *j, const char *key)
{
	mg_json_open(j, key, '{');
}

void mg_json_object_end(struct mg_json *j)
{
	mg_json_close(j, '}');
}

void mg_json_array_begin(struct mg_json *j, const char *key)
{
	mg_json_open(j, key, '[');
}

void mg_json_array_end(struct mg_json *j)
{
	mg_json_close(j, ']');
}

void mg_json_str(struct mg_json *j, const char *key, const char *s)
{
	mg_json_member(j, key);
	if (s)
		mg_json_write_string(j->out, s);
	else
		fputs("null", j->out);
}

void mg_json_u64(struct mg_json *j, const char *key, uint64_t v)
{
	mg_json_member(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void mg_json_i64(struct mg_json *j, const char *key, int64_t v)
{
	mg_json_member(j, key);
	fprintf(j->out, "%" PRId64, v);
}

void mg_json_bool(struct mg_json *j, const char *key, bool v)
{
	mg_json_member(j, key);
	fputs(v ? "true" : "false", j->out);
}

void mg_json_null(struct mg_json *j, const char *key)
{
	mg_json_member(j, key);
	fputs("null", j->out);
}

void mg_json_raw(struct mg_json *j, const char *key, const char *text)
{
	mg_json_member(j, key);
	fputs(text, j->out);
}

void mg_json_end_line(struct mg_json *j)
{
	fputc('\n', j->out);
}
