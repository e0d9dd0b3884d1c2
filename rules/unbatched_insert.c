/*-------------------------------------------------------------------------
 * unbatched_insert.c
 *    unbatched-insert: runs of single-row INSERTs of one statement in one
 *    session, where one multi-row INSERT (or COPY) would do.
 *
 * The log model counts, per fingerprint classified as INSERT ... VALUES
 * with one row (src/sql/statement_traits.c), the runs of at least min_rows
 * consecutive executions and whether each row was its own transaction.
 * The fix is the statement itself with its VALUES row repeated: the row's
 * extent and its parameters are found with libpg_query's scanner, and
 * each copy's $n renumbered.  Under --measure real, when the side-effect
 * screen passes both statements, the rows of the costliest run are
 * inserted one by one and then as one statement, inside a sandbox
 * transaction that is always rolled back (measured, by the clock:
 * per-statement overhead is what batching saves); otherwise the
 * batch is estimated as one row's mean plus a tenth of it per further row.
 * docs/rules/unbatched-insert.md.
 *-------------------------------------------------------------------------
 */
#include "rules/sequence_rules.h"
#include "rules/workload_query.h"
#include "src/lib/arena.h"
#include "src/lib/clock.h"
#include "src/live/sandbox.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdlib.h>
#include <string.h>

extern const rule rule_unbatched_insert;

#define ROW_SHARE 0.1			/* a batched row's cost, as a share of one INSERT's */
#define FIX_ROWS 3				/* rows written out in the fix */

static const rule_param params[] = {
	{"min_rows", 10, "consecutive single-row INSERTs of one statement in one session"},
	{"min_total_ms", 0, "time of those runs over the log (ms)"},
	{NULL},
};

/* The statement split around its one VALUES row, as the scanner sees it. */
typedef struct insert_template
{
	const char *sql;
	int			head_end;		/* the row is sql[head_end, tail_start) */
	int			tail_start;
	int			row_params;		/* highest $n in the row */
	int			nparams;		/* $n tokens in the row, positions below */
	int		   *param_start;
	int		   *param_end;
} insert_template;

/* The index of the ')' closing the '(' at tokens[open], or -1. */
static int
matching_paren(PgQuery__ScanResult *r, size_t open)
{
	int			depth = 0;

	for (size_t i = open; i < r->n_tokens; i++)
	{
		if (r->tokens[i]->token == PG_QUERY__TOKEN__ASCII_40)
			depth++;
		else if (r->tokens[i]->token == PG_QUERY__TOKEN__ASCII_41 && --depth == 0)
			return (int) i;
	}
	return -1;
}

/* Record the row's $n tokens; 0, or -1 when a $n stands outside the row. */
static int
template_params(insert_template *t, PgQuery__ScanResult *r, int open, int close)
{
	t->param_start = xcalloc(r->n_tokens + 1, sizeof(int));
	t->param_end = xcalloc(r->n_tokens + 1, sizeof(int));
	for (size_t i = 0; i < r->n_tokens; i++)
	{
		PgQuery__ScanToken *tok = r->tokens[i];

		if (tok->token != PG_QUERY__TOKEN__PARAM)
			continue;
		if ((int) i < open || (int) i > close)
			return -1;

		int			n = atoi(t->sql + tok->start + 1);

		if (n > t->row_params)
			t->row_params = n;
		t->param_start[t->nparams] = tok->start;
		t->param_end[t->nparams++] = tok->end;
	}
	return 0;
}

/* Split sql around its first VALUES row; 0, or -1 (t freed) when it cannot be. */
static int
template_build(insert_template *t, const char *sql)
{
	PgQueryScanResult sr = pg_query_scan(sql);
	PgQuery__ScanResult *r = NULL;
	int			rc = -1;

	memset(t, 0, sizeof(*t));
	t->sql = sql;
	if (sr.error == NULL)
		r = pg_query__scan_result__unpack(NULL, sr.pbuf.len, (const uint8_t *) sr.pbuf.data);
	for (size_t i = 0; r && i + 1 < r->n_tokens; i++)
	{
		if (r->tokens[i]->token != PG_QUERY__TOKEN__VALUES)
			continue;
		int			close = r->tokens[i + 1]->token == PG_QUERY__TOKEN__ASCII_40 ? matching_paren(r, i + 1) : -1;

		if (close > 0 && template_params(t, r, (int) i + 1, close) == 0)
		{
			t->head_end = r->tokens[i + 1]->start;
			t->tail_start = r->tokens[close]->end;
			rc = 0;
		}
		break;
	}
	if (r)
		pg_query__scan_result__free_unpacked(r, NULL);
	pg_query_free_scan_result(sr);
	if (rc != 0)
	{
		free(t->param_start);
		free(t->param_end);
	}
	return rc;
}

static void
template_free(insert_template *t)
{
	free(t->param_start);
	free(t->param_end);
}

/* The statement with nrows copies of its row, copy i's $n renumbered n + i × row_params. */
static char *
template_rows(const insert_template *t, int nrows)
{
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_append(&sb, t->sql, (size_t) t->head_end);
	for (int i = 0; i < nrows; i++)
	{
		int			at = t->head_end;

		if (i > 0)
			strbuf_puts(&sb, ", ");
		for (int p = 0; p < t->nparams; p++)
		{
			strbuf_append(&sb, t->sql + at, (size_t) (t->param_start[p] - at));
			strbuf_printf(&sb, "$%d", atoi(t->sql + t->param_start[p] + 1) + i * t->row_params);
			at = t->param_end[p];
		}
		strbuf_append(&sb, t->sql + at, (size_t) (t->tail_start - at));
	}
	strbuf_puts(&sb, t->sql + t->tail_start);
	return strbuf_detach(&sb);
}

/* Run sql, timed by the clock; NAN when it failed. */
static double
timed(sandbox *c, const char *sql, int nparams, const char *const *values)
{
	double		start = clock_monotonic_ms();
	PGresult   *res = sandbox_foreign(c, SANDBOX_EXECUTE, "", sql, nparams, values);

	if (res == NULL)
		return NAN;
	PQclear(res);
	return clock_monotonic_ms() - start;
}

/*
 * Insert the rows one by one, roll back to a savepoint, insert them as one
 * statement; all inside a sandbox transaction that is always rolled back.
 * Nothing runs unless the screen passes both statements (*screened then
 * says why, malloc'd).
 */
static int
measure_rows(const workload_context *wc, const char *single, const char *batched, param_list *rows,
			 int nrows, int width, double *before, double *after, char **screened)
{
	sandbox    *c = wc->conn;
	const char **all;
	int			rc;

	if (!sandbox_screen(c, single, SANDBOX_READ_WRITE, screened) ||
		!sandbox_screen(c, batched, SANDBOX_READ_WRITE, screened))
		return -1;
	all = xcalloc((size_t) (nrows * width) + 1, sizeof(char *));
	rc = sandbox_begin(c, SANDBOX_READ_WRITE);
	if (rc == 0)
		rc = sandbox_exec(c, "SAVEPOINT pgsift_rows");
	*before = 0;
	for (int i = 0; rc == 0 && i < nrows; i++)
	{
		double		ms = timed(c, single, width, (const char *const *) rows[i].values);

		rc = RULE_KNOWN(ms) ? 0 : -1;
		*before += rc == 0 ? ms : 0;
		memcpy(all + i * width, rows[i].values, (size_t) width * sizeof(char *));
	}
	if (rc == 0)
		rc = sandbox_exec(c, "ROLLBACK TO SAVEPOINT pgsift_rows");
	if (rc == 0)
		rc = RULE_KNOWN(*after = timed(c, batched, nrows * width, all)) ? 0 : -1;
	/* whatever happened, no row may stay */
	if (sandbox_end(c) != 0)
		rc = -1;
	free(all);
	return rc;
}

/*
 * --measure real on the costliest run's logged rows; 0 with before/after
 * set.  *screened says why the screen kept them from running (malloc'd).
 */
static int
measure(const workload_context *wc, const seq_fingerprint *fp, const insert_template *t,
		double *before, double *after, char **screened)
{
	const seq_example *e = &fp->insert_example;
	param_list *rows = xcalloc((size_t) e->nvalues + 1, sizeof(param_list));
	int			nrows = 0,
				rc = -1;

	if (wc->measure != MEASURE_MODE_REAL || !workload_conn_serves(wc, sequence_rule_database(fp->query)))
	{
		free(rows);
		return -1;
	}
	for (int i = 0; i < e->nvalues; i++)
		if (e->values[i] && param_list_parse(e->values[i], &rows[nrows]) == 0)
		{
			if (rows[nrows].count == t->row_params)
				nrows++;
			else
				param_list_free(&rows[nrows]);
		}
	if (nrows >= 2 && t->row_params > 0)
	{
		char	   *batched = template_rows(t, nrows);

		rc = measure_rows(wc, fp->query->normalized, batched, rows, nrows, t->row_params, before, after,
						  screened);
		free(batched);
	}
	for (int i = 0; i < nrows; i++)
		param_list_free(&rows[i]);
	free(rows);
	return rc;
}

static void
set_fix(finding *f, const insert_template *t, int have_template, double rows_per_run)
{
	char	   *sql = have_template ? template_rows(t, FIX_ROWS) : NULL;
	strbuf		desc;

	strbuf_init(&desc);
	strbuf_printf(&desc, "Insert the %.0f rows of a run in one statement: one VALUES row per row (shown "
				  "for %d), or INSERT ... SELECT * FROM unnest($1::type[], ...) with one array per "
				  "column, or COPY for bulk loads; and in one transaction, not one per row.",
				  rows_per_run, FIX_ROWS);
	finding_set_fix(f, sql, desc.data);
	free(sql);
	strbuf_free(&desc);
}

static void
report(const rule_context *ctx, const seq_fingerprint *fp)
{
	const workload_context *wc = ctx->workload;
	double		rows_per_run = (double) fp->insert_rows / (double) fp->insert_runs;
	double		per_run = fp->insert_ms / (double) fp->insert_runs;
	double		mean_row = fp->insert_ms / (double) fp->insert_rows;
	int			assumed;
	double		rate = workload_rate((double) fp->insert_runs, wc->log_hours, &assumed);
	insert_template t;
	int			have_template = template_build(&t, fp->query->normalized) == 0;
	double		before,
				after;
	char	   *screened = NULL;
	finding    *f = workload_query_finding(&rule_unbatched_insert, fp->query->fingerprint,
										   fp->query->normalized, 0);

	if (have_template && measure(wc, fp, &t, &before, &after, &screened) == 0)
	{
		f->measurement.method = MEASURE_MEASURED;
		f->measurement.before_ms = before;
		f->measurement.after_ms = after;
		/* the measured saving, scaled from the measured rows to a mean run */
		f->score = fmax(0, (before - after) / (double) fp->insert_example.nvalues) * rows_per_run * rate;
	}
	else
	{
		f->measurement.before_ms = per_run;
		f->measurement.after_ms = mean_row * (1 + ROW_SHARE * (rows_per_run - 1));
		f->score = fmax(0, per_run - f->measurement.after_ms) * rate;
	}
	if (f->measurement.after_ms > 0)
		f->measurement.speedup = f->measurement.before_ms / f->measurement.after_ms;
	finding_set_detail(f, "%llu runs of single-row INSERTs, %.1f rows per run on average (%llu rows, "
					   "%.1f ms in all); %s.%s", (unsigned long long) fp->insert_runs, rows_per_run,
					   (unsigned long long) fp->insert_rows, fp->insert_ms,
					   fp->insert_runs_own_xact == fp->insert_runs ? "each row was its own transaction"
					   : fp->insert_runs_own_xact ? "in some runs each row was its own transaction"
					   : "each run was inside one transaction", workload_rate_note(assumed));
	finding_set_hint(f, "Every INSERT pays a round trip, parsing and executor start-up%s.",
					 fp->insert_runs_own_xact ? ", and every transaction a commit (a WAL flush)" : "");
	if (f->measurement.method == MEASURE_MEASURED)
		finding_append_detail(f, "Measured in a rolled-back transaction with the %d rows of its costliest run, "
							  "%s: a sequence the rows drew from keeps the values, as after any rolled-back "
							  "INSERT.", fp->insert_example.nvalues, fp->insert_example.from_text ?
							  "their values read from the statements' text (simple protocol: no parameters "
							  "logged)" : "their values as logged in the parameters");
	else if (screened)
		finding_append_detail(f, "Not measured: the INSERT %s.", screened);
	free(screened);
	set_fix(f, &t, have_template, rows_per_run);
	if (have_template)
		template_free(&t);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	size_t		n;
	seq_fingerprint **fps = session_patterns_fingerprints(workload_patterns(ctx->workload->model), &n);
	double		min_total = rule_param_value(ctx, &rule_unbatched_insert, "min_total_ms");

	for (size_t i = 0; i < n; i++)
		if (fps[i]->kind == SEQ_KIND_SINGLE_INSERT && fps[i]->insert_runs > 0 && fps[i]->insert_ms >= min_total)
			report(ctx, fps[i]);
}

const rule	rule_unbatched_insert = {
	.id = "unbatched-insert",
	.title = "rows inserted one statement at a time",
	.severity = FINDING_MEDIUM,
	.scope = RULE_WORKLOAD,
	.summary = ">= 10 consecutive single-row INSERTs of one statement in one session",
	.check = check,
	.params = params,
	.horizon = RULE_HORIZON_APPLICATION,
	.fix_cuts_calls = 1,
};
