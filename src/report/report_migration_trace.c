/*-------------------------------------------------------------------------
 * report_migration_trace.c
 *    The database part of pgsift migration's report: what the trace saw
 *    each statement do, and the workload's plans before and after.
 *
 * JSON ("database", docs/json-schema.md) and a text section; the
 * Markdown report takes the text of the regressions from here too.  All
 * text from the migration, the logs or the database goes through the
 * medium's escaping (report_put_clean for a terminal, jansson for JSON).
 *-------------------------------------------------------------------------
 */
#include "src/lib/json_out.h"
#include "src/report/report.h"
#include "src/report/report_migration.h"
#include "src/sql/fingerprint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *
step_name(sandbox_step s)
{
	switch (s)
	{
		case SANDBOX_STEP_RAN:
			return "ran";
		case SANDBOX_STEP_FAILED:
			return "failed";
		case SANDBOX_STEP_SKIPPED:
			return "skipped";
		default:
			return "refused";
	}
}

static const char *
change_name(trace_change_kind k)
{
	static const char *const names[] = {"rewritten", "created", "dropped", "validated", "column_type", "not_null"};

	return names[k];
}

static json_t *
real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
step_json(const migration *m, const statement_trace *st)
{
	const migration_statement *s = &m->statements[st->statement];
	json_t	   *locks = json_array();
	json_t	   *changes = json_array();

	for (int i = 0; i < st->nlocks; i++)
	{
		const trace_lock *l = &st->locks[i];

		json_array_append_new(locks, json_pack("{s:o, s:s, s:b, s:f, s:I, s:I}",
											   "relation", json_text_or_null(l->relation),
											   "mode", trace_lock_mode_name(l->mode), "existed", l->existed,
											   "rows", l->tuples, "pages", (json_int_t) l->pages,
											   "bytes", (json_int_t) l->bytes));
	}
	for (int i = 0; i < st->nchanges; i++)
	{
		const trace_change *c = &st->changes[i];

		json_array_append_new(changes, json_pack("{s:s, s:o, s:o, s:b, s:f, s:I}",
												 "change", change_name(c->kind),
												 "object", json_text_or_null(c->object),
												 "detail", json_text_or_null(c->detail), "existed", c->existed,
												 "rows", c->tuples, "bytes", (json_int_t) c->bytes));
	}
	return json_pack("{s:o, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
					 "file", json_text_or_null(m->files[s->file].path), "line", s->line,
					 "step", step_name(st->step),
					 "ms", st->step == SANDBOX_STEP_RAN || st->step == SANDBOX_STEP_FAILED ? json_real(st->ms) : json_null(),
					 "note", json_text_or_null(st->note), "error", json_text_or_null(st->error),
					 "sqlstate", json_text_or_null(st->sqlstate), "locks", locks, "changes", changes);
}

static json_t *
plan_json(const regress_plan *p)
{
	if (!p->ok)
		return json_pack("{s:b, s:o, s:o}", "ok", 0, "error", json_text_or_null(p->error),
						 "sqlstate", json_text_or_null(p->sqlstate));
	return json_pack("{s:b, s:s, s:f, s:o, s:o, s:o}", "ok", 1,
					 "kind", p->generic ? "generic" : p->analyzed ? "analyzed" : "estimated",
					 "cost", p->cost, "ms", real_or_null(p->ms),
					 "buffers", p->buffers >= 0 ? json_integer(p->buffers) : json_null(),
					 "summary", json_text_or_null(p->summary));
}

static json_t *
regression_json(const migration *m, const regress_query *q)
{
	char		hex[17];
	const migration_statement *s = q->statement >= 0 ? &m->statements[q->statement] : NULL;

	fingerprint_hex(q->fingerprint, hex);
	return json_pack("{s:s, s:o, s:s, s:f, s:f, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
					 "fingerprint", hex, "query", json_text_or_null(q->query), "source", q->source,
					 "total_ms", q->total_ms, "calls", q->calls,
					 "verdict", regress_verdict_name(q->verdict), "reason", json_text_or_null(q->reason),
					 "before_cost", q->before.ok ? json_real(q->before.cost) : json_null(),
					 "after_cost", q->after.ok ? json_real(q->after.cost) : json_null(),
					 "before_ms", real_or_null(q->before.ms), "after_ms", real_or_null(q->after.ms),
					 "file", s ? json_text_or_null(m->files[s->file].path) : json_null(),
					 "line", s ? json_integer(s->line) : json_null(),
					 "before", plan_json(&q->before), "after", q->after.ok || q->after.error ? plan_json(&q->after) : json_null());
}

json_t *
migration_report_database_json(const migration_gate_result *r)
{
	json_t	   *o,
			   *steps,
			   *regs,
			   *unused;

	if (!r->connected)
		return json_null();
	steps = json_array();
	regs = json_array();
	unused = json_array();
	for (int i = 0; i < r->trace.nsteps; i++)
		json_array_append_new(steps, step_json(&r->migration, &r->trace.steps[i]));
	for (int i = 0; i < r->regressions.nqueries; i++)
		json_array_append_new(regs, regression_json(&r->migration, &r->regressions.queries[i]));
	for (int i = 0; i < r->regressions.nunused; i++)
		json_array_append_new(unused, json_text_or_null(r->regressions.unused_indexes[i]));
	o = json_pack("{s:i, s:s, s:b, s:o, s:o, s:o, s:o, s:I}",
				  "server_version", r->server_version, "measure", migration_measure_name(r->measure),
				  "traced", r->traced, "trace_stopped", json_text_or_null(r->trace.stopped),
				  "trace", steps, "regressions", regs, "unused_new_indexes", unused,
				  "workload_statements", (json_int_t) r->workload_statements);
	json_object_set_new(o, "database", json_text_or_null(r->trace.database));
	if (r->sandbox)
		json_object_set(o, "sandbox", r->sandbox);
	return o;
}

/* One line of the trace of a statement. */
static void
write_step(FILE *out, const migration_gate_result *r, const statement_trace *st)
{
	const migration_statement *s = &r->migration.statements[st->statement];
	char	   *sentence = trace_step_sentence(&r->trace, st);

	fprintf(out, "  %s:%d: %s", migration_statement_path(&r->migration, st->statement), s->line,
			step_name(st->step));
	if (sentence)
	{
		fputs(": ", out);
		/* "Traced on shop: 412 ms; ..." without its opening words */
		report_put_clean(out, strncmp(sentence, "Traced on ", 10) == 0 && strchr(sentence, ':')
						 ? strchr(sentence, ':') + 2 : sentence, "    ");
	}
	else if (st->note)
	{
		fputs(": ", out);
		report_put_clean(out, st->note, "    ");
	}
	fputc('\n', out);
	free(sentence);
}

void
migration_report_database_text(FILE *out, const migration_gate_result *r)
{
	int			judged = 0,
				counts[6] = {0};

	if (!r->connected)
		return;
	fprintf(out, "\ndatabase: PostgreSQL %d", r->server_version);
	if (r->trace.database)
		fputs(", ", out), report_put_clean(out, r->trace.database, "");
	fprintf(out, "; --measure %s\n", migration_measure_name(r->measure));
	if (!r->traced)
	{
		fputs("  not traced: --measure plan runs the migration in a transaction that is rolled back and "
			  "reads its locks and rewrites\n", out);
		return;
	}
	fputs("trace (one transaction, rolled back):\n", out);
	for (int i = 0; i < r->trace.nsteps; i++)
		write_step(out, r, &r->trace.steps[i]);
	if (r->trace.stopped)
	{
		fputs("  stopped: ", out);
		report_put_clean(out, r->trace.stopped, "    ");
		fputc('\n', out);
	}
	for (int i = 0; i < r->regressions.nqueries; i++)
	{
		counts[r->regressions.queries[i].verdict]++;
		judged++;
	}
	if (judged == 0)
	{
		fputs("workload: no query to compare (give --workload logs, or install pg_stat_statements)\n", out);
		return;
	}
	fprintf(out, "workload: %d queries planned before and after: %d slower, %d fail, %d faster, %d unchanged, "
			"%d unstable (left out), %d not planned\n", judged, counts[REGRESS_SLOWER], counts[REGRESS_FAILS],
			counts[REGRESS_FASTER], counts[REGRESS_UNCHANGED], counts[REGRESS_UNSTABLE], counts[REGRESS_NOT_PLANNED]);
}
