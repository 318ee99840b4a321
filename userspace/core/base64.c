// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base64.h"

static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int digit_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool mg_base64_char(char c)
{
	return digit_value(c) >= 0;
}

void mg_base64_encode(const uint8_t *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i += 3) {
		size_t left = n - i;
		uint32_t w = (uint32_t)in[i] << 16;

		if (left > 1)
			w |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			w |= in[i + 2];
		*out++ = digits[w >> 18 & 63];
		*out++ = digits[w >> 12 & 63];
		*out++ = left > 1 ? digits[w >> 6 & 63] : '=';
		*out++ = left > 2 ? digits[w & 63] : '=';
	}
	*out = '\0';
}

long mg_base64_decode(const char *s, uint8_t *out, size_t size)
{
	size_t n = strlen(s), pad = 0, bytes;
	uint8_t *o = out;
	uint32_t w = 0;

	if (n % 4)
		return -EINVAL;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n - pad; i++)
		if (!mg_base64_char(s[i]))
			return -EINVAL;
	bytes = n / 4 * 3 - pad;
	if (bytes > size)
		return -ENOSPC;
	if (bytes > LONG_MAX)
		return -EINVAL;
	/* Unused bits must be zero: only one text per byte string. */
	if ((pad == 1 && (digit_value(s[n - 2]) & 3)) || (pad == 2 && (digit_value(s[n - 3]) & 15)))
		return -EINVAL;
	for (size_t i = 0; i < n; i += 4) {
		w = 0;
		for (size_t j = 0; j < 4; j++)
			w = w << 6 | (i + j < n - pad ? (uint32_t)digit_value(s[i + j]) : 0);
		for (size_t j = 0; j < 3 && (size_t)(o - out) < bytes; j++)
			*o++ = (uint8_t)(w >> (16 - 8 * j));
	}
	return (long)bytes;
}
