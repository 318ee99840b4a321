// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/yaml_reader.h"

void mg_report(struct mg_sink *s, struct mg_loc loc, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	s->nerr++;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	mg_diag_add(s->diags, loc, "%s", msg);
	free(msg);
}

const char *mg_fmt_loc(char *buf, size_t size, struct mg_loc loc)
{
	if (!loc.file)
		snprintf(buf, size, "built-in defaults");
	else if (loc.line)
		snprintf(buf, size, "%s:%u:%u", loc.file, loc.line, loc.col);
	else
		snprintf(buf, size, "%s", loc.file);
	return buf;
}

bool mg_valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

int mg_yaml_open(struct mg_yaml *y, struct mg_sink *sink, const char *file, const char *buf,
		 size_t len, unsigned int max_depth)
{
	*y = (struct mg_yaml){
		.sink = sink, .file = file, .buf = buf, .len = len, .max_depth = max_depth
	};
	if (!yaml_parser_initialize(&y->parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&y->parser, (const unsigned char *)buf, len);
	return 0;
}

void mg_yaml_close(struct mg_yaml *y)
{
	if (y->have_ev)
		yaml_event_delete(&y->ev);
	y->have_ev = false;
	yaml_parser_delete(&y->parser);
}

struct mg_loc mg_yaml_mark_loc(const struct mg_yaml *y, yaml_mark_t m)
{
	return (struct mg_loc){
		.file = y->file,
		.line = (unsigned int)m.line + 1,
		.col = (unsigned int)m.column + 1,
	};
}

struct mg_loc mg_yaml_here(const struct mg_yaml *y)
{
	return mg_yaml_mark_loc(y, y->ev.start_mark);
}

void mg_yaml_report(struct mg_yaml *y, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		y->sink->nerr++;
		return;
	}
	mg_report(y->sink, mg_yaml_here(y), "%s", msg);
	free(msg);
}

int mg_yaml_nomem(struct mg_yaml *y)
{
	y->oom = true;
	y->stop = true;
	return -1;
}

/* libyaml counts lines and characters (not bytes) from 0; reader errors give a byte offset. */
static struct mg_loc mg_offset_loc(const struct mg_yaml *y, size_t offset)
{
	struct mg_loc loc = { .file = y->file, .line = 1, .col = 1 };

	if (offset > y->len)
		offset = y->len;
	for (size_t i = 0; i < offset; i++) {
		unsigned char c = (unsigned char)y->buf[i];

		if (c == '\n') {
			loc.line++;
			loc.col = 1;
		} else if ((c & 0xc0) != 0x80) {
			loc.col++;
		}
	}
	return loc;
}

static void mg_yaml_error(struct mg_yaml *y)
{
	const yaml_parser_t *yp = &y->parser;
	const char *problem = yp->problem ? yp->problem : "invalid YAML";

	switch (yp->error) {
	case YAML_MEMORY_ERROR:
		mg_yaml_nomem(y);
		break;
	case YAML_READER_ERROR:
		mg_report(y->sink, mg_offset_loc(y, yp->problem_offset), "%s", problem);
		break;
	default:
		if (yp->context)
			mg_report(y->sink, mg_yaml_mark_loc(y, yp->problem_mark),
				  "%s (%s at %zu:%zu)", problem, yp->context,
				  yp->context_mark.line + 1, yp->context_mark.column + 1);
		else
			mg_report(y->sink, mg_yaml_mark_loc(y, yp->problem_mark), "%s", problem);
		break;
	}
}

bool mg_yaml_is_start(const yaml_event_t *ev)
{
	return ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT;
}

bool mg_yaml_is_end(const yaml_event_t *ev)
{
	return ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT;
}

int mg_yaml_next(struct mg_yaml *y)
{
	yaml_event_t *ev = &y->ev;
	yaml_char_t *anchor = NULL, *tag = NULL;

	if (y->have_ev) {
		yaml_event_delete(ev);
		y->have_ev = false;
	}
	if (y->stop)
		return -1;
	if (!yaml_parser_parse(&y->parser, ev)) {
		mg_yaml_error(y);
		y->stop = true;
		return -1;
	}
	y->have_ev = true;

	switch (ev->type) {
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_ALIAS_EVENT:
		mg_yaml_report(y, "aliases are not supported");
		break;
	default:
		break;
	}
	if (mg_yaml_is_start(ev) && ++y->depth > y->max_depth) {
		mg_yaml_report(y, "nesting is deeper than %u levels", y->max_depth);
		y->stop = true;
		return -1;
	}
	if (mg_yaml_is_end(ev))
		y->depth--;
	if (anchor)
		mg_yaml_report(y, "anchors are not supported");
	if (tag)
		mg_yaml_report(y, "tags are not supported");
	return 0;
}

int mg_yaml_skip(struct mg_yaml *y)
{
	unsigned int level;

	if (!mg_yaml_is_start(&y->ev))
		return 0;
	for (level = 1; level;) {
		if (mg_yaml_next(y))
			return -1;
		if (mg_yaml_is_start(&y->ev))
			level++;
		else if (mg_yaml_is_end(&y->ev))
			level--;
	}
	return 0;
}

int mg_yaml_reject(struct mg_yaml *y, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (y->ev.type != YAML_ALIAS_EVENT) {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = NULL;
		va_end(ap);
		if (!msg)
			return mg_yaml_nomem(y);
		mg_report(y->sink, mg_yaml_here(y), "%s", msg);
		free(msg);
	}
	return mg_yaml_skip(y) ? -1 : 1;
}

bool mg_yaml_scalar_is(const yaml_event_t *ev, const char *s)
{
	return ev->data.scalar.length == strlen(s) &&
	       memcmp(ev->data.scalar.value, s, ev->data.scalar.length) == 0;
}

bool mg_yaml_null_word(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

bool mg_yaml_is_null(const yaml_event_t *ev)
{
	const char *v;

	if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)ev->data.scalar.value;
	return strlen(v) == ev->data.scalar.length && mg_yaml_null_word(v);
}

int mg_yaml_document(struct mg_yaml *y, const char *what, int (*parse_map)(void *arg), void *arg)
{
	struct mg_loc file_loc = { .file = y->file };

	/* STREAM-START, then a document or STREAM-END */
	if (mg_yaml_next(y) || mg_yaml_next(y))
		return -1;
	if (y->ev.type == YAML_STREAM_END_EVENT) {
		mg_report(y->sink, file_loc, "empty %s file", what);
		return 0;
	}
	if (mg_yaml_next(y)) /* the root node */
		return -1;
	if (y->ev.type == YAML_MAPPING_START_EVENT) {
		if (parse_map(arg))
			return -1;
	} else if (mg_yaml_is_null(&y->ev)) {
		mg_report(y->sink, file_loc, "empty %s file", what);
	} else if (mg_yaml_reject(y, "a %s file must be a mapping", what) < 0) {
		return -1;
	}
	/* DOCUMENT-END, then STREAM-END or the start of another document */
	if (mg_yaml_next(y) || mg_yaml_next(y))
		return -1;
	if (y->ev.type == YAML_DOCUMENT_START_EVENT)
		mg_yaml_report(y, "only one YAML document per file is allowed");
	return 0;
}
