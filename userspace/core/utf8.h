/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Text checks: well-formed UTF-8, and control characters. */
#ifndef MGUARD_UTF8_H
#define MGUARD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether the NUL-terminated @s is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing beyond U+10FFFF.
 */
bool mg_utf8_valid(const char *s);

/*
 * The length (2 to 4) of the well-formed UTF-8 sequence that starts the @n
 * bytes at @p, or 0 when they do not start one (or start with ASCII).
 */
size_t mg_utf8_seq_len(const unsigned char *p, size_t n);

/* Whether @s holds a C0 or C1 control character, DEL included (C1 as UTF-8). */
bool mg_utf8_has_control(const char *s);

#endif /* MGUARD_UTF8_H */
