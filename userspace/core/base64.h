/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Standard base64 (RFC 4648, section 4) with padding, in its one canonical spelling. */
#ifndef MGUARD_BASE64_H
#define MGUARD_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters of the text of @n bytes, its NUL not counted. */
#define MG_BASE64_LEN(n) (4 * (((n) + 2) / 3))

/* Whether @c is one of the 64 digits (A-Z a-z 0-9 + /); '=' is not. */
bool mg_base64_char(char c);

/* @n bytes as MG_BASE64_LEN(@n) characters and a NUL into @out. */
void mg_base64_encode(const uint8_t *in, size_t n, char *out);

/*
 * Decode the NUL-terminated @s into @out, which has room for @size bytes.
 * Returns the number of bytes, -EINVAL when @s is not base64 in its
 * canonical spelling (length a multiple of 4, at most two '=' at the end,
 * unused bits zero), or -ENOSPC when it holds more than @size bytes; @out is
 * written only on success.
 */
long mg_base64_decode(const char *s, uint8_t *out, size_t size);

#endif /* MGUARD_BASE64_H */
