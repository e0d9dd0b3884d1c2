/*-------------------------------------------------------------------------
 * test_log_time.c
 *    Tests of timestamp and integer parsing for the csvlog and jsonlog
 *    readers (parsers/log_time.c).
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* The zones of the list, as %t and %m write them (log_timezone's abbreviation or offset). */
static void
test_zone_names(void)
{
	static const struct
	{
		const char *text;
		int			east;		/* seconds east of UTC the zone is read as */
	}			cases[] = {
		{"2024-01-15 13:00:00 CET", 3600}, {"2024-07-15 14:00:00.250 CEST", 7200},
		{"2024-01-15 07:00:00 EST", -5 * 3600}, {"2024-07-15 08:00:00 EDT", -4 * 3600},
		{"2024-07-15 13:00:00 BST", 3600}, {"2024-01-15 12:00:00 GMT", 0},
		{"2024-01-15 12:00:00 UTC", 0}, {"2024-01-15 04:00:00.999 PST", -8 * 3600},
		{"2024-07-15 05:00:00 PDT", -7 * 3600}, {"2024-01-15 17:30:00 +05:30", 19800},
		{"2024-01-15 17:30:00 +0530", 19800}, {"2024-01-15 09:00:00 -03", -3 * 3600},
		{"2024-01-15 17:45:00 +0545", 20700}, {"2024-01-15 02:00:00 -10", -10 * 3600},
		{"2024-01-15 22:00:00 ChST", 10 * 3600}, {"2024-01-15 23:00:00 AEDT", 11 * 3600},
		{"2024-01-15 08:30:00 NST", -3 * 3600 - 1800},
		/* ambiguous abbreviations: read as the zones that log them most (docs/log-formats.md) */
		{"2024-01-15 17:30:00 IST", 19800}, {"2024-01-15 06:00:00 CST", -6 * 3600},
	};
	const int64_t noon = INT64_C(1705320000);	/* 2024-01-15 12:00:00 UTC */

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int64_t		ms = 0,
					local;
		const char *t = cases[i].text;

		CU_ASSERT_EQUAL(parse(NULL, t, &ms), LOG_TIME_OK);
		/* the expected instant from the local time and the offset */
		CU_ASSERT_EQUAL(log_time_parse(NULL, t, 19, &local), LOG_TIME_ZONE_UNKNOWN);
		CU_ASSERT_EQUAL(ms, local - cases[i].east * INT64_C(1000) + (strchr(t, '.') ? atoi(strchr(t, '.') + 1) : 0));
		/* every January case is noon UTC */
		if (strncmp(t, "2024-01-15", 10) == 0)
			CU_ASSERT_EQUAL(ms / 1000, noon);
	}
}

/*
 * Every zone of a list as the tz database writes its abbreviation (the
 * C library's strftime %Z, from the tzdata PostgreSQL's own copy of the
 * tz code reads too), in winter and in summer: each is read as the
 * instant it stands for, but for the ambiguous IST, CST/CDT and PST, read
 * as India, US Central and US Pacific whichever zone wrote them (Ireland,
 * Israel; China, Cuba; the Philippines).
 */
static void
test_zones_of_tz_database(void)
{
	static const char *const zones[] = {
		"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Berlin", "Europe/Paris",
		"Europe/Athens", "Europe/Moscow", "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi",
		"Asia/Jerusalem", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka", "Asia/Jakarta",
		"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Manila", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
		"Asia/Dubai", "Asia/Tehran", "Australia/Perth", "Australia/Adelaide", "Australia/Sydney",
		"Pacific/Guam", "Pacific/Auckland", "Pacific/Honolulu", "America/Anchorage",
		"America/Los_Angeles", "America/Denver", "America/Phoenix", "America/Chicago",
		"America/Mexico_City", "America/New_York", "America/Havana", "America/Halifax",
		"America/St_Johns", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
	};
	static const struct
	{
		const char *abbrev;
		long		east;
	}			assumed[] = {{"IST", 19800}, {"CST", -6 * 3600}, {"CDT", -5 * 3600}, {"PST", -8 * 3600}};
	const time_t instants[] = {1705320000, 1721044800};	/* 2024-01-15 and 2024-07-15, 12:00 UTC */
	const char *tz = getenv("TZ");
	char	   *saved = tz ? strdup(tz) : NULL;
	int			checked = 0;

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++)
	{
		char		path[256];

		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zones[z]);
		if (access(path, R_OK) != 0)
			continue;
		setenv("TZ", zones[z], 1);
		tzset();
		for (size_t k = 0; k < sizeof(instants) / sizeof(instants[0]); k++)
		{
			struct tm	tm;
			char		text[64];
			int64_t		ms = 0,
						want = (int64_t) instants[k] * 1000;

			localtime_r(&instants[k], &tm);
			strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S %Z", &tm);
			for (size_t a = 0; a < sizeof(assumed) / sizeof(assumed[0]); a++)
				if (strcmp(tm.tm_zone, assumed[a].abbrev) == 0)
					want += (tm.tm_gmtoff - assumed[a].east) * 1000;
			CU_ASSERT_EQUAL(parse(NULL, text, &ms), LOG_TIME_OK);
			if (ms != want)
				fprintf(stderr, "\n  %s: \"%s\" read as %lld, not %lld\n", zones[z], text, (long long) ms,
						(long long) want);
			CU_ASSERT_EQUAL(ms, want);
			checked++;
		}
	}
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	CU_ASSERT(checked >= 60);
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
	/* the hour that comes twice at the end of summer time: the zone tells them apart */
	CU_ASSERT_EQUAL(parse(&c, "2024-10-27 02:30:00 CEST", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, INT64_C(1729989000000));
	CU_ASSERT_EQUAL(parse(&c, "2024-10-27 02:30:00 CET", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(ms, INT64_C(1729992600000));
	/* an invalid time after a cached one with the same prefix */
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:06 U1C", &ms), LOG_TIME_INVALID);
}

/* The cache keeps the zone of the last time parsed, hit or miss, for the record. */
static void
test_zone_offset(void)
{
	log_time_cache c;
	int64_t		ms;

	log_time_cache_init(&c);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05.100 CET", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(c.last_offset_min, 60);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05.200 CET", &ms), LOG_TIME_OK);	/* a hit */
	CU_ASSERT_EQUAL(c.last_offset_min, 60);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05 +0545", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(c.last_offset_min, 5 * 60 + 45);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05 -03", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(c.last_offset_min, -180);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02T03:04:05.5-09:30", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(c.last_offset_min, -9 * 60 - 30);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05 UTC", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(c.last_offset_min, 0);
	/* read as UTC, but the zone is not known: not "UTC" */
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05 XYZT", &ms), LOG_TIME_ZONE_UNKNOWN);
	CU_ASSERT_EQUAL(c.last_offset_min, LOG_UTC_OFFSET_UNKNOWN);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05 XYZT", &ms), LOG_TIME_ZONE_UNKNOWN);
	CU_ASSERT_EQUAL(c.last_offset_min, LOG_UTC_OFFSET_UNKNOWN);
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05", &ms), LOG_TIME_ZONE_UNKNOWN);
	CU_ASSERT_EQUAL(c.last_offset_min, LOG_UTC_OFFSET_UNKNOWN);
	/* a zone too long for the cache key is parsed every time, its offset kept all the same */
	CU_ASSERT_EQUAL(parse(&c, "2024-01-02 03:04:05 +05:30          ", &ms), LOG_TIME_OK);
	CU_ASSERT_EQUAL(c.last_offset_min, 330);
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
	CU_add_test(s, "zone abbreviations and offsets", test_zone_names);
	CU_add_test(s, "zones of the tz database", test_zones_of_tz_database);
	CU_add_test(s, "unknown zones and invalid times", test_unknown_and_invalid);
	CU_add_test(s, "one-entry cache", test_cache);
	CU_add_test(s, "the zone's offset kept for the record", test_zone_offset);
	CU_add_test(s, "record start shape", test_at_start);
	CU_add_test(s, "integers", test_field_int);
}
