/*-------------------------------------------------------------------------
 * test_catalog.c
 *    Tests of the catalog snapshot against the throwaway server.
 *
 * The suite builds its own databases (catalog_test with a schema that has
 * one of every kind of object the snapshot reads, catalog_test_empty with
 * none), takes one snapshot of each and drops both at the end, so it never
 * collides with other suites.  Expected values come from how the schema was
 * built or from the server itself (SHOW), not from catalog.c.
 *-------------------------------------------------------------------------
 */
#include "tests/pg_testing.h"
#include "tests/sandbox_testing.h"
#include "tests/test_registry.h"

#include "src/live/catalog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static pg_conn *admin;			/* to the harness's database */
static sandbox *sb;				/* to catalog_test, for the snapshots */
static pg_conn *conn;			/* sb's connection, for setting up */
static catalog_snapshot *snap;	/* of catalog_test */

/*
 * Each statement runs on its own: pgc_query may use the extended protocol,
 * which takes one statement at a time.
 */
static const char *const schema_sql[] = {
	"CREATE TABLE big (id int, grp int, note text)",
	"INSERT INTO big SELECT i, i % 100, 'n' || i FROM generate_series(1, 10000) i",
	"ANALYZE big",
	"CREATE TABLE customers (id serial PRIMARY KEY, email text, region int,"
	" country text, active bool, code text, gone int, tail text)",
	"ALTER TABLE customers DROP COLUMN gone",
	"ALTER TABLE customers ADD CONSTRAINT customers_country_region_key"
	" UNIQUE (country, region)",
	"CREATE UNIQUE INDEX customers_code_idx ON customers (code)",
	"CREATE INDEX customers_region_idx ON customers (region)",
	"CREATE INDEX customers_region_country_idx ON customers (region, country)",
	"CREATE INDEX customers_lower_email_idx ON customers (lower(email))",
	"CREATE INDEX customers_mixed_idx ON customers (region, lower(email))",
	"CREATE INDEX customers_active_idx ON customers (region) WHERE active",
	"CREATE INDEX customers_incl_idx ON customers (country) INCLUDE (email, region)",
	"CREATE TABLE orders (id int, c_region int, c_country text,"
	" customer_id int CONSTRAINT orders_customer_fk REFERENCES customers (id),"
	" CONSTRAINT orders_place_fk FOREIGN KEY (c_country, c_region)"
	" REFERENCES customers (country, region))",
	"CREATE SCHEMA app",
	"CREATE TABLE app.big (x int)",
	"CREATE TABLE app.only_here (y int)",
	"CREATE SEQUENCE app.near_max AS integer",
	"SELECT setval('app.near_max', 2147483000)",
	"SET work_mem = '12MB'",
	"SET random_page_cost = 1.5",
	"SET jit = off",
};

static int
run(pg_conn *c, const char *sql)
{
	PGresult   *r = pgc_query(c, sql, 0, NULL);

	if (r == NULL)
	{
		fprintf(stderr, "test_catalog: %s: %s\n", sql, pgc_last_error(c));
		return -1;
	}
	PQclear(r);
	return 0;
}

/* The first field of the first row of sql, as an integer (or -12345). */
static int64_t
scalar(pg_conn *c, const char *sql)
{
	PGresult   *r = pgc_query(c, sql, 0, NULL);
	int64_t		v = -12345;

	if (r != NULL && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static int
suite_init(void)
{
	admin = pgc_connect(NULL);
	if (admin == NULL)
		return 1;
	run(admin, "SET client_min_messages = warning");
	run(admin, "DROP DATABASE IF EXISTS catalog_test");
	run(admin, "DROP DATABASE IF EXISTS catalog_test_empty");
	if (run(admin, "CREATE DATABASE catalog_test") != 0 ||
		run(admin, "CREATE DATABASE catalog_test_empty") != 0)
		return 1;
	sb = sandbox_test_open("dbname=catalog_test", 0);
	if (sb == NULL)
		return 1;
	conn = sandbox_conn(sb);
	for (size_t i = 0; i < sizeof(schema_sql) / sizeof(schema_sql[0]); i++)
		if (run(conn, schema_sql[i]) != 0)
			return 1;
	snap = catalog_snapshot_take(sb);
	return snap == NULL;
}

static int
suite_cleanup(void)
{
	catalog_snapshot_free(snap);
	sandbox_test_close(sb);
	if (admin == NULL)
		return 0;
	run(admin, "DROP DATABASE IF EXISTS catalog_test");
	run(admin, "DROP DATABASE IF EXISTS catalog_test_empty");
	pgc_close(admin);
	return 0;
}

static const catalog_index *
find_index(const char *name)
{
	for (int i = 0; i < snap->nindexes; i++)
		if (strcmp(snap->indexes[i].name, name) == 0)
			return &snap->indexes[i];
	return NULL;
}

static const catalog_fk *
find_fk(const char *name)
{
	for (int i = 0; i < snap->nfks; i++)
		if (strcmp(snap->fks[i].name, name) == 0)
			return &snap->fks[i];
	return NULL;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void
test_tables(void)
{
	const catalog_table *big = catalog_find_table(snap, "public", "big");
	const catalog_table *cust = catalog_find_table(snap, "public", "customers");

	CU_ASSERT_EQUAL(snap->ntables, 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_DOUBLE_EQUAL(big->reltuples, 10000, 0.5);
	CU_ASSERT(big->relpages > 0);
	CU_ASSERT(big->size_bytes > 0);
	CU_ASSERT_PTR_NOT_NULL(big->last_analyze);
	CU_ASSERT_EQUAL_FATAL(big->ncolumns, 3);
	CU_ASSERT(streq(big->columns[0], "id"));
	CU_ASSERT(streq(big->columns[1], "grp"));
	CU_ASSERT(streq(big->columns[2], "note"));

	/* Never analyzed: -1 since PostgreSQL 14; the dropped column is a hole. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(cust);
	CU_ASSERT_DOUBLE_EQUAL(cust->reltuples, -1, 0.1);
	CU_ASSERT_EQUAL_FATAL(cust->ncolumns, 8);
	CU_ASSERT(streq(cust->columns[0], "id"));
	CU_ASSERT(streq(cust->columns[5], "code"));
	CU_ASSERT_PTR_NULL(cust->columns[6]);
	CU_ASSERT(streq(cust->columns[7], "tail"));
}

static void
test_find_table(void)
{
	const catalog_table *t;

	t = catalog_find_table(snap, NULL, "big");
	CU_ASSERT(t != NULL && streq(t->schema, "public"));
	t = catalog_find_table(snap, "app", "big");
	CU_ASSERT(t != NULL && streq(t->schema, "app") && t->ncolumns == 1);
	t = catalog_find_table(snap, NULL, "only_here");
	CU_ASSERT(t != NULL && streq(t->schema, "app"));
	CU_ASSERT_PTR_NULL(catalog_find_table(snap, "public", "only_here"));
	CU_ASSERT_PTR_NULL(catalog_find_table(snap, NULL, "no_such_table"));
	CU_ASSERT_PTR_NULL(catalog_find_table(snap, "pg_catalog", "pg_class"));
	CU_ASSERT_PTR_NULL(catalog_find_table(snap, NULL, "pg_class"));
	for (int i = 0; i < snap->ntables; i++)
	{
		CU_ASSERT(strcmp(snap->tables[i].schema, "pg_catalog") != 0);
		CU_ASSERT(strcmp(snap->tables[i].schema, "information_schema") != 0);
		CU_ASSERT(strncmp(snap->tables[i].schema, "pg_toast", 8) != 0);
	}
}

static void
test_index_flags(void)
{
	const catalog_index *pk = find_index("customers_pkey");
	const catalog_index *uq = find_index("customers_code_idx");
	const catalog_index *con = find_index("customers_country_region_key");
	const catalog_index *plain = find_index("customers_region_idx");

	CU_ASSERT_PTR_NOT_NULL_FATAL(pk);
	CU_ASSERT(pk->primary && pk->unique && pk->valid && pk->backs_constraint);
	CU_ASSERT(streq(pk->table, "customers") && streq(pk->schema, "public"));
	CU_ASSERT(streq(pk->method, "btree"));
	CU_ASSERT(pk->size_bytes > 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(uq);
	CU_ASSERT(uq->unique && !uq->primary && !uq->backs_constraint);
	CU_ASSERT_PTR_NOT_NULL_FATAL(con);
	CU_ASSERT(con->unique && con->backs_constraint);
	/* An FK's conindid points at the referenced index: not a backing. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	CU_ASSERT(!plain->unique && !plain->primary && !plain->backs_constraint);
	CU_ASSERT(plain->valid);
	CU_ASSERT(streq(plain->definition,
					"CREATE INDEX customers_region_idx ON public.customers USING btree (region)"));
	CU_ASSERT_PTR_NULL(plain->expressions);
	CU_ASSERT_PTR_NULL(plain->predicate);
}

static void
test_index_columns(void)
{
	const catalog_index *two = find_index("customers_region_country_idx");
	const catalog_index *expr = find_index("customers_lower_email_idx");
	const catalog_index *mixed = find_index("customers_mixed_idx");
	const catalog_index *part = find_index("customers_active_idx");
	const catalog_index *incl = find_index("customers_incl_idx");

	CU_ASSERT_PTR_NOT_NULL_FATAL(two);
	CU_ASSERT_EQUAL_FATAL(two->ncolumns, 2);
	CU_ASSERT_EQUAL(two->nkeys, 2);
	CU_ASSERT(streq(two->columns[0], "region") && streq(two->columns[1], "country"));

	CU_ASSERT_PTR_NOT_NULL_FATAL(expr);
	CU_ASSERT_EQUAL_FATAL(expr->ncolumns, 1);
	CU_ASSERT_PTR_NULL(expr->columns[0]);
	CU_ASSERT(streq(expr->expressions, "lower(email)"));

	CU_ASSERT_PTR_NOT_NULL_FATAL(mixed);
	CU_ASSERT_EQUAL_FATAL(mixed->ncolumns, 2);
	CU_ASSERT(streq(mixed->columns[0], "region"));
	CU_ASSERT_PTR_NULL(mixed->columns[1]);

	CU_ASSERT_PTR_NOT_NULL_FATAL(part);
	CU_ASSERT(streq(part->predicate, "active"));

	CU_ASSERT_PTR_NOT_NULL_FATAL(incl);
	CU_ASSERT_EQUAL(incl->nkeys, 1);
	CU_ASSERT_EQUAL_FATAL(incl->ncolumns, 3);
	CU_ASSERT(streq(incl->columns[0], "country"));
	CU_ASSERT(streq(incl->columns[1], "email"));
	CU_ASSERT(streq(incl->columns[2], "region"));
}

/*
 * A unique CREATE INDEX CONCURRENTLY on duplicates fails and leaves an
 * invalid index behind.  It needs its own snapshot, taken after.
 */
static void
test_invalid_index(void)
{
	catalog_snapshot *s2;
	int			found = 0;

	CU_ASSERT_EQUAL(run(conn, "CREATE UNIQUE INDEX CONCURRENTLY big_grp_uq ON big (grp)"), -1);
	s2 = catalog_snapshot_take(sb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	for (int i = 0; i < s2->nindexes; i++)
		if (strcmp(s2->indexes[i].name, "big_grp_uq") == 0)
		{
			found = 1;
			CU_ASSERT_EQUAL(s2->indexes[i].valid, 0);
			CU_ASSERT_EQUAL(s2->indexes[i].unique, 1);
		}
	CU_ASSERT(found);
	catalog_snapshot_free(s2);
	run(conn, "DROP INDEX big_grp_uq");
}

static void
test_stats(void)
{
	const catalog_column_stats *grp = catalog_find_stats(snap, NULL, "big", "grp");
	const catalog_column_stats *id = catalog_find_stats(snap, "public", "big", "id");

	CU_ASSERT_PTR_NOT_NULL_FATAL(grp);
	CU_ASSERT_DOUBLE_EQUAL(grp->n_distinct, 100, 0.01);
	CU_ASSERT_DOUBLE_EQUAL(grp->null_frac, 0, 0.0001);
	/* 100 equally common values: each is 1% of the rows. */
	CU_ASSERT_DOUBLE_EQUAL(grp->most_common_freq, 0.01, 0.001);
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT_DOUBLE_EQUAL(id->n_distinct, -1, 0.01);
	CU_ASSERT_DOUBLE_EQUAL(id->correlation, 1, 0.01);
	CU_ASSERT_DOUBLE_EQUAL(id->most_common_freq, 0, 0.0001);
	CU_ASSERT_PTR_NULL(catalog_find_stats(snap, NULL, "customers", "email"));
	CU_ASSERT_PTR_NULL(catalog_find_stats(snap, "app", "big", "grp"));
}

static void
test_foreign_keys(void)
{
	const catalog_fk *one = find_fk("orders_customer_fk");
	const catalog_fk *two = find_fk("orders_place_fk");

	CU_ASSERT_EQUAL(snap->nfks, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	CU_ASSERT(streq(one->table, "orders") && streq(one->schema, "public"));
	CU_ASSERT(streq(one->ref_table, "public.customers"));
	CU_ASSERT_EQUAL_FATAL(one->ncolumns, 1);
	CU_ASSERT(streq(one->columns[0], "customer_id"));
	/* Key order, not column order: c_country comes after c_region in the table. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(two);
	CU_ASSERT_EQUAL_FATAL(two->ncolumns, 2);
	CU_ASSERT(streq(two->columns[0], "c_country"));
	CU_ASSERT(streq(two->columns[1], "c_region"));
	/* and the referenced columns they pair with */
	CU_ASSERT_PTR_NOT_NULL_FATAL(one->ref_columns);
	CU_ASSERT(streq(one->ref_columns[0], "id"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(two->ref_columns);
	CU_ASSERT(streq(two->ref_columns[0], "country"));
	CU_ASSERT(streq(two->ref_columns[1], "region"));
}

static void
test_sequences(void)
{
	const catalog_sequence *q = NULL;

	for (int i = 0; i < snap->nsequences; i++)
		if (strcmp(snap->sequences[i].name, "near_max") == 0)
			q = &snap->sequences[i];
	/* customers_id_seq (serial, never used) and near_max. */
	CU_ASSERT_EQUAL(snap->nsequences, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT(streq(q->schema, "app") && streq(q->type, "integer"));
	CU_ASSERT_EQUAL(q->last_value, 2147483000);
	CU_ASSERT_EQUAL(q->max_value, 2147483647);
	CU_ASSERT_EQUAL(q->increment, 1);
	for (int i = 0; i < snap->nsequences; i++)
		if (strcmp(snap->sequences[i].name, "customers_id_seq") == 0)
			CU_ASSERT_EQUAL(snap->sequences[i].last_value, -1);
}

static void
test_settings(void)
{
	const catalog_settings *set = &snap->settings;

	CU_ASSERT_EQUAL(set->work_mem_kb, 12 * 1024);
	CU_ASSERT_EQUAL(set->shared_buffers_kb,
					scalar(conn, "SELECT pg_size_bytes(current_setting('shared_buffers')) / 1024"));
	CU_ASSERT_EQUAL(set->effective_cache_size_kb,
					scalar(conn, "SELECT pg_size_bytes(current_setting('effective_cache_size')) / 1024"));
	CU_ASSERT_EQUAL(set->max_connections,
					scalar(conn, "SELECT current_setting('max_connections')::int"));
	CU_ASSERT_DOUBLE_EQUAL(set->random_page_cost, 1.5, 0.0001);
	CU_ASSERT_EQUAL(set->jit, 0);
}

/* The snapshot's transaction must be over, or the session would hold it open. */
static void
test_connection_left_idle(void)
{
	CU_ASSERT_EQUAL(PQtransactionStatus(pgc_raw(conn)), PQTRANS_IDLE);
}

static void
test_empty_database(void)
{
	sandbox    *c = sandbox_test_open("dbname=catalog_test_empty", 0);
	catalog_snapshot *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	s = catalog_snapshot_take(c);
	CU_ASSERT_PTR_NOT_NULL(s);
	if (s != NULL)
	{
		CU_ASSERT_EQUAL(s->ntables, 0);
		CU_ASSERT_EQUAL(s->nindexes, 0);
		CU_ASSERT_EQUAL(s->nstats, 0);
		CU_ASSERT_EQUAL(s->nfks, 0);
		CU_ASSERT_EQUAL(s->nsequences, 0);
		CU_ASSERT(s->settings.work_mem_kb > 0);
		CU_ASSERT(s->settings.max_connections > 0);
		CU_ASSERT_PTR_NULL(catalog_find_table(s, NULL, "big"));
		catalog_snapshot_free(s);
	}
	sandbox_test_close(c);
}

/* A session that the server has ended gives NULL, not a partial snapshot. */
static void
test_failure_gives_null(void)
{
	sandbox    *c = sandbox_test_open("dbname=catalog_test_empty", 0);
	int64_t		pid;
	char		sql[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pid = scalar(sandbox_conn(c), "SELECT pg_backend_pid()");
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)", (long long) pid);
	CU_ASSERT_EQUAL(run(admin, sql), 0);
	pg_test_capture_begin();
	CU_ASSERT_PTR_NULL(catalog_snapshot_take(c));
	free(pg_test_capture_end());
	sandbox_test_close(c);
}

/*
 * A query that fails inside the snapshot's transaction (here: a lock
 * timeout behind another session's ACCESS EXCLUSIVE lock) gives NULL and
 * still ends the transaction.
 */
static void
test_query_failure_rolls_back(void)
{
	pg_conn    *locker = pgc_connect("dbname=catalog_test");

	CU_ASSERT_PTR_NOT_NULL_FATAL(locker);
	CU_ASSERT_EQUAL(run(locker, "BEGIN"), 0);
	CU_ASSERT_EQUAL(run(locker, "LOCK TABLE big IN ACCESS EXCLUSIVE MODE"), 0);
	/* the sandbox's own lock_timeout ends the wait */
	pg_test_capture_begin();
	CU_ASSERT_PTR_NULL(catalog_snapshot_take(sb));
	free(pg_test_capture_end());
	CU_ASSERT_EQUAL(PQtransactionStatus(pgc_raw(conn)), PQTRANS_IDLE);
	run(locker, "ROLLBACK");
	pgc_close(locker);
}

PGSIFT_SERVER_TEST_SUITE(catalog_suite)
{
	CU_pSuite	s = CU_add_suite("catalog", suite_init, suite_cleanup);

	CU_add_test(s, "tables: counts, sizes, columns in order", test_tables);
	CU_add_test(s, "find_table with and without schema", test_find_table);
	CU_add_test(s, "indexes: unique, primary, constraint", test_index_flags);
	CU_add_test(s, "indexes: keys, INCLUDE, expressions, predicate", test_index_columns);
	CU_add_test(s, "failed CREATE INDEX CONCURRENTLY is invalid", test_invalid_index);
	CU_add_test(s, "pg_stats: n_distinct, null_frac, mcf", test_stats);
	CU_add_test(s, "foreign keys in key order", test_foreign_keys);
	CU_add_test(s, "sequence near its max", test_sequences);
	CU_add_test(s, "settings converted to kB", test_settings);
	CU_add_test(s, "connection left idle", test_connection_left_idle);
	CU_add_test(s, "database without user tables", test_empty_database);
	CU_add_test(s, "lost connection gives NULL", test_failure_gives_null);
	CU_add_test(s, "failed query gives NULL, rolls back", test_query_failure_rolls_back);
}
