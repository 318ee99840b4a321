// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdbool.h>

#include "core/utf8.h"

bool mg_utf8_has_control(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f || (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
			return true;
	return false;
}

bool mg_utf8_valid(const char *s)
{
	const unsigned char *c = (const unsigned char *)s;

	while (*c) {
		unsigned int n, cp;

		if (*c < 0x80) {
			c++;
			continue;
		}
		if ((*c & 0xe0) == 0xc0) {
			n = 1;
			cp = *c & 0x1f;
		} else if ((*c & 0xf0) == 0xe0) {
			n = 2;
			cp = *c & 0x0f;
		} else if ((*c & 0xf8) == 0xf0) {
			n = 3;
			cp = *c & 0x07;
		} else {
			return false;
		}
		for (unsigned int i = 1; i <= n; i++) {
			if ((c[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (c[i] & 0x3f);
		}
		/* Overlong forms, surrogates and beyond U+10FFFF. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		c += n + 1;
	}
	return true;
}
