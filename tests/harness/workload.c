/*-------------------------------------------------------------------------
 * workload.c
 *    Deterministic scripted workload that produces pgsift's log fixtures.
 *
 * `workload fixture` connects with the PG* environment variables and plays
 * a fixed script, one part at a time, each part in sessions of its own with
 * an application_name that names it (fixture-setup, fixture-simple, ...), so
 * that tests can tell the parts apart in every log format.
 *
 * What reaches the server log is fixed in number: the same statements, the
 * same errors, one lock wait, one temporary file, two auto_explain plans,
 * the same connections and refusals, whatever the machine's speed.  Where
 * timing could change the log (a lock wait, a refused connection) the script
 * waits for the state it needs, and it stops with an error rather than let a
 * different log through.  fixtures/README.md lists the resulting counts.
 *
 * The refused-connection part needs a server with a small max_connections
 * (make-fixtures.sh uses 10, three of them reserved for superusers): it reads
 * both settings and opens exactly as many connections as fit.
 *
 * Build: cc -std=gnu11 -Wall -Wextra -Werror -I/usr/include/postgresql
 *           tests/harness/workload.c -lpq -o build/workload
 *-------------------------------------------------------------------------
 */
#include <libpq-fe.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The refused-connection part will not open more connections than this. */
#define MAX_REFUSAL_CONNECTIONS 64

/* Session options that keep a helper session's own queries out of the log. */
#define QUIET_OPTIONS \
	"-c log_min_duration_statement=-1 -c log_statement=none -c log_duration=off"

static void fail(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));

static void
fail(const char *fmt,...)
{
	va_list		ap;

	fputs("workload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Notices and warnings are expected here; the server log is what counts. */
static void
ignore_notice(void *arg, const char *message)
{
	(void) arg;
	(void) message;
}

/*
 * Open a session named app, as user (NULL: PGUSER), with backend options
 * (NULL: none).  Returns the connection whatever its status; the caller
 * checks PQstatus and always PQfinish()es it.
 */
static PGconn *
try_session(const char *app, const char *user, const char *options)
{
	const char *keys[4];
	const char *values[4];
	int			n = 0;
	PGconn	   *conn;

	keys[n] = "application_name";
	values[n++] = app;
	if (user != NULL)
	{
		keys[n] = "user";
		values[n++] = user;
	}
	if (options != NULL)
	{
		keys[n] = "options";
		values[n++] = options;
	}
	keys[n] = NULL;
	values[n] = NULL;

	conn = PQconnectdbParams(keys, values, 0);
	if (conn == NULL)
		fail("out of memory");
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	return conn;
}

/* Like try_session(), but a connection that fails ends the workload. */
static PGconn *
open_session(const char *app, const char *user, const char *options)
{
	PGconn	   *conn = try_session(app, user, options);

	if (PQstatus(conn) != CONNECTION_OK)
		fail("could not connect as %s: %s", app, PQerrorMessage(conn));
	return conn;
}

static void
check_ok(PGconn *conn, PGresult *res, const char *sql)
{
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail("statement failed: %s\n%s", sql, PQerrorMessage(conn));
	PQclear(res);
}

/* Run sql (simple protocol); anything but success ends the workload. */
static void
run(PGconn *conn, const char *sql)
{
	check_ok(conn, PQexec(conn, sql), sql);
}

/* Run sql (extended protocol, unnamed statement) with text parameters. */
static void
run_params(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	check_ok(conn, PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0), sql);
}

/* Check that res is an error with SQLSTATE sqlstate, and free it. */
static void
check_error(PGresult *res, const char *sql, const char *sqlstate)
{
	const char *got = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (PQresultStatus(res) != PGRES_FATAL_ERROR || got == NULL || strcmp(got, sqlstate) != 0)
		fail("expected SQLSTATE %s from: %s\ngot status %s, SQLSTATE %s",
			 sqlstate, sql, PQresStatus(PQresultStatus(res)), got ? got : "(none)");
	PQclear(res);
}

static void
run_error(PGconn *conn, const char *sql, const char *sqlstate)
{
	check_error(PQexec(conn, sql), sql, sqlstate);
}

/* The first column of the first row of sql, as a number. */
static long
query_number(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	long		value;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1)
		fail("query failed: %s\n%s", sql, PQerrorMessage(conn));
	value = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return value;
}

/*
 * Wait until no other client session is connected, so that the next part
 * starts from a known number of used connection slots.  conn must be a
 * quiet session: its polling must not reach the log.
 */
static void
wait_for_other_sessions(PGconn *conn)
{
	for (int i = 0; i < 400; i++)
	{
		if (query_number(conn,
						 "SELECT count(*) FROM pg_stat_activity"
						 " WHERE backend_type = 'client backend'"
						 " AND pid <> pg_backend_pid()") == 0)
			return;
		sleep_ms(25);
	}
	fail("other sessions are still connected after 10 s");
}

/* Schema and data: accounts, orders (FK to accounts), settings. */
static void
part_setup(void)
{
	PGconn	   *conn = open_session("fixture-setup", NULL, NULL);

	run(conn, "DROP TABLE IF EXISTS orders, accounts, settings");
	run(conn, "DROP ROLE IF EXISTS fixture_user");
	run(conn, "CREATE ROLE fixture_user LOGIN");
	run(conn,
		"CREATE TABLE accounts (\n"
		"    id integer PRIMARY KEY,\n"
		"    name text NOT NULL UNIQUE,\n"
		"    email text,\n"
		"    balance numeric(12,2) NOT NULL DEFAULT 0,\n"
		"    created_at timestamptz NOT NULL\n"
		")");
	run(conn,
		"CREATE TABLE orders (\n"
		"    id bigint PRIMARY KEY,\n"
		"    account_id integer NOT NULL REFERENCES accounts (id),\n"
		"    status text NOT NULL,\n"
		"    amount numeric(12,2) NOT NULL,\n"
		"    note text,\n"
		"    created_at timestamptz NOT NULL\n"
		")");
	run(conn, "CREATE TABLE settings (key text PRIMARY KEY, value text)");

	/*
	 * generate_series() in the target list streams its rows; in FROM it
	 * would be materialized and could spill to a temporary file.
	 */
	run(conn,
		"INSERT INTO accounts (id, name, email, balance, created_at)\n"
		"SELECT g, 'account-' || g, 'user' || g || '@example.com', g % 1000,\n"
		"       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'\n"
		"  FROM (SELECT generate_series(1, 1000) AS g) AS s");
	run(conn,
		"INSERT INTO orders (id, account_id, status, amount, note, created_at)\n"
		"SELECT g, 1 + g % 1000,\n"
		"       (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4],\n"
		"       g % 500 + 0.99,\n"
		"       CASE WHEN g % 10 = 0 THEN 'gift' END,\n"
		"       timestamptz '2024-01-01 00:00:00+00' + g * interval '10 seconds'\n"
		"  FROM (SELECT generate_series(1, 200000) AS g) AS s");
	run(conn,
		"INSERT INTO settings (key, value) VALUES\n"
		"    ('currency', 'EUR'), ('vat', '0.20'), ('motd', 'it''s fine')");
	run(conn, "VACUUM ANALYZE accounts, orders, settings");
	PQfinish(conn);
}

/* Simple protocol: multi-line text, comments, a transaction, repeats. */
static void
part_simple(void)
{
	PGconn	   *conn = open_session("fixture-simple", NULL, NULL);
	char		sql[256];

	run(conn, "SELECT count(*) FROM accounts");
	run(conn,
		"SELECT a.name, count(o.id) AS orders,\n"
		"       sum(o.amount) AS total\n"
		"  FROM accounts a\n"
		"  JOIN orders o ON o.account_id = a.id\n"
		" WHERE a.id < 10\n"
		" GROUP BY a.name\n"
		" ORDER BY total DESC");
	run(conn, "SELECT value FROM settings WHERE key = 'motd' -- what users see first");
	run(conn, "/* app:report */ SELECT count(*) FROM orders WHERE status = 'paid'");
	run(conn, "SELECT id FROM accounts WHERE name = 'O''Brien'");
	/* The same statement with different constants, as an ORM loop sends it. */
	for (int id = 1; id <= 6; id++)
	{
		snprintf(sql, sizeof(sql),
				 "SELECT id, amount FROM orders WHERE account_id = %d ORDER BY id LIMIT 3", id);
		run(conn, sql);
	}
	run(conn, "BEGIN");
	run(conn, "UPDATE accounts SET balance = balance - 10 WHERE id = 1");
	run(conn, "UPDATE accounts SET balance = balance + 10 WHERE id = 2");
	run(conn, "COMMIT");
	run(conn, "UPDATE settings SET value = '0.21' WHERE key = 'vat'");
	/* Two statements in one query string are logged as one. */
	run(conn, "SELECT 1; SELECT 2");
	PQfinish(conn);
}

/* Extended protocol, unnamed statements, awkward parameter values. */
static void
part_extended(void)
{
	PGconn	   *conn = open_session("fixture-extended", NULL, NULL);
	char		longvalue[1501];

	for (size_t i = 0; i < sizeof(longvalue) - 1; i++)
		longvalue[i] = (char) ('a' + i % 26);
	longvalue[sizeof(longvalue) - 1] = '\0';

	{
		const char *p[] = {"O'Brien"};

		run_params(conn, "SELECT id, balance FROM accounts WHERE name = $1", 1, p);
	}
	{
		const char *p[] = {"greeting", "line one\nline two"};

		run_params(conn, "INSERT INTO settings (key, value) VALUES ($1, $2)", 2, p);
	}
	{
		const char *p[] = {"nothing", NULL};

		run_params(conn, "INSERT INTO settings (key, value) VALUES ($1, $2)", 2, p);
	}
	{
		const char *p[] = {"long", longvalue};

		run_params(conn, "INSERT INTO settings (key, value) VALUES ($1, $2)", 2, p);
	}
	{
		const char *p[] = {"7", "shipped"};

		run_params(conn,
				   "SELECT o.id, o.amount\n"
				   "  FROM orders o\n"
				   " WHERE o.account_id = $1 AND o.status = $2\n"
				   " ORDER BY o.id LIMIT 5", 2, p);
	}
	PQfinish(conn);
}

/* Named prepared statements, each executed several times. */
static void
part_prepared(void)
{
	PGconn	   *conn = open_session("fixture-prepared", NULL, NULL);
	static const char *const values[] = {"vat", "0.19", "0.20"};
	PGresult   *res;
	char		id[16];

	res = PQprepare(conn, "account_orders",
					"SELECT count(*), sum(amount) FROM orders WHERE account_id = $1", 1, NULL);
	check_ok(conn, res, "PREPARE account_orders");
	for (int i = 1; i <= 5; i++)
	{
		const char *p[1];

		snprintf(id, sizeof(id), "%d", i);
		p[0] = id;
		res = PQexecPrepared(conn, "account_orders", 1, p, NULL, NULL, 0);
		check_ok(conn, res, "EXECUTE account_orders");
	}

	res = PQprepare(conn, "set_setting",
					"UPDATE settings SET value = $2 WHERE key = $1", 2, NULL);
	check_ok(conn, res, "PREPARE set_setting");
	for (int i = 1; i <= 2; i++)
	{
		const char *p[] = {values[0], values[i]};

		res = PQexecPrepared(conn, "set_setting", 2, p, NULL, NULL, 0);
		check_ok(conn, res, "EXECUTE set_setting");
	}
	PQfinish(conn);
}

/* Errors of several kinds, and one warning. */
static void
part_errors(void)
{
	PGconn	   *conn = open_session("fixture-errors", NULL, NULL);
	const char *p[] = {"abc"};

	run_error(conn, "SELEC 1", "42601");
	run_error(conn, "SELECT 1/0", "22012");
	run_error(conn,
			  "INSERT INTO accounts (id, name, balance, created_at)"
			  " VALUES (1, 'duplicate', 0, now())", "23505");
	run_error(conn, "SELECT * FROM missing_table", "42P01");
	check_error(PQexecParams(conn, "SELECT $1::integer", 1, NULL, p, NULL, NULL, 0),
				"SELECT $1::integer", "22P02");
	/* COMMIT outside a transaction: WARNING 25P01, and the statement succeeds */
	run(conn, "COMMIT");
	/* an error inside a transaction block, then one more statement in it */
	run(conn, "BEGIN");
	run_error(conn, "UPDATE accounts SET balance = balance / 0 WHERE id = 3", "22012");
	run_error(conn, "SELECT 1", "25P02");
	run(conn, "ROLLBACK");
	PQfinish(conn);
}

/*
 * A lock wait longer than deadlock_timeout: the holder updates a row in an
 * open transaction, the waiter updates the same row and waits ~1.2 s until
 * the holder commits.
 */
static void
part_lock_wait(void)
{
	PGconn	   *holder = open_session("fixture-lock-holder", NULL, NULL);
	PGconn	   *waiter = open_session("fixture-lock-waiter", NULL, NULL);
	const char *update = "UPDATE accounts SET balance = balance - 1 WHERE id = 1";
	PGresult   *res;

	run(holder, "BEGIN");
	run(holder, "UPDATE accounts SET balance = balance + 1 WHERE id = 1");
	if (!PQsendQuery(waiter, update))
		fail("could not send the waiting update: %s", PQerrorMessage(waiter));
	sleep_ms(1200);
	if (!PQconsumeInput(waiter))
		fail("lost the waiting session: %s", PQerrorMessage(waiter));
	if (!PQisBusy(waiter))
		fail("the update did not wait for the lock");
	run(holder, "COMMIT");

	while ((res = PQgetResult(waiter)) != NULL)
		check_ok(waiter, res, update);
	PQfinish(waiter);
	PQfinish(holder);
}

/* One sort that spills to exactly one temporary file. */
static void
part_temp_file(void)
{
	PGconn	   *conn = open_session("fixture-tempfile", NULL, NULL);

	/* parallel workers would each spill a file of their own */
	run(conn, "SET max_parallel_workers_per_gather = 0");
	run(conn, "SET work_mem = '64kB'");
	run(conn,
		"SELECT count(*) FROM (\n"
		"    SELECT id FROM orders ORDER BY amount DESC, id OFFSET 0\n"
		") AS sorted");
	PQfinish(conn);
}

/* auto_explain: one plan in text format, one in JSON. */
static void
part_auto_explain(void)
{
	PGconn	   *conn = open_session("fixture-autoexplain", NULL, NULL);

	run(conn, "LOAD 'auto_explain'");
	run(conn, "SET auto_explain.log_min_duration = 0");
	run(conn, "SET auto_explain.log_analyze = on");
	run(conn,
		"SELECT a.name, sum(o.amount) AS total\n"
		"  FROM accounts a JOIN orders o ON o.account_id = a.id\n"
		" WHERE a.id <= 20\n"
		" GROUP BY a.name ORDER BY total DESC LIMIT 5");
	run(conn, "SET auto_explain.log_format = 'json'");
	run(conn, "SELECT status, count(*) FROM orders WHERE id <= 1000 GROUP BY status ORDER BY status");
	PQfinish(conn);
}

/* A statement cancelled by statement_timeout. */
static void
part_timeout(void)
{
	PGconn	   *conn = open_session("fixture-timeout", NULL, NULL);

	run(conn, "SET statement_timeout = '100ms'");
	run_error(conn, "SELECT pg_sleep(2)", "57014");
	PQfinish(conn);
}

/* Twenty short sessions of one query each. */
static void
part_churn(void)
{
	for (int i = 0; i < 20; i++)
	{
		PGconn	   *conn = open_session("fixture-churn", NULL, NULL);

		run(conn, "SELECT value FROM settings WHERE key = 'currency'");
		PQfinish(conn);
	}
}

/*
 * Open sessions as user until one is refused; check the refusal says
 * expected_error and that exactly expected sessions got in.  The open
 * sessions are appended to conns.
 */
static void
fill_slots(const char *user, int expected, const char *expected_error,
		   PGconn **conns, int *nconns)
{
	int			opened = 0;

	for (;;)
	{
		PGconn	   *conn = try_session("fixture-refused", user, NULL);

		if (PQstatus(conn) != CONNECTION_OK)
		{
			if (strstr(PQerrorMessage(conn), expected_error) == NULL)
				fail("expected \"%s\", got: %s", expected_error, PQerrorMessage(conn));
			PQfinish(conn);
			break;
		}
		if (*nconns >= MAX_REFUSAL_CONNECTIONS)
			fail("more than %d sessions got in; is max_connections small?",
				 MAX_REFUSAL_CONNECTIONS);
		conns[(*nconns)++] = conn;
		opened++;
	}
	if (opened != expected)
		fail("%d sessions as %s got in before the refusal, expected %d",
			 opened, user ? user : "the superuser", expected);
}

/*
 * Refused connections: a non-superuser fills the ordinary slots and is
 * refused with "remaining connection slots are reserved ...", then the
 * superuser fills the reserved ones and is refused with "sorry, too many
 * clients already".
 */
static void
part_refused(void)
{
	PGconn	   *monitor = open_session("fixture-refused", NULL, QUIET_OPTIONS);
	PGconn	   *conns[MAX_REFUSAL_CONNECTIONS];
	int			nconns = 0;
	long		max_connections,
				reserved;

	wait_for_other_sessions(monitor);
	max_connections = query_number(monitor, "SHOW max_connections");
	reserved = query_number(monitor, "SHOW superuser_reserved_connections");
	if (reserved < 1 || max_connections - reserved - 1 < 1 ||
		max_connections > MAX_REFUSAL_CONNECTIONS)
		fail("the refused-connection part needs 1 <= superuser_reserved_connections"
			 " < max_connections - 1 and max_connections <= %d (have %ld and %ld)",
			 MAX_REFUSAL_CONNECTIONS, reserved, max_connections);

	/* the monitor holds one ordinary slot */
	fill_slots("fixture_user", (int) (max_connections - reserved - 1),
			   "remaining connection slots are reserved for non-replication superuser connections",
			   conns, &nconns);

	/*
	 * The refused backend still holds its slot until it has exited; give it
	 * time, or the superuser would be refused one session early.
	 */
	sleep_ms(500);
	fill_slots(NULL, (int) reserved, "sorry, too many clients already", conns, &nconns);

	while (nconns > 0)
		PQfinish(conns[--nconns]);
	PQfinish(monitor);
}

/* VACUUM ANALYZE and a CHECKPOINT. */
static void
part_maintenance(void)
{
	PGconn	   *conn = open_session("fixture-maintenance", NULL, NULL);

	run(conn, "VACUUM ANALYZE orders");
	run(conn, "CHECKPOINT");
	PQfinish(conn);
}

static void
run_fixture(void)
{
	part_setup();
	part_simple();
	part_extended();
	part_prepared();
	part_errors();
	part_lock_wait();
	part_temp_file();
	part_auto_explain();
	part_timeout();
	part_churn();
	part_refused();
	part_maintenance();
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "fixture") == 0)
	{
		run_fixture();
		return 0;
	}
	fprintf(stderr,
			"usage: workload fixture\n"
			"  Plays the scripted fixture workload against the server named by the\n"
			"  PG* environment variables (see fixtures/README.md).\n");
	return 2;
}
