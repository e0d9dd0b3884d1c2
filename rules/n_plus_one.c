/*-------------------------------------------------------------------------
 * n_plus_one.c
 *    n-plus-one: a statement followed, in the same session, by one
 *    execution of another statement per row it returned.
 *
 * The log model keeps the loops (src/model/session_patterns.h): a parent
 * followed by at least min_repeats executions of one child fingerprint
 * with min_distinct distinct parameter sets, no pause over max_gap_ms,
 * and with group_by_transaction all in one transaction (a transaction
 * pooler hands one backend to many clients).  The rule reports the loops whose children took min_total_ms in all.
 * The fix is the child batched: its "col = $k" equality on the parameter
 * that varies becomes "col = ANY($k)", edited in the parse tree and
 * deparsed (src/sql/query_tree.h).  With a connection the batched statement
 * runs under EXPLAIN ANALYZE with the ids of the costliest occurrence
 * (measured); without, the batch is estimated as one child's mean plus a
 * tenth of it per further row.  Without a log loop, pg_stat_statements
 * alone gives a weaker hint: many cheap calls returning about one row.
 * docs/rules/n-plus-one.md.
 *-------------------------------------------------------------------------
 */
#include "rules/sequence_rules.h"
#include "rules/workload_query.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/live/explain.h"
#include "src/live/pgss.h"
#include "src/sql/query_tree.h"
#include "src/sql/statement_kind.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_n_plus_one;

#define ROW_SHARE 0.1			/* a batched row's cost, as a share of one child's */

static const rule_param params[] = {
	{"min_repeats", 5, "executions of the child after one parent"},
	{"min_distinct", 5, "distinct parameter sets among them"},
	{"max_gap_ms", 1000, "longest pause between two of them (ms)"},
	{"group_by_transaction", 0, "1: parent and children in one transaction (behind a transaction pooler)"},
	{"min_total_ms", 50, "time of the children over all occurrences (ms)"},
	{"hint_min_calls", 1000, "pg_stat_statements hint: calls"},
	{"hint_max_rows_per_call", 1.5, "pg_stat_statements hint: rows per call"},
	{"hint_max_mean_ms", 1, "pg_stat_statements hint: mean time (ms)"},
	{NULL},
};

/* The batched child: its SQL and the values of one occurrence. */
typedef struct batch
{
	char	   *sql;			/* malloc'd, NULL: no rewrite found */
	int			varying;		/* the parameter that varies, 1-based; 0 unknown */
	int			nparams;
	char	  **values;			/* the batched statement's parameters (malloc'd) */
} batch;

static void
batch_free(batch *b)
{
	for (int i = 0; i < b->nparams; i++)
		free(b->values[i]);
	free(b->values);
	free(b->sql);
}

/*
 * The 1-based parameter whose value differs across the example's
 * executions, 0 when none or several do (a composite key).  A statement
 * with one parameter and no logged values (simple protocol) varies in it.
 */
static int
varying_param(const seq_example *e, int max_param)
{
	param_list	first = {0},
				other = {0};
	int			found = 0;

	if (e->nvalues == 0 || e->values[0] == NULL || param_list_parse(e->values[0], &first) != 0)
		return max_param == 1 ? 1 : 0;
	for (int k = 0; k < first.count && found >= 0; k++)
		for (int i = 1; i < e->nvalues; i++)
		{
			if (e->values[i] == NULL || param_list_parse(e->values[i], &other) != 0)
				continue;
			int			differs = k < other.count &&
				!((first.values[k] == NULL && other.values[k] == NULL) ||
				  (first.values[k] && other.values[k] && strcmp(first.values[k], other.values[k]) == 0));

			param_list_free(&other);
			if (differs)
			{
				found = found ? -1 : k + 1;
				break;
			}
		}
	param_list_free(&first);
	return found > 0 ? found : 0;
}

static int
is_param(const PgQuery__Node *n, int number)
{
	n = query_node_uncast(n);
	return n && n->node_case == PG_QUERY__NODE__NODE_PARAM_REF && n->param_ref->number == number;
}

/* The "col = $number" equality among the AND-ed conditions under n, or NULL. */
static PgQuery__AExpr *
find_equality(PgQuery__Node *n, int number)
{
	if (n == NULL)
		return NULL;
	if (n->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
		n->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR)
	{
		for (size_t i = 0; i < n->bool_expr->n_args; i++)
		{
			PgQuery__AExpr *a = find_equality(n->bool_expr->args[i], number);

			if (a)
				return a;
		}
		return NULL;
	}
	if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR)
		return NULL;

	PgQuery__AExpr *a = n->a_expr;

	if (a->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || a->n_name != 1 ||
		a->name[0]->node_case != PG_QUERY__NODE__NODE_STRING || strcmp(a->name[0]->string->sval, "=") != 0)
		return NULL;
	if (is_param(a->rexpr, number) || is_param(a->lexpr, number))
		return a;
	return NULL;
}

/* "{"v1","v2",...}": the example's distinct values of parameter k as an array literal. */
static char *
array_literal(const seq_example *e, int k)
{
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_putc(&sb, '{');
	for (int i = 0; i < e->nvalues; i++)
	{
		param_list	pl = {0};

		if (e->values[i] == NULL || param_list_parse(e->values[i], &pl) != 0)
			continue;
		if (k <= pl.count)
		{
			const char *v = pl.values[k - 1];

			if (sb.len > 1)
				strbuf_putc(&sb, ',');
			if (v == NULL)
				strbuf_puts(&sb, "NULL");
			else
			{
				strbuf_putc(&sb, '"');
				for (; *v; v++)
				{
					if (*v == '"' || *v == '\\')
						strbuf_putc(&sb, '\\');
					strbuf_putc(&sb, *v);
				}
				strbuf_putc(&sb, '"');
			}
		}
		param_list_free(&pl);
	}
	strbuf_putc(&sb, '}');
	return strbuf_detach(&sb);
}

/* The batch's parameters: the first execution's, the varying one as an array. */
static void
batch_values(batch *b, const seq_example *e)
{
	param_list	pl = {0};

	if (e->nvalues == 0 || e->values[0] == NULL || param_list_parse(e->values[0], &pl) != 0)
		return;
	b->nparams = pl.count;
	b->values = xcalloc((size_t) pl.count + 1, sizeof(char *));
	for (int i = 0; i < pl.count; i++)
		b->values[i] = i + 1 == b->varying ? array_literal(e, b->varying)
			: pl.values[i] ? xstrdup(pl.values[i]) : NULL;
	param_list_free(&pl);
}

/* The child with its varying equality turned into "= ANY($k)". */
static void
batch_build(batch *b, const seq_loop *l)
{
	query_tree	t;

	memset(b, 0, sizeof(*b));
	if (query_tree_parse(l->child->normalized, &t) != 0)
	{
		query_tree_free(&t);
		return;
	}
	b->varying = varying_param(&l->example, query_tree_max_param(&t));

	PgQuery__AExpr *a = b->varying ? find_equality(t.select->where_clause, b->varying) : NULL;

	if (a)
	{
		PgQuery__Node *column = is_param(a->rexpr, b->varying) ? a->lexpr : a->rexpr;

		a->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY;
		query_tree_set_node(&t, &a->lexpr, column);
		query_tree_set_node(&t, &a->rexpr, query_node_param(&t, b->varying));
		b->sql = query_tree_deparse(&t);
		a->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
		batch_values(b, &l->example);
	}
	query_tree_free(&t);
}

/*
 * EXPLAIN ANALYZE of the batch (in a read-only sandbox transaction); NAN
 * if not run, and *screened (malloc'd) when the side-effect screen said no.
 */
static double
batch_measure(const workload_context *wc, const seq_loop *l, const batch *b, char **plan_json,
			  char **screened)
{
	explain_request req = {
		.sql = b->sql, .nparams = b->nparams, .params = (const char *const *) b->values,
		.analyze = 1,
	};
	explain_result r = {0};
	double		ms = NAN;

	if (b->sql == NULL || b->values == NULL || wc->measure == MEASURE_MODE_OFF ||
		!workload_conn_serves(wc, sequence_rule_database(l->child)))
		return NAN;
	if (explain_run(wc->conn, &req, &r) == 0 && !r.generic && RULE_KNOWN(r.plan->execution_ms))
	{
		ms = r.plan->execution_ms + (RULE_KNOWN(r.plan->planning_ms) ? r.plan->planning_ms : 0);
		*plan_json = xstrdup(r.plan->json);
	}
	if (r.not_executed)
		*screened = xstrdup(r.not_executed);
	explain_result_free(&r);
	return ms;
}

static void
set_fix(finding *f, const seq_loop *l, const batch *b)
{
	strbuf		desc;

	strbuf_init(&desc);
	if (b->sql)
		strbuf_printf(&desc, "Fetch the children of all the parent's rows in one statement: $%d becomes "
					  "an array of the ids (or JOIN the child's table in the parent). ", b->varying);
	else
		strbuf_puts(&desc, "Fetch the children of all the parent's rows in one statement: "
					"JOIN the child's table in the parent, or pass the ids as an array (= ANY($1)). ");
	strbuf_puts(&desc, "In an ORM, load the association eagerly: includes/preload (Rails), "
				"prefetch_related/select_related (Django), joinedload/selectinload (SQLAlchemy), "
				"JOIN FETCH or @EntityGraph (JPA/Hibernate).");
	finding_set_fix(f, b->sql, desc.data);
	strbuf_free(&desc);
}

/*
 * Figures of one occurrence: measured on the costliest, else estimated.
 * Returns why the batch was not executed (malloc'd), or NULL.
 */
static char *
set_measurement(finding *f, const workload_context *wc, const seq_loop *l, const batch *b,
				double per_occurrence)
{
	double		mean_child = l->child_ms / (double) l->children;
	double		k = (double) l->children / (double) l->occurrences;
	char	   *plan = NULL;
	char	   *screened = NULL;
	double		after = batch_measure(wc, l, b, &plan, &screened);

	if (RULE_KNOWN(after))
	{
		f->measurement.method = MEASURE_MEASURED;
		f->measurement.before_ms = l->example.total_ms;
		f->measurement.after_ms = after;
		f->measurement.after_plan = plan;
	}
	else
	{
		f->measurement.method = MEASURE_ESTIMATED;
		f->measurement.before_ms = per_occurrence;
		f->measurement.after_ms = mean_child * (1 + ROW_SHARE * (k - 1));
	}
	if (f->measurement.after_ms > 0)
		f->measurement.speedup = f->measurement.before_ms / f->measurement.after_ms;
	return screened;
}

static void
report_loop(const rule_context *ctx, const seq_loop *l, int options_differ)
{
	const workload_context *wc = ctx->workload;
	double		per_occurrence = l->child_ms / (double) l->occurrences;
	double		k = (double) l->children / (double) l->occurrences;
	int			assumed;
	double		rate = workload_rate((double) l->occurrences, wc->log_hours, &assumed);
	batch		b;
	finding    *f = workload_query_finding(&rule_n_plus_one, l->child->fingerprint, l->child->normalized, 0);
	char		key[40];
	char	   *screened;

	snprintf(key, sizeof(key), "%016llx/%016llx", (unsigned long long) l->parent->fingerprint,
			 (unsigned long long) l->child->fingerprint);
	finding_set_key(f, key);
	finding_add_fingerprint(f, l->parent->fingerprint);
	batch_build(&b, l);
	screened = set_measurement(f, wc, l, &b, per_occurrence);
	/* the measured ratio, on the mean occurrence rather than the example's */
	if (f->measurement.before_ms > 0)
		f->score = per_occurrence * fmax(0, 1 - f->measurement.after_ms / f->measurement.before_ms) * rate;
	finding_add_metric(f, "statements_per_request", k + 1, 2, "statements");
	finding_set_detail(f, "After %s, the same session ran %s %.1f times on average (%llu occurrences, "
					   "%llu executions, %llu distinct parameter sets), one execution per row: %.1f ms in "
					   "all, %.1f ms per occurrence.%s%s",
					   l->parent->normalized, l->child->normalized,
					   k, (unsigned long long) l->occurrences, (unsigned long long) l->children,
					   (unsigned long long) l->distinct, l->child_ms, per_occurrence,
					   workload_rate_note(assumed),
					   options_differ ? " The log was read with other thresholds than the configuration's." : "");
	if (screened)
		finding_append_detail(f, "Not measured: the batched statement %s.", screened);
	else if (f->measurement.method == MEASURE_MEASURED)
		finding_append_detail(f, "Measured with the values of its costliest occurrence, %s: %s.",
							  l->example.from_text ? "read from the statements' text (simple protocol: no "
							  "parameters logged)" : "as logged in its parameters",
							  b.nparams > 0 && b.values && b.values[b.varying - 1] ? b.values[b.varying - 1] : "?");
	free(screened);
	finding_set_hint(f, "Each execution pays a round trip, parsing and executor start-up; one batched "
					 "statement pays them once.");
	set_fix(f, l, &b);
	batch_free(&b);
	finding_list_add(ctx->out, f);
}

/* Whether fp is the child of a loop reported from the log. */
static int
is_loop_child(seq_loop **loops, size_t n, uint64_t fp)
{
	for (size_t i = 0; i < n; i++)
		if (loops[i]->child->fingerprint == fp)
			return 1;
	return 0;
}

static void
report_hint(const rule_context *ctx, const pgss_entry *e, const pgss_totals *t)
{
	int			assumed;
	double		rate = workload_rate(t->calls, ctx->workload->pgss_hours, &assumed);
	finding    *f = workload_query_finding(&rule_n_plus_one, e->fingerprint, e->query,
										   0.5 * (t->total_ms / t->calls) * rate);

	f->severity = FINDING_LOW;
	free(f->title);
	f->title = xstrdup("possible N+1 loop (a hint from pg_stat_statements only)");
	finding_set_detail(f, "A hint from pg_stat_statements only, no loop was seen in the log: %.0f calls "
					   "returning %.2f rows each, %.3f ms on average. Many cheap single-row calls are "
					   "how an N+1 loop looks from the server.%s", t->calls, t->rows / t->calls,
					   t->total_ms / t->calls, workload_rate_note(assumed));
	finding_set_hint(f, "Log the application's sessions (log_min_duration_statement = 0 for a while) "
					 "to see whether the calls come in loops after one parent statement.");
	finding_set_fix(f, NULL, "If they come in loops, batch them (= ANY($1), a JOIN) or load the "
					"association eagerly in the ORM. The score assumes half their time is saved.");
	finding_list_add(ctx->out, f);
}

/* pg_stat_statements alone: many cheap single-row calls of one SELECT. */
static void
pgss_hints(const rule_context *ctx, seq_loop **loops, size_t nloops)
{
	const workload_context *wc = ctx->workload;
	hashmap    *index = workload_pgss_index(wc);
	hashmap    *seen = hashmap_create(16);
	double		min_calls = rule_param_value(ctx, &rule_n_plus_one, "hint_min_calls");
	double		max_rows = rule_param_value(ctx, &rule_n_plus_one, "hint_max_rows_per_call");
	double		max_mean = rule_param_value(ctx, &rule_n_plus_one, "hint_max_mean_ms");

	for (int i = 0; index && i < wc->pgss->count; i++)
	{
		const pgss_entry *e = &wc->pgss->entries[i];
		const pgss_totals *t = workload_pgss_lookup(index, e->fingerprint);
		int			inserted;

		if (t == NULL || t->calls < min_calls || t->rows > max_rows * t->calls ||
			t->total_ms >= max_mean * t->calls || is_loop_child(loops, nloops, e->fingerprint))
			continue;
		*hashmap_put(seen, &e->fingerprint, sizeof(e->fingerprint), hash_mix64(e->fingerprint),
					 &inserted) = (void *) e;
		if (inserted && statement_classify(e->query, NULL) == STMT_SELECT)
			report_hint(ctx, e, t);
	}
	hashmap_destroy(seen);
	workload_pgss_index_free(index);
}

static void
check(const rule_context *ctx)
{
	const workload_context *wc = ctx->workload;
	size_t		n;
	seq_loop  **loops = session_patterns_loops(workload_patterns(wc->model), &n);
	double		min_total = rule_param_value(ctx, &rule_n_plus_one, "min_total_ms");
	int			differ = !sequence_rules_options_match(ctx);

	for (size_t i = 0; i < n; i++)
		/*
		 * rows inserted one by one are unbatched-insert's; a loop that
		 * opens its session has no parent whose rows it iterates
		 */
		if (loops[i]->child_ms >= min_total && loops[i]->occurrences > 0 && loops[i]->parent &&
			loops[i]->child->seq->kind != SEQ_KIND_SINGLE_INSERT)
			report_loop(ctx, loops[i], differ);
	pgss_hints(ctx, loops, n);
}

const rule	rule_n_plus_one = {
	.id = "n-plus-one",
	.title = "N+1 queries: one statement per row of a parent",
	.severity = FINDING_MEDIUM,
	.scope = RULE_WORKLOAD,
	.summary = "a parent followed by >= 5 executions of one child with distinct parameters",
	.check = check,
	.params = params,
	.horizon = RULE_HORIZON_APPLICATION,
	.fix_cuts_calls = 1,
	.child_served_by_index = 1,
};
