// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>

#include "core/hex.h"

int mg_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void mg_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

int mg_hex_decode(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < 2 * n; i++)
		if (mg_hex_digit(s[i]) < 0)
			return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned int hi = (unsigned int)mg_hex_digit(s[2 * i]);
		unsigned int lo = (unsigned int)mg_hex_digit(s[2 * i + 1]);

		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
