// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdbool.h>
#include <string.h>

#include "core/utf8.h"

bool mg_utf8_has_control(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f || (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
			return true;
	return false;
}

size_t mg_utf8_seq_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned int cp;

	if (!n || p[0] < 0x80)
		return 0;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

bool mg_utf8_valid(const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t left = strlen(s);

	while (*c) {
		size_t n;

		if (*c < 0x80) {
			c++;
			left--;
			continue;
		}
		n = mg_utf8_seq_len(c, left);
		if (!n)
			return false;
		c += n;
		left -= n;
	}
	return true;
}
