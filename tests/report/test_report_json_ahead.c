/*-------------------------------------------------------------------------
 * test_report_json_ahead.c
 *    The JSON report's queries rendered ahead on a second thread while
 *    the rules run (report_json_start_ahead): the bytes are a one-thread
 *    report's (on a new thread or a spare one), a report of other
 *    queries renders its own, and an ahead no report takes stops and
 *    frees cleanly.
 *-------------------------------------------------------------------------
 */
#include "src/report/report.h"
#include "tests/report/report_testing.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>

/* Queries in the fixture: more than a few blocks of them. */
#define FIXTURE "workload-logstatement.log"

static char *
render_json(workload *w, int top, int jobs, report_json_ahead *ahead)
{
	report_input in = {.model = w, .top = top, .jobs = jobs, .json_ahead = ahead};

	return report_test_render(REPORT_JSON, &in);
}

/*
 * Blocks rendered ahead, taken by the report: a one-thread report's
 * bytes, whether the helper is a new thread or a spare one (which is
 * free for another job once the ahead is freed).
 */
static void
test_ahead_is_serial_bytes(void)
{
	workload   *w = report_test_workload_of(FIXTURE);
	size_t		nq;
	spare_thread *spare = spare_thread_start();

	CU_ASSERT_PTR_NOT_NULL_FATAL(spare);
	workload_queries(w, &nq);
	CU_ASSERT_FATAL(nq > 2 * 16);

	char	   *serial = render_json(w, 0, 1, NULL);

	for (int with_spare = 0; with_spare < 2; with_spare++)
	{
		report_json_ahead *a = report_json_start_ahead(w, 0, with_spare ? spare : NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_FALSE(report_json_ahead_used(a));

		char	   *ahead = render_json(w, 0, 2, a);

		CU_ASSERT_TRUE(report_json_ahead_used(a));
		CU_ASSERT_STRING_EQUAL(ahead, serial);
		/* a second report with the same queries renders its own, the same */
		char	   *again = render_json(w, 0, 2, a);

		CU_ASSERT_STRING_EQUAL(again, serial);
		report_json_ahead_free(a);
		/* the helper is done once the ahead is freed: the spare takes a job again */
		CU_ASSERT_EQUAL(spare_thread_run(spare, free, NULL), 0);
		spare_thread_wait(spare);
		free(ahead);
		free(again);
	}
	spare_thread_finish(spare);
	free(serial);
	workload_destroy(w);
}

/* An ahead of the first 40 queries: a report of all ignores it, one of 40 takes it. */
static void
test_ahead_of_other_queries_not_taken(void)
{
	workload   *w = report_test_workload_of(FIXTURE);
	char	   *all = render_json(w, 0, 1, NULL);
	char	   *top40 = render_json(w, 40, 1, NULL);
	report_json_ahead *a = report_json_start_ahead(w, 40, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);

	char	   *got = render_json(w, 0, 2, a);

	CU_ASSERT_FALSE(report_json_ahead_used(a));
	CU_ASSERT_STRING_EQUAL(got, all);
	free(got);
	got = render_json(w, 40, 1, a);
	CU_ASSERT_TRUE(report_json_ahead_used(a));
	CU_ASSERT_STRING_EQUAL(got, top40);
	CU_ASSERT(strlen(top40) < strlen(all));
	free(got);
	report_json_ahead_free(a);
	free(all);
	free(top40);
	workload_destroy(w);
}

/* No report takes it: freeing stops the helper (no hang, nothing leaked); too few queries: none. */
static void
test_ahead_freed_untaken(void)
{
	workload   *w = report_test_workload_of(FIXTURE);
	spare_thread *spare = spare_thread_start();

	/* on new threads, and on one spare thread again and again */
	for (int i = 0; i < 40; i++)
	{
		report_json_ahead *a = report_json_start_ahead(w, 0, i % 2 ? spare : NULL);

		CU_ASSERT_PTR_NOT_NULL(a);
		report_json_ahead_free(a);
	}
	spare_thread_finish(spare);
	CU_ASSERT_PTR_NULL(report_json_start_ahead(w, 16, NULL));
	report_json_ahead_free(NULL);
	workload_destroy(w);
}

PGSIFT_TEST_SUITE(add_report_json_ahead_suite)
{
	CU_pSuite	s = CU_add_suite("report/json_ahead", NULL, NULL);

	CU_add_test(s, "queries rendered ahead: a one-thread report's bytes", test_ahead_is_serial_bytes);
	CU_add_test(s, "an ahead of other queries is not taken", test_ahead_of_other_queries_not_taken);
	CU_add_test(s, "an ahead no report takes stops when freed", test_ahead_freed_untaken);
}
