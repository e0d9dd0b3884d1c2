/*-------------------------------------------------------------------------
 * test_store_minute_latency.c
 *    The minutes' latency histograms in the store
 *    (src/store/store_minute_latency.c): they round-trip, a store without
 *    them (written before they were kept) still reads with the minutes'
 *    other figures and an unknown p95, and a damaged one is refused.
 *-------------------------------------------------------------------------
 */
#include "tests/model/workload_testing.h"
#include "tests/store/store_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 INT64_C(1700000040000)	/* 2023-11-14 22:14:00 UTC, on a minute */
#define COUNT_PAIRS "SELECT count(*) FROM model_state WHERE key LIKE 'minutes.latency.%'"

/* Three minutes of statements, each minute ten times slower than the one before. */
static workload *
three_minutes(void)
{
	workload   *w = workload_create(NULL);

	for (int m = 0; m < 3; m++)
		for (int i = 0; i < 50; i++)
			workload_test_statement(w, T0 + m * 60000 + i * 1000, 200 + i % 3, "SELECT 1", NULL,
									pow(10.0, m) * (1 + i / 10.0));
	return w;
}

static void
test_round_trip(void)
{
	char		path[512];
	workload   *w = three_minutes(),
			   *back;
	size_t		n,
				nb;
	minute_stats *m,
			   *mb;

	store_test_path(path, sizeof(path), "minute-latency.db");
	store_test_save(path, w, NULL, 0);
	/* one pair per minute with a timed statement */
	CU_ASSERT_EQUAL(store_test_sql_int(path, COUNT_PAIRS), 3);
	back = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	m = workload_minutes(w, &n);
	mb = workload_minutes(back, &nb);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL_FATAL(nb, 3);
	for (size_t i = 0; i < n; i++)
	{
		CU_ASSERT_EQUAL(minute_latency_count(&mb[i].latency), 50);
		CU_ASSERT(memcmp(&m[i].latency, &mb[i].latency, sizeof(minute_latency)) == 0);
	}
	CU_ASSERT(minute_latency_quantile(&mb[2].latency, 0.95) > minute_latency_quantile(&mb[1].latency, 0.95));
	workload_destroy(w);
	workload_destroy(back);
}

/* The activity array of `pgsift report --store path --format json`, as a new reference. */
static json_t *
reported_activity(const char *path)
{
	char		args[600];
	json_t	   *j = NULL,
			   *a;

	snprintf(args, sizeof(args), "report --store %s --format json", path);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	a = json_incref(json_object_get(j, "activity"));
	json_decref(j);
	return a;
}

static void
test_store_without_histograms(void)
{
	char		path[512],
				args[600];
	workload   *w = three_minutes(),
			   *back;
	json_t	   *a;
	size_t		n;
	minute_stats *m;
	char	   *html = NULL;

	store_test_path(path, sizeof(path), "no-minute-latency.db");
	store_test_save(path, w, NULL, 0);
	a = reported_activity(path);
	CU_ASSERT_EQUAL_FATAL(json_array_size(a), 3);
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT(json_is_real(json_object_get(json_array_get(a, i), "p95_ms")));
	json_decref(a);

	/* what a store of an earlier pgsift holds */
	store_test_sql_exec(path, "DELETE FROM model_state WHERE key LIKE 'minutes.latency.%'");
	back = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	m = workload_minutes(back, &n);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	for (size_t i = 0; i < n; i++)
	{
		CU_ASSERT_EQUAL(m[i].statements, 50);
		CU_ASSERT_EQUAL(minute_latency_count(&m[i].latency), 0);
	}
	a = reported_activity(path);
	CU_ASSERT_EQUAL_FATAL(json_array_size(a), 3);
	for (size_t i = 0; i < 3; i++)
	{
		json_t	   *o = json_array_get(a, i);

		CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "statements")), 50);
		CU_ASSERT(json_is_null(json_object_get(o, "p95_ms")));
	}
	json_decref(a);
	/* the page draws no p95 and says why */
	snprintf(args, sizeof(args), "report --store %s --format html", path);
	CU_ASSERT_EQUAL(test_pgsift(args, &html, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "3 buckets have no p95"));
	free(html);
	workload_destroy(w);
	workload_destroy(back);
}

static void
test_damaged(void)
{
	char		path[512];
	workload   *w = three_minutes(),
			   *back;

	store_test_path(path, sizeof(path), "damaged-minute-latency.db");
	store_test_save(path, w, NULL, 0);
	store_test_sql_exec(path, "UPDATE model_state SET value = x'0205' WHERE key LIKE 'minutes.latency.%'");
	back = store_test_load(path);
	CU_ASSERT_PTR_NULL(back);
	if (back)
		workload_destroy(back);
	workload_destroy(w);
}

PGSIFT_TEST_SUITE(store_minute_latency_suite)
{
	CU_pSuite	s = CU_add_suite("src/store/minute_latency", NULL, NULL);

	CU_add_test(s, "the minutes' histograms round-trip", test_round_trip);
	CU_add_test(s, "a store without them reads, with an unknown p95", test_store_without_histograms);
	CU_add_test(s, "a damaged histogram is refused", test_damaged);
}
