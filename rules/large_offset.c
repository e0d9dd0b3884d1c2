/*-------------------------------------------------------------------------
 * large_offset.c
 *    large-offset: pagination with LIMIT and a large OFFSET.
 *
 * PostgreSQL has no way to jump to row N of an ordering: OFFSET N reads
 * and throws away N rows on every call, so deep pages cost in proportion
 * to their depth.  The offset is read from the parse tree of each sampled
 * execution in the log (the slowest ones, with their DETAIL parameters
 * when the OFFSET is a $n), which is why pg_stat_statements alone, whose
 * texts have every constant replaced, cannot show it; when it has the
 * fingerprint it gives the complete call count and mean.
 *
 * The fix is keyset pagination, generated from the query's own tree: the
 * ORDER BY keys compared as a row with the previous page's last values,
 * and no OFFSET.  With a connection, the deepest sampled page is measured
 * against the first page of the same statement (OFFSET 0), which is what
 * a keyset page costs: with an index on the keys both read one page, and
 * without one both sort the whole match, the keyset page over fewer rows.
 * docs/rules/large-offset.md.
 *-------------------------------------------------------------------------
 */
#include "rules/workload_query.h"
#include "src/lib/arena.h"
#include "src/live/explain.h"
#include "src/model/workload.h"
#include "src/sql/query_tree.h"
#include "src/sql/select_limits.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern const rule rule_large_offset;

#define MAX_MEASURED 5			/* deep pages explained per run */

static const rule_param params[] = {
	{"min_offset", 1000, "smallest OFFSET (rows) that fires"},
	{"max_measured", MAX_MEASURED, "findings measured with EXPLAIN ANALYZE per run"},
	{NULL},
};

/* The pagination of one sampled execution. */
/* a page: its OFFSET and LIMIT, and the $k of the OFFSET (0 for a constant) */
typedef select_limits page;

/* What the samples of one query say. */
typedef struct sampled_pages
{
	int			nknown;			/* samples whose OFFSET and LIMIT are known */
	int			ndeep;			/* of which OFFSET >= min_offset */
	double		skipped_share;	/* mean of offset / (offset + limit) over nknown */
	const query_sample *deepest;
	page		deepest_page;
} sampled_pages;

/* The OFFSET and LIMIT of a logged execution; 0 when either is not known. */
static int
page_of(const query_sample *s, page *p)
{
	param_list	pl = {0};
	int			ok;

	if (s->params && param_list_parse(s->params, &pl) != 0)
		pl.count = 0;
	ok = select_limits_read(s->query, &pl, p);
	param_list_free(&pl);
	return ok;
}

static void
read_samples(const query_stats *q, double min_offset, sampled_pages *sp)
{
	memset(sp, 0, sizeof(*sp));
	for (int i = 0; i < q->nsamples; i++)
	{
		page		p;

		if (!page_of(&q->samples[i], &p))
			continue;
		sp->nknown++;
		sp->skipped_share += (double) p.offset / (double) (p.offset + p.limit);
		if ((double) p.offset < min_offset)
			continue;
		sp->ndeep++;
		if (sp->deepest == NULL || p.offset > sp->deepest_page.offset)
		{
			sp->deepest = &q->samples[i];
			sp->deepest_page = p;
		}
	}
	if (sp->nknown > 0)
		sp->skipped_share /= sp->nknown;
}

/*
 * Whether the ORDER BY has keys all in one direction with default NULLS
 * placement (*descending says which): a row comparison then pages it.
 */
static int
keys_direction(const PgQuery__SelectStmt *sel, int *descending)
{
	*descending = -1;
	for (size_t i = 0; i < sel->n_sort_clause; i++)
	{
		const PgQuery__SortBy *sb = sel->sort_clause[i]->sort_by;
		int			desc;

		if (sb == NULL || sb->sortby_nulls != PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_DEFAULT ||
			sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_USING)
			return 0;
		desc = sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
		if (*descending >= 0 && desc != *descending)
			return 0;
		*descending = desc;
	}
	return sel->n_sort_clause > 0;
}

/*
 * The keyset version of the normalized query (malloc'd) and in *first
 * and *last the numbers of the boundary parameters, or NULL when the
 * ORDER BY is missing or mixes directions (a row comparison cannot serve).
 */
static char *
keyset_sql(const char *normalized, int *first, int *last)
{
	query_tree	t;
	char	   *sql = NULL;
	int			desc;

	if (query_tree_parse(normalized, &t) == 0 && keys_direction(t.select, &desc))
	{
		size_t		n = t.select->n_sort_clause;
		PgQuery__Node **keys = query_node_array(&t, n);
		PgQuery__Node **values = query_node_array(&t, n);

		*first = query_tree_max_param(&t) + 1;
		*last = *first + (int) n - 1;
		for (size_t i = 0; i < n; i++)
		{
			keys[i] = t.select->sort_clause[i]->sort_by->node;
			values[i] = query_node_param(&t, *first + (int) i);
		}
		query_tree_set_node(&t, &t.select->where_clause,
							query_node_and(&t, t.select->where_clause,
										   query_node_op(&t, desc ? "<" : ">", query_node_row(&t, n, keys),
														 query_node_row(&t, n, values))));
		query_tree_set_node(&t, &t.select->limit_offset, NULL);
		sql = query_tree_deparse(&t);
	}
	query_tree_free(&t);
	return sql;
}

static void
set_fix(finding *f, const query_stats *q)
{
	int			first = 0,
				last = 0;
	char	   *sql = keyset_sql(q->normalized, &first, &last);
	strbuf		d;

	strbuf_init(&d);
	if (sql)
	{
		strbuf_printf(&d, "keyset pagination: drop the OFFSET and pass the ORDER BY keys of the previous "
					  "page's last row as $%d", first);
		if (last > first)
			strbuf_printf(&d, "..$%d", last);
		strbuf_puts(&d, " (the first page runs without the condition); the keys must identify a row "
					"(end the ORDER BY with the primary key), and an index on them lets each page read "
					"only its rows");
	}
	else
		strbuf_puts(&d, "keyset pagination: order by a unique key (or end the ORDER BY with the primary "
					"key), drop the OFFSET, and filter on the previous page's last key instead; with "
					"ORDER BY keys in mixed directions write the comparison out key by key");
	finding_set_fix(f, sql, d.data);
	strbuf_free(&d);
	free(sql);
}

/* The deepest sample's statement with OFFSET 0 (malloc'd), or NULL. */
static char *
first_page_sql(const char *sql)
{
	query_tree	t;
	char	   *out = NULL;

	if (query_tree_parse(sql, &t) == 0)
	{
		query_tree_set_node(&t, &t.select->limit_offset, query_node_int(&t, 0));
		out = query_tree_deparse(&t);
	}
	query_tree_free(&t);
	return out;
}

/*
 * EXPLAIN ANALYZE of sql with values; 0 when it ran and was timed.  When
 * the side-effect screen kept it from running, r->not_executed says why.
 */
static int
explain_timed(const workload_context *wc, const char *sql, int nvalues, const char *const *values,
			  explain_result *r)
{
	explain_request req = {
		.sql = sql, .nparams = nvalues, .params = values, .analyze = 1,
	};

	memset(r, 0, sizeof(*r));
	return sql && explain_run(wc->conn, &req, r) == 0 && !r->generic && RULE_KNOWN(r->plan->execution_ms) ? 0 : -1;
}

/*
 * Explain the deepest sampled page and the same statement's first page;
 * when both ran, f gets them as its measurement and a score from the
 * difference.  1 when measured.
 */
static int
measure(const workload_context *wc, finding *f, const sampled_pages *sp, double rate)
{
	param_list	pl = {0};
	const char **first_values;
	char	   *first_sql;
	explain_result before = {0},
				after = {0};
	int			ok;

	if (sp->deepest->params && param_list_parse(sp->deepest->params, &pl) != 0)
		pl.count = 0;
	first_values = xcalloc((size_t) pl.count + 1, sizeof(char *));
	for (int i = 0; i < pl.count; i++)
		first_values[i] = pl.values[i];
	if (sp->deepest_page.offset_param > 0)
	{
		first_values[sp->deepest_page.offset_param - 1] = "0";
		first_sql = xstrdup(sp->deepest->query);
	}
	else
		first_sql = first_page_sql(sp->deepest->query);
	ok = explain_timed(wc, sp->deepest->query, pl.count, (const char *const *) pl.values, &before) == 0 &&
		explain_timed(wc, first_sql, pl.count, first_values, &after) == 0;
	if (ok)
	{
		finding_measurement *m = &f->measurement;

		m->method = MEASURE_MEASURED;
		m->before_ms = before.plan->execution_ms;
		m->after_ms = after.plan->execution_ms;
		m->before_buffers = plan_total_buffers(before.plan);
		m->after_buffers = plan_total_buffers(after.plan);
		m->speedup = m->after_ms > 0 ? m->before_ms / m->after_ms : NAN;
		m->before_plan = xstrdup(before.plan->json);
		m->after_plan = xstrdup(after.plan->json);
		f->score = m->before_ms > m->after_ms ? (m->before_ms - m->after_ms) * rate : 0;
	}
	else if (before.not_executed || after.not_executed)
		finding_append_detail(f, "Not measured: the page %s.",
							  before.not_executed ? before.not_executed : after.not_executed);
	explain_result_free(&before);
	explain_result_free(&after);
	free(first_sql);
	free(first_values);
	param_list_free(&pl);
	return ok;
}

typedef struct table_names
{
	const catalog_snapshot *catalog;
	finding    *f;
} table_names;

/* Add a FROM table to the finding, schema-qualified when the catalog knows it. */
static void
add_table(void *ctx, const char *schema, const char *name, const char *alias)
{
	table_names *tn = ctx;
	const catalog_table *t = tn->catalog ? catalog_find_table(tn->catalog, schema, name) : NULL;
	strbuf		sb;

	strbuf_init(&sb);
	if (t)
		strbuf_printf(&sb, "%s.%s", t->schema, t->name);
	else
		strbuf_printf(&sb, "%s%s%s", schema ? schema : "", schema ? "." : "", name);
	finding_add_table(tn->f, sb.data);
	strbuf_free(&sb);
}

static void
add_tables(const rule_context *ctx, finding *f, const char *normalized)
{
	query_tree	t;
	table_names tn = {ctx->catalog, f};

	if (query_tree_parse(normalized, &t) == 0)
		query_tree_each_table(&t, add_table, &tn);
	query_tree_free(&t);
}

static void
report(const rule_context *ctx, const query_stats *q, const sampled_pages *sp,
	   const pgss_totals *pt, int *measured)
{
	const workload_context *wc = ctx->workload;
	int			from_pgss = pt && pt->calls > 0;
	double		calls = from_pgss ? pt->calls : (double) q->calls;
	double		total = from_pgss ? pt->total_ms : q->total_ms;
	double		mean = calls > 0 ? total / calls : 0;
	int			assumed;
	double		rate = workload_rate(calls, from_pgss ? wc->pgss_hours : wc->log_hours, &assumed);
	finding    *f = workload_query_finding(&rule_large_offset, q->fingerprint, q->normalized,
										   sp->skipped_share * mean * rate);

	add_tables(ctx, f, q->normalized);
	finding_set_detail(f, "The deepest sampled call pages with OFFSET %lld LIMIT %lld: it reads and discards "
					   "%lld rows to return %lld. %d of %d sampled calls used OFFSET %.0f or more; on average "
					   "%.1f%% of each sampled call's rows were skipped. %.0f calls per hour at %.2f ms mean "
					   "(%s).%s",
					   (long long) sp->deepest_page.offset, (long long) sp->deepest_page.limit,
					   (long long) sp->deepest_page.offset, (long long) sp->deepest_page.limit,
					   sp->ndeep, q->nsamples, rule_param_value(ctx, &rule_large_offset, "min_offset"),
					   100 * sp->skipped_share, rate, mean, from_pgss ? "pg_stat_statements" : "the log",
					   workload_rate_note(assumed));
	finding_set_hint(f, "An OFFSET page costs as much as all the pages before it; a keyset page costs "
					 "the same at any depth.");
	set_fix(f, q);
	if (*measured < (int) rule_param_value(ctx, &rule_large_offset, "max_measured") &&
		workload_conn_serves(wc, sp->deepest->database))
		*measured += measure(wc, f, sp, rate);
	finding_list_add(ctx->out, f);
}

/*
 * The samples of the queries that may page, read into pages[] (one per
 * candidate), by `jobs` threads: each sample is parsed by libpg_query,
 * which on a log of an ORM's 600 queries was most of the rules' time.
 */
typedef struct page_reading
{
	query_stats *const *queries;	/* the candidates */
	sampled_pages *pages;
	size_t		n;
	double		min_offset;
	int			stride;
	int			first;
} page_reading;

static void *
read_every_stride(void *arg)
{
	const page_reading *r = arg;

	for (size_t i = (size_t) r->first; i < r->n; i += (size_t) r->stride)
		read_samples(r->queries[i], r->min_offset, &r->pages[i]);
	return NULL;
}

#define MAX_READERS 16

static void
read_all_samples(query_stats *const *cand, size_t n, double min_offset, int jobs, sampled_pages *pages)
{
	pthread_t	threads[MAX_READERS];
	page_reading parts[MAX_READERS];
	int			nthreads = jobs < 1 ? 1 : jobs > MAX_READERS ? MAX_READERS : jobs;
	int			started = 0;

	if ((size_t) nthreads > n / 8)
		nthreads = n >= 16 ? (int) (n / 8) : 1;	/* a few queries: not worth a thread */
	for (int t = 0; t < nthreads; t++)
		parts[t] = (page_reading) {cand, pages, n, min_offset, nthreads, t};
	for (int t = 1; t < nthreads; t++)
		if (pthread_create(&threads[t], NULL, read_every_stride, &parts[t]) == 0)
			started = t;
		else
			break;
	/* any stride whose thread did not start is read here */
	for (int t = 0; t < nthreads; t++)
		if (t == 0 || t > started)
			read_every_stride(&parts[t]);
	for (int t = 1; t <= started; t++)
		pthread_join(threads[t], NULL);
}

static void
check(const rule_context *ctx)
{
	double		min_offset = rule_param_value(ctx, &rule_large_offset, "min_offset");
	struct hashmap *pgss = workload_pgss_index(ctx->workload);
	size_t		nq,
				ncand = 0;
	query_stats **qs = workload_queries(ctx->workload->model, &nq);
	query_stats **cand = xcalloc(nq + 1, sizeof(query_stats *));
	int			measured = 0;

	/*
	 * Only a pre-filter, so that the samples of the many queries with no
	 * OFFSET are not parsed: the tree decides.
	 */
	for (size_t i = 0; i < nq; i++)
		if (qs[i]->parsed && strcasestr(qs[i]->normalized, "offset") != NULL)
			cand[ncand++] = qs[i];

	sampled_pages *pages = xcalloc(ncand + 1, sizeof(sampled_pages));

	read_all_samples(cand, ncand, min_offset, ctx->workload->jobs, pages);
	/* findings and measurements in the queries' order, as with one thread */
	for (size_t i = 0; i < ncand; i++)
		if (pages[i].ndeep > 0)
			report(ctx, cand[i], &pages[i], workload_pgss_lookup(pgss, cand[i]->fingerprint), &measured);
	free(pages);
	free(cand);
	workload_pgss_index_free(pgss);
}

const rule	rule_large_offset = {
	.id = "large-offset",
	.title = "pagination with a large OFFSET",
	.severity = FINDING_MEDIUM,
	.scope = RULE_WORKLOAD,
	.summary = "LIMIT ... OFFSET pages at OFFSET >= min_offset (from logged calls); fix: keyset pagination",
	.check = check,
	.params = params,
	.horizon = RULE_HORIZON_APPLICATION,
};
