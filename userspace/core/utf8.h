/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Text checks: well-formed UTF-8, and control characters. */
#ifndef MGUARD_UTF8_H
#define MGUARD_UTF8_H

#include <stdbool.h>

/*
 * Whether the NUL-terminated @s is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing beyond U+10FFFF.
 */
bool mg_utf8_valid(const char *s);

/* Whether @s holds a C0 or C1 control character, DEL included (C1 as UTF-8). */
bool mg_utf8_has_control(const char *s);

#endif /* MGUARD_UTF8_H */
