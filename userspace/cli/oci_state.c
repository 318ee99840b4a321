// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A small JSON reader for the OCI state: strict enough to refuse what is
 * not JSON, and it skips every value it does not need (nested at most
 * MG_JSON_DEPTH levels).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/oci_state.h"

#define MG_JSON_DEPTH 32

struct mg_json {
	const char *p, *end;
};

static void ws(struct mg_json *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p))
		j->p++;
}

static bool eat(struct mg_json *j, char c)
{
	ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

/* A string into @buf (NUL-terminated, cut at @len - 1; escapes other than \uXXXX kept as the char). */
static int string(struct mg_json *j, char *buf, size_t len)
{
	size_t n = 0;

	if (!eat(j, '"'))
		return -EINVAL;
	while (j->p < j->end && *j->p != '"') {
		char c = *j->p++;

		if ((unsigned char)c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			if (j->p >= j->end)
				return -EINVAL;
			c = *j->p++;
			if (c == 'u') {
				if (j->end - j->p < 4)
					return -EINVAL;
				j->p += 4;
				c = '?';
			} else if (c == 'n' || c == 't' || c == 'r' || c == 'b' || c == 'f') {
				c = ' ';
			} else if (!strchr("\"\\/", c)) {
				return -EINVAL;
			}
		}
		if (buf && n + 1 < len)
			buf[n++] = c;
	}
	if (buf && len)
		buf[n] = '\0';
	if (j->p >= j->end)
		return -EINVAL;
	j->p++; /* the closing quote */
	return 0;
}

static int skip(struct mg_json *j, int depth);

static int skip_container(struct mg_json *j, char close, int depth)
{
	if (eat(j, close))
		return 0;
	do {
		if (close == '}') {
			if (string(j, NULL, 0) || !eat(j, ':'))
				return -EINVAL;
		}
		if (skip(j, depth + 1))
			return -EINVAL;
	} while (eat(j, ','));
	return eat(j, close) ? 0 : -EINVAL;
}

static int skip(struct mg_json *j, int depth)
{
	if (depth > MG_JSON_DEPTH)
		return -EINVAL;
	ws(j);
	if (j->p >= j->end)
		return -EINVAL;
	if (*j->p == '"')
		return string(j, NULL, 0);
	if (eat(j, '{'))
		return skip_container(j, '}', depth);
	if (eat(j, '['))
		return skip_container(j, ']', depth);
	if (strchr("-0123456789tfn", *j->p)) {
		while (j->p < j->end && strchr("+-.0123456789eEtruefalsn", *j->p))
			j->p++;
		return 0;
	}
	return -EINVAL;
}

static int annotations(struct mg_json *j, struct mg_oci_state *st)
{
	char key[128];

	if (!eat(j, '{'))
		return -EINVAL;
	if (eat(j, '}'))
		return 0;
	do {
		if (string(j, key, sizeof(key)) || !eat(j, ':'))
			return -EINVAL;
		ws(j);
		if (!strcmp(key, MG_OCI_SCOPE_ANNOTATION)) {
			if (string(j, st->scope, sizeof(st->scope)))
				return -EINVAL;
		} else if (string(j, NULL, 0)) {
			return -EINVAL; /* annotations are strings */
		}
	} while (eat(j, ','));
	return eat(j, '}') ? 0 : -EINVAL;
}

int mg_oci_state_parse(const char *text, size_t len, struct mg_oci_state *ret)
{
	struct mg_json j = { .p = text, .end = text + len };
	char key[64];

	memset(ret, 0, sizeof(*ret));
	if (!eat(&j, '{'))
		return -EINVAL;
	if (eat(&j, '}'))
		return 0;
	do {
		if (string(&j, key, sizeof(key)) || !eat(&j, ':'))
			return -EINVAL;
		ws(&j);
		if (!strcmp(key, "pid")) {
			char *e;
			long v = strtol(j.p, &e, 10);

			if (e == j.p || v <= 0 || v > 0x3fffffff || e > j.end)
				return -EINVAL;
			ret->pid = v;
			j.p = e;
		} else if (!strcmp(key, "id")) {
			if (string(&j, ret->id, sizeof(ret->id)))
				return -EINVAL;
		} else if (!strcmp(key, "annotations")) {
			if (annotations(&j, ret))
				return -EINVAL;
		} else if (skip(&j, 1)) {
			return -EINVAL;
		}
	} while (eat(&j, ','));
	if (!eat(&j, '}'))
		return -EINVAL;
	ws(&j);
	return j.p == j.end ? 0 : -EINVAL;
}
