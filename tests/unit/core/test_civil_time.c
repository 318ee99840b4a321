// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* core/civil_time: days since 1970-01-01 and back, against the C library's timegm(). */
#include "unit.h"

#include <stdint.h>
#include <time.h>

#include "core/civil_time.h"

static void test_civil_known_days(void **state)
{
	assert_int_equal(mg_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(mg_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(mg_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(mg_days_from_civil(2026, 1, 1) * MG_SECS_PER_DAY, 1767225600);
	assert_int_equal(mg_days_from_civil(0, 1, 1), -719528);
	assert_int_equal(mg_days_in_month(2024, 2), 29);
	assert_int_equal(mg_days_in_month(2100, 2), 28);
	assert_int_equal(mg_days_in_month(2000, 2), 29);
	assert_int_equal(mg_days_in_month(2023, 2), 28);
	assert_int_equal(mg_days_in_month(2023, 4), 30);
	assert_int_equal(mg_days_in_month(2023, 12), 31);
}

/* Every day from 1900 to 2200: both ways, and the same as timegm(). */
static void test_civil_round_trip(void **state)
{
	int64_t z = mg_days_from_civil(1900, 1, 1);

	for (unsigned int y = 1900; y < 2200; y++) {
		for (unsigned int m = 1; m <= 12; m++) {
			for (unsigned int d = 1; d <= mg_days_in_month(y, m); d++, z++) {
				struct tm tm = { .tm_year = (int)y - 1900,
						 .tm_mon = (int)m - 1,
						 .tm_mday = (int)d };
				unsigned int bm, bd;
				int64_t by;

				assert_int_equal(mg_days_from_civil(y, m, d), z);
				assert_int_equal((int64_t)timegm(&tm), z * MG_SECS_PER_DAY);
				mg_civil_from_days(z, &by, &bm, &bd);
				assert_int_equal(by, y);
				assert_int_equal(bm, m);
				assert_int_equal(bd, d);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_known_days),
		cmocka_unit_test(test_civil_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
