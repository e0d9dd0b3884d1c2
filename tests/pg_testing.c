/*-------------------------------------------------------------------------
 * pg_testing.c
 *    Helpers for the tests that use the throwaway server; see pg_testing.h.
 *-------------------------------------------------------------------------
 */
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

char *
pg_test_dsn(const char *extra)
{
	const char *host = getenv("PGHOST"),
			   *port = getenv("PGPORT");
	size_t		n = strlen(host) + strlen(port) + strlen(extra) + 32;
	char	   *dsn = malloc(n);

	snprintf(dsn, n, "host=%s port=%s %s", host, port, extra);
	return dsn;
}

int
pg_test_closed_port(void)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t	len = sizeof(addr);
	int			fd = socket(AF_INET, SOCK_STREAM, 0);
	int			port = 1;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0 &&
		getsockname(fd, (struct sockaddr *) &addr, &len) == 0)
		port = ntohs(addr.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void
quiet_notice(void *arg, const char *message)
{
}

PGconn *
pg_test_setup_connect(const char *dbname)
{
	char		extra[256];
	char	   *dsn;
	PGconn	   *conn;

	snprintf(extra, sizeof(extra), "user=postgres dbname=%s application_name=pgsift_tests", dbname);
	dsn = pg_test_dsn(extra);
	conn = PQconnectdb(dsn);
	free(dsn);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "\nadmin connection to %s failed: %s", dbname, PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, quiet_notice, NULL);
	return conn;
}

int
pg_test_setup_exec(PGconn *conn, const char *sql)
{
	PGresult   *r = PQexec(conn, sql);
	int			ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "\n%s: %s", sql, PQerrorMessage(conn));
	PQclear(r);
	return ok ? 0 : -1;
}

int
pg_test_create_database(const char *name)
{
	PGconn	   *admin = pg_test_setup_connect("postgres");
	char		sql[256];
	int			rc = -1;

	if (admin == NULL)
		return -1;
	pg_test_setup_exec(admin, "SET client_min_messages = warning");
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	if (pg_test_setup_exec(admin, sql) == 0)
	{
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
		rc = pg_test_setup_exec(admin, sql);
	}
	PQfinish(admin);
	return rc;
}

void
pg_test_drop_database(const char *name)
{
	PGconn	   *admin = pg_test_setup_connect("postgres");
	char		sql[256];

	if (admin == NULL)
		return;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	pg_test_setup_exec(admin, sql);
	PQfinish(admin);
}

PGconn *
pg_test_admin(const char *dbname)
{
	PGconn	   *conn = pg_test_setup_connect(dbname);

	if (conn == NULL)
		CU_FAIL("admin connection");
	return conn;
}

int
pg_test_exec(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int			ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "\n%s: %s", sql, PQerrorMessage(conn));
	CU_ASSERT(ok);
	PQclear(res);
	return ok;
}

char *
pg_test_value(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	char	   *value = NULL;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		value = strdup(PQgetvalue(res, 0, 0));
	else if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fprintf(stderr, "\n%s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
	return value;
}

static FILE *capture_file;
static int	saved_stderr = -1;

void
pg_test_capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(capture_file);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(capture_file), STDERR_FILENO);
}

char *
pg_test_capture_end(void)
{
	long		size;
	char	   *text;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	fseek(capture_file, 0, SEEK_END);
	size = ftell(capture_file);
	text = calloc(1, (size_t) (size > 0 ? size : 0) + 1);
	rewind(capture_file);
	if (size > 0 && fread(text, 1, (size_t) size, capture_file) != (size_t) size)
		text[0] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	return text;
}

void
pg_test_assert_has(const char *text, const char *needle, int want)
{
	int			has = text != NULL && strstr(text, needle) != NULL;

	CU_ASSERT_EQUAL(has, want);
	if (has != want)
		fprintf(stderr, "\nexpected %s \"%s\" in:\n%s\n", want ? "to find" : "not to find", needle,
				text ? text : "(null)");
}

const char *
pg_test_server_log(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/postgresql.log", getenv("PGSIFT_PG_LOGDIR") ? getenv("PGSIFT_PG_LOGDIR") : ".");
	return path;
}

long
pg_test_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long) st.st_size : -1;
}
