/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Common includes for the cmocka unit tests (cmocka needs these first). */
#ifndef MGUARD_UNIT_H
#define MGUARD_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#endif /* MGUARD_UNIT_H */
