/*-------------------------------------------------------------------------
 * test_workload_zone.c
 *    The log's time zone and the latency histogram in the workload model:
 *    the UTC offset each reader takes from its timestamps, the first one
 *    kept in the summary through parallel reading; statement durations in
 *    half-decade buckets (src/model/latency.c), merged by adding.
 *
 * The fixtures under fixtures/prefixes/ were written by servers with the
 * log_timezone their prefixes.tsv names; the offsets expected are those
 * zones' on the fixtures' date (December: no summer time in the north).
 *-------------------------------------------------------------------------
 */
#include "src/model/ingest.h"
#include "src/model/latency.h"
#include "src/model/workload.h"
#include "tests/model/workload_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define T0 1704164645000LL		/* 2024-01-02 03:04:05 UTC */

static void
test_buckets(void)
{
	/* bucket i holds [10^((i-7)/2), 10^((i-6)/2)) ms */
	CU_ASSERT_EQUAL(latency_bucket(0), 0);
	CU_ASSERT_EQUAL(latency_bucket(-1), 0);
	CU_ASSERT_EQUAL(latency_bucket(NAN), 0);
	CU_ASSERT_EQUAL(latency_bucket(0.0009), 0);
	CU_ASSERT_EQUAL(latency_bucket(0.001), 1);
	CU_ASSERT_EQUAL(latency_bucket(0.003), 1);
	CU_ASSERT_EQUAL(latency_bucket(0.0032), 2);
	CU_ASSERT_EQUAL(latency_bucket(1), 7);
	CU_ASSERT_EQUAL(latency_bucket(3.1), 7);
	CU_ASSERT_EQUAL(latency_bucket(3.2), 8);
	CU_ASSERT_EQUAL(latency_bucket(250), 11);
	CU_ASSERT_EQUAL(latency_bucket(999.999), 12);
	CU_ASSERT_EQUAL(latency_bucket(1000), 13);
	CU_ASSERT_EQUAL(latency_bucket(1e7), LATENCY_BUCKETS - 1);
	CU_ASSERT_EQUAL(latency_bucket(1e12), LATENCY_BUCKETS - 1);
	CU_ASSERT_EQUAL(latency_bucket(INFINITY), LATENCY_BUCKETS - 1);
	CU_ASSERT_EQUAL(latency_bucket_lower(0), 0);
	CU_ASSERT_TRUE(isinf(latency_bucket_upper(LATENCY_BUCKETS - 1)));
	for (int i = 1; i < LATENCY_BUCKETS; i++)
	{
		/* each bound falls in the bucket it opens, just below it in the one before */
		CU_ASSERT_EQUAL(latency_bucket(latency_bucket_lower(i)), i);
		CU_ASSERT_EQUAL(latency_bucket(nextafter(latency_bucket_lower(i), 0)), i - 1);
		CU_ASSERT_EQUAL(latency_bucket_upper(i - 1), latency_bucket_lower(i));
		/* half a decade apart */
		CU_ASSERT_DOUBLE_EQUAL(log10(latency_bucket_lower(i)), (i - 7) / 2.0, 1e-12);
	}
}

/* Statements fed by hand land in their buckets; halves merged give the whole. */
static void
test_histogram_merge(void)
{
	static const double durations[] = {0.0005, 0.02, 0.5, 0.7, 12, 250, 251, 40000, 2e7};
	static const int buckets[] = {0, 3, 6, 6, 9, 11, 11, 16, 21};
	int			n = (int) (sizeof(durations) / sizeof(durations[0]));
	workload   *whole = workload_create(NULL),
			   *a = workload_create(NULL),
			   *b = workload_create(NULL);
	uint64_t	want[LATENCY_BUCKETS] = {0};

	for (int i = 0; i < n; i++)
	{
		workload_test_statement(whole, T0 + i, 100 + i, "SELECT 1", NULL, durations[i]);
		workload_test_statement(i < n / 2 ? a : b, T0 + i, 100 + i, "SELECT 1", NULL, durations[i]);
		want[buckets[i]]++;
	}
	workload_merge(a, b);
	for (int i = 0; i < LATENCY_BUCKETS; i++)
	{
		CU_ASSERT_EQUAL(workload_get_summary(whole)->latency[i], want[i]);
		CU_ASSERT_EQUAL(workload_get_summary(a)->latency[i], want[i]);
	}
	workload_destroy(whole);
	workload_destroy(a);
	workload_destroy(b);
}

/* The summary's zone after reading path with jobs threads. */
static int32_t
zone_of(const char *path, int jobs)
{
	workload_test_log r;

	workload_test_read(&r, path, jobs, 0);

	int32_t		zone = workload_get_summary(r.model)->utc_offset_min;

	workload_test_log_free(&r);
	return zone;
}

static void
test_zones_of_fixtures(void)
{
	static const struct
	{
		const char *file;
		int32_t		offset;
	}			cases[] = {
		{"prefixes/21.log", 60},	/* Europe/Berlin, CET */
		{"prefixes/22.log", -300},	/* America/New_York, EST */
		{"prefixes/23.log", 330},	/* Asia/Kolkata, IST */
		{"prefixes/24.log", -180},	/* America/Sao_Paulo, -03 */
		{"prefixes/25.log", 345},	/* Asia/Kathmandu, +0545 */
		{"prefixes/02.log", 0},
		{"workload.log", 0},
		{"workload.csv", 0},
		{"workload.json", 0},
		{"workload-rds.log", 0},
		{"workload-syslog2.log", 0},	/* ISO times with an offset in the syslog header */
		{"workload-syslog.log", LOG_UTC_OFFSET_UNKNOWN},	/* classic syslog times name no zone */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int32_t		got = zone_of(test_fixture(cases[i].file), 1);

		if (got != cases[i].offset)
			fprintf(stderr, "\n%s: zone %d, expected %d\n", cases[i].file, got, cases[i].offset);
		CU_ASSERT_EQUAL(got, cases[i].offset);
	}
	/* read in parts by two threads: the first part's zone */
	CU_ASSERT_EQUAL(zone_of(test_fixture("prefixes/23.log"), 2), 330);
}

PGSIFT_TEST_SUITE(workload_zone_suite)
{
	CU_pSuite	s = CU_add_suite("model/workload_zone", NULL, NULL);

	CU_add_test(s, "half-decade latency buckets", test_buckets);
	CU_add_test(s, "latency histogram of statements, merged", test_histogram_merge);
	CU_add_test(s, "the log's zone from each format's timestamps", test_zones_of_fixtures);
}
