/*-------------------------------------------------------------------------
 * test_pgss.c
 *    Tests of the pg_stat_statements reader and of snapshot differences.
 *
 * Differences are checked on snapshots made by hand from known execution
 * times (so mean and stddev of the interval are known exactly).  The
 * reader runs against the throwaway server: statements are run on a
 * plain, untagged connection a known number of times, and the snapshot
 * must count them and fingerprint them as libpg_query does the literal
 * text.  Objects (tables, roles, databases) are named after the process
 * id, as the suite runs twice (plain and sanitized) against one server.
 *-------------------------------------------------------------------------
 */
#include "src/live/pgss.h"
#include "src/model/workload.h"
#include "tests/pg_testing.h"
#include "tests/sandbox_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------
 * Differences, on snapshots made by hand
 * ---------------------------------------------------------------------------
 */

/* An entry as pg_stat_statements would show after these execution times. */
static pgss_entry
entry_of(int64_t queryid, const char *user, const double *ms, int n)
{
	pgss_entry	e = {.queryid = queryid, .toplevel = 1, .calls = n, .min_exec_ms = INFINITY};
	double		sumsq = 0;

	e.query = strdup("SELECT * FROM t WHERE id = $1");
	e.user = strdup(user);
	e.dbname = strdup("shop");
	for (int i = 0; i < n; i++)
	{
		e.total_exec_ms += ms[i];
		sumsq += ms[i] * ms[i];
		e.min_exec_ms = fmin(e.min_exec_ms, ms[i]);
		e.max_exec_ms = fmax(e.max_exec_ms, ms[i]);
	}
	e.mean_exec_ms = e.total_exec_ms / n;
	e.stddev_exec_ms = sqrt(sumsq / n - e.mean_exec_ms * e.mean_exec_ms);
	e.rows = 2 * n;
	e.shared_blks_hit = 10 * n;
	e.wal_bytes = 100 * n;
	return e;
}

/* A snapshot owning copies of entries[0..n). */
static pgss_snapshot *
snapshot_of(const pgss_entry *entries, int n, const char *stats_reset)
{
	pgss_snapshot *s = calloc(1, sizeof(pgss_snapshot));

	s->available = 1;
	s->count = n;
	s->entries = calloc((size_t) n + 1, sizeof(pgss_entry));
	memcpy(s->entries, entries, (size_t) n * sizeof(pgss_entry));
	s->stats_reset = stats_reset ? strdup(stats_reset) : NULL;
	return s;
}

/* Entries of other databases are dropped and freed; the rest keep their order. */
static void
test_keep_database(void)
{
	double		ms[] = {1, 2};
	pgss_entry	e[4] = {entry_of(1, "app", ms, 2), entry_of(2, "app", ms, 2), entry_of(3, "app", ms, 2),
	entry_of(4, "app", ms, 1)};
	pgss_snapshot *s;

	free(e[1].dbname);
	e[1].dbname = strdup("other");
	free(e[3].dbname);
	e[3].dbname = strdup("other");
	s = snapshot_of(e, 4, NULL);
	CU_ASSERT_EQUAL(pgss_keep_database(s, "shop"), 2);
	CU_ASSERT_EQUAL_FATAL(s->count, 2);
	CU_ASSERT_EQUAL(s->entries[0].queryid, 1);
	CU_ASSERT_EQUAL(s->entries[1].queryid, 3);
	CU_ASSERT_EQUAL(pgss_keep_database(s, "shop"), 0);
	CU_ASSERT_EQUAL(pgss_keep_database(s, "none"), 2);
	CU_ASSERT_EQUAL(s->count, 0);
	pgss_free(s);
}

static const pgss_entry *
find_queryid(const pgss_snapshot *s, int64_t queryid, const char *user)
{
	for (int i = 0; i < s->count; i++)
		if (s->entries[i].queryid == queryid && strcmp(s->entries[i].user, user) == 0)
			return &s->entries[i];
	return NULL;
}

static void
test_delta_counters(void)
{
	const double early[] = {10, 20};
	const double all[] = {10, 20, 30, 40};
	const double idle[] = {5};
	const double fresh[] = {7, 9};
	pgss_entry	b[] = {entry_of(1, "app", early, 2), entry_of(2, "app", idle, 1), entry_of(3, "app", all, 4)};
	pgss_entry	a[] = {entry_of(1, "app", all, 4), entry_of(2, "app", idle, 1), entry_of(3, "app", fresh, 2),
	entry_of(4, "app", fresh, 2), entry_of(1, "other", idle, 1)};
	pgss_snapshot *before = snapshot_of(b, 3, "2024-01-31 08:00:00.000 UTC");
	pgss_snapshot *after = snapshot_of(a, 5, "2024-01-31 08:00:00.000 UTC");
	pgss_snapshot *d;
	const pgss_entry *e;

	after->taken_at_ms = 1234;
	d = pgss_delta(before, after);
	CU_ASSERT_EQUAL(d->available, 1);
	CU_ASSERT_EQUAL(d->taken_at_ms, 1234);
	CU_ASSERT_STRING_EQUAL(d->stats_reset, "2024-01-31 08:00:00.000 UTC");
	CU_ASSERT_EQUAL(d->count, 4);	/* queryid 2 did not run */
	CU_ASSERT_PTR_NULL(find_queryid(d, 2, "app"));

	/* the interval's calls were 30 and 40 ms */
	e = find_queryid(d, 1, "app");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->calls, 2);
	CU_ASSERT_DOUBLE_EQUAL(e->total_exec_ms, 70, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(e->mean_exec_ms, 35, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(e->stddev_exec_ms, 5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(e->max_exec_ms, 40, 1e-9);
	CU_ASSERT(isnan(e->min_exec_ms));	/* the minimum (10) predates the interval */
	CU_ASSERT_EQUAL(e->rows, 4);
	CU_ASSERT_EQUAL(e->shared_blks_hit, 20);
	CU_ASSERT_EQUAL(e->wal_bytes, 200);

	/* fewer calls than before: reset or evicted, counted from zero */
	e = find_queryid(d, 3, "app");
	CU_ASSERT(e && e->calls == 2 && fabs(e->total_exec_ms - 16) < 1e-9 && e->min_exec_ms == 7);

	/* new since before, and the same queryid under another user */
	e = find_queryid(d, 4, "app");
	CU_ASSERT(e && e->calls == 2);
	e = find_queryid(d, 1, "other");
	CU_ASSERT(e && e->calls == 1);

	/* by the interval's total time */
	for (int i = 1; i < d->count; i++)
		CU_ASSERT(d->entries[i - 1].total_exec_ms >= d->entries[i].total_exec_ms);
	pgss_free(d);

	/* stats_reset moved: everything counts from zero */
	free(after->stats_reset);
	after->stats_reset = strdup("2024-01-31 09:00:00.000 UTC");
	d = pgss_delta(before, after);
	CU_ASSERT_EQUAL(d->count, 5);
	e = find_queryid(d, 1, "app");
	CU_ASSERT(e && e->calls == 4);
	pgss_free(d);

	/* not available on either side: not available */
	before->available = 0;
	d = pgss_delta(before, after);
	CU_ASSERT_EQUAL(d->available, 0);
	pgss_free(d);
	pgss_free(before);
	pgss_free(after);
	pgss_free(NULL);
}

/* ---------------------------------------------------------------------------
 * Reading from the server
 * ---------------------------------------------------------------------------
 */

/* pgsift's connection to dbname as user (NULL: PGUSER); stderr into *err. */
static sandbox *
connect_as(const char *dbname, const char *user, char **err)
{
	char		extra[256];
	sandbox    *c;

	snprintf(extra, sizeof(extra), "dbname=%s%s%s", dbname, user ? " user=" : "", user ? user : "");

	char	   *dsn = pg_test_dsn(extra);

	pg_test_capture_begin();
	c = sandbox_test_open(dsn, 0);
	*err = pg_test_capture_end();
	free(dsn);
	return c;
}

/* pgss_read with stderr into *err. */
static pgss_snapshot *
read_captured(sandbox *c, char **err)
{
	pgss_snapshot *s;

	pg_test_capture_begin();
	s = pgss_read(c);
	*err = pg_test_capture_end();
	return s;
}

/* The probe statement on table, with literals from i. */
static void
probe_sql(char *buf, size_t size, const char *table, int i)
{
	snprintf(buf, size, "SELECT count(*) FROM %s WHERE id > %d AND note <> 'n%d'", table, i, i);
}

/* Run the probe statement n times on conn, with different literals. */
static void
run_probe(PGconn *conn, const char *table, int n)
{
	char		sql[256];

	for (int i = 0; i < n; i++)
	{
		probe_sql(sql, sizeof(sql), table, i);
		pg_test_exec(conn, sql);
	}
}

/* The snapshot's entry for the probe on table, or NULL. */
static const pgss_entry *
find_probe(const pgss_snapshot *s, const char *table)
{
	for (int i = 0; s && i < s->count; i++)
		if (strncmp(s->entries[i].query, "SELECT count(*)", 15) == 0 && strstr(s->entries[i].query, table))
			return &s->entries[i];
	return NULL;
}

static int
has_own_statement(const pgss_snapshot *s)
{
	for (int i = 0; i < s->count; i++)
		if (strstr(s->entries[i].query, PGSIFT_STATEMENT_TAG))
			return 1;
	return 0;
}

static void
test_read_counts_and_fingerprints(void)
{
	char		table[64],
				sql[256];
	char	   *err;

	PGconn	   *admin = pg_test_admin("postgres");
	sandbox    *c = connect_as("postgres", NULL, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	free(err);
	snprintf(table, sizeof(table), "pgsift_probe_%d", (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE TABLE %s (id int, note text)", table);
	pg_test_exec(admin, sql);
	run_probe(admin, table, 7);

	pgss_snapshot *s = read_captured(c, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->available, 1);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(s->hidden, 0);

	const pgss_entry *e = find_probe(s, table);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->calls, 7);
	CU_ASSERT_EQUAL(e->rows, 7);
	CU_ASSERT_STRING_EQUAL(e->user, "postgres");
	CU_ASSERT_STRING_EQUAL(e->dbname, "postgres");
	CU_ASSERT_EQUAL(e->toplevel, 1);
	CU_ASSERT(e->total_exec_ms > 0 && e->max_exec_ms >= e->min_exec_ms);
	CU_ASSERT(fabs(e->mean_exec_ms * 7 - e->total_exec_ms) < 1e-6 * (1 + e->total_exec_ms));
	CU_ASSERT(e->queryid != 0);
	CU_ASSERT(strstr(e->query, "$1") != NULL);	/* the view's normalized text */

	/* the fingerprint is libpg_query's of the statement as it was sent */
	probe_sql(sql, sizeof(sql), table, 5);

	PgQueryFingerprintResult fr = pg_query_fingerprint(sql);

	CU_ASSERT_PTR_NULL(fr.error);
	CU_ASSERT_EQUAL(e->fingerprint, fr.fingerprint);
	CU_ASSERT_EQUAL(e->parsed, 1);
	pg_query_free_fingerprint_result(fr);

	/* a statement tagged as pgsift's is in the view but not in the snapshot */
	pg_test_exec(admin, PGSIFT_STATEMENT_TAG " SELECT 1 AS pgsift_own_probe");
	pgss_free(s);
	free(err);
	s = read_captured(c, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);

	char	   *own = pg_test_value(admin, "SELECT count(*) FROM pg_stat_statements WHERE query LIKE '"
									PGSIFT_STATEMENT_TAG "%'");

	CU_ASSERT(own && atoi(own) > 0);
	CU_ASSERT_EQUAL(has_own_statement(s), 0);
	free(own);

	/* by total time; stats_reset as "YYYY-MM-DD HH:MM:SS.mmm UTC" */
	for (int i = 1; i < s->count; i++)
		CU_ASSERT(s->entries[i - 1].total_exec_ms >= s->entries[i].total_exec_ms);
	CU_ASSERT(s->stats_reset && strlen(s->stats_reset) == 27 && s->stats_reset[4] == '-' &&
			  strcmp(s->stats_reset + 23, " UTC") == 0);
	CU_ASSERT(s->taken_at_ms > 1600000000000LL);

	snprintf(sql, sizeof(sql), "DROP TABLE %s", table);
	pg_test_exec(admin, sql);
	pgss_free(s);
	free(err);
	sandbox_test_close(c);
	PQfinish(admin);
}

static void
test_read_delta(void)
{
	char		table[64],
				sql[256];
	char	   *err;

	PGconn	   *admin = pg_test_admin("postgres");
	sandbox    *c = connect_as("postgres", NULL, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	free(err);
	snprintf(table, sizeof(table), "pgsift_delta_%d", (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE TABLE %s (id int, note text)", table);
	pg_test_exec(admin, sql);
	run_probe(admin, table, 3);

	pgss_snapshot *before = read_captured(c, &err);

	free(err);
	run_probe(admin, table, 4);

	pgss_snapshot *after = read_captured(c, &err);

	free(err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);

	pgss_snapshot *d = pgss_delta(before, after);
	const pgss_entry *e = find_probe(d, table);

	CU_ASSERT_EQUAL(d->available, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->calls, 4);
	CU_ASSERT_EQUAL(e->rows, 4);
	CU_ASSERT_EQUAL(find_probe(after, table)->calls, 7);
	CU_ASSERT_EQUAL(has_own_statement(d), 0);
	for (int i = 0; i < d->count; i++)
		CU_ASSERT(d->entries[i].calls > 0);

	snprintf(sql, sizeof(sql), "DROP TABLE %s", table);
	pg_test_exec(admin, sql);
	pgss_free(before);
	pgss_free(after);
	pgss_free(d);
	sandbox_test_close(c);
	PQfinish(admin);
}

/* A database created from template0 has no pg_stat_statements. */
static void
test_read_without_extension(void)
{
	char		db[64],
				sql[256];
	char	   *err;

	PGconn	   *admin = pg_test_admin("postgres");

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	snprintf(db, sizeof(db), "pgsift_noext_%d", (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0", db);
	pg_test_exec(admin, sql);

	sandbox    *c = connect_as(db, NULL, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	free(err);

	pgss_snapshot *s = read_captured(c, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->available, 0);
	CU_ASSERT_EQUAL(s->count, 0);
	snprintf(sql, sizeof(sql), "pgsift: warning: pg_stat_statements is not installed in database \"%s\"", db);
	pg_test_assert_has(err, sql, 1);
	pg_test_assert_has(err, "HINT:  Run CREATE EXTENSION pg_stat_statements;", 1);
	pg_test_assert_has(err, "shared_preload_libraries", 1);
	CU_ASSERT(sandbox_alive(c));
	pgss_free(s);
	free(err);
	sandbox_test_close(c);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s", db);
	pg_test_exec(admin, sql);
	PQfinish(admin);
}

/*
 * Older versions of the view (1.7 as on PostgreSQL 12: total_time, no
 * planning, WAL nor toplevel; 1.8; 1.9 with toplevel and _info), which
 * PostgreSQL 15's library still serves, in a schema that needs quoting.
 */
static void
check_extension_version(PGconn *admin, const char *version)
{
	char		db[64],
				table[64],
				sql[256];
	char	   *err;

	/* named after the version: the view shows every database's statements */
	snprintf(db, sizeof(db), "pgsift_pgss_v1%c_%d", version[2], (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0", db);
	pg_test_exec(admin, sql);

	PGconn	   *plain = pg_test_admin(db);
	sandbox    *c = connect_as(db, NULL, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	free(err);
	pg_test_exec(plain, "CREATE SCHEMA \"Stats Home\"");
	snprintf(sql, sizeof(sql), "CREATE EXTENSION pg_stat_statements SCHEMA \"Stats Home\" VERSION '%s'", version);
	pg_test_exec(plain, sql);
	snprintf(table, sizeof(table), "pgsift_old_v1%c_%d", version[2], (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE TABLE %s (id int, note text)", table);
	pg_test_exec(plain, sql);
	run_probe(plain, table, 3);

	pgss_snapshot *s = read_captured(c, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->available, 1);
	pg_test_assert_has(err, "warning", 0);

	const pgss_entry *e = find_probe(s, table);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->calls, 3);
	CU_ASSERT_STRING_EQUAL(e->dbname, db);
	CU_ASSERT_EQUAL(e->toplevel, 1);
	CU_ASSERT(e->total_exec_ms > 0 && e->mean_exec_ms > 0);
	if (strcmp(version, "1.7") == 0)
		CU_ASSERT(e->total_plan_ms == 0 && e->wal_bytes == 0);
	CU_ASSERT_EQUAL(s->stats_reset != NULL, strcmp(version, "1.9") >= 0);
	pgss_free(s);
	free(err);
	sandbox_test_close(c);
	PQfinish(plain);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s", db);
	pg_test_exec(admin, sql);
}

static void
test_read_older_versions(void)
{
	PGconn	   *admin = pg_test_admin("postgres");

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	check_extension_version(admin, "1.7");
	check_extension_version(admin, "1.8");
	check_extension_version(admin, "1.9");
	PQfinish(admin);
}

/* A role without pg_read_all_stats: other users' rows are left out, once warned. */
static void
test_read_insufficient_privilege(void)
{
	char		role[64],
				sql[256],
				expect[256];
	char	   *err;

	PGconn	   *admin = pg_test_admin("postgres");

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	snprintf(role, sizeof(role), "pgsift_low_%d", (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN", role);
	pg_test_exec(admin, sql);
	pg_test_exec(admin, "SELECT 'a statement of postgres'");

	sandbox    *c = connect_as("postgres", role, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	free(err);
	PQclear(PQexec(pgc_raw(sandbox_conn(c)), "SELECT 'a statement of the low role'"));

	pgss_snapshot *s = read_captured(c, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->available, 1);
	CU_ASSERT(s->hidden > 0);
	CU_ASSERT(s->count > 0);
	for (int i = 0; i < s->count; i++)
		CU_ASSERT_STRING_EQUAL(s->entries[i].user, role);
	snprintf(expect, sizeof(expect), "pgsift: warning: role \"%s\" may not see other users' statements", role);
	pg_test_assert_has(err, expect, 1);
	snprintf(expect, sizeof(expect), "HINT:  GRANT pg_read_all_stats TO %s;", role);
	pg_test_assert_has(err, expect, 1);
	pg_test_assert_has(err, "DETAIL:  Only superusers and members of pg_read_all_stats see", 1);
	pgss_free(s);
	free(err);

	/* with pg_read_all_stats, everything shows */
	snprintf(sql, sizeof(sql), "GRANT pg_read_all_stats TO %s", role);
	pg_test_exec(admin, sql);
	s = read_captured(c, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->hidden, 0);
	CU_ASSERT_STRING_EQUAL(err, "");

	int			others = 0;

	for (int i = 0; i < s->count; i++)
		others += strcmp(s->entries[i].user, "postgres") == 0;
	CU_ASSERT(others > 0);
	pgss_free(s);
	free(err);
	sandbox_test_close(c);
	snprintf(sql, sizeof(sql), "DROP ROLE %s", role);
	pg_test_exec(admin, sql);
	PQfinish(admin);
}

/* The view's SELECT revoked from PUBLIC: a warning, available = 0. */
static void
test_read_permission_denied(void)
{
	char		role[64],
				sql[256],
				expect[256];
	char	   *err;

	PGconn	   *admin = pg_test_admin("postgres");

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	snprintf(role, sizeof(role), "pgsift_denied_%d", (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN", role);
	pg_test_exec(admin, sql);
	pg_test_exec(admin, "REVOKE SELECT ON pg_stat_statements FROM PUBLIC");

	sandbox    *c = connect_as("postgres", role, &err);

	CU_ASSERT_PTR_NOT_NULL(c);
	free(err);
	if (c)
	{
		pgss_snapshot *s = read_captured(c, &err);

		CU_ASSERT(s && s->available == 0 && s->count == 0);
		pg_test_assert_has(err, "pgsift: warning: could not read pg_stat_statements: permission denied", 1);
		snprintf(expect, sizeof(expect), "GRANT SELECT ON pg_stat_statements TO %s", role);
		pg_test_assert_has(err, expect, 1);
		CU_ASSERT(sandbox_alive(c));
		pgss_free(s);
		free(err);
	}
	pg_test_exec(admin, "GRANT SELECT ON pg_stat_statements TO PUBLIC");
	sandbox_test_close(c);
	snprintf(sql, sizeof(sql), "DROP ROLE %s", role);
	pg_test_exec(admin, sql);
	PQfinish(admin);
}

/* A connection that died: NULL and an error. */
static void
test_read_dead_connection(void)
{
	char		sql[128];
	char	   *err;

	PGconn	   *admin = pg_test_admin("postgres");
	sandbox    *c = connect_as("postgres", NULL, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	free(err);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d, 10000)", PQbackendPID(pgc_raw(sandbox_conn(c))));
	pg_test_exec(admin, sql);

	pgss_snapshot *s = read_captured(c, &err);

	CU_ASSERT_PTR_NULL(s);
	pg_test_assert_has(err, "pgsift: error: lost the connection to the database while reading pg_stat_statements", 1);
	pgss_free(s);
	free(err);
	sandbox_test_close(c);
	PQfinish(admin);
}

PGSIFT_TEST_SUITE(add_pgss_suite)
{
	CU_pSuite	s = CU_add_suite("pgss", NULL, NULL);

	CU_add_test(s, "delta of counters", test_delta_counters);
	CU_add_test(s, "entries of the connected database only", test_keep_database);
	test_add_server_test(s, "read: counts and fingerprints", test_read_counts_and_fingerprints);
	test_add_server_test(s, "read: delta between two snapshots", test_read_delta);
	test_add_server_test(s, "read: extension not installed", test_read_without_extension);
	test_add_server_test(s, "read: views of older versions", test_read_older_versions);
	test_add_server_test(s, "read: insufficient privilege", test_read_insufficient_privilege);
	test_add_server_test(s, "read: permission denied", test_read_permission_denied);
	test_add_server_test(s, "read: dead connection", test_read_dead_connection);
}
