/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Hexadecimal: the one encoder and decoder every module uses. */
#ifndef MGUARD_HEX_H
#define MGUARD_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of one hex digit, either case, or -1. */
int mg_hex_digit(char c);

/* @n bytes as 2 * @n lower-case digits and a NUL into @out. */
void mg_hex_encode(const uint8_t *in, size_t n, char *out);

/*
 * Exactly 2 * @n hex digits at @s (either case) into @n bytes at @out; what
 * follows them is the caller's business. -EINVAL, @out untouched, on a
 * character that is not a digit.
 */
int mg_hex_decode(const char *s, size_t n, uint8_t *out);

#endif /* MGUARD_HEX_H */
