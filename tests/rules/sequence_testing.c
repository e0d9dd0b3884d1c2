/*-------------------------------------------------------------------------
 * sequence_testing.c
 *    Helpers of the session-sequence suites (see sequence_testing.h).
 *-------------------------------------------------------------------------
 */
#include "tests/rules/sequence_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

PGconn *
seq_test_session(const char *dbname, const char *app, const char *options)
{
	const char *const keywords[] = {"dbname", "application_name", "options", NULL};
	const char *const values[] = {dbname, app, options, NULL};
	PGconn	   *c = PQconnectdbParams(keywords, values, 0);

	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "%s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

int
seq_test_create_database(const char *db, const char *setup)
{
	char		cmd[8192];

	snprintf(cmd, sizeof(cmd), "psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS %s' -c 'CREATE DATABASE %s' "
			 ">/dev/null 2>&1", db, db);
	if (test_run(cmd, NULL) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "psql -X -q -v ON_ERROR_STOP=1 -d %s >/dev/null 2>&1 <<'SQL'\n%s\nVACUUM ANALYZE;\nSQL",
			 db, setup);
	return test_run(cmd, NULL) == 0 ? 0 : -1;
}

void
seq_test_drop_database(const char *db)
{
	char		cmd[512];

	if (!test_have_server())
		return;
	snprintf(cmd, sizeof(cmd), "psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS %s WITH (FORCE)' >/dev/null 2>&1", db);
	test_run(cmd, NULL);
}

int
seq_test_run(PGconn *c, const char *sql, int n, const char *const *values)
{
	PGresult   *r = PQexecParams(c, sql, n, NULL, values, NULL, NULL, 0);
	int			ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	return ok;
}

int
seq_test_exec(PGconn *c, const char *sql)
{
	PGresult   *r = PQexec(c, sql);
	int			ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	return ok;
}

int
seq_test_run1(PGconn *c, const char *sql, int value)
{
	char		v[16];
	const char *values[1] = {v};

	snprintf(v, sizeof(v), "%d", value);
	return seq_test_run(c, sql, 1, values);
}

int
seq_test_wait_for_log(const char *marker)
{
	char		cmd[1024];

	snprintf(cmd, sizeof(cmd), "grep -q '%s' \"$PGSIFT_PG_LOGDIR/postgresql.log\"", marker);
	for (int i = 0; i < 100; i++)
	{
		if (system(cmd) == 0)
			return 1;
		usleep(100000);
	}
	return 0;
}

int
seq_test_utc_now(char *buf, size_t len)
{
	char	   *now = NULL;

	if (test_run("psql -X -q -t -A -d postgres -c \"SELECT to_char(now() AT TIME ZONE 'UTC', "
				 "'YYYY-MM-DD HH24:MI:SS.MS')\"", &now) != 0 || now == NULL)
	{
		free(now);
		return -1;
	}
	now[strcspn(now, "\n")] = '\0';
	snprintf(buf, len, "%s", now);
	free(now);
	return 0;
}

json_t *
seq_test_findings(json_t *j, const char *rule, size_t *n)
{
	json_t	   *out = json_array();
	size_t		i;
	json_t	   *f;

	json_array_foreach(json_object_get(j, "findings"), i, f)
	{
		const char *r = json_string_value(json_object_get(f, "rule"));

		if (r && strcmp(r, rule) == 0)
			json_array_append(out, f);
	}
	*n = json_array_size(out);
	return out;
}

const char *
seq_test_field(json_t *f, const char *name)
{
	const char *s = json_string_value(json_object_get(f, name));

	return s ? s : "";
}
