// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Licence times: YYYY-MM-DDTHH:MM:SSZ, in UTC, to and from seconds since the epoch. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil_time.h"
#include "license/license.h"
#include "license/license_internal.h"

static bool digits(const char *s, size_t n, unsigned int *ret)
{
	unsigned int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	*ret = v;
	return true;
}

int mg_license_parse_time(const char *s, int64_t *ret)
{
	unsigned int y, mo, d, h, mi, sec;

	if (strlen(s) != MG_LICENSE_TIME_LEN - 1 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -EINVAL;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mg_days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 59)
		return -EINVAL;
	*ret = mg_days_from_civil(y, mo, d) * MG_SECS_PER_DAY + h * 3600 + mi * 60 + sec;
	return 0;
}

void mg_license_format_time(int64_t t, char buf[MG_LICENSE_TIME_LEN])
{
	const int64_t min = mg_days_from_civil(0, 1, 1) * MG_SECS_PER_DAY;
	const int64_t max = mg_days_from_civil(10000, 1, 1) * MG_SECS_PER_DAY - 1;
	char text[64];
	int64_t days, secs, y;
	unsigned int m, d;

	if (t < min)
		t = min;
	if (t > max)
		t = max;
	days = t / MG_SECS_PER_DAY;
	secs = t % MG_SECS_PER_DAY;
	if (secs < 0) {
		secs += MG_SECS_PER_DAY;
		days--;
	}
	mg_civil_from_days(days, &y, &m, &d);
	/* Room for any value, though the clamping keeps it to 20 characters. */
	snprintf(text, sizeof(text), "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned int)y, m, d,
		 (unsigned int)(secs / 3600), (unsigned int)(secs / 60 % 60),
		 (unsigned int)(secs % 60));
	memcpy(buf, text, MG_LICENSE_TIME_LEN - 1);
	buf[MG_LICENSE_TIME_LEN - 1] = '\0';
}
