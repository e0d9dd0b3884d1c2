/*-------------------------------------------------------------------------
 * test_log_time.c
 *    Tests of timestamp and integer parsing for the csvlog and jsonlog
 *    readers (parsers/log_time.c).
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "tests/test_registry.h"

#include <string.h>

/* 2024-01-02 03:04:05 UTC */
#define T0 INT64_C(1704164645)

static log_time_status
parse(log_time_cache *c, const char *s, int64_t *ms)
{
	return log_time_parse(c, s, strlen(s), ms);
}

static void
test_forms(void)
{
	int64_t		ms = 0;

	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05.123 UTC", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, T0 * 1000 + 123);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05 UTC", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, T0 * 1000);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02T03:04:05.5Z", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, T0 * 1000 + 500);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02T03:04:05.123456+01:00", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, (T0 - 3600) * 1000 + 123);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05.999+01", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, (T0 - 3600) * 1000 + 999);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05.000 -03", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, (T0 + 3 * 3600) * 1000);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05 +0545", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, (T0 - 5 * 3600 - 45 * 60) * 1000);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05 ACDT", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, (T0 - 10 * 3600 - 1800) * 1000);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05 PDT", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, (T0 + 7 * 3600) * 1000);
	/* epoch, a leap day and the turn of a century */
	CU_ASSERT_EQUAL(parse(NULL, "1970-01-01 00:00:00 UTC", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, 0);
	CU_ASSERT_EQUAL(parse(NULL, "2024-02-29 23:59:59.999 UTC", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, INT64_C(1709251199999));
	CU_ASSERT_EQUAL(parse(NULL, "2000-01-01 00:00:00 CET", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, INT64_C(946681200000));
}

static void
test_unknown_and_invalid(void)
{
	int64_t		ms = 42;

	/* unknown abbreviation or no zone: read as UTC, flagged */
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05.123 XYZT", &ms), LOG_TIME_ZONE_UNKNOWN);
	CU_ASSERT_EQUAL(ms, T0 * 1000 + 123);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05", &ms), LOG_TIME_ZONE_UNKNOWN);
	CU_ASSERT_EQUAL(ms, T0 * 1000);

	ms = 42;
	CU_ASSERT_EQUAL(parse(NULL, "2023-02-29 03:04:05 UTC", &ms), LOG_TIME_INVALID);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 24:00:00 UTC", &ms), LOG_TIME_INVALID);
	CU_ASSERT_EQUAL(parse(NULL, "2024-00-02 03:04:05 UTC", &ms), LOG_TIME_INVALID);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05. UTC", &ms), LOG_TIME_INVALID);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05 +5", &ms), LOG_TIME_INVALID);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04:05 Europe/Paris", &ms), LOG_TIME_INVALID);
	CU_ASSERT_EQUAL(parse(NULL, "2024-01-02 03:04", &ms), LOG_TIME_INVALID);
	CU_ASSERT_EQUAL(parse(NULL, "", &ms), LOG_TIME_INVALID);
	CU_ASSERT_EQUAL(ms, 42);
}

/* The cache must not mix up entries that share a second but not a zone. */
static void
test_cache(void)
{
	log_time_cache c;
	int64_t		ms = 0;

	log_time_cache_init(&c);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05.100 UTC", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, T0 * 1000 + 100);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05.200 UTC", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, T0 * 1000 + 200);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05.300 CET", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, (T0 - 3600) * 1000 + 300);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05.400 XYZT", &ms), LOG_TIME_ZONE_UNKNOWN);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05.500 XYZT", &ms), LOG_TIME_ZONE_UNKNOWN);
	CU_ASSERT_EQUAL(ms, T0 * 1000 + 500);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:06 UTC", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, (T0 + 1) * 1000);
	/* an invalid time after a cached one with the same prefix */
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:06 U1C", &ms), LOG_TIME_INVALID);
}

static void
test_at_start(void)
{
	CU_ASSERT_TRUE(log_time_at_start("2024-01-02 03:04:05", 19));
	CU_ASSERT_TRUE(log_time_at_start("2024-01-02T03:04:05.1Z", 22));
	CU_ASSERT_FALSE(log_time_at_start("2024-01-02 03:04:0", 18));
	CU_ASSERT_FALSE(log_time_at_start("2024/01/02 03:04:05", 19));
	CU_ASSERT_FALSE(log_time_at_start(" 2024-01-02 03:04:05", 20));
}

static void
test_field_int(void)
{
	CU_ASSERT_EQUAL(log_field_int("4848", 4, -1), 4848);
	CU_ASSERT_EQUAL(log_field_int("-8441324848661855122", 20, 0), INT64_C(-8441324848661855122));
	CU_ASSERT_EQUAL(log_field_int("9223372036854775807", 19, 0), INT64_MAX);
	CU_ASSERT_EQUAL(log_field_int("-9223372036854775808", 20, 0), INT64_MIN);
	CU_ASSERT_EQUAL(log_field_int("9223372036854775808", 19, 7), 7);
	CU_ASSERT_EQUAL(log_field_int("12345678901234567890", 20, 7), 7);
	CU_ASSERT_EQUAL(log_field_int("12a", 3, -1), -1);
	CU_ASSERT_EQUAL(log_field_int("-", 1, -1), -1);
	CU_ASSERT_EQUAL(log_field_int("", 0, -1), -1);
	CU_ASSERT_EQUAL(log_field_int(NULL, 0, -1), -1);
	/* exactly len bytes: what follows is not read */
	CU_ASSERT_EQUAL(log_field_int("123456", 3, -1), 123);
}

PGSIFT_TEST_SUITE(log_time_suite)
{
	CU_pSuite	s = CU_add_suite("log_time", NULL, NULL);

	CU_add_test(s, "timestamp forms and zones", test_forms);
	CU_add_test(s, "unknown zones and invalid times", test_unknown_and_invalid);
	CU_add_test(s, "one-entry cache", test_cache);
	CU_add_test(s, "record start shape", test_at_start);
	CU_add_test(s, "integers", test_field_int);
}
