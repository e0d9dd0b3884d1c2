/*-------------------------------------------------------------------------
 * test_pg_conn.c
 *    Tests of the live connection: DSN redaction, connecting and its error
 *    messages, application_name, tagged statements.
 *
 * Redaction is checked case by case and against libpq itself: the
 * password PQconninfoParse reads from the redacted DSN must be the mask.
 * The rest runs against the throwaway server of `make check`; the
 * authentication tests add a scram-sha-256 line for one test role to the
 * server's pg_hba.conf (the server runs with trust otherwise) and put the
 * file back afterwards.
 *-------------------------------------------------------------------------
 */
#include "src/live/pg_conn.h"
#include "src/model/workload.h"
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------
 * Redaction
 * ---------------------------------------------------------------------------
 */

typedef struct redact_case
{
	const char *dsn;
	const char *want;
	const char *secret;			/* must not survive; NULL: none */
} redact_case;

static const redact_case redact_cases[] = {
	{"host=db port=5432 dbname=shop", "host=db port=5432 dbname=shop", NULL},
	{"host=db password=s3cretX dbname=shop", "host=db password=******** dbname=shop", "s3cretX"},
	{"password=s3cretX", "password=********", "s3cretX"},
	{"host=db password = s3cretX user=u", "host=db password = ******** user=u", "s3cretX"},
	{"password='se cret' host=db", "password=******** host=db", "se cret"},
	{"host=db password='it\\'s a \\\\ secret' user=u", "host=db password=******** user=u", "secret"},
	{"password=sec\\ retY host=db", "password=******** host=db", "retY"},
	{"host=db password='unterminated secretZ", "host=db password=********", "secretZ"},
	{"host=db password=", "host=db password=", NULL},
	{"sslpassword=keyPass1 host=db", "sslpassword=******** host=db", "keyPass1"},
	{"password=first1 host=db password='second 2'", "password=******** host=db password=********", "first1"},
	{"password=first1 host=db password='second 2'", "password=******** host=db password=********", "second 2"},
	{"\tpassword=tabbed9\n host=db", "\tpassword=********\n host=db", "tabbed9"},
	{"Password=CaseX host=db", "Password=******** host=db", "CaseX"},
	{"host=db passwordfile=/x user=u", "host=db passwordfile=/x user=u", NULL},
	{"postgresql://u:s3cretX@db/shop", "postgresql://u:********@db/shop", "s3cretX"},
	{"postgres://u:s3cretX@db:5433/shop?sslmode=require", "postgres://u:********@db:5433/shop?sslmode=require",
	"s3cretX"},
	{"postgresql://u:p%40ss%2Fword@db/shop", "postgresql://u:********@db/shop", "p%40ss"},
	{"postgresql://u:pa/ss@word@db/shop", "postgresql://u:********@db/shop", "ss@word"},
	{"postgresql://u:pa?ss@db/shop", "postgresql://u:********@db/shop", "pa?ss"},
	{"postgresql://u:p=a?b/cX@db/shop", "postgresql://u:********@db/shop", "b/cX"},
	{"postgresql://u:q?w/eX@db/shop?password=two2", "postgresql://u:********@db/shop?password=********", "w/eX"},
	{"postgresql://u:q?w/eX@db/shop?password=two2", "postgresql://u:********@db/shop?password=********", "two2"},
	{"postgresql://db/shop?user=a@b&password=s3cretX", "postgresql://db/shop?user=a@b&password=********",
	"s3cretX"},
	{"postgresql://u:pw1X@db/shop?user=me@srv", "postgresql://u:********@db/shop?user=me@srv", "pw1X"},
	{"postgresql://db:5432/shop?user=me@srv&password=s3cretX", "postgresql://db:5432/shop?user=me@srv&password=********",
	"s3cretX"},
	{"postgresql://u@db/shop?password=s3cretX&sslmode=disable",
	"postgresql://u@db/shop?password=********&sslmode=disable", "s3cretX"},
	{"postgresql://u@db/shop?sslmode=disable&password=s3cretX", "postgresql://u@db/shop?sslmode=disable&password=********",
	"s3cretX"},
	{"postgresql://u@db/shop?pass%77ord=s3cretX", "postgresql://u@db/shop?pass%77ord=********", "s3cretX"},
	{"postgresql://u:one1@db/shop?password=two2", "postgresql://u:********@db/shop?password=********", "one1"},
	{"postgresql://u:one1@db/shop?password=two2", "postgresql://u:********@db/shop?password=********", "two2"},
	{"postgresql://u@db/shop", "postgresql://u@db/shop", NULL},
	{"postgresql://h1:5432,h2:5433/shop", "postgresql://h1:5432,h2:5433/shop", NULL},
	{"postgresql:///shop?host=/tmp", "postgresql:///shop?host=/tmp", NULL},
	{"postgresql://", "postgresql://", NULL},
	{"shop", "shop", NULL},
	{"", "", NULL},
};

static void
test_redact_cases(void)
{
	for (size_t i = 0; i < sizeof(redact_cases) / sizeof(redact_cases[0]); i++)
	{
		const redact_case *rc = &redact_cases[i];
		char	   *got = pgc_redact_dsn(rc->dsn);

		CU_ASSERT_STRING_EQUAL(got, rc->want);
		if (strcmp(got, rc->want) != 0)
			fprintf(stderr, "\npgc_redact_dsn(%s) = [%s], want [%s]\n", rc->dsn, got, rc->want);
		if (rc->secret)
			pg_test_assert_has(got, rc->secret, 0);
		free(got);
	}
	CU_ASSERT_PTR_NULL(pgc_redact_dsn(NULL));
}

/* The password libpq reads from dsn (malloc'd), or NULL. */
static char *
libpq_password(const char *dsn)
{
	char	   *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, &err);
	char	   *pw = NULL;

	PQfreemem(err);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val)
			pw = strdup(o->val);
	PQconninfoFree(opts);
	return pw;
}

/* Quote for a conninfo value: '...' with ' and \ escaped. */
static void
kv_quote(char *out, size_t size, const char *s)
{
	size_t		o = 0;

	out[o++] = '\'';
	for (; *s && o + 3 < size; s++)
	{
		if (*s == '\'' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

/* Percent-encode everything but letters and digits. */
static void
uri_encode(char *out, size_t size, const char *s)
{
	size_t		o = 0;

	for (; *s && o + 4 < size; s++)
	{
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
			out[o++] = *s;
		else
			o += (size_t) snprintf(out + o, size - o, "%%%02X", (unsigned char) *s);
	}
	out[o] = '\0';
}

/*
 * For awkward passwords in every form: libpq reads the password from the
 * DSN, and reads the mask from the redacted DSN; the secret is gone.
 */
static void
test_redact_agrees_with_libpq(void)
{
	const char *secrets[] = {
		"plainSecret1", "with space2", "quote'in3", "back\\slash4", "at@sign5", "slash/6", "colon:7",
		"amp&eq=8", "pct%25_9", "tab\tten",
	};
	const char *kv_forms[][2] = {{"host=db password=", " dbname=shop"}, {"password = ", ""}, {"user=u password=", ""}};

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
	{
		char		quoted[128],
					encoded[256],
					dsn[512];

		kv_quote(quoted, sizeof(quoted), secrets[i]);
		uri_encode(encoded, sizeof(encoded), secrets[i]);
		for (size_t f = 0; f < sizeof(kv_forms) / sizeof(kv_forms[0]) + 2; f++)
		{
			if (f < sizeof(kv_forms) / sizeof(kv_forms[0]))
				snprintf(dsn, sizeof(dsn), "%s%s%s", kv_forms[f][0], quoted, kv_forms[f][1]);
			else if (f == sizeof(kv_forms) / sizeof(kv_forms[0]))
				snprintf(dsn, sizeof(dsn), "postgresql://u:%s@db:5432/shop?sslmode=disable", encoded);
			else
				snprintf(dsn, sizeof(dsn), "postgresql://u@db/shop?password=%s&application_name=x", encoded);

			char	   *before = libpq_password(dsn);
			char	   *redacted = pgc_redact_dsn(dsn);
			char	   *after = libpq_password(redacted);

			CU_ASSERT(before != NULL && strcmp(before, secrets[i]) == 0);
			CU_ASSERT(after != NULL && strcmp(after, "********") == 0);
			if (after == NULL || strcmp(after, "********") != 0)
				fprintf(stderr, "\n%s redacted to %s reads as password [%s]\n", dsn, redacted, after ? after : "");
			pg_test_assert_has(redacted, secrets[i], 0);
			pg_test_assert_has(redacted, encoded, 0);
			free(before);
			free(redacted);
			free(after);
		}
	}
}

/* ---------------------------------------------------------------------------
 * Connecting
 * ---------------------------------------------------------------------------
 */

/* pgc_connect with stderr captured into *err (malloc'd). */
static pg_conn *
connect_captured(const char *dsn, char **err)
{
	pg_conn    *c;

	pg_test_capture_begin();
	c = pgc_connect(dsn);
	*err = pg_test_capture_end();
	return c;
}

/* The value of a one-value query on pgsift's connection (malloc'd) or NULL. */
static char *
conn_value(pg_conn *c, const char *sql)
{
	PGresult   *res = pgc_query(c, sql, 0, NULL);
	char	   *v = NULL;

	if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		v = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/* pgc_query for a statement whose result is not needed: 0 or -1. */
static int
conn_exec(pg_conn *c, const char *sql)
{
	PGresult   *res = pgc_query(c, sql, 0, NULL);

	PQclear(res);
	return res ? 0 : -1;
}

/* application_name as the server's pg_stat_activity shows it for DSN extra. */
static void
assert_application_name(const char *extra)
{
	char	   *dsn = pg_test_dsn(extra);
	char	   *err;
	pg_conn    *c = connect_captured(dsn, &err);

	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_STRING_EQUAL(err, "");
	if (c)
	{
		char	   *name = conn_value(c, "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()");

		CU_ASSERT(name != NULL && strcmp(name, "pgsift") == 0);
		if (name == NULL || strcmp(name, "pgsift") != 0)
			fprintf(stderr, "\nDSN [%s]: application_name [%s]\n", dsn, name ? name : "(null)");
		free(name);
	}
	pgc_close(c);
	free(dsn);
	free(err);
}

static void
test_connect_application_name(void)
{
	assert_application_name("dbname=postgres");
	assert_application_name("dbname=postgres application_name=other");
	assert_application_name("dbname=postgres options='-c application_name=other'");

	/* a URI, with its own application_name and a password trust ignores */
	char		uri[512];

	snprintf(uri, sizeof(uri), "postgresql://postgres:ignored@%s:%s/postgres?application_name=other",
			 getenv("PGHOST"), getenv("PGPORT"));

	char	   *err;
	pg_conn    *c = connect_captured(uri, &err);

	CU_ASSERT_PTR_NOT_NULL(c);
	if (c)
	{
		char	   *name = conn_value(c, "SELECT current_setting('application_name')");

		CU_ASSERT(name && strcmp(name, "pgsift") == 0);
		free(name);
		CU_ASSERT(pgc_server_version(c) >= PGC_MIN_SERVER_VERSION);
		CU_ASSERT_EQUAL(pgc_server_version(c), PQserverVersion(pgc_raw(c)));
	}
	pgc_close(c);
	free(err);
}

/* NULL, "" and a bare database name: libpq's defaults and PG* variables. */
static void
test_connect_defaults(void)
{
	const char *dsns[] = {NULL, "", "postgres"};

	for (int i = 0; i < 3; i++)
	{
		char	   *err;
		pg_conn    *c = connect_captured(dsns[i], &err);

		CU_ASSERT_PTR_NOT_NULL(c);
		CU_ASSERT(pgc_alive(c));
		if (c)
		{
			char	   *db = conn_value(c, "SELECT current_database()");

			CU_ASSERT(db && strcmp(db, "postgres") == 0);
			free(db);
		}
		pgc_close(c);
		free(err);
	}
}

static void
test_connect_refused(void)
{
	char		extra[128],
				expect[128];
	char	   *err;

	int			port = pg_test_closed_port();

	snprintf(extra, sizeof(extra), "dbname=postgres port=%d password=Refused-Secret-9", port);

	/* the later port= wins in libpq, as it would for psql */
	char	   *dsn = pg_test_dsn(extra);
	pg_conn    *c = connect_captured(dsn, &err);

	CU_ASSERT_PTR_NULL(c);
	pg_test_assert_has(err, "pgsift: error: could not connect to the database: connection to server at", 1);
	pg_test_assert_has(err, "Connection refused", 1);
	snprintf(expect, sizeof(expect), "DETAIL:  Connection string \"host=%s port=", getenv("PGHOST"));
	pg_test_assert_has(err, expect, 1);
	snprintf(expect, sizeof(expect), "server %s:%d, user \"", getenv("PGHOST"), port);
	pg_test_assert_has(err, expect, 1);
	pg_test_assert_has(err, "password=********", 1);
	pg_test_assert_has(err, "\nHINT:  Is the server running on that host and accepting TCP/IP connections?\n", 1);
	pg_test_assert_has(err, "Refused-Secret-9", 0);
	pgc_close(c);
	free(dsn);
	free(err);
}

static void
test_connect_no_such_database(void)
{
	char	   *err;

	char	   *dsn = pg_test_dsn("dbname=pgsift_no_such_db");
	pg_conn    *c = connect_captured(dsn, &err);

	CU_ASSERT_PTR_NULL(c);
	pg_test_assert_has(err, "could not connect to the database: ", 1);
	pg_test_assert_has(err, "database \"pgsift_no_such_db\" does not exist", 1);
	pg_test_assert_has(err, "HINT:  Check the database name: there is no database \"pgsift_no_such_db\"", 1);
	free(dsn);
	free(err);

	/* the same through a URI with a password: the password is never shown */
	char		uri[512];

	snprintf(uri, sizeof(uri), "postgresql://postgres:Uri-Secret-77@%s:%s/pgsift_no_such_db?password=Query-Secret-88",
			 getenv("PGHOST"), getenv("PGPORT"));
	c = connect_captured(uri, &err);
	CU_ASSERT_PTR_NULL(c);
	pg_test_assert_has(err, "pgsift_no_such_db", 1);
	pg_test_assert_has(err, "postgresql://postgres:********@", 1);
	pg_test_assert_has(err, "Uri-Secret-77", 0);
	pg_test_assert_has(err, "Query-Secret-88", 0);
	free(err);
}

/* A malformed DSN: libpq echoes pieces of it, never the password's. */
static void
test_connect_malformed(void)
{
	char	   *err;
	pg_conn    *c;

	c = connect_captured("postgresql://postgres:Leaky/Part-Secret@127.0.0.1:1/postgres", &err);
	CU_ASSERT_PTR_NULL(c);
	pg_test_assert_has(err, "could not connect to the database: ", 1);
	pg_test_assert_has(err, "Leaky", 0);
	pg_test_assert_has(err, "Part-Secret", 0);
	free(err);

	c = connect_captured("host=127.0.0.1 password=Bad-Secret-5 bogus_option=1", &err);
	CU_ASSERT_PTR_NULL(c);
	pg_test_assert_has(err, "invalid connection option \"bogus_option\"", 1);
	pg_test_assert_has(err, "HINT:  Give a conninfo string", 1);
	pg_test_assert_has(err, "Bad-Secret-5", 0);
	free(err);
}

/* ---------------------------------------------------------------------------
 * Password authentication (one role switched to scram-sha-256)
 * ---------------------------------------------------------------------------
 */

static int
write_file(const char *path, const char *prefix, const char *text)
{
	FILE	   *f = fopen(path, "w");

	if (f == NULL)
		return 0;
	fputs(prefix, f);
	fputs(text, f);
	return fclose(f) == 0;
}

/* Connect as role with password until the server asks for one (reload is asynchronous). */
static char *
failed_login(const char *role, const char *password_part)
{
	char		extra[256];
	char	   *err = NULL;

	snprintf(extra, sizeof(extra), "dbname=postgres user=%s passfile=/dev/null %s", role, password_part);

	char	   *dsn = pg_test_dsn(extra);

	for (int attempt = 0; attempt < 50; attempt++)
	{
		pg_conn    *c;

		free(err);
		c = connect_captured(dsn, &err);
		if (c == NULL)
			break;
		pgc_close(c);
		usleep(100 * 1000);
	}
	free(dsn);
	return err;
}

static void
check_password_failures(const char *role)
{
	char	   *err = failed_login(role, "password=Wrong-Secret-42");

	pg_test_assert_has(err, "password authentication failed for user", 1);
	pg_test_assert_has(err, "HINT:  Check the user and password", 1);
	pg_test_assert_has(err, "password=********", 1);
	pg_test_assert_has(err, "Wrong-Secret-42", 0);
	free(err);

	err = failed_login(role, "");
	pg_test_assert_has(err, "no password supplied", 1);
	pg_test_assert_has(err, "HINT:  Check the user and password", 1);
	free(err);
}

static void
test_connect_password(void)
{
	char		role[64],
				sql[256],
				line[256];

	PGconn	   *admin = pg_test_admin("postgres");
	char	   *hba = admin ? pg_test_value(admin, "SHOW hba_file") : NULL;
	char	   *saved = hba ? test_read_file(hba) : NULL;

	if (saved == NULL)
	{
		CU_PASS("pg_hba.conf not readable here: password tests skipped");
		free(hba);
		PQfinish(admin);
		return;
	}
	snprintf(role, sizeof(role), "pgsift_pw_%d", (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN PASSWORD 'Right-Secret-1'", role);
	pg_test_exec(admin, sql);
	snprintf(line, sizeof(line), "host all %s all scram-sha-256\n", role);
	if (write_file(hba, line, saved))
	{
		pg_test_exec(admin, "SELECT pg_reload_conf()");
		check_password_failures(role);
	}
	else
		CU_PASS("pg_hba.conf not writable here: password tests skipped");
	CU_ASSERT(write_file(hba, "", saved));
	pg_test_exec(admin, "SELECT pg_reload_conf()");
	snprintf(sql, sizeof(sql), "DROP ROLE %s", role);
	pg_test_exec(admin, sql);
	free(saved);
	free(hba);
	PQfinish(admin);
}

/* ---------------------------------------------------------------------------
 * Statements
 * ---------------------------------------------------------------------------
 */

/*
 * The tag reaches the server: pg_stat_activity and pg_stat_statements show
 * it.  pg_stat_statements keeps the first text of a query's shape (aliases
 * and constants do not count), so the probe has a shape no other test uses.
 */
static void
test_query_tagged(void)
{
	char		sql[256];
	char	   *err;

	char	   *dsn = pg_test_dsn("dbname=postgres");
	pg_conn    *c = connect_captured(dsn, &err);
	PGconn	   *admin = pg_test_admin("postgres");

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	CU_ASSERT_EQUAL(conn_exec(c, "SELECT 1 AS pgsift_tag_probe FROM pg_catalog.pg_am WHERE amname = 'pgsift_tag_probe'"), 0);

	snprintf(sql, sizeof(sql), "SELECT application_name || '|' || query FROM pg_stat_activity WHERE pid = %d",
			 PQbackendPID(pgc_raw(c)));

	char	   *activity = pg_test_value(admin, sql);

	CU_ASSERT(activity && strcmp(activity, "pgsift|" PGSIFT_STATEMENT_TAG " SELECT 1 AS pgsift_tag_probe FROM pg_catalog.pg_am WHERE amname = 'pgsift_tag_probe'") == 0);
	if (activity == NULL || strcmp(activity, "pgsift|" PGSIFT_STATEMENT_TAG " SELECT 1 AS pgsift_tag_probe FROM pg_catalog.pg_am WHERE amname = 'pgsift_tag_probe'") != 0)
		fprintf(stderr, "\npg_stat_activity: [%s]\n", activity ? activity : "(null)");

	char	   *pgss = pg_test_value(admin,
									 "SELECT query FROM pg_stat_statements WHERE query LIKE '%pgsift_tag_probe%'");

	CU_ASSERT(pgss && strncmp(pgss, PGSIFT_STATEMENT_TAG " SELECT", strlen(PGSIFT_STATEMENT_TAG) + 7) == 0);
	free(activity);
	free(pgss);
	free(dsn);
	free(err);
	pgc_close(c);
	PQfinish(admin);
}

static void
test_query_params_and_errors(void)
{
	char	   *err;

	char	   *dsn = pg_test_dsn("dbname=postgres");
	pg_conn    *c = connect_captured(dsn, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(pgc_last_error(c), "");
	CU_ASSERT_STRING_EQUAL(pgc_last_sqlstate(c), "");

	const char *params[] = {"41", "x"};
	PGresult   *res = pgc_query(c, "SELECT $1::int + 1, $2 || 'y'", 2, params);

	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_STRING_EQUAL(PQgetvalue(res, 0, 0), "42");
	CU_ASSERT_STRING_EQUAL(PQgetvalue(res, 0, 1), "xy");
	PQclear(res);

	/* a failure is kept, not printed, and the connection stays usable */
	pg_test_capture_begin();
	res = pgc_query(c, "SELECT * FROM pgsift_no_such_table", 0, NULL);
	free(err);
	err = pg_test_capture_end();
	CU_ASSERT_PTR_NULL(res);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_STRING_EQUAL(pgc_last_error(c), "relation \"pgsift_no_such_table\" does not exist");
	CU_ASSERT_STRING_EQUAL(pgc_last_sqlstate(c), "42P01");
	CU_ASSERT(pgc_alive(c));
	CU_ASSERT_EQUAL(conn_exec(c, "SELECT 1"), 0);
	CU_ASSERT_EQUAL(conn_exec(c, "SELECT 1/0"), -1);
	CU_ASSERT_STRING_EQUAL(pgc_last_sqlstate(c), "22012");
	CU_ASSERT_EQUAL(conn_exec(c, ""), -1);
	free(dsn);
	free(err);
	pgc_close(c);
}

/* A terminated backend: the statement fails and the connection is not alive. */
static void
test_alive_after_termination(void)
{
	char		sql[128];
	char	   *err;

	char	   *dsn = pg_test_dsn("dbname=postgres");
	pg_conn    *c = connect_captured(dsn, &err);
	PGconn	   *admin = pg_test_admin("postgres");

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	CU_ASSERT(pgc_alive(c));
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d, 10000)", PQbackendPID(pgc_raw(c)));
	pg_test_exec(admin, sql);
	CU_ASSERT_EQUAL(conn_exec(c, "SELECT 1"), -1);
	CU_ASSERT(!pgc_alive(c));
	CU_ASSERT(strlen(pgc_last_error(c)) > 0);
	free(dsn);
	free(err);
	pgc_close(c);
	PQfinish(admin);
}

PGSIFT_TEST_SUITE(add_pg_conn_suite)
{
	CU_pSuite	s = CU_add_suite("pg_conn", NULL, NULL);

	CU_add_test(s, "redaction cases", test_redact_cases);
	CU_add_test(s, "redaction agrees with libpq", test_redact_agrees_with_libpq);
	CU_add_test(s, "malformed DSN keeps its password", test_connect_malformed);
	test_add_server_test(s, "application_name is always pgsift", test_connect_application_name);
	test_add_server_test(s, "NULL, empty and bare-name DSNs", test_connect_defaults);
	test_add_server_test(s, "connection refused", test_connect_refused);
	test_add_server_test(s, "no such database", test_connect_no_such_database);
	test_add_server_test(s, "password authentication", test_connect_password);
	test_add_server_test(s, "statements are tagged", test_query_tagged);
	test_add_server_test(s, "parameters and errors", test_query_params_and_errors);
	test_add_server_test(s, "alive after termination", test_alive_after_termination);
}
