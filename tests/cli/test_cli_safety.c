/*-------------------------------------------------------------------------
 * test_cli_safety.c
 *    End to end: a log full of statements with side effects, analysed
 *    with --dsn in every --measure mode and explained one by one, leaves
 *    the database exactly as it was.
 *
 * The log is written by the test server itself: one session runs each
 * statement with log_min_duration_statement = 0 (pg_terminate_backend of
 * a victim that does not exist yet, the statistics resets, advisory
 * locks, set_config, pg_notify, dblink, large objects, WAL switch, a
 * replication slot, pg_sleep, pg_read_file, a user's volatile plpgsql
 * function, a view over a volatile function, INSERTs into a table whose
 * trigger calls it), in both protocols, beside ordinary queries.  The
 * part of the server log they wrote is the input.  Then a victim session
 * connects, a listener LISTENs, and pgsift runs.  Afterwards the victim
 * is alive, every reset time and the configuration load time are as
 * before, no advisory lock was ever held by pgsift (polled while it
 * ran), nothing was notified, no slot, large object or dblink row was
 * made, the user function was never called (track_functions), and the
 * server log shows that no statement pgsift sent executed one of those
 * functions.  The report lists each as explained, not executed, while
 * the ordinary queries are still measured.
 *-------------------------------------------------------------------------
 */
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DB "safety_test"
#define VICTIM "pgsift_victim"

/* Every function the log calls that pgsift must never execute. */
static const char *const dangerous[] = {
	"pg_terminate_backend", "pg_cancel_backend", "pg_stat_statements_reset", "pg_stat_reset",
	"pg_stat_reset_shared", "pg_reload_conf", "pg_rotate_logfile", "pg_advisory_lock",
	"pg_try_advisory_lock", "set_config", "pg_notify", "dblink_exec", "lo_create", "pg_switch_wal",
	"pg_create_physical_replication_slot", "pg_drop_replication_slot", "pg_sleep", "pg_read_file",
	"notify_and_set", "v_locking",
};

#define NDANGEROUS (sizeof(dangerous) / sizeof(dangerous[0]))

/* The statements pgsift explain is given one by one. */
static const char *const explained_one[] = {
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" VICTIM "'",
	"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '" VICTIM "'",
	"SELECT pg_stat_statements_reset()", "SELECT pg_stat_reset()",
	"SELECT pg_stat_reset_shared('bgwriter')", "SELECT pg_reload_conf()", "SELECT pg_rotate_logfile()",
	"SELECT pg_advisory_lock(4711)", "SELECT pg_try_advisory_lock(4712)",
	"SELECT set_config('work_mem', '1GB', false)", "SELECT pg_notify('" VICTIM "', 'hello')",
	"SELECT dblink_exec('dbname=" DB "', 'INSERT INTO side_effects VALUES (1)')",
	"SELECT lo_create(0)", "SELECT pg_switch_wal()",
	"SELECT pg_create_physical_replication_slot('pgsift_safety_slot')",
	"SELECT pg_drop_replication_slot('pgsift_safety_slot')", "SELECT pg_sleep(0.2)",
	"SELECT length(pg_read_file('postgresql.conf'))", "SELECT notify_and_set()",
	"SELECT * FROM v_locking WHERE id = 1", "INSERT INTO audited (note) VALUES ('x')",
};

static char log_path[4096];		/* the statements' part of the server log */

/* pg_test_server_log()[from, to) (malloc'd). */
static char *
read_span(long from, long to)
{
	FILE	   *f = fopen(pg_test_server_log(), "r");
	char	   *buf;
	size_t		n;

	if (f == NULL || to < from)
	{
		if (f)
			fclose(f);
		return strdup("");
	}
	buf = malloc((size_t) (to - from) + 1);
	fseek(f, from, SEEK_SET);
	n = fread(buf, 1, (size_t) (to - from), f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Wait until the server log holds marker after offset from; its size then. */
static long
wait_for_log(long from, const char *marker)
{
	for (int i = 0; i < 100; i++)
	{
		long		size = pg_test_file_size(pg_test_server_log());
		char	   *text = read_span(from, size);
		int			found = strstr(text, marker) != NULL;

		free(text);
		if (found)
			return size;
		usleep(50 * 1000);
	}
	return -1;
}

static void
exec_params(PGconn *c, const char *sql, int n, const char *const *values)
{
	PGresult   *r = PQexecParams(c, sql, n, NULL, values, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
		fprintf(stderr, "\n  %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/*
 * Write the log: tests/harness/safety-log.sql through psql (the simple
 * protocol, values inline), then the same kinds of statement with
 * parameters (the extended protocol) from a session that logs them all.
 */
static int
write_the_log(void)
{
	const char *victim[] = {VICTIM};
	const char *timeout[] = {"statement_timeout", "0"};
	const char *account[] = {"7"};
	PGconn	   *c;

	if (test_run("psql -X -q -v ON_ERROR_STOP=1 -d " DB " -f '" PGSIFT_SOURCE_DIR
				 "/tests/harness/safety-log.sql' >/dev/null 2>&1", NULL) != 0 ||
		(c = pg_test_setup_connect(DB)) == NULL)
		return -1;
	pg_test_setup_exec(c, "SET log_min_duration_statement = 0");
	exec_params(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", 1, victim);
	exec_params(c, "SELECT set_config($1, $2, false)", 2, timeout);
	for (int i = 0; i < 3; i++)
		exec_params(c, "SELECT id, amount FROM orders WHERE account_id = $1", 1, account);
	/* a run of single-row INSERTs, each its own transaction, into a table whose trigger notifies */
	for (int i = 0; i < 12; i++)
	{
		char		note[16];
		const char *v[] = {note};

		snprintf(note, sizeof(note), "n%d", i);
		exec_params(c, "INSERT INTO audited (note) VALUES ($1)", 1, v);
	}
	pg_test_setup_exec(c, "SELECT 'pgsift-safety-log-end'");
	PQfinish(c);
	return 0;
}

static int
suite_init(void)
{
	if (!test_have_server())
		return 0;

	PGconn	   *admin;

	if (pg_test_create_database(DB) != 0 || (admin = pg_test_setup_connect("postgres")) == NULL)
		return 1;
	pg_test_setup_exec(admin, "ALTER DATABASE " DB " SET track_functions = 'all'");
	/* every statement pgsift sends there is in the server log, to be checked */
	pg_test_setup_exec(admin, "ALTER DATABASE " DB " SET log_min_duration_statement = 0");
	PQfinish(admin);

	if (test_run("psql -X -q -v ON_ERROR_STOP=1 -d " DB " -f '" PGSIFT_SOURCE_DIR
				 "/tests/harness/safety-schema.sql' >/dev/null 2>&1", NULL) != 0)
		return 1;

	/* the log: the part of the server log its statements were written to */
	long		from = pg_test_file_size(pg_test_server_log());

	if (write_the_log() != 0)
		return 1;

	long		to = wait_for_log(from, "pgsift-safety-log-end");
	char	   *text = read_span(from, to);
	FILE	   *f;

	snprintf(log_path, sizeof(log_path), "%s/safety.log", test_tmpdir());
	f = fopen(log_path, "w");
	if (f == NULL || to < 0)
		return 1;
	fputs(text, f);
	fclose(f);
	free(text);
	return 0;
}

static int
suite_clean(void)
{
	if (test_have_server())
		pg_test_drop_database(DB);
	return 0;
}

/* What must not change, as one line of text. */
static char *
state(PGconn *admin)
{
	return pg_test_value(admin,
						 "SELECT concat_ws(' | ', "
						 "(SELECT stats_reset FROM pg_stat_statements_info), "
						 "(SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()), "
						 "(SELECT stats_reset FROM pg_stat_bgwriter), "
						 "pg_conf_load_time(), "
						 "(SELECT count(*) FROM pg_replication_slots), "
						 "(SELECT count(*) FROM pg_largeobject_metadata), "
						 "(SELECT count(*) FROM side_effects), "
						 "(SELECT count(*) FROM audited), "
						 "(SELECT string_agg(schemaname || '.' || funcname || '=' || calls, ',' ORDER BY funcname) "
						 " FROM pg_stat_user_functions WHERE funcname IN ('notify_and_set', 'audit_note', 'dblink_exec')), "
						 "(SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings "
						 " WHERE source NOT IN ('default', 'override', 'session', 'client')))");
}

/*
 * Run pgsift with args (shell words; stdout to out_path), polling
 * pg_locks while it runs; returns its exit status and sets *locks to the
 * most advisory locks pgsift's sessions were seen holding.
 */
static int
run_polling(PGconn *admin, const char *args, const char *out_path, int *locks)
{
	char		cmd[16384];
	pid_t		pid;
	int			status = -1;

	snprintf(cmd, sizeof(cmd), "exec %s %s > '%s' 2> '%s.err'", test_pgsift_binary(), args, out_path, out_path);
	*locks = 0;
	pid = fork();
	if (pid == 0)
	{
		execl("/bin/sh", "sh", "-c", cmd, (char *) NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0)
	{
		char	   *n = pg_test_value(admin, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
									  "WHERE l.locktype = 'advisory' AND a.application_name = 'pgsift'");

		if (n && atoi(n) > *locks)
			*locks = atoi(n);
		free(n);
		usleep(20 * 1000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whether some entry of the report's not_executed list names what, in its reason. */
static int
listed_not_executed(json_t *j, const char *what)
{
	json_t	   *list = json_object_get(json_object_get(json_object_get(j, "live"), "sandbox"), "not_executed");
	size_t		i;
	json_t	   *e;

	json_array_foreach(list, i, e)
	{
		const char *reason = json_string_value(json_object_get(e, "reason"));
		const char *query = json_string_value(json_object_get(e, "query"));

		if (reason && query && strstr(reason, what) && strstr(query, what))
			return 1;
	}
	return 0;
}

/* Whether live.plans has a plan of this kind. */
static int
has_plan_kind(json_t *j, const char *kind)
{
	json_t	   *plans = json_object_get(json_object_get(j, "live"), "plans");
	size_t		i;
	json_t	   *p;

	json_array_foreach(plans, i, p)
		if (strcmp(json_string_value(json_object_get(p, "kind")), kind) == 0)
			return 1;
	return 0;
}

/*
 * The lines pgsift's sessions got logged with that name one of the
 * dangerous functions and executed it: not a plain EXPLAIN or PREPARE.
 */
static int
executed_lines(const char *log)
{
	int			bad = 0;

	for (const char *line = log; line && *line;)
	{
		const char *end = strchr(line, '\n');
		size_t		len = end ? (size_t) (end - line) : strlen(line);
		char	   *l = strndup(line, len);

		if (strstr(l, "/* pgsift */") && !strstr(l, "EXPLAIN (FORMAT JSON)") && !strstr(l, "PREPARE pgsift_generic"))
			for (size_t k = 0; k < NDANGEROUS; k++)
				if (strstr(l, dangerous[k]))
				{
					fprintf(stderr, "\n  executed: %s", l);
					bad++;
					break;
				}
		free(l);
		line = end ? end + 1 : NULL;
	}
	return bad;
}

/* pgsift explain --measure real on each statement of explained_one: explained, not executed, no lock. */
static void
explain_each(PGconn *admin)
{
	for (size_t k = 0; k < sizeof(explained_one) / sizeof(explained_one[0]); k++)
	{
		char		args[8192],
					out[4096];
		char	   *text = NULL;
		int			locks;

		snprintf(args, sizeof(args), "explain --measure real --dsn 'dbname=" DB "' \"%s\"", explained_one[k]);
		snprintf(out, sizeof(out), "%s/safety-explain-%zu.txt", test_tmpdir(), k);
		CU_ASSERT_EQUAL(run_polling(admin, args, out, &locks), 0);
		CU_ASSERT_EQUAL(locks, 0);
		snprintf(args, sizeof(args), "cat '%s'", out);
		test_run(args, &text);
		pg_test_assert_has(text, ": explained, not executed", 1);
		free(text);
	}
}

static void
test_nothing_changes(void)
{
	PGconn	   *admin = pg_test_admin(DB);
	PGconn	   *victim,
			   *listener;
	char	   *dsn = pg_test_dsn("dbname=" DB " application_name=" VICTIM);
	char	   *before,
			   *after;
	const char *modes[] = {"off", "hypo", "real"};
	long		from = pg_test_file_size(pg_test_server_log());

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	victim = PQconnectdb(dsn);
	listener = PQconnectdb(dsn);
	CU_ASSERT_EQUAL_FATAL(PQstatus(victim), CONNECTION_OK);
	CU_ASSERT_EQUAL_FATAL(PQstatus(listener), CONNECTION_OK);
	pg_test_exec(listener, "LISTEN " VICTIM);
	/* the session that wrote the log reports its function calls as it exits */
	for (int i = 0; i < 100; i++)
	{
		char	   *calls = pg_test_value(admin, "SELECT calls FROM pg_stat_user_functions WHERE funcname = 'audit_note'");
		int			done = calls && atoi(calls) == 12;

		free(calls);
		if (done)
			break;
		usleep(50 * 1000);
	}
	before = state(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
	{
		char		args[8192],
					out[4096];
		int			locks;
		json_t	   *j;

		snprintf(out, sizeof(out), "%s/safety-%s.json", test_tmpdir(), modes[m]);
		snprintf(args, sizeof(args), "analyze -q --format json --explain-top 100 --measure %s --dsn 'dbname=" DB "' '%s'",
				 modes[m], log_path);
		CU_ASSERT_EQUAL(run_polling(admin, args, out, &locks), 0);
		CU_ASSERT_EQUAL(locks, 0);
		j = json_load_file(out, 0, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		/* each statement with a side effect is listed as explained, not executed */
		for (size_t k = 0; k < NDANGEROUS; k++)
		{
			int			listed = listed_not_executed(j, dangerous[k]);

			CU_ASSERT_TRUE(listed);
			if (!listed)
				fprintf(stderr, "\n  --measure %s: %s is not listed as not executed", modes[m], dangerous[k]);
		}
		CU_ASSERT_TRUE(has_plan_kind(j, "estimated"));
		/* the ordinary queries are still measured */
		CU_ASSERT_TRUE(has_plan_kind(j, "analyzed"));
		json_decref(j);
	}

	explain_each(admin);

	/* the victim lives, and nothing was notified */
	PGresult   *r = PQexec(victim, "SELECT 1");

	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	PQconsumeInput(listener);

	PGnotify   *n = PQnotifies(listener);

	CU_ASSERT_PTR_NULL(n);
	PQfreemem(n);

	after = state(admin);
	CU_ASSERT_PTR_NOT_NULL(after);
	if (before && after && strcmp(before, after) != 0)
		fprintf(stderr, "\n  before: %s\n  after:  %s", before, after);
	CU_ASSERT_STRING_EQUAL(before, after);

	/* what pgsift sent, as the server logged it: none of them ran */
	pg_test_exec(admin, "SELECT 'pgsift-safety-run-end'");

	long		to = wait_for_log(from, "pgsift-safety-run-end");
	char	   *sent = read_span(from, to);

	CU_ASSERT(to > from);

	CU_ASSERT(strstr(sent, "/* pgsift */ EXPLAIN (FORMAT JSON) SELECT pg_terminate_backend") != NULL);
	CU_ASSERT_EQUAL(executed_lines(sent), 0);
	free(sent);
	free(before);
	free(after);
	free(dsn);
	PQfinish(victim);
	PQfinish(listener);
	PQfinish(admin);
}

/* --execute-volatile runs the statement anyway, and says so. */
static void
test_execute_volatile(void)
{
	char		args[4096];
	char	   *out = NULL,
			   *err = NULL;

	/* a transaction-level advisory lock: volatile, gone with the rollback */
	snprintf(args, sizeof(args), "explain --execute-volatile --format json --dsn 'dbname=" DB "' "
			 "'SELECT pg_advisory_xact_lock(99)'");
	CU_ASSERT_EQUAL(test_pgsift(args, &out, &err), 0);
	pg_test_assert_has(out, "\"kind\": \"analyzed\"", 1);
	pg_test_assert_has(err, "executing a statement that fails the side-effect screen", 1);
	pg_test_assert_has(err, "pg_advisory_xact_lock", 1);
	free(out);
	free(err);

	/* without it: estimated, with why */
	snprintf(args, sizeof(args), "explain --format json --dsn 'dbname=" DB "' 'SELECT pg_advisory_xact_lock(99)'");
	CU_ASSERT_EQUAL(test_pgsift(args, &out, &err), 0);
	pg_test_assert_has(out, "\"kind\": \"estimated\"", 1);
	pg_test_assert_has(out, "calls volatile function pg_advisory_xact_lock(bigint): explained, not executed", 1);
	free(out);
	free(err);
}

PGSIFT_SERVER_TEST_SUITE(add_cli_safety_suite)
{
	CU_pSuite	s = CU_add_suite("cli safety", suite_init, suite_clean);

	CU_add_test(s, "a log of side effects changes nothing, in every mode", test_nothing_changes);
	CU_add_test(s, "--execute-volatile", test_execute_volatile);
}
