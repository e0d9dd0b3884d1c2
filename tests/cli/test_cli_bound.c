/*-------------------------------------------------------------------------
 * test_cli_bound.c
 *    --max-fingerprints end to end: a log of mostly distinct statements
 *    (tests/harness/distinct-log.pl, fixed seed) in two files read with
 *    -j 2 under a small bound, against the exact run of the same files
 *    with no bound; the other row, the error bounds and the store.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOUND 300

static char first_half[4096],
			second_half[4096];

/* 30,000 statements over 3,000 fingerprints, cut into two files. */
static int
make_logs(void)
{
	char		cmd[16384];
	const char *dir = test_tmpdir();

	snprintf(first_half, sizeof(first_half), "%s/bound-1.log", dir);
	snprintf(second_half, sizeof(second_half), "%s/bound-2.log", dir);
	snprintf(cmd, sizeof(cmd), "perl '%s/tests/harness/distinct-log.pl' --statements 30000 --distinct 3000 > '%s/bound.log'"
			 " && head -n 15000 '%s/bound.log' > '%s' && tail -n +15001 '%s/bound.log' > '%s'",
			 PGSIFT_SOURCE_DIR, dir, dir, first_half, dir, second_half);
	return test_run(cmd, NULL);
}

static json_int_t
int_at(json_t *j, const char *path)
{
	return json_integer_value(test_json_at(j, path));
}

/* The query of fingerprint hex in a report, or NULL. */
static json_t *
query_of(json_t *report, const char *hex)
{
	size_t		i;
	json_t	   *q;

	json_array_foreach(json_object_get(report, "queries"), i, q)
		if (strcmp(json_string_value(json_object_get(q, "fingerprint")), hex) == 0)
		return q;
	return NULL;
}

static void
test_bound_against_exact(void)
{
	char		args[16384];
	json_t	   *exact = NULL,
			   *bounded = NULL,
			   *q;
	json_int_t	calls = 0;
	double		total = 0;
	size_t		i;

	CU_ASSERT_EQUAL_FATAL(make_logs(), 0);
	snprintf(args, sizeof(args), "analyze -q --format json --max-fingerprints 0 '%s' '%s'", first_half, second_half);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &exact, NULL), 0);
	snprintf(args, sizeof(args), "analyze -q --format json -j 2 --max-fingerprints %d '%s' '%s'", BOUND,
			 first_half, second_half);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &bounded, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(exact);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bounded);

	CU_ASSERT_EQUAL(int_at(exact, "summary.fingerprints"), 3000);
	CU_ASSERT_EQUAL(int_at(exact, "summary.other.fingerprints_evicted"), 0);
	CU_ASSERT_EQUAL(int_at(bounded, "summary.statements"), 30000);
	CU_ASSERT_TRUE(int_at(bounded, "summary.fingerprints") <= BOUND);
	CU_ASSERT_EQUAL(int_at(bounded, "summary.max_fingerprints"), BOUND);
	CU_ASSERT_TRUE(int_at(bounded, "summary.other.fingerprints_evicted") > 0);
	json_array_foreach(json_object_get(bounded, "queries"), i, q)
	{
		json_t	   *x = query_of(exact, json_string_value(json_object_get(q, "fingerprint")));
		json_int_t	c = json_integer_value(json_object_get(q, "calls")),
					xc;
		double		t = json_number_value(json_object_get(q, "total_ms")),
					xt;

		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		xc = json_integer_value(json_object_get(x, "calls"));
		xt = json_number_value(json_object_get(x, "total_ms"));
		calls += c;
		total += t;
		/* a lower bound, within its stated error (the report rounds to the microsecond) */
		CU_ASSERT_TRUE(c <= xc && xc - c <= json_integer_value(json_object_get(q, "error_bound_calls")));
		CU_ASSERT_TRUE(t <= xt + 0.001);
		CU_ASSERT_TRUE(xt - t <= json_number_value(json_object_get(q, "error_bound_ms")) + 0.002);
		CU_ASSERT_TRUE(json_number_value(json_object_get(q, "error_bound_ms")) <=
					   json_number_value(test_json_at(bounded, "summary.max_error_ms")));
	}
	CU_ASSERT_EQUAL(calls + int_at(bounded, "summary.other.statements"), 30000);
	CU_ASSERT_DOUBLE_EQUAL(total + json_number_value(test_json_at(bounded, "summary.other.total_ms")),
						   json_number_value(test_json_at(bounded, "summary.total_duration_ms")), 1.0);
	/* the three heaviest of the exact run are listed under the bound */
	for (i = 0; i < 3; i++)
	{
		json_t	   *x = json_array_get(json_object_get(exact, "queries"), i);

		CU_ASSERT_PTR_NOT_NULL(query_of(bounded, json_string_value(json_object_get(x, "fingerprint"))));
	}
	json_decref(exact);
	json_decref(bounded);
}

/* The text report's line, the store keeping the other row, and bad values refused. */
static void
test_text_store_and_usage(void)
{
	char		args[16384],
				db[4096];
	char	   *out = NULL;
	json_t	   *run = NULL,
			   *stored = NULL;

	CU_ASSERT_EQUAL_FATAL(make_logs(), 0);
	snprintf(args, sizeof(args), "analyze -q --max-fingerprints %d '%s'", BOUND, first_half);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  Other: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "past --max-fingerprints 300; a listed figure may miss up to "));
	free(out);

	snprintf(db, sizeof(db), "%s/bound.db", test_tmpdir());
	remove(db);
	snprintf(args, sizeof(args), "analyze -q --format json --store '%s' --max-fingerprints %d '%s' '%s'", db, BOUND,
			 first_half, second_half);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &run, NULL), 0);
	snprintf(args, sizeof(args), "report --format json --store '%s'", db);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &stored, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(run);
	CU_ASSERT_PTR_NOT_NULL_FATAL(stored);
	CU_ASSERT_TRUE(json_equal(test_json_at(run, "summary.other"), test_json_at(stored, "summary.other")));
	CU_ASSERT_TRUE(json_equal(test_json_at(run, "summary.max_error_ms"), test_json_at(stored, "summary.max_error_ms")));
	CU_ASSERT_EQUAL(int_at(stored, "summary.max_fingerprints"), BOUND);
	CU_ASSERT_EQUAL(int_at(run, "summary.fingerprints"), int_at(stored, "summary.fingerprints"));
	json_decref(run);
	json_decref(stored);

	snprintf(args, sizeof(args), "analyze -q --max-fingerprints -1 '%s'", first_half);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 2);
	snprintf(args, sizeof(args), "analyze -q --max-fingerprints lots '%s'", first_half);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 2);
}

PGSIFT_TEST_SUITE(cli_bound_suite)
{
	CU_pSuite	s = CU_add_suite("cli/bound", NULL, NULL);

	CU_add_test(s, "-j 2 under --max-fingerprints, against the exact run", test_bound_against_exact);
	CU_add_test(s, "the text line, the store, bad values", test_text_store_and_usage);
}
