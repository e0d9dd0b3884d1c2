/*-------------------------------------------------------------------------
 * test_civil_time.c
 *    Dates and epoch times (src/lib/civil_time.c): the two directions are
 *    each other's inverse, and agree with the C library's gmtime_r.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include "src/lib/civil_time.h"

#include <time.h>

static void
test_known_dates(void)
{
	civil_time	t;

	CU_ASSERT_EQUAL(civil_days(1970, 1, 1), 0);
	CU_ASSERT_EQUAL(civil_days(2000, 3, 1), 11017);
	CU_ASSERT_EQUAL(civil_days(1969, 12, 31), -1);
	civil_time_from_ms(-1, &t);
	CU_ASSERT(t.year == 1969 && t.month == 12 && t.day == 31 && t.hour == 23 && t.minute == 59 &&
			  t.second == 59 && t.ms == 999);
	civil_time_from_ms(951782400123LL, &t);
	CU_ASSERT(t.year == 2000 && t.month == 2 && t.day == 29 && t.hour == 0 && t.ms == 123);
}

static void
test_inverse_and_libc(void)
{
	for (int64_t day = -200000; day < 200000; day += 7)
	{
		civil_time	t;
		struct tm	tm;
		time_t		secs = (time_t) (day * 86400 + 45296);	/* 12:34:56 */

		civil_time_from_ms(day * 86400000LL + 45296789, &t);
		CU_ASSERT_EQUAL(civil_days(t.year, t.month, t.day), day);
		gmtime_r(&secs, &tm);
		CU_ASSERT(t.year == tm.tm_year + 1900 && t.month == tm.tm_mon + 1 && t.day == tm.tm_mday);
		CU_ASSERT(t.hour == 12 && t.minute == 34 && t.second == 56 && t.ms == 789);
	}
}

PGSIFT_TEST_SUITE(civil_time_suite)
{
	CU_pSuite	s = CU_add_suite("src/lib/civil_time", NULL, NULL);

	CU_add_test(s, "known dates", test_known_dates);
	CU_add_test(s, "the two directions invert each other and agree with gmtime_r", test_inverse_and_libc);
}
