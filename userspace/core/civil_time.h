/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Dates of the proleptic Gregorian calendar as days since 1970-01-01. */
#ifndef MGUARD_CIVIL_TIME_H
#define MGUARD_CIVIL_TIME_H

#include <stdint.h>

#define MG_SECS_PER_DAY 86400

/* Days from 1970-01-01 to @y-@m-@d (@m 1 to 12, @d 1 to 31); negative before. */
int64_t mg_days_from_civil(int64_t y, unsigned int m, unsigned int d);

/* The date @z days after 1970-01-01 (before, when negative). */
void mg_civil_from_days(int64_t z, int64_t *ret_y, unsigned int *ret_m, unsigned int *ret_d);

/* The days of month @m (1 to 12) of year @y. */
unsigned int mg_days_in_month(unsigned int y, unsigned int m);

#endif /* MGUARD_CIVIL_TIME_H */
