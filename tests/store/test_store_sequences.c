/*-------------------------------------------------------------------------
 * test_store_sequences.c
 *    Tests of the store's session-sequence tables: loops, insert runs and
 *    cache figures saved, loaded back, and resumed across two parts of a
 *    log.
 *
 * The round trip runs on statements fed to a model by hand, so every
 * expected figure is counted from the test.  The end-to-end test plants
 * the patterns with libpq sessions in its own database on the throwaway
 * server, cuts the server's log at a line between two halves of the
 * workload, and checks that `pgsift analyze --store` fed the two parts
 * gives the n-plus-one, unbatched-insert and cacheable-query findings of
 * one pass over the whole, and that `pgsift report --store` shows them.
 *-------------------------------------------------------------------------
 */
#include "tests/model/workload_testing.h"
#include "tests/pg_testing.h"
#include "tests/rules/sequence_testing.h"
#include "tests/store/store_testing.h"
#include "tests/test_registry.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1704164645000LL		/* 2024-01-02 03:04:05 UTC */
#define DB "store_seq_test"

#define PARENT "SELECT id FROM orders WHERE customer_id = $1"
#define CHILD "SELECT * FROM order_items WHERE order_id = $1"
#define INSERT "INSERT INTO events (kind, payload) VALUES ($1, $2)"
#define CACHED "SELECT name FROM settings WHERE key = $1"

/* ---------------------------------------------------------------------
 * Round trip on a hand-fed model
 * ---------------------------------------------------------------------
 */

/*
 * A parent of id first, then n children 10 ms apart with ids first..;
 * returns the next time.  No id repeats across calls with other firsts:
 * both are cacheable reads, whose cache keys would cross the boundary.
 */
static int64_t
loop(workload *w, int64_t ts, int pid, int n, int first)
{
	char		p[32];

	snprintf(p, sizeof(p), "$1 = '%d'", first);
	workload_test_statement(w, ts, pid, PARENT, p, 1.0);
	for (int i = 0; i < n; i++)
	{
		snprintf(p, sizeof(p), "$1 = '%d'", first + i);
		workload_test_statement(w, ts + 10 * (i + 1), pid, CHILD, p, 2.0 + i * 0.25);
	}
	return ts + 10 * (n + 1);
}

/* n single-row INSERTs 1 ms apart, in session pid. */
static void
inserts(workload *w, int64_t ts, int pid, int n)
{
	char		p[64];

	for (int i = 0; i < n; i++)
	{
		snprintf(p, sizeof(p), "$1 = 'click', $2 = '%d'", i);
		workload_test_statement(w, ts + i, pid, INSERT, p, 0.5);
	}
}

/*
 * The first part of a workload: loops in two sessions (one still running
 * at the end, to be closed by the save), an insert run (also a loop of its
 * own, which n-plus-one leaves to unbatched-insert) and cache hits; every
 * figure the rules read is set.  Returns the time after it.
 */
static int64_t
first_part(workload *w)
{
	int64_t		ts = loop(w, T0, 10, 6, 100);

	workload_test_statement(w, ts + 10, 10, "UPDATE carts SET n = 0", NULL, 0.5);
	inserts(w, ts + 100, 10, 11);
	workload_test_statement(w, ts + 200, 10, CACHED, "$1 = 'theme'", 1.5);
	workload_test_statement(w, ts + 300, 11, CACHED, "$1 = 'theme'", 2.5);
	workload_test_statement(w, ts + 400, 12, CACHED, "$1 = 'theme'", 3.5);
	return loop(w, ts + 5000, 11, 9, 200);	/* left open */
}

/* The second part, in new sessions; 'theme' again within the TTL of its fill. */
static void
second_part(workload *w, int64_t ts)
{
	ts = loop(w, ts + 2000, 13, 7, 300);
	workload_test_statement(w, ts + 10, 13, "UPDATE carts SET n = 1", NULL, 0.5);
	inserts(w, ts + 100, 13, 12);
	workload_test_statement(w, ts + 200, 13, "UPDATE carts SET n = 2", NULL, 0.5);
	workload_test_statement(w, ts + 300, 14, CACHED, "$1 = 'lang'", 1.25);
	workload_test_statement(w, ts + 400, 14, CACHED, "$1 = 'lang'", 1.75);
	workload_test_statement(w, ts + 500, 14, CACHED, "$1 = 'theme'", 4.5);
}

static const seq_loop *
loop_of_child(workload *w, const char *child)
{
	size_t		n;
	seq_loop  **loops = session_patterns_loops(workload_patterns(w), &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(loops[i]->child->normalized, child) == 0)
			return loops[i];
	return NULL;
}

static void
assert_example_equal(const seq_example *a, const seq_example *b)
{
	CU_ASSERT_EQUAL(a->values == NULL, b->values == NULL);
	CU_ASSERT_EQUAL(a->nvalues, b->nvalues);
	CU_ASSERT_EQUAL(a->count, b->count);
	CU_ASSERT_EQUAL(a->distinct, b->distinct);
	CU_ASSERT_EQUAL(a->total_ms, b->total_ms);
	CU_ASSERT_EQUAL(a->parent_params == NULL, b->parent_params == NULL);
	if (a->parent_params && b->parent_params)
		ASSERT_STR(b->parent_params, a->parent_params);
	for (int i = 0; i < a->nvalues && i < b->nvalues; i++)
	{
		CU_ASSERT_EQUAL(a->values[i] == NULL, b->values[i] == NULL);
		if (a->values[i] && b->values[i])
			ASSERT_STR(b->values[i], a->values[i]);
	}
}

static void
assert_fingerprint_equal(const seq_fingerprint *a, const seq_fingerprint *b)
{
	CU_ASSERT_EQUAL(a->query->fingerprint, b->query->fingerprint);
	CU_ASSERT_EQUAL(a->kind, b->kind);
	CU_ASSERT_EQUAL(a->values_width, b->values_width);
	CU_ASSERT_EQUAL(a->insert_runs, b->insert_runs);
	CU_ASSERT_EQUAL(a->insert_rows, b->insert_rows);
	CU_ASSERT_EQUAL(a->insert_runs_own_xact, b->insert_runs_own_xact);
	CU_ASSERT_EQUAL(a->insert_ms, b->insert_ms);
	CU_ASSERT_EQUAL(a->insert_first_ts, b->insert_first_ts);
	CU_ASSERT_EQUAL(a->insert_last_ts, b->insert_last_ts);
	CU_ASSERT_EQUAL(a->cache_hits, b->cache_hits);
	CU_ASSERT_EQUAL(a->cache_misses, b->cache_misses);
	CU_ASSERT_EQUAL(a->cache_hit_ms, b->cache_hit_ms);
	assert_example_equal(&a->insert_example, &b->insert_example);
}

static void
assert_loop_equal(const seq_loop *a, const seq_loop *b)
{
	CU_ASSERT_EQUAL(a->parent == NULL, b->parent == NULL);
	if (a->parent && b->parent)
		CU_ASSERT_EQUAL(a->parent->fingerprint, b->parent->fingerprint);
	CU_ASSERT_EQUAL(a->child->fingerprint, b->child->fingerprint);
	CU_ASSERT_PTR_NOT_NULL(b->child->seq);
	CU_ASSERT_EQUAL(a->occurrences, b->occurrences);
	CU_ASSERT_EQUAL(a->children, b->children);
	CU_ASSERT_EQUAL(a->distinct, b->distinct);
	CU_ASSERT_EQUAL(a->child_ms, b->child_ms);
	CU_ASSERT_EQUAL(a->one_xact, b->one_xact);
	CU_ASSERT_EQUAL(a->first_ts, b->first_ts);
	CU_ASSERT_EQUAL(a->last_ts, b->last_ts);
	assert_example_equal(&a->example, &b->example);
}

/* Every loop and fingerprint of b equals a's, in the same order. */
static void
assert_tables_equal(workload *a, workload *b)
{
	size_t		na,
				nb;
	seq_loop  **la = session_patterns_loops(workload_patterns(a), &na);
	seq_loop  **lb = session_patterns_loops(workload_patterns(b), &nb);

	CU_ASSERT_EQUAL_FATAL(na, nb);
	for (size_t i = 0; i < na; i++)
		assert_loop_equal(la[i], lb[i]);

	seq_fingerprint **fa = session_patterns_fingerprints(workload_patterns(a), &na);
	seq_fingerprint **fb = session_patterns_fingerprints(workload_patterns(b), &nb);

	CU_ASSERT_EQUAL_FATAL(na, nb);
	for (size_t i = 0; i < na; i++)
		assert_fingerprint_equal(fa[i], fb[i]);
	CU_ASSERT_EQUAL(session_patterns_loops_dropped(workload_patterns(a)),
					session_patterns_loops_dropped(workload_patterns(b)));
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

static void
test_round_trip(void)
{
	char		path[4096];
	workload   *w = workload_create(NULL);
	workload   *back;

	first_part(w);
	store_test_path(path, sizeof(path), "sequences.db");
	store_test_save(path, w, NULL, 0);
	back = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);

	/* the run open at the save was closed by it: both occurrences are kept */
	const seq_loop *l = loop_of_child(back, CHILD);

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	ASSERT_STR(l->parent->normalized, PARENT);
	CU_ASSERT_EQUAL(l->occurrences, 2);
	CU_ASSERT_EQUAL(l->children, 15);
	CU_ASSERT_EQUAL(l->example.nvalues, 9);
	ASSERT_STR(l->example.values[8], "$1 = '208'");
	ASSERT_STR(l->example.parent_params, "$1 = '200'");

	const seq_fingerprint *ins = fingerprint_named(back, INSERT);
	const seq_fingerprint *cached = fingerprint_named(back, CACHED);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ins);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cached);
	CU_ASSERT_EQUAL(ins->kind, SEQ_KIND_SINGLE_INSERT);
	CU_ASSERT_EQUAL(ins->insert_runs, 1);
	CU_ASSERT_EQUAL(ins->insert_rows, 11);
	CU_ASSERT_EQUAL(ins->insert_example.nvalues, 11);
	CU_ASSERT_EQUAL(cached->kind, SEQ_KIND_CACHEABLE);
	CU_ASSERT_EQUAL(cached->cache_hits, 2);
	CU_ASSERT_EQUAL(cached->cache_misses, 1);
	CU_ASSERT_EQUAL(cached->cache_hit_ms, 6.0);
	assert_tables_equal(w, back);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM seq_loops"), 2);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM seq_example_values WHERE owner = 'insert'"), 11);
	workload_destroy(back);
	workload_destroy(w);
}

/*
 * A model loaded from the first part and fed the second has the tables of
 * one fed both, but for the documented loss: the cache key filled before
 * the boundary and read after it within the TTL is a miss, not a hit.
 */
static void
test_resume_continues(void)
{
	char		path[4096];
	workload   *all = workload_create(NULL);
	workload   *part = workload_create(NULL);
	workload   *resumed;
	int64_t		ts = first_part(all);

	second_part(all, ts);
	first_part(part);
	store_test_path(path, sizeof(path), "resume.db");
	store_test_save(path, part, NULL, 0);
	resumed = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resumed);
	second_part(resumed, ts);

	const seq_loop *l = loop_of_child(resumed, CHILD);

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->occurrences, 3);
	CU_ASSERT_EQUAL(fingerprint_named(resumed, INSERT)->insert_runs, 2);

	seq_fingerprint *c = (seq_fingerprint *) fingerprint_named(resumed, CACHED);

	CU_ASSERT_EQUAL_FATAL(c->cache_hits, 2 + 1);
	CU_ASSERT_EQUAL(fingerprint_named(all, CACHED)->cache_hits, 2 + 1 + 1);
	/* credit the hit the boundary lost; then every figure matches */
	c->cache_hits++;
	c->cache_misses--;
	c->cache_hit_ms += 4.5;
	assert_tables_equal(all, resumed);
	workload_destroy(resumed);
	workload_destroy(part);
	workload_destroy(all);
}

/* Loading with other thresholds than the store was built with warns. */
static void
test_other_thresholds_warned(void)
{
	char		path[4096];
	workload   *w = workload_create(NULL);
	session_pattern_options o = session_pattern_options_default();
	workload_filter f = {.since_ms = LOG_TS_UNKNOWN, .until_ms = LOG_TS_UNKNOWN, .patterns = &o};
	store	   *s;
	char	   *err;

	first_part(w);
	store_test_path(path, sizeof(path), "thresholds.db");
	store_test_save(path, w, NULL, 0);
	workload_destroy(w);
	o.min_repeats = 3;
	s = store_open(path, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	w = workload_create(&f);
	pg_test_capture_begin();
	CU_ASSERT_EQUAL(store_load(s, w), 0);
	err = pg_test_capture_end();
	pg_test_assert_has(err, "was built with other n-plus-one, unbatched-insert or cacheable-query thresholds", 1);
	pg_test_assert_has(err, "min_repeats 5", 1);
	free(err);
	workload_destroy(w);
	/* the same thresholds: silent */
	o.min_repeats = 5;
	w = workload_create(&f);
	pg_test_capture_begin();
	CU_ASSERT_EQUAL(store_load(s, w), 0);
	err = pg_test_capture_end();
	pg_test_assert_has(err, "thresholds", 0);
	free(err);
	workload_destroy(w);
	store_close(s);
}

/* ---------------------------------------------------------------------
 * End to end: a real server's log, fed in two parts
 * ---------------------------------------------------------------------
 */

static int	planted;			/* the log slices below were written */
static char full_log[4096],
			part1_log[4096],
			part2_log[4096];

/*
 * One half of the workload, in a session of its own: the N+1 for customers
 * first..last (8 items each), a cacheable lookup of key n times, and 12
 * single-row INSERTs; then the marker, which also closes the insert run.
 */
static int
plant_half(int first, int last, const char *key, int n, const char *marker)
{
	PGconn	   *c = seq_test_session(DB, "store-seq", "-c log_min_duration_statement=0");
	int			ok = c != NULL;
	char		sql[128];

	for (int cust = first; ok && cust <= last; cust++)
	{
		ok &= seq_test_run1(c, "SELECT id FROM orders WHERE customer_id = $1", cust);
		for (int o = 0; o < 8; o++)
			ok &= seq_test_run1(c, "SELECT sku, qty FROM order_items WHERE order_id = $1", cust * 10 + o);
	}
	for (int i = 0; ok && i < n; i++)
	{
		const char *values[1] = {key};

		ok &= seq_test_run(c, "SELECT value FROM settings WHERE key = $1", 1, values);
	}
	for (int i = 0; ok && i < 12; i++)
	{
		char		v[16];
		const char *values[2] = {"click", v};

		snprintf(v, sizeof(v), "%d", first * 100 + i);
		ok &= seq_test_run(c, "INSERT INTO events (kind, payload) VALUES ($1, $2)", 2, values);
	}
	snprintf(sql, sizeof(sql), "SELECT '%s'", marker);
	ok = ok && seq_test_run(c, sql, 0, NULL);
	PQfinish(c);
	return ok;
}

/* The server's log as a malloc'd string, its length in *len; NULL if unreadable. */
static char *
read_server_log(size_t *len)
{
	char		path[4096];
	const char *dir = getenv("PGSIFT_PG_LOGDIR");
	FILE	   *f;
	char	   *buf;
	long		size;

	snprintf(path, sizeof(path), "%s/postgresql.log", dir ? dir : ".");
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) size + 1);
	*len = fread(buf, 1, (size_t) size, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/*
 * Wait until the collector has written the marker's line past byte from
 * (an earlier run of the suite against the same server, the plain one
 * before the sanitized one, left the same markers before it); the log
 * then, or NULL.
 */
static char *
log_with(const char *marker, size_t from, size_t *len)
{
	for (int i = 0; i < 100; i++)
	{
		char	   *log = read_server_log(len);

		if (log && *len >= from && strstr(log + from, marker))
			return log;
		free(log);
		usleep(100000);
	}
	return NULL;
}

/* The start of the first entry (a line not continuing another) at or after p, past the log's start. */
static const char *
entry_start(const char *p)
{
	while (*p == '\t' || (p[-1] != '\n' && *p))
	{
		const char *nl = strchr(p, '\n');

		p = nl ? nl + 1 : p + strlen(p);
	}
	return p;
}

static void
write_slice(const char *path, const char *from, const char *to)
{
	FILE	   *f = fopen(path, "w");

	fwrite(from, 1, (size_t) (to - from), f);
	fclose(f);
}

/*
 * Plant both halves and cut the log this run wrote into full.log, and at
 * the first entry after the first half's marker, into part1.log and
 * part2.log.
 */
static int
plant_and_cut(void)
{
	size_t		before = 0,
				len;
	char	   *log = read_server_log(&before);
	const char *start,
			   *split;

	free(log);
	if (!plant_half(1, 3, "theme", 25, "store-seq-first-half") ||
		(log = log_with("store-seq-first-half", before, &len)) == NULL)
		return 0;
	free(log);
	if (!plant_half(4, 5, "lang", 10, "store-seq-second-half") ||
		(log = log_with("store-seq-second-half", before, &len)) == NULL)
		return 0;
	/* from the first whole entry this run's sessions can be in */
	start = before > 0 && before <= len ? entry_start(log + before) : log;
	split = strstr(start, "store-seq-first-half");
	if (split == NULL)
	{
		free(log);
		return 0;
	}
	split = entry_start(split);
	store_test_path(full_log, sizeof(full_log), "full.log");
	store_test_path(part1_log, sizeof(part1_log), "part1.log");
	store_test_path(part2_log, sizeof(part2_log), "part2.log");
	write_slice(full_log, start, log + len);
	write_slice(part1_log, start, split);
	write_slice(part2_log, split, log + len);
	free(log);
	return 1;
}

static int
suite_init(void)
{
	const char *setup =
		SEQ_TEST_SHOP_SCHEMA
		"INSERT INTO settings VALUES ('theme', 'dark'), ('lang', 'en');\n";

	if (!test_have_server())
		return 0;
	if (seq_test_create_database(DB, setup) != 0)
		return 1;
	planted = plant_and_cut();
	return 0;
}

static int
suite_clean(void)
{
	seq_test_drop_database(DB);
	return 0;
}

static const char *const sequence_rules[] = {"n-plus-one", "unbatched-insert", "cacheable-query"};

/* The findings of the three sequence rules in j, in the report's order (a new reference). */
static json_t *
sequence_findings(json_t *j)
{
	json_t	   *out = json_array();
	size_t		i;
	json_t	   *f;

	json_array_foreach(json_object_get(j, "findings"), i, f)
	{
		const char *r = json_string_value(json_object_get(f, "rule"));

		for (size_t k = 0; r && k < sizeof(sequence_rules) / sizeof(sequence_rules[0]); k++)
			if (strcmp(r, sequence_rules[k]) == 0)
				json_array_append(out, f);
	}
	return out;
}

/* pgsift with the arguments formatted from fmt; its JSON output (NULL if none). */
static json_t *pgsift_json(const char *fmt,...) __attribute__((format(printf, 1, 2)));

static json_t *
pgsift_json(const char *fmt,...)
{
	char		args[16384];
	json_t	   *j = NULL;
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	return j;
}

static const char *
field(json_t *f, const char *name)
{
	const char *s = json_string_value(json_object_get(f, name));

	return s ? s : "";
}

/* The one finding of rule in fs; asserts there is exactly one. */
static json_t *
one_finding(json_t *fs, const char *rule)
{
	json_t	   *found = NULL;
	int			n = 0;
	size_t		i;
	json_t	   *f;

	json_array_foreach(fs, i, f)
		if (strcmp(field(f, "rule"), rule) == 0)
	{
		found = f;
		n++;
	}
	CU_ASSERT_EQUAL(n, 1);
	return found;
}

/* What the one pass found: one finding of each rule, with both halves' figures. */
static void
assert_planted_findings(json_t *fs)
{
	json_t	   *f = one_finding(fs, "n-plus-one");

	pg_test_assert_has(field(f, "query"), "FROM order_items WHERE order_id = $1", 1);
	pg_test_assert_has(field(f, "detail"), "8.0 times on average (5 occurrences, 40 executions", 1);
	f = one_finding(fs, "unbatched-insert");
	pg_test_assert_has(field(f, "detail"), "2 runs of single-row INSERTs, 12.0 rows per run", 1);
	f = one_finding(fs, "cacheable-query");
	pg_test_assert_has(field(f, "query"), "FROM settings WHERE key = $1", 1);
	pg_test_assert_has(field(f, "detail"), "33 of 35 executions", 1);
}

static void
test_two_parts_like_one_pass(void)
{
	char		storepath[4096];

	if (!planted)
	{
		CU_ASSERT_TRUE(!test_have_server());
		return;
	}
	store_test_path(storepath, sizeof(storepath), "two-parts.db");

	json_t	   *one = pgsift_json("analyze -q --format json --dbname " DB " '%s'", full_log);
	json_t	   *first = pgsift_json("analyze -q --format json --dbname " DB " --store '%s' '%s'", storepath, part1_log);
	json_t	   *second = pgsift_json("analyze -q --format json --dbname " DB " --store '%s' '%s'", storepath, part2_log);
	json_t	   *stored = pgsift_json("report -q --format json --store '%s'", storepath);
	json_t	   *want = sequence_findings(one),
			   *got = sequence_findings(second),
			   *reported = sequence_findings(stored),
			   *half = sequence_findings(first);

	assert_planted_findings(want);
	/* the first half alone: 3 loops, one insert run, 24 hits */
	pg_test_assert_has(field(one_finding(half, "n-plus-one"), "detail"), "(3 occurrences, 24 executions", 1);
	pg_test_assert_has(field(one_finding(half, "cacheable-query"), "detail"), "24 of 25 executions", 1);
	CU_ASSERT_TRUE(json_equal(want, got));
	CU_ASSERT_TRUE(json_equal(want, reported));
	if (!json_equal(want, got) || !json_equal(want, reported))
	{
		char	   *a = json_dumps(want, JSON_INDENT(1)),
				   *b = json_dumps(got, JSON_INDENT(1)),
				   *c = json_dumps(reported, JSON_INDENT(1));

		fprintf(stderr, "one pass:\n%s\nresumed:\n%s\nreport --store:\n%s\n", a, b, c);
		free(a);
		free(b);
		free(c);
	}
	json_decref(want);
	json_decref(got);
	json_decref(reported);
	json_decref(half);
	json_decref(one);
	json_decref(first);
	json_decref(second);
	json_decref(stored);
}

/* The text report of the store lists the findings too. */
static void
test_report_text_has_findings(void)
{
	char		storepath[4096],
				args[16384];
	char	   *out = NULL;

	if (!planted)
		return;
	store_test_path(storepath, sizeof(storepath), "text.db");
	snprintf(args, sizeof(args), "analyze -q --dbname " DB " --store '%s' '%s'", storepath, full_log);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	snprintf(args, sizeof(args), "report --store '%s'", storepath);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	pg_test_assert_has(out, "n-plus-one", 1);
	pg_test_assert_has(out, "unbatched-insert", 1);
	pg_test_assert_has(out, "cacheable-query", 1);
	free(out);
}

PGSIFT_SERVER_TEST_SUITE(store_sequences_suite)
{
	CU_pSuite	s = CU_add_suite("src/store_sequences", suite_init, suite_clean);

	CU_add_test(s, "loops, insert runs and cache figures round-trip", test_round_trip);
	CU_add_test(s, "a loaded model continues like one fed everything", test_resume_continues);
	CU_add_test(s, "other thresholds than the store's are warned", test_other_thresholds_warned);
	CU_add_test(s, "a log in two parts gives the one-pass findings", test_two_parts_like_one_pass);
	CU_add_test(s, "report --store lists the sequence findings", test_report_text_has_findings);
}
