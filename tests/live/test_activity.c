/*-------------------------------------------------------------------------
 * test_activity.c
 *    Tests of the pg_stat_activity snapshot against the throwaway server.
 *
 * A plain session is left idle in a transaction under an application
 * name of its own; the snapshot must count it, name its application and
 * age, and leave pgsift's own backend out.  A role without
 * pg_read_all_stats sees other roles' sessions without state: they are
 * counted as hidden, with a warning and its hint.  Names carry the
 * process id (the suite runs twice against one server).
 *-------------------------------------------------------------------------
 */
#include "src/live/activity.h"
#include "tests/pg_testing.h"
#include "tests/sandbox_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
app_name(void)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "activity-test-%d", (int) getpid());
	return buf;
}

/* A plain session as postgres, named app_name(), idle in a transaction. */
static PGconn *
idle_session(void)
{
	char		extra[128];
	char	   *dsn;
	PGconn	   *c;

	snprintf(extra, sizeof(extra), "dbname=postgres application_name=%s", app_name());
	dsn = pg_test_dsn(extra);
	c = PQconnectdb(dsn);
	free(dsn);
	CU_ASSERT_EQUAL(PQstatus(c), CONNECTION_OK);
	pg_test_exec(c, "BEGIN");
	pg_test_exec(c, "SELECT 1");
	return c;
}

static int64_t
group_count(const activity_snapshot *s, const char *state, const char *app)
{
	for (int i = 0; i < s->ngroups; i++)
		if (strcmp(s->groups[i].state, state) == 0 && strcmp(s->groups[i].application, app) == 0)
			return s->groups[i].count;
	return 0;
}

static void
test_idle_in_transaction(void)
{
	PGconn	   *idle;
	char	   *dsn;
	sandbox    *c;
	activity_snapshot *s;

	idle = idle_session();
	dsn = pg_test_dsn("dbname=postgres");
	c = sandbox_test_open(dsn, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	s = activity_take(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->idle_in_transaction >= 1);
	CU_ASSERT_EQUAL(group_count(s, "idle in transaction", app_name()), 1);
	CU_ASSERT(s->oldest_idle_in_transaction_s >= 0);
	CU_ASSERT_PTR_NOT_NULL(s->oldest_idle_in_transaction_app);
	/* pgsift's own backend is a slot in use, not a session of the figures */
	CU_ASSERT_EQUAL(group_count(s, "active", "pgsift"), 0);
	CU_ASSERT(s->slots_used >= s->sessions + 1);
	CU_ASSERT(s->max_connections > 0);
	CU_ASSERT(s->reserved_connections >= 0);
	CU_ASSERT_EQUAL(s->hidden, 0);
	activity_free(s);
	sandbox_test_close(c);
	free(dsn);
	PQfinish(idle);
}

static void
test_hidden_rows_warn(void)
{
	PGconn	   *admin,
			   *idle;
	char		role[64],
				sql[256],
				extra[128];
	char	   *dsn,
			   *err;
	sandbox    *c;
	activity_snapshot *s;

	snprintf(role, sizeof(role), "activity_viewer_%d", (int) getpid());
	admin = pg_test_admin("postgres");
	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	snprintf(sql, sizeof(sql), "DROP ROLE IF EXISTS %s", role);
	PQclear(PQexec(admin, sql));
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN", role);
	pg_test_exec(admin, sql);
	idle = idle_session();
	snprintf(extra, sizeof(extra), "dbname=postgres user=%s", role);
	dsn = pg_test_dsn(extra);
	c = sandbox_test_open(dsn, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pg_test_capture_begin();
	s = activity_take(c);
	err = pg_test_capture_end();
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->hidden >= 1);
	/* the idle session is there, but its state is not */
	CU_ASSERT_EQUAL(group_count(s, "idle in transaction", app_name()), 0);
	pg_test_assert_has(err, "permission denied to see other sessions", 1);
	pg_test_assert_has(err, "pg_read_all_stats", 1);
	free(err);
	activity_free(s);
	sandbox_test_close(c);
	free(dsn);
	PQfinish(idle);
	snprintf(sql, sizeof(sql), "DROP ROLE IF EXISTS %s", role);
	pg_test_exec(admin, sql);
	PQfinish(admin);
}

PGSIFT_SERVER_TEST_SUITE(activity_suite)
{
	CU_pSuite	s = CU_add_suite("src/activity", NULL, NULL);

	CU_add_test(s, "a session idle in a transaction", test_idle_in_transaction);
	CU_add_test(s, "other roles' sessions hidden: warning", test_hidden_rows_warn);
}
