/*-------------------------------------------------------------------------
 * migration_regress.c
 *    Plans of the workload's queries before and after a migration, and
 *    the verdict on each.
 *
 * A plan is reduced to what the verdict needs: its cost (and time and
 * buffers when analyzed), the indexes and sequentially scanned tables it
 * uses, whether a sort or hash spilled, and its shape (the node types,
 * relations and indexes in order), by which two plans are "the same".
 *-------------------------------------------------------------------------
 */
#include "src/live/migration_regress.h"
#include "parsers/log_event.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/lib/strbuf.h"
#include "src/live/explain.h"
#include "src/sql/plan.h"
#include "src/sql/statement_kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TOP 200
#define DEFAULT_RATIO 1.5
#define DEFAULT_SEQ_SCAN_PAGES 1280
/* Time and buffer growth below these is noise, whatever the ratio. */
#define MIN_MS_GROWTH 1.0
#define MIN_BUFFER_GROWTH 100

const char *
regress_verdict_name(regress_verdict v)
{
	switch (v)
	{
		case REGRESS_SLOWER:
			return "slower";
		case REGRESS_FAILS:
			return "fails";
		case REGRESS_FASTER:
			return "faster";
		case REGRESS_UNSTABLE:
			return "unstable";
		case REGRESS_NOT_PLANNED:
			return "not planned";
		default:
			return "unchanged";
	}
}

static void
add_query(migration_regressions *r, int *cap, uint64_t fingerprint, const char *query, const char *sql,
		  const char *params, const char *source, double total_ms, double calls)
{
	regress_query *q;

	if (r->nqueries == *cap)
	{
		*cap = *cap ? *cap * 2 : 32;
		r->queries = xrealloc(r->queries, sizeof(regress_query) * (size_t) *cap);
	}
	q = &r->queries[r->nqueries++];
	memset(q, 0, sizeof(*q));
	q->statement = -1;
	q->fingerprint = fingerprint;
	q->query = xstrdup(query ? query : sql);
	q->sql = xstrdup(sql);
	q->params = params ? xstrdup(params) : NULL;
	q->source = source;
	q->total_ms = total_ms;
	q->calls = calls;
}

/* Only what EXPLAIN explains is compared: no utility statement of the logs. */
static int
query_or_dml(const char *sql)
{
	char	   *why = NULL;
	statement_kind k = statement_classify(sql, &why);

	free(why);
	return k == STMT_SELECT || k == STMT_DML;
}

static int
seen_before(hashmap *seen, uint64_t fingerprint)
{
	int			inserted = 0;

	hashmap_put(seen, &fingerprint, sizeof(fingerprint), hash_mix64(fingerprint), &inserted);
	return !inserted;
}

void
migration_regress_collect(migration_regressions *r, workload *w, const pgss_snapshot *pgss,
						  const char *dbname, const regress_settings *settings)
{
	hashmap    *seen = hashmap_create(64);
	int			cap = 0;
	size_t		nq = 0;
	query_stats **qs = w ? workload_queries(w, &nq) : NULL;

	memset(r, 0, sizeof(*r));
	r->settings = *settings;
	if (r->settings.top <= 0)
		r->settings.top = DEFAULT_TOP;
	if (r->settings.ratio <= 1)
		r->settings.ratio = DEFAULT_RATIO;
	if (r->settings.seq_scan_pages < 0)
		r->settings.seq_scan_pages = DEFAULT_SEQ_SCAN_PAGES;
	for (size_t i = 0; i < nq && r->nqueries < r->settings.top; i++)
	{
		const query_sample *sample = qs[i]->nsamples > 0 ? &qs[i]->samples[0] : NULL;

		/* a log of the whole server holds other databases' queries too */
		if (!qs[i]->parsed || sample == NULL || query_sample_is_cut(sample) || !query_or_dml(sample->query) ||
			(dbname && sample->database && sample->database[0] && strcmp(sample->database, dbname) != 0) ||
			seen_before(seen, qs[i]->fingerprint))
			continue;
		add_query(r, &cap, qs[i]->fingerprint, qs[i]->normalized, qs[i]->samples[0].query,
				  qs[i]->samples[0].params, "log", qs[i]->total_ms, (double) qs[i]->calls);
	}
	for (int i = 0; pgss && pgss->available && i < pgss->count && r->nqueries < r->settings.top; i++)
	{
		const pgss_entry *e = &pgss->entries[i];

		if (!e->parsed || !query_or_dml(e->query) || seen_before(seen, e->fingerprint))
			continue;
		add_query(r, &cap, e->fingerprint, e->query, e->query, NULL, "pg_stat_statements",
				  e->total_exec_ms, (double) e->calls);
	}
	hashmap_destroy(seen);
}

/* What a walk of a plan gathers. */
typedef struct plan_facts
{
	regress_plan *rp;
	strbuf		shape;
} plan_facts;

static void
add_name(char ***list, int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (strcmp((*list)[i], name) == 0)
			return;
	*list = xrealloc(*list, sizeof(char *) * (size_t) (*n + 1));
	(*list)[(*n)++] = xstrdup(name);
}

static void
gather(void *ctx, const plan_node *node, const plan_node *parent, int depth)
{
	plan_facts *pf = ctx;
	regress_plan *rp = pf->rp;

	strbuf_printf(&pf->shape, "%d:%s", depth, node->node_type ? node->node_type : "?");
	if (node->relation)
		strbuf_printf(&pf->shape, " on %s", node->relation);
	if (node->index_name)
	{
		strbuf_printf(&pf->shape, " using %s", node->index_name);
		add_name(&rp->indexes, &rp->nindexes, node->index_name);
	}
	strbuf_putc(&pf->shape, '\n');
	if (node->relation)
	{
		strbuf		sb;

		strbuf_init(&sb);
		strbuf_printf(&sb, "%s.%s", node->schema ? node->schema : "public", node->relation);
		add_name(&rp->relations, &rp->nrelations, sb.data);
		if (node->node_type && strcmp(node->node_type, "Seq Scan") == 0)
			add_name(&rp->seqscans, &rp->nseqscans, sb.data);
		strbuf_free(&sb);
	}
	if ((node->sort_space_type && strcmp(node->sort_space_type, "Disk") == 0) || node->hash_batches > 1)
		rp->spills = 1;
}

static void
plan_clear(regress_plan *p)
{
	free(p->summary);
	free(p->shape);
	for (int i = 0; i < p->nindexes; i++)
		free(p->indexes[i]);
	for (int i = 0; i < p->nseqscans; i++)
		free(p->seqscans[i]);
	for (int i = 0; i < p->nrelations; i++)
		free(p->relations[i]);
	free(p->relations);
	free(p->indexes);
	free(p->seqscans);
	free(p->error);
	free(p->sqlstate);
	memset(p, 0, sizeof(*p));
}

/* Explain q once in the open transaction into *out. */
static void
plan_once(sandbox *s, const regress_query *q, int analyze, regress_plan *out)
{
	param_list	pl = {0};
	int			have_params = q->params && param_list_parse(q->params, &pl) == 0;
	explain_request req = {
		.sql = q->sql,
		.nparams = have_params ? pl.count : 0,
		.params = have_params ? (const char *const *) pl.values : NULL,
		.analyze = analyze,
	};
	explain_result er;

	memset(out, 0, sizeof(*out));
	out->ms = NAN;
	out->buffers = -1;
	if (explain_in_transaction(s, &req, &er) == 0 && er.plan && er.plan->root)
	{
		plan_facts	pf = {.rp = out};

		out->ok = 1;
		out->generic = er.generic;
		out->analyzed = er.plan->root->analyzed;
		out->cost = er.plan->root->total_cost;
		if (out->analyzed && isfinite(er.plan->execution_ms))
		{
			out->ms = er.plan->execution_ms;
			out->buffers = er.plan->root->buffers.shared_hit + er.plan->root->buffers.shared_read;
		}
		out->summary = plan_summary(er.plan);
		strbuf_init(&pf.shape);
		plan_walk(er.plan, gather, &pf);
		out->shape = strbuf_detach(&pf.shape);
	}
	else
	{
		out->error = xstrdup(er.refused ? (er.reason ? er.reason : "refused") : (er.error ? er.error : "failed"));
		out->sqlstate = xstrdup(er.sqlstate ? er.sqlstate : "");
	}
	explain_result_free(&er);
	if (have_params)
		param_list_free(&pl);
}

/* Plan q twice; keep the first (the faster when analyzed); whether the two had one shape. */
static int
plan_twice(sandbox *s, const regress_query *q, int analyze, regress_plan *out)
{
	regress_plan second;
	int			stable;

	plan_once(s, q, analyze, out);
	plan_once(s, q, analyze, &second);
	stable = out->ok == second.ok && (!out->ok || strcmp(out->shape, second.shape) == 0);
	if (stable && out->ok && second.analyzed && second.ms < out->ms)
	{
		regress_plan tmp = *out;

		*out = second;
		second = tmp;
	}
	plan_clear(&second);
	return stable;
}

void
migration_regress_before(migration_regressions *r, sandbox *s)
{
	for (int i = 0; i < r->nqueries; i++)
	{
		regress_query *q = &r->queries[i];

		if (!plan_twice(s, q, r->settings.analyze, &q->before))
			q->verdict = REGRESS_UNSTABLE;
		else if (!q->before.ok)
			q->verdict = REGRESS_NOT_PLANNED;
	}
}

static int
has_name(char *const *list, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* "public.orders_pkey" -> "orders_pkey": plans name indexes without their schema. */
static const char *
bare(const char *qualified)
{
	const char *dot = strrchr(qualified, '.');

	return dot ? dot + 1 : qualified;
}

/*
 * The statement a verdict on q is laid at: the one that dropped or
 * created (kind) the index its verdict is about (index, or NULL), else
 * the last that locks a relation the query reads, else the first.
 */
static int
cause(const regress_query *q, const migration *m, const migration_trace *t, trace_change_kind kind,
	  const char *index)
{
	int			last = -1;

	for (int i = 0; index && t && i < t->nsteps; i++)
		for (int k = 0; k < t->steps[i].nchanges; k++)
			if (t->steps[i].changes[k].kind == kind && strcmp(bare(t->steps[i].changes[k].object), index) == 0)
				return t->steps[i].statement;
	for (int side = 0; side < 2; side++)
	{
		const regress_plan *p = side ? &q->after : &q->before;

		for (int r = 0; r < p->nrelations; r++)
		{
			int			n;
			const int  *touching = migration_relation_statements(m, p->relations[r], &n);

			if (n > 0 && touching[n - 1] > last)
				last = touching[n - 1];
		}
	}
	return last >= 0 ? last : m->nstatements > 0 ? 0 : -1;
}

/* Whether the trace saw the migration drop (kind TRACE_DROPPED) / create an index named name. */
static int
index_change(const migration_trace *t, trace_change_kind kind, const char *name)
{
	for (int i = 0; t && i < t->nsteps; i++)
		for (int k = 0; k < t->steps[i].nchanges; k++)
		{
			const trace_change *c = &t->steps[i].changes[k];

			if (c->kind == kind && (c->relkind == 'i' || c->relkind == 'I') && strcmp(bare(c->object), name) == 0)
				return 1;
		}
	return 0;
}

/*
 * A column of a table q reads whose type the migration changed (its
 * statistics are gone until the next ANALYZE), as schema.table.column;
 * NULL when none.
 */
static const char *
stats_dropped(const regress_query *q, const migration_trace *t)
{
	for (int i = 0; t && i < t->nsteps; i++)
		for (int k = 0; k < t->steps[i].nchanges; k++)
		{
			const trace_change *c = &t->steps[i].changes[k];
			const char *dot = strrchr(c->object, '.');

			if (c->kind != TRACE_COLUMN_TYPE || dot == NULL)
				continue;
			for (int r = 0; r < q->after.nrelations; r++)
				if (strlen(q->after.relations[r]) == (size_t) (dot - c->object) &&
					strncmp(q->after.relations[r], c->object, (size_t) (dot - c->object)) == 0)
					return c->object;
		}
	return NULL;
}

/* Say in q's reason that its plan was made without the statistics of column. */
static void
note_stats(regress_query *q, const char *column)
{
	char	   *old = q->reason;
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_printf(&sb, "%s%splanned without the statistics of %s, which the type change drops: ANALYZE the table "
				  "right after the migration", old ? old : "", old ? "; " : "", column);
	q->reason = strbuf_detach(&sb);
	free(old);
}

static int64_t
table_pages(const catalog_snapshot *cat, const char *qualified)
{
	const char *dot = strchr(qualified, '.');
	char		schema[128];
	const catalog_table *t;

	if (cat == NULL || dot == NULL || (size_t) (dot - qualified) >= sizeof(schema))
		return -1;
	memcpy(schema, qualified, (size_t) (dot - qualified));
	schema[dot - qualified] = '\0';
	t = catalog_find_table(cat, schema, dot + 1);
	return t ? t->relpages : -1;
}

static void
set_reason(regress_query *q, regress_verdict v, const char *fmt,...) __attribute__((format(printf, 3, 4)));

static void
set_reason(regress_query *q, regress_verdict v, const char *fmt,...)
{
	va_list		ap;

	q->verdict = v;
	va_start(ap, fmt);
	q->reason = strbuf_vformat(fmt, ap);
	va_end(ap);
}

/* The verdict on q, whose two plans are in (judge_plans), with what the statistics say. */
static void judge_plans(migration_regressions *r, regress_query *q, const migration *m, const migration_trace *t,
						const catalog_snapshot *cat);

static void
judge(migration_regressions *r, regress_query *q, const migration *m, const migration_trace *t,
	  const catalog_snapshot *cat)
{
	const char *column;

	judge_plans(r, q, m, t, cat);
	if (q->verdict == REGRESS_FAILS || (column = stats_dropped(q, t)) == NULL)
		return;
	/* an estimate without statistics promises nothing: no improvement on it */
	if (q->verdict == REGRESS_FASTER && !(q->before.analyzed && q->after.analyzed))
		q->verdict = REGRESS_UNCHANGED;
	if (q->verdict != REGRESS_UNCHANGED || strcmp(q->before.shape ? q->before.shape : "",
												  q->after.shape ? q->after.shape : "") != 0)
		note_stats(q, column);
}

static void
judge_plans(migration_regressions *r, regress_query *q, const migration *m, const migration_trace *t,
			const catalog_snapshot *cat)
{
	const regress_plan *b = &q->before,
			   *a = &q->after;
	double		ratio = r->settings.ratio;
	int			measured,
				same_shape;

	q->statement = cause(q, m, t, TRACE_DROPPED, NULL);
	if (!a->ok)
	{
		set_reason(q, REGRESS_FAILS, "fails after the migration: %s", a->error ? a->error : "");
		return;
	}
	/* measured: times are compared, not costs; estimated: costs */
	measured = b->analyzed && a->analyzed && isfinite(b->ms) && isfinite(a->ms);
	same_shape = b->shape && a->shape && strcmp(b->shape, a->shape) == 0;
	for (int i = 0; i < b->nindexes; i++)
		if (!has_name(a->indexes, a->nindexes, b->indexes[i]) && index_change(t, TRACE_DROPPED, b->indexes[i]))
		{
			q->statement = cause(q, m, t, TRACE_DROPPED, b->indexes[i]);
			set_reason(q, REGRESS_SLOWER, "used index %s, which the migration drops: cost %.2f -> %.2f",
					   b->indexes[i], b->cost, a->cost);
			return;
		}
	for (int i = 0; i < a->nseqscans; i++)
	{
		int64_t		pages = table_pages(cat, a->seqscans[i]);

		if (!has_name(b->seqscans, b->nseqscans, a->seqscans[i]) && pages >= r->settings.seq_scan_pages)
		{
			set_reason(q, REGRESS_SLOWER, "now reads %s (%lld pages) by a sequential scan: cost %.2f -> %.2f",
					   a->seqscans[i], (long long) pages, b->cost, a->cost);
			return;
		}
	}
	if (measured)
	{
		/* the same plan taking longer is the cache or a rewritten file, not the plan: it needs a new plan */
		if (a->ms >= b->ms * ratio && a->ms - b->ms >= MIN_MS_GROWTH &&
			(!same_shape || (b->buffers >= 0 && a->buffers >= 2 * b->buffers)))
		{
			set_reason(q, REGRESS_SLOWER, "%.2f ms -> %.2f ms (x%.1f)", b->ms, a->ms, b->ms > 0 ? a->ms / b->ms : 0);
			return;
		}
	}
	else if (a->cost >= b->cost * ratio && a->cost > b->cost)
	{
		set_reason(q, REGRESS_SLOWER, "cost %.2f -> %.2f (x%.1f)", b->cost, a->cost, b->cost > 0 ? a->cost / b->cost : 0);
		return;
	}
	if (b->buffers >= 0 && a->buffers >= 2 * b->buffers && a->buffers - b->buffers >= MIN_BUFFER_GROWTH)
	{
		set_reason(q, REGRESS_SLOWER, "buffers %lld -> %lld", (long long) b->buffers, (long long) a->buffers);
		return;
	}
	if (a->spills && !b->spills)
	{
		set_reason(q, REGRESS_SLOWER, "a sort or hash now spills to disk");
		return;
	}
	if (measured ? (!same_shape && b->ms >= a->ms * ratio && b->ms - a->ms >= MIN_MS_GROWTH)
		: b->cost >= a->cost * ratio)
	{
		const char *uses = NULL;

		for (int i = 0; i < a->nindexes && uses == NULL; i++)
			if (index_change(t, TRACE_CREATED, a->indexes[i]))
				uses = a->indexes[i];
		if (uses)
			q->statement = cause(q, m, t, TRACE_CREATED, uses);
		if (measured)
			set_reason(q, REGRESS_FASTER, "%s%s%s%.2f ms -> %.2f ms, cost %.2f -> %.2f", uses ? "uses new index " : "",
					   uses ? uses : "", uses ? ": " : "", b->ms, a->ms, b->cost, a->cost);
		else
			set_reason(q, REGRESS_FASTER, "%s%s%scost %.2f -> %.2f", uses ? "uses new index " : "",
					   uses ? uses : "", uses ? ": " : "", b->cost, a->cost);
	}
}

/* Whether any after-plan uses index name. */
static int
used_after(const migration_regressions *r, const char *name)
{
	for (int i = 0; i < r->nqueries; i++)
		if (r->queries[i].after.ok && has_name(r->queries[i].after.indexes, r->queries[i].after.nindexes, name))
			return 1;
	return 0;
}

/* The plain indexes the migration creates (CREATE INDEX, not constraints') that no after-plan uses. */
static void
find_unused(migration_regressions *r, const migration *m, const migration_trace *t)
{
	for (int i = 0; t && i < t->nsteps; i++)
	{
		const statement_trace *st = &t->steps[i];
		const migration_statement *ms = &m->statements[st->statement];

		/* a unique index enforces a rule; an index on a new table awaits queries the workload cannot have yet */
		if (ms->node == NULL || ms->node->node_case != PG_QUERY__NODE__NODE_INDEX_STMT ||
			ms->node->index_stmt->unique || ms->node->index_stmt->relation == NULL ||
			migration_created_before(m, migration_relation_key(ms->node->index_stmt->relation), st->statement) >= 0)
			continue;
		for (int k = 0; k < st->nchanges; k++)
		{
			const trace_change *c = &st->changes[k];

			if (c->kind != TRACE_CREATED || c->relkind != 'i' || used_after(r, bare(c->object)))
				continue;
			r->unused_indexes = xrealloc(r->unused_indexes, sizeof(char *) * (size_t) (r->nunused + 1));
			r->unused_statements = xrealloc(r->unused_statements, sizeof(int) * (size_t) (r->nunused + 1));
			r->unused_indexes[r->nunused] = xstrdup(c->object);
			r->unused_statements[r->nunused++] = st->statement;
		}
	}
}

void
migration_regress_after(migration_regressions *r, sandbox *s, const migration *m,
						const migration_trace *t, const catalog_snapshot *cat)
{
	for (int i = 0; i < r->nqueries; i++)
	{
		regress_query *q = &r->queries[i];

		if (q->verdict == REGRESS_UNSTABLE || q->verdict == REGRESS_NOT_PLANNED)
			continue;
		if (r->settings.analyze)
			plan_twice(s, q, 1, &q->after);
		else
			plan_once(s, q, 0, &q->after);
		judge(r, q, m, t, cat);
	}
	find_unused(r, m, t);
}

void
migration_regressions_free(migration_regressions *r)
{
	for (int i = 0; i < r->nqueries; i++)
	{
		free(r->queries[i].query);
		free(r->queries[i].sql);
		free(r->queries[i].params);
		free(r->queries[i].reason);
		plan_clear(&r->queries[i].before);
		plan_clear(&r->queries[i].after);
	}
	for (int i = 0; i < r->nunused; i++)
		free(r->unused_indexes[i]);
	free(r->unused_indexes);
	free(r->unused_statements);
	free(r->queries);
	memset(r, 0, sizeof(*r));
}
