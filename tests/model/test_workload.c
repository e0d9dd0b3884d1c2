/*-------------------------------------------------------------------------
 * test_workload.c
 *    Tests of the workload model, its session windows and merging.
 *
 * Events are built by hand, so every expected figure below is computed from
 * the inputs written in the test, not from the code under test.
 *-------------------------------------------------------------------------
 */
#include "src/model/session_table.h"
#include "src/model/workload.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1704164645000LL		/* 2024-01-02 03:04:05 UTC */

typedef struct fake
{
	log_record	rec;
	log_event	ev;
} fake;

static fake
make_event(log_event_kind kind, int64_t ts, int pid, const char *query, double ms)
{
	fake		f;

	log_record_clear(&f.rec);
	memset(&f.ev, 0, sizeof(f.ev));
	f.rec.ts_ms = ts;
	f.rec.pid = pid;
	f.rec.severity = SEV_LOG;
	f.rec.user = "alice";
	f.rec.dbname = "shop";
	f.rec.app = "web";
	f.rec.file = "test.log";
	f.rec.line = 1;
	f.ev.kind = kind;
	f.ev.duration_ms = ms;
	f.ev.query = query;
	f.ev.query_len = query ? strlen(query) : 0;
	f.ev.session_ms = -1;
	return f;
}

/* As ingestion does: count the record, then add its event. */
static void
feed(workload *w, fake f)
{
	f.ev.rec = &f.rec;
	workload_note_record(w, &f.rec);
	workload_add_event(w, &f.ev);
}

static void
feed_statement(workload *w, int64_t ts, int pid, const char *q, double ms)
{
	feed(w, make_event(EV_STATEMENT, ts, pid, q, ms));
}

static void
test_query_figures(void)
{
	workload   *w = workload_create(NULL);

	feed_statement(w, T0, 10, "SELECT * FROM a WHERE id = 1", 2.0);
	feed_statement(w, T0 + 1000, 10, "SELECT * FROM a WHERE id = 2", 4.0);
	feed_statement(w, T0 + 2000, 11, "SELECT * FROM a WHERE id = 3", 9.0);
	feed_statement(w, T0 + 61000, 11, "UPDATE b SET x = 1", 1.0);

	size_t		n;
	query_stats **q = workload_queries(w, &n);
	const workload_summary *s = workload_get_summary(w);

	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(q[0]->calls, 3);
	CU_ASSERT_DOUBLE_EQUAL(q[0]->total_ms, 15.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(q[0]->min_ms, 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(q[0]->max_ms, 9.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(query_stats_quantile(q[0], 0.5), 4.0, 4.0 * 0.011);
	CU_ASSERT_STRING_EQUAL(q[0]->normalized, "SELECT * FROM a WHERE id = $1");
	CU_ASSERT_EQUAL(q[0]->first_ts, T0);
	CU_ASSERT_EQUAL(q[0]->last_ts, T0 + 2000);
	/* samples: slowest first, with their text */
	CU_ASSERT_EQUAL(q[0]->nsamples, 3);
	CU_ASSERT_DOUBLE_EQUAL(q[0]->samples[0].duration_ms, 9.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(q[0]->samples[0].query, "SELECT * FROM a WHERE id = 3");
	CU_ASSERT_DOUBLE_EQUAL(q[0]->samples[2].duration_ms, 2.0, 1e-9);
	CU_ASSERT_EQUAL(q[0]->ndatabases, 1);
	CU_ASSERT_STRING_EQUAL(q[0]->databases[0].name, "shop");
	CU_ASSERT_EQUAL(q[0]->databases[0].count, 3);
	CU_ASSERT_EQUAL(s->statements, 4);
	CU_ASSERT_DOUBLE_EQUAL(s->total_duration_ms, 16.0, 1e-9);
	CU_ASSERT_EQUAL(s->first_ts, T0);
	CU_ASSERT_EQUAL(s->last_ts, T0 + 61000);

	size_t		nm;
	minute_stats *m = workload_minutes(w, &nm);

	CU_ASSERT_EQUAL_FATAL(nm, 2);
	CU_ASSERT_EQUAL(m[0].statements, 3);
	CU_ASSERT_EQUAL(m[1].statements, 1);
	CU_ASSERT(m[0].minute < m[1].minute);
	workload_destroy(w);
}

static void
test_samples_keep_slowest(void)
{
	workload   *w = workload_create(NULL);
	char		sql[64];

	for (int i = 1; i <= 20; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		/* durations 1..20 in a scrambled order */
		feed_statement(w, T0 + i, 1, sql, (double) ((i * 7) % 20 + 1));
	}
	size_t		n;
	query_stats **q = workload_queries(w, &n);

	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL_FATAL(q[0]->nsamples, WORKLOAD_SAMPLES);
	for (int i = 0; i < WORKLOAD_SAMPLES; i++)
		CU_ASSERT_DOUBLE_EQUAL(q[0]->samples[i].duration_ms, 20.0 - i, 1e-9);
	workload_destroy(w);
}

/*
 * A statement longer than WORKLOAD_SAMPLE_TEXT_MAX keeps its first bytes,
 * cut before a multibyte character rather than inside it, and says so;
 * one at the limit is kept whole.
 */
static void
test_sample_text_cap(void)
{
	workload   *w = workload_create(NULL);
	size_t		n = WORKLOAD_SAMPLE_TEXT_MAX + 4096;
	char	   *big = malloc(n + 1);
	char	   *fits = malloc(WORKLOAD_SAMPLE_TEXT_MAX + 1);
	char		mark[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fits);
	/* "SELECT  'ééé...'": é at odd offsets, so the (even) limit falls in the middle of one */
	memcpy(big, "SELECT  '", 9);
	for (size_t i = 9; i + 1 < n; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[n - 1] = '\'';
	big[n] = '\0';
	memcpy(fits, big, WORKLOAD_SAMPLE_TEXT_MAX);
	fits[WORKLOAD_SAMPLE_TEXT_MAX - 1] = '\'';
	fits[WORKLOAD_SAMPLE_TEXT_MAX] = '\0';
	feed_statement(w, T0, 1, big, 9.0);
	feed_statement(w, T0 + 1, 2, fits, 1.0);

	size_t		nq;
	query_stats **q = workload_queries(w, &nq);

	CU_ASSERT_EQUAL_FATAL(nq, 1);
	CU_ASSERT_EQUAL_FATAL(q[0]->nsamples, 2);

	const query_sample *cut = &q[0]->samples[0],
			   *whole = &q[0]->samples[1];
	const char *at = strstr(cut->query, QUERY_SAMPLE_CUT_MARK);

	CU_ASSERT_TRUE(query_sample_is_cut(cut));
	CU_ASSERT_FALSE(query_sample_is_cut(whole));
	CU_ASSERT_EQUAL(strlen(whole->query), WORKLOAD_SAMPLE_TEXT_MAX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	/* 9 ASCII bytes, then whole two-byte characters only */
	CU_ASSERT_EQUAL((size_t) (at - cut->query), WORKLOAD_SAMPLE_TEXT_MAX - 1);
	CU_ASSERT_EQUAL(((size_t) (at - cut->query) - 9) % 2, 0);
	CU_ASSERT_EQUAL(memcmp(cut->query, big, (size_t) (at - cut->query)), 0);
	snprintf(mark, sizeof(mark), QUERY_SAMPLE_CUT_MARK "%zu of %zu bytes", (size_t) (at - cut->query), n);
	CU_ASSERT_STRING_EQUAL(at, mark);
	workload_destroy(w);
	free(big);
	free(fits);
}

static void
test_sessions_and_peak(void)
{
	workload   *w = workload_create(NULL);
	fake		f;

	/* one session was open before the log starts: its disconnection comes first */
	f = make_event(EV_DISCONNECTION, T0, 5, NULL, -1);
	f.ev.session_ms = 5000;
	feed(w, f);
	feed(w, make_event(EV_CONNECTION_AUTHORIZED, T0 + 1, 6, NULL, -1));
	feed(w, make_event(EV_CONNECTION_AUTHORIZED, T0 + 2, 7, NULL, -1));
	feed(w, make_event(EV_CONNECTION_AUTHORIZED, T0 + 3, 8, NULL, -1));
	f = make_event(EV_DISCONNECTION, T0 + 4, 6, NULL, -1);
	f.ev.session_ms = 3;
	feed(w, f);
	f = make_event(EV_REFUSED, T0 + 5, 9, NULL, -1);
	f.ev.refused = REFUSED_TOO_MANY_CLIENTS;
	feed(w, f);

	const session_figures *s = workload_sessions(w);

	CU_ASSERT_EQUAL(s->authorized, 3);
	CU_ASSERT_EQUAL(s->disconnections, 2);
	CU_ASSERT_EQUAL(s->refused_too_many, 1);
	CU_ASSERT_EQUAL(s->refused_reserved, 0);
	/* running count: -1, 0, 1, 2 -> peak counts the session open before: 3 */
	CU_ASSERT_EQUAL(workload_peak_sessions(w), 3);
	CU_ASSERT_EQUAL(sketch_count(s->duration), 2);
	workload_destroy(w);
}

static void
test_session_windows(void)
{
	workload   *w = workload_create(NULL);
	fake		f;

	for (int i = 0; i < SESSION_WINDOW + 3; i++)
	{
		char		params[32];

		snprintf(params, sizeof(params), "$1 = '%d'", i);
		f = make_event(EV_STATEMENT, T0 + i, 42, "SELECT * FROM items WHERE order_id = $1", 0.5);
		f.ev.params = params;
		f.rec.xid = 100 + i;
		feed(w, f);
	}
	const session_window *win = workload_session_window(w, "pid:42");

	CU_ASSERT_PTR_NOT_NULL_FATAL(win);
	CU_ASSERT_EQUAL(win->count, SESSION_WINDOW);
	CU_ASSERT_EQUAL(win->total, SESSION_WINDOW + 3);
	/* the oldest kept is statement #3, in order, with its parameters */
	CU_ASSERT_EQUAL(session_window_at(win, 0)->ts_ms, T0 + 3);
	CU_ASSERT_STRING_EQUAL(session_window_at(win, 0)->params, "$1 = '3'");
	CU_ASSERT_EQUAL(session_window_at(win, 0)->xid, 103);
	CU_ASSERT_EQUAL(session_window_at(win, SESSION_WINDOW - 1)->ts_ms, T0 + SESSION_WINDOW + 2);
	CU_ASSERT_EQUAL(workload_open_sessions(w), 1);
	/* disconnection closes the window */
	feed(w, make_event(EV_DISCONNECTION, T0 + 1000, 42, NULL, -1));
	CU_ASSERT_PTR_NULL(workload_session_window(w, "pid:42"));
	CU_ASSERT_EQUAL(workload_open_sessions(w), 0);
	workload_destroy(w);
}

static void
test_session_table_eviction(void)
{
	session_table *t = session_table_create(3);
	char		key[16];

	for (int i = 0; i < 5; i++)
	{
		snprintf(key, sizeof(key), "s%d", i);
		session_table_get(t, key, 1);
		if (i == 2)
			session_table_get(t, "s0", 0);	/* touch s0: s1 becomes the oldest */
	}
	CU_ASSERT_EQUAL(session_table_count(t), 3);
	CU_ASSERT_EQUAL(session_table_evictions(t), 2);
	CU_ASSERT_PTR_NOT_NULL(session_table_get(t, "s0", 0));
	CU_ASSERT_PTR_NULL(session_table_get(t, "s1", 0));
	CU_ASSERT_PTR_NULL(session_table_get(t, "s2", 0));
	CU_ASSERT_PTR_NOT_NULL(session_table_get(t, "s4", 0));
	/* many inserts and removals keep lookups right (backward-shift deletion) */
	session_table *u = session_table_create(100000);

	for (int i = 0; i < 5000; i++)
	{
		snprintf(key, sizeof(key), "k%d", i);
		session_table_get(u, key, 1);
	}
	for (int i = 0; i < 5000; i += 2)
	{
		snprintf(key, sizeof(key), "k%d", i);
		session_table_remove(u, key);
	}
	int			found = 0;

	for (int i = 0; i < 5000; i++)
	{
		snprintf(key, sizeof(key), "k%d", i);
		found += session_table_get(u, key, 0) != NULL ? (i % 2 ? 1 : 1000) : 0;
	}
	CU_ASSERT_EQUAL(found, 2500);
	CU_ASSERT_EQUAL(session_table_count(u), 2500);
	session_table_destroy(u);
	session_table_destroy(t);
}

static void
test_filters_and_own_statements(void)
{
	workload_filter flt = {.since_ms = T0 + 10, .until_ms = T0 + 20, .dbname = "shop"};
	workload   *w = workload_create(&flt);
	fake		f;

	feed_statement(w, T0 + 5, 1, "SELECT 1", 1);	/* too early */
	feed_statement(w, T0 + 10, 1, "SELECT 1", 1);	/* kept */
	feed_statement(w, T0 + 20, 1, "SELECT 1", 1);	/* until is exclusive */
	f = make_event(EV_STATEMENT, T0 + 11, 1, "SELECT 1", 1);
	f.rec.dbname = "other";
	feed(w, f);
	feed_statement(w, T0 + 12, 1, "/* pgsift */ SELECT count(*) FROM pg_class", 1);
	f = make_event(EV_STATEMENT, T0 + 13, 1, "SELECT 2", 1);
	f.rec.app = "pgsift";
	feed(w, f);

	const workload_summary *s = workload_get_summary(w);

	CU_ASSERT_EQUAL(s->statements, 1);
	CU_ASSERT_EQUAL(s->filtered_out, 3);
	CU_ASSERT_EQUAL(s->own_statements, 2);
	workload_destroy(w);
}

static void
test_errors_and_events(void)
{
	workload   *w = workload_create(NULL);
	fake		f;

	f = make_event(EV_ERROR, T0, 1, NULL, -1);
	f.rec.severity = SEV_ERROR;
	memcpy(f.rec.sqlstate, "23505", 6);
	f.rec.message = "duplicate key value violates unique constraint \"k\"";
	feed(w, f);
	feed(w, f);
	f = make_event(EV_TEMP_FILE, T0, 1, NULL, -1);
	f.ev.temp_file_bytes = 1000;
	feed(w, f);
	f.ev.temp_file_bytes = 3000;
	feed(w, f);
	f = make_event(EV_LOCK_WAIT, T0, 1, NULL, -1);
	f.ev.wait_ms = 1000.5;
	feed(w, f);

	const event_figures *e = workload_events(w);

	CU_ASSERT_EQUAL(e->by_kind[EV_ERROR], 2);
	CU_ASSERT_EQUAL(e->by_severity[SEV_ERROR], 2);
	CU_ASSERT_EQUAL_FATAL(e->nsqlstates, 1);
	CU_ASSERT_STRING_EQUAL(e->sqlstates[0].sqlstate, "23505");
	CU_ASSERT_EQUAL(e->sqlstates[0].count, 2);
	CU_ASSERT_EQUAL(e->temp_file_bytes, 4000);
	CU_ASSERT_EQUAL(e->temp_file_max_bytes, 3000);
	CU_ASSERT_EQUAL(e->by_kind[EV_LOCK_WAIT], 1);
	CU_ASSERT_DOUBLE_EQUAL(e->lock_wait_max_ms, 1000.5, 1e-9);
	workload_destroy(w);
}

/* A log cut in two and merged gives the same figures as the whole. */
static void
test_merge_equals_whole(void)
{
	workload   *whole = workload_create(NULL);
	workload   *part1 = workload_create(NULL);
	workload   *part2 = workload_create(NULL);
	const char *qs[] = {"SELECT * FROM a WHERE id = 1", "UPDATE b SET v = 2 WHERE k = 3", "SELECT 7"};

	for (int i = 0; i < 300; i++)
	{
		workload   *half = i < 150 ? part1 : part2;
		double		ms = 0.1 * (i % 37 + 1);

		feed_statement(whole, T0 + i * 1000, 100 + i % 4, qs[i % 3], ms);
		feed_statement(half, T0 + i * 1000, 100 + i % 4, qs[i % 3], ms);
		if (i % 50 == 0)
		{
			feed(whole, make_event(EV_CONNECTION_AUTHORIZED, T0 + i * 1000, 1, NULL, -1));
			feed(half, make_event(EV_CONNECTION_AUTHORIZED, T0 + i * 1000, 1, NULL, -1));
		}
	}
	workload_merge(part1, part2);
	workload_destroy(part2);

	size_t		na,
				nb;
	query_stats **a = workload_queries(whole, &na);
	query_stats **b = workload_queries(part1, &nb);

	CU_ASSERT_EQUAL_FATAL(na, nb);
	for (size_t i = 0; i < na; i++)
	{
		CU_ASSERT_EQUAL(a[i]->fingerprint, b[i]->fingerprint);
		CU_ASSERT_EQUAL(a[i]->calls, b[i]->calls);
		CU_ASSERT_DOUBLE_EQUAL(a[i]->total_ms, b[i]->total_ms, 1e-6);
		CU_ASSERT_DOUBLE_EQUAL(query_stats_quantile(a[i], 0.95), query_stats_quantile(b[i], 0.95), 1e-9);
		CU_ASSERT_EQUAL(a[i]->nsamples, b[i]->nsamples);
		CU_ASSERT_DOUBLE_EQUAL(a[i]->samples[0].duration_ms, b[i]->samples[0].duration_ms, 1e-9);
		CU_ASSERT_EQUAL(a[i]->first_ts, b[i]->first_ts);
		CU_ASSERT_EQUAL(a[i]->last_ts, b[i]->last_ts);
	}
	CU_ASSERT_EQUAL(workload_get_summary(whole)->statements, workload_get_summary(part1)->statements);
	CU_ASSERT_EQUAL(workload_peak_sessions(whole), workload_peak_sessions(part1));
	CU_ASSERT_EQUAL(workload_peak_sessions(whole), 6);

	size_t		ma,
				mb;
	minute_stats *m1 = workload_minutes(whole, &ma);
	minute_stats *m2 = workload_minutes(part1, &mb);

	CU_ASSERT_EQUAL_FATAL(ma, mb);
	for (size_t i = 0; i < ma; i++)
		CU_ASSERT_EQUAL(m1[i].statements, m2[i].statements);
	workload_destroy(whole);
	workload_destroy(part1);
}

PGSIFT_TEST_SUITE(workload_suite)
{
	CU_pSuite	s = CU_add_suite("src/workload", NULL, NULL);

	CU_add_test(s, "per-fingerprint figures and minutes", test_query_figures);
	CU_add_test(s, "samples keep the slowest", test_samples_keep_slowest);
	CU_add_test(s, "a sample keeps at most WORKLOAD_SAMPLE_TEXT_MAX bytes", test_sample_text_cap);
	CU_add_test(s, "sessions, refused and peak concurrency", test_sessions_and_peak);
	CU_add_test(s, "session windows are ordered and bounded", test_session_windows);
	CU_add_test(s, "session table evicts the idlest and deletes", test_session_table_eviction);
	CU_add_test(s, "filters and pgsift's own statements", test_filters_and_own_statements);
	CU_add_test(s, "errors by SQLSTATE and events", test_errors_and_events);
	CU_add_test(s, "merging parts equals the whole", test_merge_equals_whole);
}
