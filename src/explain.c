/*-------------------------------------------------------------------------
 * explain.c
 *    The EXPLAIN runner: classify, open a guarded transaction, explain,
 *    roll back.
 *
 * Every run is one transaction that ends in ROLLBACK, whatever happened:
 * the timeouts are SET LOCAL so they die with it, and a DML statement
 * measured under --measure real leaves nothing behind.  Generic plans use
 * PREPARE, which is not transactional, so the prepared statement is
 * deallocated after the rollback on every path.
 *-------------------------------------------------------------------------
 */
#include "explain.h"
#include "arena.h"
#include "statement_kind.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_STATEMENT_TIMEOUT_MS 5000
#define DEFAULT_LOCK_TIMEOUT_MS 1000
#define GENERIC_STATEMENT "pgsift_generic"

/* How the statement is explained. */
typedef enum explain_mode
{
	MODE_ANALYZE_READ_ONLY,		/* SELECT with values */
	MODE_ANALYZE_READ_WRITE,	/* DML under --measure real */
	MODE_COSTS,					/* plain EXPLAIN, nothing executed */
	MODE_GENERIC				/* PREPARE + EXPLAIN EXECUTE with NULLs */
} explain_mode;

static int
refuse(explain_result *out, const char *reason)
{
	out->refused = 1;
	out->reason = xstrdup(reason);
	return -1;
}

/* Record the connection's last error in out; returns -1. */
static int
fail_from_server(explain_result *out, pg_conn *c)
{
	if (out->error == NULL)
	{
		out->error = xstrdup(pgc_last_error(c));
		out->sqlstate = xstrdup(pgc_last_sqlstate(c));
	}
	return -1;
}

/*
 * Decide how to explain req, or refuse it.  0 with *mode set, or -1 with
 * out->refused.  A generic plan never executes the statement, so DML may
 * have one without --measure real, like a costs-only EXPLAIN.
 */
static int
choose_mode(const explain_request *req, explain_result *out, explain_mode *mode)
{
	char	   *why = NULL;
	statement_kind kind = statement_classify(req->sql, &why);

	if (kind != STMT_SELECT && kind != STMT_DML)
	{
		strbuf		sb;

		strbuf_init(&sb);
		strbuf_printf(&sb, "%s statement is not explained: %s",
					  statement_kind_name(kind), why ? why : "");
		free(why);
		out->refused = 1;
		out->reason = strbuf_detach(&sb);
		return -1;
	}
	free(why);
	if (req->nparams == 0 && statement_has_params(req->sql))
		*mode = MODE_GENERIC;
	else if (!req->analyze)
		*mode = MODE_COSTS;
	else if (kind == STMT_SELECT)
		*mode = MODE_ANALYZE_READ_ONLY;
	else if (req->allow_dml)
		*mode = MODE_ANALYZE_READ_WRITE;
	else
		return refuse(out, "DML is explained only under --measure real");
	return 0;
}

/* Parse the single JSON cell of an EXPLAIN result into out->plan. */
static int
read_plan(PGresult *res, explain_result *out)
{
	char	   *err = NULL;

	if (PQntuples(res) != 1 || PQnfields(res) != 1)
	{
		out->error = xstrdup("EXPLAIN returned an unexpected result shape");
		out->sqlstate = xstrdup("");
		return -1;
	}
	out->plan = plan_parse_json(PQgetvalue(res, 0, 0), &err);
	if (out->plan == NULL)
	{
		out->error = err;
		out->sqlstate = xstrdup("");
		return -1;
	}
	return 0;
}

/* Run one EXPLAIN statement and read its plan. */
static int
explain_query(pg_conn *c, const char *sql, int nparams, const char *const *params,
			  explain_result *out)
{
	PGresult   *res = pgc_query(c, sql, nparams, params);
	int			rc;

	if (res == NULL)
		return fail_from_server(out, c);
	rc = read_plan(res, out);
	PQclear(res);
	return rc;
}

static int
explain_direct(pg_conn *c, const explain_request *req, explain_mode mode, explain_result *out)
{
	strbuf		sql;
	int			rc;

	strbuf_init(&sql);
	strbuf_puts(&sql, mode == MODE_COSTS ? "EXPLAIN (FORMAT JSON) "
				: "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ");
	strbuf_puts(&sql, req->sql);
	rc = explain_query(c, sql.data, req->nparams, req->params, out);
	strbuf_free(&sql);
	return rc;
}

/*
 * Explain the prepared GENERIC_STATEMENT with a NULL for every parameter,
 * the planner being told to ignore the values.
 */
static int
explain_generic(pg_conn *c, explain_result *out)
{
	PGresult   *res = pgc_query(c, "SELECT cardinality(parameter_types) FROM pg_prepared_statements"
								" WHERE name = '" GENERIC_STATEMENT "'", 0, NULL);
	int			nparams;
	strbuf		sql;
	int			rc;

	if (res == NULL)
		return fail_from_server(out, c);
	nparams = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	if (pgc_exec(c, "SET LOCAL plan_cache_mode = force_generic_plan") != 0)
		return fail_from_server(out, c);

	strbuf_init(&sql);
	strbuf_puts(&sql, "EXPLAIN (FORMAT JSON) EXECUTE " GENERIC_STATEMENT);
	for (int i = 0; i < nparams; i++)
		strbuf_puts(&sql, i == 0 ? "(NULL" : ", NULL");
	if (nparams > 0)
		strbuf_putc(&sql, ')');
	rc = explain_query(c, sql.data, 0, NULL, out);
	strbuf_free(&sql);
	if (rc == 0)
		out->generic = 1;
	return rc;
}

/* SET LOCAL both timeouts; values are integers, so no quoting is needed. */
static int
set_timeouts(pg_conn *c, const explain_request *req)
{
	strbuf		sql;
	int			rc;

	strbuf_init(&sql);
	strbuf_printf(&sql, "SET LOCAL statement_timeout = %d",
				  req->statement_timeout_ms > 0 ? req->statement_timeout_ms
				  : DEFAULT_STATEMENT_TIMEOUT_MS);
	rc = pgc_exec(c, sql.data);
	strbuf_reset(&sql);
	strbuf_printf(&sql, "SET LOCAL lock_timeout = %d",
				  req->lock_timeout_ms > 0 ? req->lock_timeout_ms : DEFAULT_LOCK_TIMEOUT_MS);
	if (rc == 0)
		rc = pgc_exec(c, sql.data);
	strbuf_free(&sql);
	return rc;
}

/* The steps between BEGIN and ROLLBACK; *prepared tells what to clean up. */
static int
explain_in_transaction(pg_conn *c, const explain_request *req, explain_mode mode,
					   explain_result *out, int *prepared)
{
	if (set_timeouts(c, req) != 0)
		return fail_from_server(out, c);
	if (mode != MODE_GENERIC)
		return explain_direct(c, req, mode, out);

	strbuf		sql;
	int			rc;

	strbuf_init(&sql);
	strbuf_puts(&sql, "PREPARE " GENERIC_STATEMENT " AS ");
	strbuf_puts(&sql, req->sql);
	rc = pgc_exec(c, sql.data);
	strbuf_free(&sql);
	if (rc != 0)
		return fail_from_server(out, c);
	*prepared = 1;
	return explain_generic(c, out);
}

int
explain_run(pg_conn *c, const explain_request *req, explain_result *out)
{
	explain_mode mode;
	int			prepared = 0;
	int			rc;

	memset(out, 0, sizeof(*out));
	if (req->sql == NULL)
		return refuse(out, "no statement to explain");
	if (choose_mode(req, out, &mode) != 0)
		return -1;
	if (PQtransactionStatus(pgc_raw(c)) != PQTRANS_IDLE)
	{
		out->error = xstrdup("connection is not idle: a transaction is open");
		out->sqlstate = xstrdup("");
		return -1;
	}

	if (pgc_exec(c, mode == MODE_ANALYZE_READ_WRITE ? "BEGIN READ WRITE" : "BEGIN READ ONLY") != 0)
		return fail_from_server(out, c);
	rc = explain_in_transaction(c, req, mode, out, &prepared);

	/* the error above is already kept in out; these must run regardless */
	if (pgc_exec(c, "ROLLBACK") != 0)
		rc = fail_from_server(out, c);
	if (prepared && pgc_exec(c, "DEALLOCATE " GENERIC_STATEMENT) != 0)
		rc = fail_from_server(out, c);
	if (rc != 0)
	{
		plan_free(out->plan);
		out->plan = NULL;
	}
	return rc;
}

void
explain_result_free(explain_result *r)
{
	if (r == NULL)
		return;
	plan_free(r->plan);
	free(r->reason);
	free(r->error);
	free(r->sqlstate);
	memset(r, 0, sizeof(*r));
}
