/*-------------------------------------------------------------------------
 * test_session_patterns.c
 *    Tests of the session-sequence tables: runs, loops, insert runs and the
 *    simulated cache, on statements fed to a workload by hand.
 *
 * Every expected figure is counted from the statements written in the
 * test.  Parameters go in as extended-protocol DETAIL text ("$1 = '7'"),
 * except where the simple protocol (values in the text) is the point.
 *-------------------------------------------------------------------------
 */
#include "src/model/session_patterns.h"
#include "src/model/workload.h"
#include "tests/model/workload_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <string.h>

#define T0 1704164645000LL		/* 2024-01-02 03:04:05 UTC */

#define PARENT "SELECT id FROM orders WHERE customer_id = $1"
#define CHILD "SELECT * FROM order_items WHERE order_id = $1"
#define INSERT "INSERT INTO events (kind, payload) VALUES ($1, $2)"

/* One parent, then n children 10 ms apart with ids first..first+n-1 (or all equal). */
static int64_t
loop(workload *w, int64_t ts, int pid, int n, int first, int same)
{
	char		p[32];

	workload_test_statement(w, ts, pid, PARENT, "$1 = '1'", 1.0);
	for (int i = 0; i < n; i++)
	{
		snprintf(p, sizeof(p), "$1 = '%d'", same ? first : first + i);
		workload_test_statement(w, ts + 10 * (i + 1), pid, CHILD, p, 2.0);
	}
	return ts + 10 * (n + 1);
}

static const seq_loop *
only_loop(workload *w)
{
	size_t		n;
	seq_loop  **loops = session_patterns_loops(workload_patterns(w), &n);

	CU_ASSERT_EQUAL(n, 1);
	return n == 1 ? loops[0] : NULL;
}

static size_t
loop_count(workload *w)
{
	size_t		n;

	session_patterns_loops(workload_patterns(w), &n);
	return n;
}

static void
test_loop_counted(void)
{
	workload   *w = workload_create(NULL);
	int64_t		ts = loop(w, T0, 10, 6, 100, 0);

	ts = loop(w, ts + 5000, 10, 8, 200, 0);
	workload_test_statement(w, ts + 10, 10, "UPDATE carts SET n = 0", NULL, 0.5);	/* closes the second run */

	const seq_loop *l = only_loop(w);

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	ASSERT_STR(l->parent->normalized, PARENT);
	ASSERT_STR(l->child->normalized, CHILD);
	CU_ASSERT_EQUAL(l->occurrences, 2);
	CU_ASSERT_EQUAL(l->children, 14);
	CU_ASSERT_EQUAL(l->distinct, 14);
	CU_ASSERT_DOUBLE_EQUAL(l->child_ms, 28.0, 1e-9);
	/* the example is the costlier occurrence, with its distinct values */
	CU_ASSERT_EQUAL(l->example.count, 8);
	CU_ASSERT_EQUAL(l->example.nvalues, 8);
	ASSERT_STR(l->example.values[0], "$1 = '200'");
	ASSERT_STR(l->example.parent_params, "$1 = '1'");
	workload_destroy(w);
}

static void
test_look_alikes_not_loops(void)
{
	workload   *w = workload_create(NULL);
	int64_t		ts = loop(w, T0, 10, 3, 1, 0);	/* a loop of 3 */

	ts = loop(w, ts + 5000, 10, 10, 7, 1);	/* the same id ten times: cacheable */
	/* ids 1..6 with pauses of 2 s: not one run */
	workload_test_statement(w, ts + 5000, 10, PARENT, "$1 = '1'", 1.0);
	for (int i = 0; i < 6; i++)
	{
		char		p[32];

		snprintf(p, sizeof(p), "$1 = '%d'", i);
		workload_test_statement(w, ts + 7000 + 2000 * i, 10, CHILD, p, 2.0);
	}
	CU_ASSERT_EQUAL(loop_count(w), 0);
	workload_destroy(w);
}

/* A run open at the end of the input is closed by workload_patterns. */
static void
test_run_closed_at_end_and_disconnection(void)
{
	workload   *w = workload_create(NULL);

	loop(w, T0, 10, 5, 1, 0);
	loop(w, T0, 11, 5, 1, 0);
	workload_test_feed(w, EV_DISCONNECTION, T0 + 100, 11, NULL, NULL, -1, NULL);
	CU_ASSERT_EQUAL(workload_open_sessions(w), 1);

	const seq_loop *l = only_loop(w);

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->occurrences, 2);
	/* idempotent: finishing again adds nothing */
	workload_finish_sessions(w);
	CU_ASSERT_EQUAL(l->occurrences, 2);
	workload_destroy(w);
}

/* Simple protocol: the text holds the values, and stands for the parameters. */
static void
test_simple_protocol_distinct_by_text(void)
{
	workload   *w = workload_create(NULL);
	char		q[96];

	workload_test_statement(w, T0, 10, "SELECT id FROM orders WHERE customer_id = 4", NULL, 1.0);
	for (int i = 0; i < 5; i++)
	{
		snprintf(q, sizeof(q), "SELECT * FROM order_items WHERE order_id = %d", 50 + i);
		workload_test_statement(w, T0 + 10 * (i + 1), 10, q, NULL, 2.0);
	}

	const seq_loop *l = only_loop(w);

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->distinct, 5);
	workload_destroy(w);
}

static const seq_fingerprint *
fingerprint_named(workload *w, const char *normalized)
{
	size_t		n;
	seq_fingerprint **fps = session_patterns_fingerprints(workload_patterns(w), &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(fps[i]->query->normalized, normalized) == 0)
			return fps[i];
	return NULL;
}

/* n single-row INSERTs, each its own transaction (a new vxid) or all in one. */
static void
inserts(workload *w, int64_t ts, int pid, int n, int one_xact)
{
	char		p[64],
				vxid[32];

	for (int i = 0; i < n; i++)
	{
		snprintf(p, sizeof(p), "$1 = 'click', $2 = '%d'", i);
		snprintf(vxid, sizeof(vxid), "3/%d", one_xact ? 999 : (int) (ts % 1000) + i);
		workload_test_feed(w, EV_STATEMENT, ts + i, pid, INSERT, p, 0.5, vxid);
	}
}

static void
test_insert_runs(void)
{
	workload   *w = workload_create(NULL);

	inserts(w, T0, 10, 12, 0);	/* autocommit: a new vxid per row */
	workload_test_statement(w, T0 + 100, 10, "SELECT 1 FROM events", NULL, 0.1);
	inserts(w, T0 + 200, 10, 15, 1);	/* one transaction */
	workload_test_statement(w, T0 + 300, 10, "SELECT 1 FROM events", NULL, 0.1);
	inserts(w, T0 + 400, 10, 9, 0);	/* under min_rows */
	/* already batched: the same fingerprint (libpg_query ignores the row count), no run */
	for (int i = 0; i < 12; i++)
		workload_test_statement(w, T0 + 500 + i, 10, "INSERT INTO events (kind, payload) VALUES ($1, $2), ($3, $4)",
			 "$1 = 'a', $2 = '1', $3 = 'b', $4 = '2'", 0.6);
	for (int i = 0; i < 12; i++)
		workload_test_statement(w, T0 + 600 + i, 10, "INSERT INTO events (kind, payload) VALUES ('a', '1'), ('b', '(2)')", NULL, 0.6);
	workload_test_statement(w, T0 + 700, 10, "SELECT 1 FROM events", NULL, 0.1);

	const seq_fingerprint *f = fingerprint_named(w, INSERT);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->kind, SEQ_KIND_SINGLE_INSERT);
	CU_ASSERT_EQUAL(f->insert_runs, 2);
	CU_ASSERT_EQUAL(f->insert_rows, 27);
	CU_ASSERT_EQUAL(f->insert_runs_own_xact, 1);
	CU_ASSERT_EQUAL(f->insert_example.count, 15);
	workload_destroy(w);
}

static void
test_cache_across_sessions(void)
{
	workload   *w = workload_create(NULL);
	const char *q = "SELECT name FROM settings WHERE key = $1";

	/* 'theme' at 0 s (miss), 10 s and 50 s (hits, other sessions), 70 s (expired: miss) */
	workload_test_statement(w, T0, 10, q, "$1 = 'theme'", 1.0);
	workload_test_statement(w, T0 + 10000, 11, q, "$1 = 'theme'", 2.0);
	workload_test_statement(w, T0 + 50000, 12, q, "$1 = 'theme'", 3.0);
	workload_test_statement(w, T0 + 70000, 10, q, "$1 = 'theme'", 4.0);
	workload_test_statement(w, T0 + 70001, 10, q, "$1 = 'lang'", 5.0);
	workload_test_statement(w, T0 + 70002, 10, "SELECT now() FROM settings", NULL, 1.0);
	workload_test_statement(w, T0 + 70003, 10, "SELECT now() FROM settings", NULL, 1.0);
	workload_test_statement(w, T0 + 70004, 10, "SELECT * FROM settings FOR UPDATE", NULL, 1.0);
	workload_test_statement(w, T0 + 70005, 10, "SELECT * FROM settings FOR UPDATE", NULL, 1.0);
	/* seen once: a light entry, never classified, with no figures */
	workload_test_statement(w, T0 + 70006, 10, "SELECT name FROM settings WHERE id = 1", NULL, 1.0);

	const seq_fingerprint *f = fingerprint_named(w, q);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->kind, SEQ_KIND_CACHEABLE);
	CU_ASSERT_EQUAL(f->cache_hits, 2);
	CU_ASSERT_EQUAL(f->cache_misses, 3);
	CU_ASSERT_DOUBLE_EQUAL(f->cache_hit_ms, 5.0, 1e-9);
	CU_ASSERT_EQUAL(fingerprint_named(w, "SELECT now() FROM settings")->kind, SEQ_KIND_OTHER);
	CU_ASSERT_EQUAL(fingerprint_named(w, "SELECT * FROM settings FOR UPDATE")->kind, SEQ_KIND_OTHER);
	CU_ASSERT_PTR_NULL(fingerprint_named(w, "SELECT name FROM settings WHERE id = $1"));
	workload_destroy(w);
}

/* Two halves merged count like the whole, a run cut by the boundary aside. */
static void
test_merge(void)
{
	workload   *a = workload_create(NULL);
	workload   *b = workload_create(NULL);
	const char *q = "SELECT name FROM settings WHERE key = $1";

	loop(a, T0, 10, 6, 1, 0);
	workload_test_statement(a, T0 + 500, 11, q, "$1 = 'theme'", 1.0);
	loop(b, T0 + 1000, 10, 7, 1, 0);
	workload_test_statement(b, T0 + 1500, 12, q, "$1 = 'theme'", 2.0);	/* a hit on a's fill */
	workload_merge(a, b);

	const seq_loop *l = only_loop(a);

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->occurrences, 2);
	CU_ASSERT_EQUAL(l->children, 13);

	const seq_fingerprint *f = fingerprint_named(a, q);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->cache_hits, 1);
	CU_ASSERT_EQUAL(f->cache_misses, 1);
	CU_ASSERT_DOUBLE_EQUAL(f->cache_hit_ms, 2.0, 1e-9);
	workload_destroy(a);
	workload_destroy(b);
}

/* Options from the model's creation: a lower min_repeats keeps a loop of 3. */
static void
test_options(void)
{
	session_pattern_options o = session_pattern_options_default();
	workload_filter f = {.since_ms = LOG_TS_UNKNOWN, .until_ms = LOG_TS_UNKNOWN, .patterns = &o};
	workload   *w;

	o.min_repeats = o.min_distinct = 3;
	w = workload_create(&f);
	loop(w, T0, 10, 3, 1, 0);
	CU_ASSERT_EQUAL(loop_count(w), 1);
	workload_destroy(w);
}

/* A model with group_by_transaction and min_repeats = min_distinct = min. */
static workload *
model_with(int group_by_transaction, int min)
{
	session_pattern_options o = session_pattern_options_default();
	workload_filter f = {.since_ms = LOG_TS_UNKNOWN, .until_ms = LOG_TS_UNKNOWN, .patterns = &o};

	o.group_by_transaction = group_by_transaction;
	o.min_repeats = o.min_distinct = min;
	return workload_create(&f);
}

/*
 * A pooled backend's two client transactions back to back: the parent and
 * children 1..3, then children 4..6 of another client.  Told apart by
 * their vxids (3/10, 3/11), or by logged BEGIN/COMMIT when vxids is 0.
 */
static void
two_transactions(workload *w, int vxids)
{
	char		p[32];
	int64_t		ts = T0;

	for (int x = 0; x < 2; x++)
	{
		const char *vxid = !vxids ? NULL : x == 0 ? "3/10" : "3/11";

		if (!vxids)
			workload_test_feed(w, EV_STATEMENT, ts++, 10, "BEGIN", NULL, 0.1, NULL);
		if (x == 0)
			workload_test_feed(w, EV_STATEMENT, ts += 10, 10, PARENT, "$1 = '1'", 1.0, vxid);
		for (int i = 1; i <= 3; i++)
		{
			snprintf(p, sizeof(p), "$1 = '%d'", 3 * x + i);
			workload_test_feed(w, EV_STATEMENT, ts += 10, 10, CHILD, p, 2.0, vxid);
		}
		if (!vxids)
			workload_test_feed(w, EV_STATEMENT, ts++, 10, "COMMIT", NULL, 0.1, NULL);
	}
	workload_finish_sessions(w);
}

/* The loop of (parent, CHILD) among the model's, or NULL. */
static const seq_loop *
loop_after(workload *w, const char *parent)
{
	size_t		n;
	seq_loop  **loops = session_patterns_loops(workload_patterns(w), &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(loops[i]->child->normalized, CHILD) == 0 &&
			(parent ? loops[i]->parent && strcmp(loops[i]->parent->normalized, parent) == 0
			 : loops[i]->parent == NULL))
			return loops[i];
	return NULL;
}

/* Runs across transactions (the default): the two make one loop of 6. */
static void
check_across(int vxids)
{
	workload   *w = model_with(0, 5);
	const seq_loop *l;

	two_transactions(w, vxids);
	l = only_loop(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	ASSERT_STR(l->parent->normalized, PARENT);
	CU_ASSERT_EQUAL(l->occurrences, 1);
	CU_ASSERT_EQUAL(l->children, 6);
	CU_ASSERT_EQUAL(l->one_xact, 0);
	/* the example holds the children only, not the BEGIN/COMMIT between them */
	CU_ASSERT_EQUAL(l->example.nvalues, 6);
	ASSERT_STR(l->example.values[3], "$1 = '4'");
	workload_destroy(w);
}

/*
 * group_by_transaction: two runs of 3, no loop at 5 repeats; at 3, the
 * first transaction's loop keeps its parent and the second has none.
 */
static void
check_grouped(int vxids)
{
	workload   *w = model_with(1, 5);
	const seq_loop *l;

	two_transactions(w, vxids);
	CU_ASSERT_EQUAL(loop_count(w), 0);
	workload_destroy(w);

	w = model_with(1, 3);
	two_transactions(w, vxids);
	CU_ASSERT_EQUAL(loop_count(w), 2);
	l = loop_after(w, PARENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->children, 3);
	CU_ASSERT_EQUAL(l->one_xact, 1);
	ASSERT_STR(l->example.values[2], "$1 = '3'");
	l = loop_after(w, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->children, 3);
	ASSERT_STR(l->example.values[0], "$1 = '4'");
	workload_destroy(w);
}

static void
test_pooler_by_vxid(void)
{
	check_across(1);
	check_grouped(1);
}

static void
test_pooler_by_begin_commit(void)
{
	check_across(0);
	check_grouped(0);
}

/*
 * Grouped, with no vxid and no BEGIN: each statement is its own
 * transaction (autocommit), so no run lasts, and a parent committed
 * before a block is not the parent of the block's run.
 */
static void
test_grouped_autocommit_and_parent(void)
{
	workload   *w = model_with(1, 3);
	int64_t		ts = loop(w, T0, 10, 6, 1, 0);
	char		p[32];

	CU_ASSERT_EQUAL(loop_count(w), 0);
	workload_test_statement(w, ts + 10, 10, PARENT, "$1 = '2'", 1.0);
	workload_test_statement(w, ts + 20, 10, "BEGIN", NULL, 0.1);
	for (int i = 0; i < 4; i++)
	{
		snprintf(p, sizeof(p), "$1 = '%d'", 20 + i);
		workload_test_statement(w, ts + 30 + 10 * i, 10, CHILD, p, 2.0);
	}
	workload_test_statement(w, ts + 80, 10, "COMMIT", NULL, 0.1);
	workload_finish_sessions(w);
	CU_ASSERT_EQUAL(loop_count(w), 1);
	CU_ASSERT_PTR_NOT_NULL(loop_after(w, NULL));
	workload_destroy(w);
}

/* A row per transaction is one run (transaction control does not cut it). */
static void
test_row_per_transaction(void)
{
	workload   *w = workload_create(NULL);
	char		p[64];

	for (int i = 0; i < 12; i++)
	{
		snprintf(p, sizeof(p), "$1 = 'click', $2 = '%d'", i);
		workload_test_statement(w, T0 + 3 * i, 10, "BEGIN", NULL, 0.1);
		workload_test_statement(w, T0 + 3 * i + 1, 10, INSERT, p, 0.5);
		workload_test_statement(w, T0 + 3 * i + 2, 10, "COMMIT", NULL, 0.1);
	}

	const seq_fingerprint *f = fingerprint_named(w, INSERT);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->insert_runs, 1);
	CU_ASSERT_EQUAL(f->insert_rows, 12);
	CU_ASSERT_EQUAL(f->insert_runs_own_xact, 1);
	CU_ASSERT_EQUAL(f->insert_example.nvalues, 12);
	ASSERT_STR(f->insert_example.values[11], "$1 = 'click', $2 = '11'");
	workload_destroy(w);
}

PGSIFT_TEST_SUITE(session_patterns_suite)
{
	CU_pSuite	s = CU_add_suite("session_patterns", NULL, NULL);

	CU_add_test(s, "a loop is counted per (parent, child)", test_loop_counted);
	CU_add_test(s, "a loop of 3, repeated ids, long pauses: no loop", test_look_alikes_not_loops);
	CU_add_test(s, "runs close at disconnection and at the end", test_run_closed_at_end_and_disconnection);
	CU_add_test(s, "simple protocol: distinct by the text", test_simple_protocol_distinct_by_text);
	CU_add_test(s, "runs of single-row inserts and their transactions", test_insert_runs);
	CU_add_test(s, "the TTL cache across sessions", test_cache_across_sessions);
	CU_add_test(s, "merging two parts", test_merge);
	CU_add_test(s, "options from the filter", test_options);
	CU_add_test(s, "pooled transactions told apart by vxid", test_pooler_by_vxid);
	CU_add_test(s, "pooled transactions told apart by BEGIN/COMMIT", test_pooler_by_begin_commit);
	CU_add_test(s, "grouped: autocommit runs and a parent outside the block", test_grouped_autocommit_and_parent);
	CU_add_test(s, "a row per transaction is one insert run", test_row_per_transaction);
}
