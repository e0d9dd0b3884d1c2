/*-------------------------------------------------------------------------
 * test_query_rules.c
 *    The per-query workload rules: large-offset, many-rows-per-call and
 *    select-star-hot.
 *
 * Each rule first on a hand-built context (a model with samples, a
 * pg_stat_statements snapshot, a catalog) where it must fire and where
 * it must not; then end to end, on sessions run against the throwaway
 * server with log_min_duration_statement=0 in a database of this suite's
 * own, analysed with `pgsift analyze --dsn` on the server's log (read
 * with --dbname, the default log_line_prefix having no application name).
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/live/pgss.h"
#include "src/model/workload.h"
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB "qry_test"
#define APP "qry-rules-test"

static int
contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

static void
run_rule(const char *id, const workload_context *wc, const catalog_snapshot *cat, finding_list *out)
{
	const rule *r = rule_find(id);
	rule_context ctx = {.scope = RULE_WORKLOAD, .catalog = cat, .workload = wc, .out = out};

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->scope, RULE_WORKLOAD);
	memset(out, 0, sizeof(*out));
	r->check(&ctx);
}

/* A query of the model with one sampled execution (sql as logged, params DETAIL text). */
static query_stats *
add_query(workload *w, uint64_t fp, const char *normalized, const char *sql, const char *params,
		  uint64_t calls, double total_ms)
{
	query_stats *q = workload_query_for(w, fp, normalized, 1);
	query_sample s = {.duration_ms = total_ms / (double) calls, .query = strdup(sql),
	.params = params ? strdup(params) : NULL};

	q->calls = calls;
	q->total_ms = total_ms;
	workload_add_sample(q, &s);
	return q;
}

static void
test_large_offset_constant(void)
{
	workload   *w = workload_create(NULL);
	workload_context wc = {.model = w, .log_hours = 1};
	finding_list out;

	add_query(w, 1, "SELECT id, name FROM items WHERE kind = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
			  "SELECT id, name FROM items WHERE kind = 'a' ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET 5000",
			  NULL, 100, 1000);
	add_query(w, 2, "SELECT id FROM items ORDER BY id LIMIT $1 OFFSET $2",
			  "SELECT id FROM items ORDER BY id LIMIT 50 OFFSET 10", NULL, 100, 1000);
	run_rule("large-offset", &wc, NULL, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);	/* OFFSET 10 is a near page */

	finding    *f = out.items[0];

	ASSERT_STR(f->fingerprints[0], "0000000000000001");
	CU_ASSERT(contains(f->detail, "OFFSET 5000 LIMIT 50"));
	/* the keyset page: the sort keys against the next parameters, no OFFSET */
	ASSERT_STR(f->fix_sql, "SELECT id, name FROM items WHERE kind = $1 AND (created_at, id) < ($4, $5) "
			   "ORDER BY created_at DESC, id DESC LIMIT $2");
	CU_ASSERT(contains(f->fix_description, "$4..$5"));
	ASSERT_STR(f->tables[0], "items");
	/* 5000 / 5050 of 10 ms, 100 times an hour */
	CU_ASSERT_DOUBLE_EQUAL(f->score, 5000.0 / 5050.0 * 10 * 100, 0.01);
	CU_ASSERT_EQUAL(f->measurement.method, MEASURE_ESTIMATED);
	finding_list_free(&out);

	/* pgsift.conf's min_offset = 10000 leaves OFFSET 5000 alone */
	config_entry e = {"large-offset", "min_offset", "10000", 1};
	pgsift_config cfg = {.count = 1, .entries = &e};
	rule_context ctx = {.scope = RULE_WORKLOAD, .workload = &wc, .config = &cfg, .out = &out};

	memset(&out, 0, sizeof(out));
	rule_find("large-offset")->check(&ctx);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
	workload_destroy(w);
}

/*
 * With jobs, large-offset reads the samples of its candidates on several
 * threads: 60 paging queries of three samples each (deep pages, near
 * pages, constants and parameters) give the findings of one thread, in
 * the same order, word for word.
 */
static void
test_large_offset_threads(void)
{
	workload   *w = workload_create(NULL);
	finding_list one,
				three;

	for (int i = 0; i < 60; i++)
	{
		char		normalized[160],
					sql[160],
					params[80];
		query_stats *q;

		snprintf(normalized, sizeof(normalized), "SELECT id FROM items_%d WHERE owner = $1 ORDER BY id LIMIT $2 OFFSET $3", i);
		snprintf(sql, sizeof(sql), "SELECT id FROM items_%d WHERE owner = 'x' ORDER BY id LIMIT 20 OFFSET %d", i, i * 300);
		q = add_query(w, 100 + (uint64_t) i, normalized, sql, NULL, 10 + (uint64_t) i, 100.0 + i);
		for (int k = 1; k < 3; k++)
		{
			query_sample smp = {.duration_ms = 1.0 + k, .query = strdup(normalized)};

			snprintf(params, sizeof(params), "$1 = 'x', $2 = '20', $3 = '%d'", (i % 7) * 1000 * k);
			smp.params = strdup(params);
			workload_add_sample(q, &smp);
		}
	}

	workload_context wc1 = {.model = w, .log_hours = 1, .jobs = 1};
	workload_context wc3 = {.model = w, .log_hours = 1, .jobs = 3};

	run_rule("large-offset", &wc1, NULL, &one);
	run_rule("large-offset", &wc3, NULL, &three);
	CU_ASSERT(one.count > 30);
	CU_ASSERT_EQUAL_FATAL(one.count, three.count);
	for (int i = 0; i < one.count; i++)
	{
		ASSERT_STR(three.items[i]->fingerprints[0], one.items[i]->fingerprints[0]);
		ASSERT_STR(three.items[i]->detail, one.items[i]->detail);
		ASSERT_STR(three.items[i]->fix_sql, one.items[i]->fix_sql);
	}
	finding_list_free(&one);
	finding_list_free(&three);
	workload_destroy(w);
}

static void
test_large_offset_param(void)
{
	workload   *w = workload_create(NULL);
	workload_context wc = {.model = w, .log_hours = 2};
	finding_list out;

	add_query(w, 3, "SELECT id FROM items WHERE owner = $1 ORDER BY id LIMIT $2 OFFSET $3",
			  "SELECT id FROM items WHERE owner = $1 ORDER BY id LIMIT $2 OFFSET $3",
			  "$1 = 'ann', $2 = '25', $3 = '20000'", 10, 100);
	run_rule("large-offset", &wc, NULL, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT(contains(out.items[0]->detail, "OFFSET 20000 LIMIT 25"));
	ASSERT_STR(out.items[0]->fix_sql, "SELECT id FROM items WHERE owner = $1 AND id > $4 ORDER BY id LIMIT $2");
	finding_list_free(&out);

	/* no ORDER BY: keyset advice without SQL */
	add_query(w, 4, "SELECT id FROM items LIMIT $1 OFFSET $2", "SELECT id FROM items LIMIT 10 OFFSET 90000",
			  NULL, 10, 100);
	run_rule("large-offset", &wc, NULL, &out);
	CU_ASSERT_EQUAL(out.count, 2);
	for (int i = 0; i < out.count; i++)
		if (strcmp(out.items[i]->fingerprints[0], "0000000000000004") == 0)
		{
			CU_ASSERT_PTR_NULL(out.items[i]->fix_sql);
			CU_ASSERT(contains(out.items[i]->fix_description, "unique key"));
		}
	finding_list_free(&out);
	workload_destroy(w);
}

/* A pg_stat_statements row with rows returned in total over calls. */
static pgss_entry
pgss_row(uint64_t fp, const char *query, int64_t calls, int64_t rows, double total_ms)
{
	pgss_entry	e = {0};

	e.fingerprint = fp;
	e.parsed = 1;
	e.query = (char *) query;
	e.calls = calls;
	e.rows = rows;
	e.total_exec_ms = total_ms;
	e.mean_exec_ms = total_ms / (double) calls;
	return e;
}

static void
test_many_rows_per_call(void)
{
	workload   *w = workload_create(NULL);
	pgss_entry	e[3];
	pgss_snapshot ss = {.available = 1, .count = 3, .entries = e};
	workload_context wc = {.model = w, .pgss = &ss, .pgss_hours = 1};
	finding_list out;

	e[0] = pgss_row(10, "SELECT * FROM events WHERE day = $1", 20, 20 * 50000, 4000);
	e[1] = pgss_row(11, "SELECT * FROM events WHERE id = $1", 20, 200, 10);
	e[2] = pgss_row(12, "COPY events TO STDOUT", 2, 2 * 90000, 500);
	run_rule("many-rows-per-call", &wc, NULL, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);	/* not the 10-row one, not COPY */
	ASSERT_STR(out.items[0]->fingerprints[0], "000000000000000a");
	CU_ASSERT(contains(out.items[0]->detail, "50000 rows per call"));
	CU_ASSERT(contains(out.items[0]->fix_sql, "DECLARE pgsift_rows NO SCROLL CURSOR FOR SELECT * FROM events"));
	/* (50000 - 10000) / 50000 of 4000 ms per hour */
	CU_ASSERT_DOUBLE_EQUAL(out.items[0]->score, 0.8 * 4000, 0.01);
	finding_list_free(&out);

	/* without pg_stat_statements: nothing */
	wc.pgss = NULL;
	run_rule("many-rows-per-call", &wc, NULL, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
	workload_destroy(w);
}

static char *wide_cols[20] = {
	"id", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10",
	"c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19",
};
static char *narrow_cols[3] = {"id", "a", "b"};

static void
test_select_star_hot(void)
{
	workload   *w = workload_create(NULL);
	workload_context wc = {.model = w, .log_hours = 1};
	catalog_table t[2] = {
		{.schema = "public", .name = "wide", .reltuples = 1000, .size_bytes = 200000, .ncolumns = 20, .columns = wide_cols},
		{.schema = "public", .name = "narrow", .reltuples = 1000, .size_bytes = 40000, .ncolumns = 3, .columns = narrow_cols},
	};
	catalog_snapshot cat = {.ntables = 2, .tables = t};
	finding_list out;

	add_query(w, 20, "SELECT * FROM wide WHERE id = $1", "SELECT * FROM wide WHERE id = 1", NULL, 1000, 100);
	add_query(w, 21, "SELECT * FROM narrow WHERE id = $1", "SELECT * FROM narrow WHERE id = 1", NULL, 1000, 100);
	add_query(w, 22, "SELECT id, c1 FROM wide WHERE id = $1", "SELECT id, c1 FROM wide WHERE id = 1", NULL, 1000, 100);
	add_query(w, 23, "SELECT w.*, n.a FROM wide w JOIN narrow n ON n.id = w.id",
			  "SELECT w.*, n.a FROM wide w JOIN narrow n ON n.id = w.id", NULL, 5000, 100);
	/* wide but cold: 10 calls an hour, 1% of the time */
	add_query(w, 24, "SELECT * FROM wide WHERE c1 = $1", "SELECT * FROM wide WHERE c1 = 'x'", NULL, 10, 4);
	workload_summary_mut(w)->total_duration_ms = 404;

	run_rule("select-star-hot", &wc, NULL, &out);
	CU_ASSERT_EQUAL(out.count, 0);	/* no catalog, no finding */
	finding_list_free(&out);

	run_rule("select-star-hot", &wc, &cat, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 2);
	for (int i = 0; i < out.count; i++)
	{
		finding    *f = out.items[i];

		ASSERT_STR(f->tables[0], "public.wide");
		CU_ASSERT_EQUAL(f->ntables, 1);
		CU_ASSERT(contains(f->detail, "20 columns"));
		if (strcmp(f->fingerprints[0], "0000000000000014") == 0)
		{
			CU_ASSERT(contains(f->fix_sql, "SELECT id, c1, c2, c3,") && contains(f->fix_sql, "c19 FROM wide WHERE id = $1"));
		}
		else
		{
			ASSERT_STR(f->fingerprints[0], "0000000000000017");
			CU_ASSERT(contains(f->fix_sql, "SELECT w.id, w.c1,") && contains(f->fix_sql, "w.c19, n.a FROM wide w"));
		}
		CU_ASSERT(f->score > 0);
	}
	finding_list_free(&out);
	workload_destroy(w);
}

/*
 * End to end.  The sessions run in DB with log_min_duration_statement=0,
 * then pgsift reads the log and the server.
 */

static PGconn *
session(void)
{
	char	   *dsn = pg_test_dsn("dbname=" DB " application_name=" APP
								  " options='-c log_min_duration_statement=0'");
	PGconn	   *c = PQconnectdb(dsn);

	free(dsn);
	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "%s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Run sql with text parameters n times; asserts every run worked. */
static void
run_n(PGconn *c, int n, const char *sql, int nparams, const char *const *values)
{
	for (int i = 0; i < n; i++)
	{
		PGresult   *r = PQexecParams(c, sql, nparams, NULL, values, NULL, NULL, 0);

		CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_TUPLES_OK);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
		PQclear(r);
	}
}

static int
setup_database(void)
{
	PGconn	   *admin = pg_test_admin("postgres");
	int			ok;

	if (admin == NULL)
		return 0;
	ok = pg_test_exec(admin, "DROP DATABASE IF EXISTS " DB " WITH (FORCE)") &&
		pg_test_exec(admin, "CREATE DATABASE " DB);
	PQfinish(admin);
	if (!ok || (admin = pg_test_admin(DB)) == NULL)
		return 0;
	ok = pg_test_exec(admin, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements") &&
		pg_test_exec(admin, "CREATE TABLE qry_pages (id integer PRIMARY KEY, title text NOT NULL)") &&
		pg_test_exec(admin, "INSERT INTO qry_pages SELECT g, 'page ' || g FROM generate_series(1, 30000) g") &&
		pg_test_exec(admin, "CREATE TABLE qry_wide (id integer PRIMARY KEY, c1 text, c2 text, c3 text, c4 text, "
					 "c5 text, c6 text, c7 text, c8 text, c9 text, c10 int, c11 int, c12 int, c13 int, c14 int, "
					 "c15 int, c16 int, c17 int, c18 int, c19 int)") &&
		pg_test_exec(admin, "INSERT INTO qry_wide (id, c1) SELECT g, 'x' FROM generate_series(1, 100) g") &&
		pg_test_exec(admin, "CREATE TABLE qry_narrow (id integer PRIMARY KEY, a int, b int)") &&
		pg_test_exec(admin, "INSERT INTO qry_narrow SELECT g, g, g FROM generate_series(1, 100) g") &&
		pg_test_exec(admin, "VACUUM ANALYZE");
	PQfinish(admin);
	return ok;
}

static void
run_sessions(PGconn *c)
{
	const char *deep[] = {"20", "20000"};
	const char *id[] = {"7"};

	run_n(c, 3, "SELECT id, title FROM qry_pages ORDER BY id LIMIT 20 OFFSET 5000", 0, NULL);
	run_n(c, 3, "SELECT title FROM qry_pages ORDER BY id LIMIT 20 OFFSET 10", 0, NULL);
	run_n(c, 3, "SELECT id FROM qry_pages ORDER BY id DESC LIMIT $1 OFFSET $2", 2, deep);
	run_n(c, 2, "SELECT g AS qry_many FROM generate_series(1, 50000) g", 0, NULL);
	run_n(c, 2, "SELECT id, a FROM qry_narrow WHERE id <= 10", 0, NULL);
	run_n(c, 200, "SELECT * FROM qry_wide WHERE id = $1", 1, id);
	run_n(c, 200, "SELECT * FROM qry_narrow WHERE id = $1", 1, id);
	run_n(c, 200, "SELECT id, c1 FROM qry_wide WHERE id = $1", 1, id);
}

/* The finding of rule whose query contains query_part, or NULL. */
static json_t *
finding_of(json_t *j, const char *rule, const char *query_part)
{
	size_t		i;
	json_t	   *f;

	json_array_foreach(json_object_get(j, "findings"), i, f)
	{
		const char *r = json_string_value(json_object_get(f, "rule"));
		const char *q = json_string_value(json_object_get(f, "query"));

		if (r && strcmp(r, rule) == 0 && q && strstr(q, query_part))
			return f;
	}
	return NULL;
}

static const char *
str_at(json_t *o, const char *k1, const char *k2)
{
	return json_string_value(json_object_get(json_object_get(o, k1), k2));
}

static void
test_end_to_end(void)
{
	PGconn	   *c;
	json_t	   *j = NULL,
			   *f;
	char		args[4096];

	CU_ASSERT_FATAL(setup_database());
	c = session();
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	run_sessions(c);
	PQfinish(c);

	snprintf(args, sizeof(args), "analyze -q --format json --dsn 'dbname=" DB "' --dbname " DB " '%s/postgresql.log'",
			 getenv("PGSIFT_PG_LOGDIR"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);

	/* large-offset: the constant OFFSET 5000 and the logged $2 = 20000, measured; not OFFSET 10 */
	f = finding_of(j, "large-offset", "SELECT id, title FROM qry_pages");
	CU_ASSERT_PTR_NOT_NULL(f);
	ASSERT_STR(str_at(f, "fix", "sql"), "SELECT id, title FROM qry_pages WHERE id > $3 ORDER BY id LIMIT $2");
	ASSERT_STR(str_at(f, "measurement", "method"), "measured");
	f = finding_of(j, "large-offset", "SELECT id FROM qry_pages ORDER BY id DESC");
	CU_ASSERT_PTR_NOT_NULL(f);
	CU_ASSERT(contains(json_string_value(json_object_get(f, "detail")), "OFFSET 20000 LIMIT 20"));
	ASSERT_STR(str_at(f, "measurement", "method"), "measured");
	CU_ASSERT(json_number_value(json_object_get(json_object_get(f, "measurement"), "before_ms")) >=
			  json_number_value(json_object_get(json_object_get(f, "measurement"), "after_ms")));
	CU_ASSERT_PTR_NULL(finding_of(j, "large-offset", "SELECT title FROM qry_pages"));

	/* many-rows-per-call: 50,000 rows a call, not 10 */
	CU_ASSERT_PTR_NOT_NULL(finding_of(j, "many-rows-per-call", "qry_many"));
	CU_ASSERT_PTR_NULL(finding_of(j, "many-rows-per-call", "SELECT id, a FROM qry_narrow"));

	/* select-star-hot: * on the 20-column table, not on the 3-column one, nor named columns */
	f = finding_of(j, "select-star-hot", "SELECT * FROM qry_wide");
	CU_ASSERT_PTR_NOT_NULL(f);
	/* its figures are pg_stat_statements', which also has the row count */
	CU_ASSERT(contains(json_string_value(json_object_get(f, "detail")), "of all time in pg_stat_statements"));
	CU_ASSERT(contains(str_at(f, "fix", "sql"), "SELECT id, c1, c2,"));
	CU_ASSERT_PTR_NULL(finding_of(j, "select-star-hot", "qry_narrow"));
	CU_ASSERT_PTR_NULL(finding_of(j, "select-star-hot", "SELECT id, c1 FROM qry_wide"));
	json_decref(j);
}

PGSIFT_TEST_SUITE(query_rules_suite)
{
	CU_pSuite	s = CU_add_suite("rules/query", NULL, NULL);

	CU_add_test(s, "large-offset with a constant OFFSET", test_large_offset_constant);
	CU_add_test(s, "large-offset with a logged $n OFFSET", test_large_offset_param);
	CU_add_test(s, "large-offset read on three threads: one thread's findings", test_large_offset_threads);
	CU_add_test(s, "many-rows-per-call from pg_stat_statements", test_many_rows_per_call);
	CU_add_test(s, "select-star-hot on wide tables only", test_select_star_hot);
	test_add_server_test(s, "the three rules end to end", test_end_to_end);
}
