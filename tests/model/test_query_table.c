/*-------------------------------------------------------------------------
 * test_query_table.c
 *    The bounded per-fingerprint table (src/model/query_table.c): the
 *    bound, eviction into the exact "other" row, every listed figure
 *    within its stated error bound against an exact run of the same
 *    statements with no bound, merged parts, pinned entries, and light
 *    entries made heavy with exact sketches.
 *
 * Statements come from a fixed-seed generator: fingerprint k (a table
 * named with letters, as libpg_query ignores the digits of a relation's
 * name) drawn with probability about 1/(k + 1), durations random, several
 * sessions.  Every expected figure comes from the exact run or from the
 * statements themselves, never from the bounded run.
 *-------------------------------------------------------------------------
 */
#include "src/model/workload.h"
#include "tests/model/workload_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1704164645000LL		/* 2024-01-02 03:04:05 UTC */

/* splitmix64: a fixed sequence for every run. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t	z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
unit_random(uint64_t *state)
{
	return ((next_random(state) >> 11) + 0.5) / 9007199254740992.0;
}

/* The text of fingerprint k, with a literal n: "SELECT v FROM t_<letters of k> WHERE id = n". */
static void
statement_text(char *buf, size_t size, int k, int n)
{
	char		tag[16];
	int			len = 0;

	do
	{
		tag[len++] = (char) ('a' + k % 26);
		k /= 26;
	} while (k > 0 && len < 15);
	tag[len] = '\0';
	snprintf(buf, size, "SELECT v FROM t_%s WHERE id = %d", tag, n);
}

/*
 * n statements over d fingerprints into each of the models given (NULL
 * ends the list): the same statements in the same order.  The low
 * fingerprints are drawn most and run longest, so that a few carry most
 * of the time, as in a real log.
 */
static void
feed_log(int n, int d, uint64_t seed, workload **models)
{
	uint64_t	state = seed;
	char		sql[96];

	for (int i = 0; i < n; i++)
	{
		int			k = (int) floor(pow((double) d + 1, unit_random(&state))) - 1;
		double		ms = 0.05 + 20.0 * unit_random(&state) / (1 + k % 50);

		statement_text(sql, sizeof(sql), k, (int) (next_random(&state) % 100000));
		for (workload **w = models; *w; w++)
			workload_test_statement(*w, T0 + i * 10, 100 + i % 7, sql, NULL, ms);
	}
}

static workload *
bounded(size_t max)
{
	workload_filter f = {.since_ms = LOG_TS_UNKNOWN, .until_ms = LOG_TS_UNKNOWN, .max_fingerprints = max};

	return workload_create(&f);
}

/* Sum of the listed calls and times, which with the other row must give the whole log's. */
static void
assert_other_row_exact(workload *w)
{
	size_t		n;
	query_stats **qs = workload_queries(w, &n);
	const workload_other *o = workload_other_row(w);
	const workload_summary *s = workload_get_summary(w);
	uint64_t	calls = 0;
	double		total = 0;

	for (size_t i = 0; i < n; i++)
	{
		calls += qs[i]->calls;
		total += qs[i]->total_ms;
	}
	CU_ASSERT_EQUAL(calls + o->statements, s->statements);
	CU_ASSERT_DOUBLE_EQUAL(total + o->total_ms, s->total_duration_ms, 1e-6 * s->total_duration_ms);
}

/*
 * Every figure of bounded's entries within its stated bound of exact's,
 * and every fingerprint bounded does not list within what bounded says an
 * unlisted one may have had.  Returns the entries checked.
 */
static size_t
assert_within_bounds(workload *b, workload *exact)
{
	size_t		nb,
				ne;
	query_stats **qb = workload_queries(b, &nb);
	query_stats **qe = workload_queries(exact, &ne);
	double		max_ms;
	uint64_t	max_calls;

	workload_max_error(b, &max_ms, &max_calls);
	for (size_t i = 0; i < nb; i++)
	{
		const query_stats *q = qb[i];
		const query_stats *x = workload_query_find(exact, q->fingerprint, q->parsed);
		uint64_t	got = q->calls + q->untimed_calls,
					want;

		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		want = x->calls + x->untimed_calls;
		/* what is listed was seen: a lower bound, at most its error below */
		CU_ASSERT_TRUE(got <= want && want - got <= q->error_calls);
		CU_ASSERT_TRUE(q->total_ms <= x->total_ms * (1 + 1e-12));
		CU_ASSERT_TRUE(x->total_ms - q->total_ms <= q->error_ms + 1e-9 * x->total_ms);
		CU_ASSERT_TRUE(q->max_ms <= x->max_ms && q->min_ms >= x->min_ms);
		CU_ASSERT_TRUE(q->error_ms <= max_ms && q->error_calls <= max_calls);
		CU_ASSERT_STRING_EQUAL(q->normalized, x->normalized);
	}
	for (size_t i = 0; i < ne; i++)
	{
		double		ms;
		uint64_t	calls;

		if (workload_query_find(b, qe[i]->fingerprint, qe[i]->parsed))
			continue;
		workload_unlisted_bound(b, qe[i]->fingerprint, qe[i]->parsed, &ms, &calls);
		CU_ASSERT_TRUE(qe[i]->total_ms <= ms * (1 + 1e-12) + 1e-9);
		CU_ASSERT_TRUE(qe[i]->calls + qe[i]->untimed_calls <= calls);
		CU_ASSERT_TRUE(ms <= workload_other_row(b)->error_ms * (1 + 1e-12));
	}
	return nb;
}

/* The bound holds, and what is evicted adds up to the whole log with what is listed. */
static void
test_bound_and_other_row(void)
{
	workload   *w = bounded(100);
	workload   *models[] = {w, NULL};
	size_t		n;

	feed_log(5000, 3000, 1, models);
	workload_queries(w, &n);
	CU_ASSERT_TRUE(n > 0 && n <= 100);
	CU_ASSERT_EQUAL(workload_max_fingerprints(w), 100);
	CU_ASSERT_EQUAL(workload_other_row(w)->max_fingerprints, 100);
	CU_ASSERT_TRUE(workload_other_row(w)->fingerprints_evicted > 0);
	CU_ASSERT_EQUAL(workload_get_summary(w)->statements, 5000);
	assert_other_row_exact(w);
	workload_destroy(w);
}

/*
 * Fingerprints seen once each, past the bound: exactly those not listed
 * were evicted, each once, and every listed one is exact (it never left,
 * and none before it had any share of it).
 */
static void
test_distinct_statements(void)
{
	workload   *w = bounded(50);
	char		sql[96];
	size_t		n;

	for (int k = 0; k < 400; k++)
	{
		statement_text(sql, sizeof(sql), k, k);
		workload_test_statement(w, T0 + k, 10, sql, NULL, 1.0 + k % 13);
	}

	query_stats **qs = workload_queries(w, &n);

	CU_ASSERT_TRUE(n <= 50);
	CU_ASSERT_EQUAL(workload_other_row(w)->fingerprints_evicted, 400 - n);
	CU_ASSERT_EQUAL(workload_other_row(w)->statements, 400 - n);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(qs[i]->calls, 1);
	assert_other_row_exact(w);
	workload_destroy(w);
}

/*
 * The error bounds, against an exact run of the same statements: each
 * listed figure within its bound, each unlisted fingerprint within the
 * bound for what is not listed, and the heaviest fingerprints listed and
 * nearly exact.
 */
static void
test_error_bounds_against_exact(void)
{
	workload   *b = bounded(120);
	workload   *exact = bounded(WORKLOAD_UNBOUNDED);
	workload   *models[] = {b, exact, NULL};
	size_t		ne;

	feed_log(40000, 5000, 7, models);
	CU_ASSERT_TRUE(workload_other_row(b)->fingerprints_evicted > 1000);
	CU_ASSERT_EQUAL(workload_other_row(exact)->fingerprints_evicted, 0);
	CU_ASSERT_TRUE(assert_within_bounds(b, exact) > 100);
	assert_other_row_exact(b);

	query_stats **qe = workload_queries(exact, &ne);

	/* the five that carry the most time are there, each within 5% of its total */
	for (size_t i = 0; i < 5 && i < ne; i++)
	{
		const query_stats *q = workload_query_find(b, qe[i]->fingerprint, qe[i]->parsed);

		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		CU_ASSERT_TRUE(q->error_ms <= 0.05 * qe[i]->total_ms);
	}
	workload_destroy(b);
	workload_destroy(exact);
}

/*
 * Two bounded parts merged (parallel ingestion): the other rows add up,
 * the bounds of each part add up, the merged table is bounded too, and
 * every figure is within its bound of the exact run of the whole.
 */
static void
test_merged_parts(void)
{
	workload   *first = bounded(120);
	workload   *second = bounded(120);
	workload   *exact = bounded(WORKLOAD_UNBOUNDED);
	workload   *models[] = {first, exact, NULL};
	uint64_t	evicted;
	size_t		n;

	feed_log(20000, 5000, 11, models);
	models[0] = second;
	feed_log(20000, 5000, 12, models);
	evicted = workload_other_row(first)->fingerprints_evicted + workload_other_row(second)->fingerprints_evicted;
	workload_merge(first, second);
	workload_queries(first, &n);
	CU_ASSERT_TRUE(n <= 120);
	CU_ASSERT_TRUE(workload_other_row(first)->fingerprints_evicted >= evicted);
	CU_ASSERT_EQUAL(workload_get_summary(first)->statements, 40000);
	assert_other_row_exact(first);
	CU_ASSERT_TRUE(assert_within_bounds(first, exact) > 0);
	workload_destroy(first);
	workload_destroy(second);
	workload_destroy(exact);
}

/*
 * A loop (a parent then a run of one child) and the run a session is in
 * are not evicted however many other fingerprints come: the loop is found
 * as without a bound.
 */
static void
test_pinned_by_loops_and_runs(void)
{
	workload   *w = bounded(20);
	char		sql[96],
				params[32];
	size_t		nloops;

	workload_test_statement(w, T0, 1, "SELECT * FROM orders WHERE customer_id = 7", NULL, 1.0);
	for (int i = 0; i < 8; i++)
	{
		snprintf(params, sizeof(params), "$1 = '%d'", i);
		workload_test_statement(w, T0 + 10 + i, 1, "SELECT * FROM order_lines WHERE order_id = $1", params, 0.5);
		/* other sessions flood the table with distinct statements between the loop's */
		for (int k = 0; k < 60; k++)
		{
			statement_text(sql, sizeof(sql), 1000 + i * 60 + k, k);
			workload_test_statement(w, T0 + 10 + i, 2 + k % 5, sql, NULL, 30.0);
		}
	}
	workload_test_statement(w, T0 + 100, 1, "UPDATE orders SET seen = true WHERE id = 7", NULL, 0.1);

	seq_loop  **loops = session_patterns_loops(workload_patterns(w), &nloops);
	const seq_loop *found = NULL;

	for (size_t i = 0; i < nloops; i++)
		if (loops[i]->child && strstr(loops[i]->child->normalized, "order_lines"))
			found = loops[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(found);
	CU_ASSERT_EQUAL(found->children, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(found->parent);
	CU_ASSERT_PTR_NOT_NULL(strstr(found->parent->normalized, "FROM orders"));
	CU_ASSERT_EQUAL(found->child->calls, 8);
	CU_ASSERT_TRUE(workload_other_row(w)->fingerprints_evicted > 400);
	workload_destroy(w);
}

/*
 * A fingerprint starts light and is made heavy by its second statement,
 * its sketch seeded with the first duration: its quantiles are those of
 * a sketch fed every duration.  One seen once reports that one.
 */
static void
test_light_then_heavy(void)
{
	workload   *w = workload_create(NULL);
	quantile_sketch *ref = sketch_create();
	const double durations[] = {4.0, 1.0, 2.5, 9.0};
	size_t		n;

	for (int i = 0; i < 4; i++)
	{
		workload_test_statement(w, T0 + i, 10, "SELECT * FROM a WHERE id = 1", NULL, durations[i]);
		sketch_add(ref, durations[i]);
	}
	workload_test_statement(w, T0 + 9, 10, "SELECT * FROM b WHERE id = 1", NULL, 3.25);

	query_stats **qs = workload_queries(w, &n);

	CU_ASSERT_EQUAL_FATAL(n, 2);
	for (double q = 0; q <= 1.0; q += 0.05)
		CU_ASSERT_DOUBLE_EQUAL(query_stats_quantile(qs[0], q), sketch_quantile(ref, q), 0);
	CU_ASSERT_EQUAL(qs[0]->calls, 4);
	CU_ASSERT_STRING_EQUAL(qs[0]->normalized, "SELECT * FROM a WHERE id = $1");
	CU_ASSERT_DOUBLE_EQUAL(query_stats_quantile(qs[1], 0.5), 3.25, 0);
	CU_ASSERT_DOUBLE_EQUAL(query_stats_quantile(qs[1], 0.99), 3.25, 0);
	CU_ASSERT_STRING_EQUAL(qs[1]->normalized, "SELECT * FROM b WHERE id = $1");
	CU_ASSERT_EQUAL(qs[1]->nsamples, 1);
	sketch_free(ref);
	workload_destroy(w);
}

/*
 * An evicted fingerprint that comes back starts again, exact from then
 * on, with its past in its error bound: the bound says how much it had
 * before, no less.
 */
/* The listed entry whose normalized text has needle, or NULL. */
static const query_stats *
listed(workload *w, const char *needle)
{
	size_t		n;
	query_stats **qs = workload_queries(w, &n);

	for (size_t i = 0; i < n; i++)
		if (strstr(qs[i]->normalized, needle))
			return qs[i];
	return NULL;
}

static void
test_evicted_comes_back(void)
{
	workload   *w = bounded(8);
	char		sql[96];
	const query_stats *q;

	/* 3 statements of 20 ms for the one coming back, then 40 distinct heavier ones push it out */
	for (int i = 0; i < 3; i++)
		workload_test_statement(w, T0 + i, 10, "SELECT * FROM back WHERE id = 1", NULL, 20.0);
	for (int k = 0; k < 40; k++)
	{
		statement_text(sql, sizeof(sql), k, k);
		workload_test_statement(w, T0 + 10 + k, 10, sql, NULL, 100.0);
	}
	CU_ASSERT_PTR_NULL(listed(w, "FROM back"));
	workload_test_statement(w, T0 + 100, 10, "SELECT * FROM back WHERE id = 2", NULL, 5.0);
	q = listed(w, "FROM back");
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(q->calls, 1);
	CU_ASSERT_DOUBLE_EQUAL(q->total_ms, 5.0, 1e-12);
	/* it had 60 ms and 3 statements before: the bound covers them */
	CU_ASSERT_TRUE(q->error_ms >= 60.0);
	CU_ASSERT_TRUE(q->error_calls >= 3);
	assert_other_row_exact(w);
	workload_destroy(w);
}

PGSIFT_TEST_SUITE(add_query_table_suite)
{
	CU_pSuite	s = CU_add_suite("model/query_table", NULL, NULL);

	CU_add_test(s, "the bound, and the other row adds up to the log", test_bound_and_other_row);
	CU_add_test(s, "distinct statements: exactly the unlisted evicted", test_distinct_statements);
	CU_add_test(s, "every listed figure within its bound of an exact run", test_error_bounds_against_exact);
	CU_add_test(s, "merged parts: bounds and other rows add up", test_merged_parts);
	CU_add_test(s, "loops and runs in progress are pinned", test_pinned_by_loops_and_runs);
	CU_add_test(s, "light, then heavy with an exact sketch", test_light_then_heavy);
	CU_add_test(s, "an evicted fingerprint comes back with its past in its bound", test_evicted_comes_back);
}
