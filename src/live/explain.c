/*-------------------------------------------------------------------------
 * explain.c
 *    The EXPLAIN runner: classify, screen, explain in a sandbox
 *    transaction, roll back.
 *
 * Every run is one sandbox transaction that ends in ROLLBACK, whatever
 * happened: the limits are SET LOCAL by the sandbox so they die with it,
 * and a DML statement measured under --measure real leaves nothing
 * behind.  ANALYZE executes the statement, so it is asked only when the
 * side-effect screen lets the statement run; otherwise the plan is a
 * costs-only EXPLAIN, and the result says why.  Generic plans use
 * PREPARE, which is not transactional: the sandbox deallocates the
 * prepared statement after the rollback.
 *-------------------------------------------------------------------------
 */
#include "src/live/explain.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/sql/statement_kind.h"

#include <stdlib.h>
#include <string.h>

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

/* Record the sandbox's last error in out; returns -1. */
static int
fail_from_server(explain_result *out, sandbox *s)
{
	if (out->error == NULL)
	{
		out->error = xstrdup(sandbox_last_error(s));
		out->sqlstate = xstrdup(sandbox_last_sqlstate(s));
	}
	return -1;
}

/*
 * Decide how to explain req, or refuse it.  0 with *mode set, or -1 with
 * out->refused.  A generic plan never executes the statement, so DML may
 * have one without --measure real, like a costs-only EXPLAIN.  A
 * statement the screen does not pass is explained for its costs only.
 */
static int
choose_mode(sandbox *s, const explain_request *req, explain_result *out, explain_mode *mode)
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
	why = NULL;
	if (req->nparams == 0 && statement_has_params(req->sql))
		*mode = MODE_GENERIC;
	else if (!req->analyze)
		*mode = MODE_COSTS;
	else if (kind == STMT_SELECT)
		*mode = MODE_ANALYZE_READ_ONLY;
	else if (sandbox_writes_allowed(s))
		*mode = MODE_ANALYZE_READ_WRITE;
	else
		return refuse(out, "DML is explained only under --measure real");

	if ((*mode == MODE_ANALYZE_READ_ONLY || *mode == MODE_ANALYZE_READ_WRITE) &&
		!sandbox_screen(s, req->sql, *mode == MODE_ANALYZE_READ_WRITE ? SANDBOX_READ_WRITE
						: SANDBOX_READ_ONLY, &why))
	{
		strbuf		sb;

		strbuf_init(&sb);
		strbuf_printf(&sb, "%s: explained, not executed", why ? why : "failed the side-effect screen");
		out->not_executed = strbuf_detach(&sb);
		*mode = MODE_COSTS;
	}
	free(why);
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

/* Read the plan of an EXPLAIN that ran (res may be NULL: it failed). */
static int
take_plan(sandbox *s, PGresult *res, explain_result *out)
{
	int			rc;

	if (res == NULL)
		return fail_from_server(out, s);
	rc = read_plan(res, out);
	PQclear(res);
	return rc;
}

static int
explain_direct(sandbox *s, const explain_request *req, explain_mode mode, explain_result *out)
{
	int			costs = mode == MODE_COSTS;

	return take_plan(s, sandbox_foreign(s, costs ? SANDBOX_PLAN : SANDBOX_EXECUTE,
										costs ? "EXPLAIN (FORMAT JSON) " : "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ",
										req->sql, req->nparams, req->params), out);
}

/*
 * Prepare the statement and explain it with a NULL for every parameter,
 * the planner being told to ignore the values.
 */
static int
explain_generic(sandbox *s, const explain_request *req, explain_result *out)
{
	PGresult   *res;
	int			nparams;
	strbuf		sql;
	int			rc;

	if (sandbox_exec(s, "SET LOCAL plan_cache_mode = force_generic_plan") != 0 ||
		sandbox_prepare(s, GENERIC_STATEMENT, req->sql) != 0)
		return fail_from_server(out, s);
	res = sandbox_query(s, "SELECT cardinality(parameter_types) FROM pg_prepared_statements"
						" WHERE name = '" GENERIC_STATEMENT "'", 0, NULL);
	if (res == NULL)
		return fail_from_server(out, s);
	nparams = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);

	strbuf_init(&sql);
	strbuf_puts(&sql, "EXPLAIN (FORMAT JSON) EXECUTE " GENERIC_STATEMENT);
	for (int i = 0; i < nparams; i++)
		strbuf_puts(&sql, i == 0 ? "(NULL" : ", NULL");
	if (nparams > 0)
		strbuf_putc(&sql, ')');
	rc = take_plan(s, sandbox_query(s, sql.data, 0, NULL), out);
	strbuf_free(&sql);
	if (rc == 0)
		out->generic = 1;
	return rc;
}

/*
 * Explain req on s: in a sandbox transaction of its own (nested 0), or
 * inside the open one, in a savepoint that is always rolled back
 * (nested 1).
 */
static int
explain_on(sandbox *s, const explain_request *req, explain_result *out, int nested)
{
	explain_mode mode;
	int			rc;

	memset(out, 0, sizeof(*out));
	if (req->sql == NULL)
		return refuse(out, "no statement to explain");
	if (choose_mode(s, req, out, &mode) != 0)
		return -1;
	if ((nested ? sandbox_savepoint(s)
		 : sandbox_begin(s, mode == MODE_ANALYZE_READ_WRITE ? SANDBOX_READ_WRITE : SANDBOX_READ_ONLY)) != 0)
		return fail_from_server(out, s);
	rc = mode == MODE_GENERIC ? explain_generic(s, req, out) : explain_direct(s, req, mode, out);

	/*
	 * The error above is already kept in out; the rollback must run
	 * regardless (nested, what ANALYZE wrote and what was SET LOCAL go
	 * with the savepoint, and the prepared statement is deallocated now).
	 */
	if ((nested ? sandbox_release(s, 1) : sandbox_end(s)) != 0)
		rc = fail_from_server(out, s);
	if (nested && mode == MODE_GENERIC && sandbox_deallocate(s, GENERIC_STATEMENT) != 0)
		rc = fail_from_server(out, s);
	if (rc != 0)
	{
		plan_free(out->plan);
		out->plan = NULL;
	}
	return rc;
}

int
explain_run(sandbox *s, const explain_request *req, explain_result *out)
{
	return explain_on(s, req, out, 0);
}

int
explain_in_transaction(sandbox *s, const explain_request *req, explain_result *out)
{
	return explain_on(s, req, out, 1);
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
	free(r->not_executed);
	memset(r, 0, sizeof(*r));
}
