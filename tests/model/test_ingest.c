/*-------------------------------------------------------------------------
 * test_ingest.c
 *    Parallel reading (src/model/ingest.c) when a part is cut for an idle
 *    worker: the run must equal a serial one.
 *
 * The log is 800 copies of a real server's log (fixtures/workload-debian.log),
 * 38 MB, with a malformed line and the slowest statement of all planted
 * at 70% of it.  Read with a first part of 90% of the file, the second
 * worker is done with its 10% long before the first is, and cuts off the
 * rest of the first part: the file is then read in three parts or more,
 * merged in log order, whichever thread finishes first.  Counts, line
 * numbers, samples and the malformed line's place must be the serial
 * run's.
 *-------------------------------------------------------------------------
 */
#include "src/model/ingest.h"
#include "src/model/workload.h"
#include "tests/model/workload_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SLOW_TEXT "SELECT 987654"

/*
 * test_tmpdir()/name made once per run: 800 copies of the fixture, with
 * `lines` (a shell script that writes to stdout; $F is the fixture, $C the
 * copies and $n their line count) in their place.  Returns the path.
 */
static const char *
copies_log(char *path, size_t size, const char *name, const char *lines)
{
	if (path[0])
		return path;
	snprintf(path, size, "%s/%s", test_tmpdir(), name);

	char		cmd[12288];

	snprintf(cmd, sizeof(cmd),
			 "F='%s' P='%s' C='%s.copies'; for i in $(seq 1 800); do cat \"$F\"; done > \"$C\" && "
			 "n=$(wc -l < \"$C\") && { %s; } > \"$P\" && rm \"$C\"",
			 test_fixture("workload-debian.log"), path, path, lines);
	CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
	return path;
}

/* The copies with a malformed line at 70% of them, and the slowest statement after it. */
static const char *
big_log(void)
{
	static char path[4096];

	return copies_log(path, sizeof(path), "ingest-big.log",
					  "head -n $((n * 7 / 10)) \"$C\"; echo '@@@ not a log line'; "
					  "grep -m1 'duration: .* ms  statement: ' \"$F\" | "
					  "sed -E 's/duration: [0-9.]+ ms  statement: .*/duration: 987654.321 ms  statement: " SLOW_TEXT "/'; "
					  "tail -n +$((n * 7 / 10 + 1)) \"$C\"");
}

/* Statements in one copy of the fixture. */
static uint64_t
fixture_statements(void)
{
	workload_test_log r;

	workload_test_read(&r, test_fixture("workload-debian.log"), 1, 0);

	uint64_t	n = workload_get_summary(r.model)->statements;

	workload_test_log_free(&r);
	return n;
}

/* The line of the sample of q whose text holds part, or 0. */
static uint64_t
sample_line(const query_stats *q, const char *part)
{
	for (int i = 0; i < q->nsamples; i++)
		if (q->samples[i].query && strstr(q->samples[i].query, part))
			return q->samples[i].line;
	return 0;
}

/* Equal durations: within 1e-9 ms, or both the same infinity (an entry without timed calls). */
static int
same_ms(double a, double b)
{
	return a == b || fabs(a - b) <= 1e-9;
}

static void
assert_same_queries(workload *serial, workload *parallel)
{
	size_t		n,
				m;
	query_stats **a = workload_queries(serial, &n);

	(void) workload_queries(parallel, &m);
	CU_ASSERT_EQUAL(n, m);
	for (size_t i = 0; i < n; i++)
	{
		query_stats *b = workload_query_find(parallel, a[i]->fingerprint, a[i]->parsed);

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_EQUAL(a[i]->calls, b->calls);
		CU_ASSERT(fabs(a[i]->total_ms - b->total_ms) <= 1e-6 * fmax(1.0, a[i]->total_ms));
		CU_ASSERT(same_ms(a[i]->min_ms, b->min_ms));
		CU_ASSERT(same_ms(a[i]->max_ms, b->max_ms));
		CU_ASSERT_EQUAL(a[i]->nsamples, b->nsamples);
		for (int k = 0; k < a[i]->nsamples && k < b->nsamples; k++)
		{
			CU_ASSERT_DOUBLE_EQUAL(a[i]->samples[k].duration_ms, b->samples[k].duration_ms, 1e-9);
			CU_ASSERT_EQUAL(a[i]->samples[k].line, b->samples[k].line);
		}
	}
}

static void
check_cut_run(int jobs, int first_percent)
{
	workload_test_log serial,
				parallel;

	workload_test_read(&serial, big_log(), 1, 0);
	workload_test_read(&parallel, big_log(), jobs, first_percent);
	/* the rest of the long first part was cut off for the idle worker */
	CU_ASSERT_EQUAL(serial.file.parts, 1);
	CU_ASSERT(parallel.file.parts > jobs);
	if (parallel.file.parts <= jobs)
		fprintf(stderr, "\n-j %d: read in %d parts, no cut\n", jobs, parallel.file.parts);

	const workload_summary *a = workload_get_summary(serial.model),
			   *b = workload_get_summary(parallel.model);

	CU_ASSERT_EQUAL(a->statements, 800 * fixture_statements() + 1);
	CU_ASSERT_EQUAL(a->statements, b->statements);
	CU_ASSERT_EQUAL(a->records, b->records);
	CU_ASSERT_EQUAL(a->lines, b->lines);
	CU_ASSERT_EQUAL(a->malformed_lines, 1);
	CU_ASSERT_EQUAL(b->malformed_lines, 1);
	CU_ASSERT_EQUAL(serial.file.lines, parallel.file.lines);
	CU_ASSERT_EQUAL(serial.file.records, parallel.file.records);
	CU_ASSERT_EQUAL(serial.file.end_offset, parallel.file.end_offset);
	CU_ASSERT_EQUAL(parallel.file.opened, 1);

	/* the malformed line where it is in the file, and the slow statement just after it */
	CU_ASSERT_EQUAL_FATAL(serial.tally.nsamples, 1);
	CU_ASSERT_EQUAL_FATAL(parallel.tally.nsamples, 1);
	CU_ASSERT_EQUAL(serial.tally.samples[0].line, parallel.tally.samples[0].line);
	CU_ASSERT(serial.tally.samples[0].line > serial.file.lines / 2);
	assert_same_queries(serial.model, parallel.model);

	size_t		n;
	query_stats **qs = workload_queries(parallel.model, &n);
	uint64_t	slow = 0;

	for (size_t i = 0; i < n && slow == 0; i++)
		slow = sample_line(qs[i], SLOW_TEXT);
	CU_ASSERT_EQUAL(slow, serial.tally.samples[0].line + 1);
	workload_test_log_free(&serial);
	workload_test_log_free(&parallel);
}

static void
test_cut_two_threads(void)
{
	check_cut_run(2, 90);
}

static void
test_cut_three_threads(void)
{
	check_cut_run(3, 80);
}

/* Two texts of one fingerprint (whitespace and list length apart) that normalize differently. */
#define TEXT_FIRST	"SELECT 424242 AS marker WHERE 1 IN (1, 2)"
#define TEXT_LATER	"SELECT   424242 AS marker WHERE 1 IN (3)"

/*
 * A log of 800 copies of the fixture with TEXT_FIRST twice at 60% of its
 * lines and TEXT_LATER twice at 70%: with -j 3 the first is in the second
 * part, near its end, and the other a little into the third.
 */
static const char *
texts_log(void)
{
	static char path[4096];

	return copies_log(path, sizeof(path), "ingest-texts.log",
					  "line=$(grep -m1 'duration: .* ms  statement: ' \"$F\"); "
					  "say() { for k in 1 2; do echo \"$line\" | sed -E \"s/statement: .*/statement: $1/\"; done; }; "
					  "head -n $((n * 6 / 10)) \"$C\"; say '" TEXT_FIRST "'; "
					  "sed -n \"$((n * 6 / 10 + 1)),$((n * 7 / 10))p\" \"$C\"; say '" TEXT_LATER "'; "
					  "tail -n +$((n * 7 / 10 + 1)) \"$C\"");
}

/* The normalized text of the query with a sample holding part, or NULL. */
static const char *
text_with_sample(workload *w, const char *part)
{
	size_t		n;
	query_stats **qs = workload_queries(w, &n);

	for (size_t i = 0; i < n; i++)
		if (sample_line(qs[i], part))
			return qs[i]->normalized;
	return NULL;
}

/*
 * Parts share normalized texts only forward.  The third part meets
 * TEXT_LATER and normalizes it before the second meets TEXT_FIRST, the
 * first text of that fingerprint in the log: the second part must not
 * take the third's text, and the run reports TEXT_FIRST's, as the serial
 * run does.
 */
static void
test_texts_shared_forward_only(void)
{
	workload_test_log serial,
				parallel;

	workload_test_read(&serial, texts_log(), 1, 0);
	workload_test_read(&parallel, texts_log(), 3, 0);

	const char *want = text_with_sample(serial.model, "424242 AS marker");
	const char *got = text_with_sample(parallel.model, "424242 AS marker");

	CU_ASSERT(parallel.file.parts >= 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(want, "SELECT $1 AS marker WHERE $2 IN ($3, $4)");
	CU_ASSERT_STRING_EQUAL(got, want);
	assert_same_queries(serial.model, parallel.model);
	workload_test_log_free(&serial);
	workload_test_log_free(&parallel);
}

PGSIFT_TEST_SUITE(ingest_suite)
{
	CU_pSuite	s = CU_add_suite("model/ingest", NULL, NULL);

	CU_add_test(s, "-j 2, an idle worker cuts the long part: the serial run's figures", test_cut_two_threads);
	CU_add_test(s, "-j 3, parts cut and merged in log order: the serial run's figures", test_cut_three_threads);
	CU_add_test(s, "-j 3, a later part's normalized text is not taken by an earlier one", test_texts_shared_forward_only);
}
