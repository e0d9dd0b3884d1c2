/*-------------------------------------------------------------------------
 * select_star_hot.c
 *    select-star-hot: SELECT * (or t.*) on a wide table in a hot query.
 *
 * A star sends every column to the client on every call, the unused ones
 * too (and TOASTed values are fetched and decompressed for them), and it
 * rules out an index-only scan.  It matters when the table is wide
 * (many columns, or wide rows) and the query runs often or takes a good
 * share of the workload's time.  The star is found in the parse tree's
 * select list (a ColumnRef ending in A_Star; count(*) is not one); which
 * tables it stands for, and how wide they are, needs the catalog, so
 * without a DSN the rule finds nothing.  Queries come from
 * pg_stat_statements (complete call counts) and from the log.
 *
 * Which columns the caller uses cannot be known from the database, so
 * the fix lists every column the star stands for, to be trimmed, and the
 * score assumes half of each row is not needed.
 * docs/rules/select-star-hot.md.
 *-------------------------------------------------------------------------
 */
#include "rules/workload_query.h"
#include "src/lib/hashmap.h"
#include "src/live/pgss.h"
#include "src/model/workload.h"
#include "src/sql/query_tree.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_select_star_hot;

#define MAX_TABLES 16
#define UNUSED_SHARE 0.5		/* assumed share of a starred row not needed */
#define BYTES_PER_MS 125000.0	/* 1 Gbit/s: transfer time of the unused bytes */
#define BYTES_PER_COLUMN 8.0	/* row width guess for a table never analyzed */

static const rule_param params[] = {
	{"min_columns", 15, "columns that make a table wide"},
	{"min_row_bytes", 1000, "average row size (bytes, table size / rows) that makes a table wide"},
	{"min_calls_per_hour", 100, "calls per hour that make a query hot"},
	{"min_time_share", 5, "share of the workload's time (percent) that makes a query hot"},
	{NULL},
};

/* A table of the FROM list and how the statement names it. */
typedef struct from_table
{
	const catalog_table *table; /* NULL: not in the catalog (a CTE, a view) */
	const char *ref;			/* alias, else name */
} from_table;

typedef struct star_scan
{
	const catalog_snapshot *catalog;
	int			ntables;
	from_table	tables[MAX_TABLES];
	int			overflow;		/* more tables than MAX_TABLES */
	int			nwide;
	const catalog_table *wide[MAX_TABLES];
} star_scan;

/* One query and where its figures come from. */
typedef struct hot_query
{
	uint64_t	fingerprint;
	const char *query;
	double		calls,
				rows_per_call;	/* 1 when not known (the log) */
	double		hours;
	double		time_share;		/* of its source's total time, 0..1 */
	int			from_pgss;
} hot_query;

static void
add_from_table(void *ctx, const char *schema, const char *name, const char *alias)
{
	star_scan  *s = ctx;

	if (s->ntables == MAX_TABLES)
	{
		s->overflow = 1;
		return;
	}
	s->tables[s->ntables++] = (from_table) {
		.table = catalog_find_table(s->catalog, schema, name), .ref = alias ? alias : name,
	};
}

static int
live_columns(const catalog_table *t)
{
	int			n = 0;

	for (int i = 0; i < t->ncolumns; i++)
		n += t->columns[i] != NULL;
	return n;
}

/* Average bytes per row: table size over rows, else a guess from the columns. */
static double
row_bytes(const catalog_table *t)
{
	if (t->reltuples > 0 && t->size_bytes > 0)
		return (double) t->size_bytes / t->reltuples;
	return BYTES_PER_COLUMN * live_columns(t);
}

static int
is_wide(const rule_context *ctx, const catalog_table *t)
{
	return live_columns(t) >= rule_param_value(ctx, &rule_select_star_hot, "min_columns") ||
		row_bytes(t) >= rule_param_value(ctx, &rule_select_star_hot, "min_row_bytes");
}

/* The ColumnRef of a select-list entry "*" or "t.*", or NULL. */
static const PgQuery__ColumnRef *
star_of(const PgQuery__Node *target)
{
	const PgQuery__Node *val = target->node_case == PG_QUERY__NODE__NODE_RES_TARGET ? target->res_target->val : NULL;
	const PgQuery__ColumnRef *cr;

	if (val == NULL || val->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return NULL;
	cr = val->column_ref;
	return cr->n_fields > 0 && cr->fields[cr->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR ? cr : NULL;
}

/* The qualifier of "t.*" (NULL for "*"). */
static const char *
star_qualifier(const PgQuery__ColumnRef *cr)
{
	const PgQuery__Node *q = cr->n_fields >= 2 ? cr->fields[cr->n_fields - 2] : NULL;

	return q && q->node_case == PG_QUERY__NODE__NODE_STRING ? q->string->sval : NULL;
}

static void
note_wide(const rule_context *ctx, star_scan *s, const catalog_table *t)
{
	for (int i = 0; i < s->nwide; i++)
		if (s->wide[i] == t)
			return;
	if (is_wide(ctx, t))
		s->wide[s->nwide++] = t;
}

/*
 * Append the columns a star stands for to items (as ColumnRefs), noting
 * the wide tables among them.  0 when a table it covers is not in the
 * catalog (its columns are not known).
 */
static int
expand_star(const rule_context *ctx, query_tree *t, star_scan *s, const PgQuery__ColumnRef *cr,
			PgQuery__Node **items, size_t *n)
{
	const char *qual = star_qualifier(cr);
	int			ok = 1;

	for (int i = 0; i < s->ntables; i++)
	{
		const catalog_table *ct = s->tables[i].table;

		if (qual && strcmp(qual, s->tables[i].ref) != 0)
			continue;
		if (ct == NULL)
		{
			ok = 0;
			continue;
		}
		note_wide(ctx, s, ct);
		for (int c = 0; c < ct->ncolumns; c++)
			if (ct->columns[c])
				items[(*n)++] = query_node_target(t, query_node_column(t, qual ? qual : (s->ntables > 1 ? s->tables[i].ref : NULL),
																	   ct->columns[c]));
	}
	return ok;
}

/* Room for the select list with every star expanded. */
static size_t
expanded_size(const star_scan *s, const PgQuery__SelectStmt *sel)
{
	size_t		n = sel->n_target_list;

	for (int i = 0; i < s->ntables; i++)
		if (s->tables[i].table)
			n += (size_t) s->tables[i].table->ncolumns * sel->n_target_list;
	return n;
}

/*
 * Find the wide tables a star of query stands for (s->wide); the query
 * with the stars written out goes to *fix (malloc'd), or NULL when some
 * star's columns are not known.
 */
static void
scan_query(const rule_context *ctx, const char *query, star_scan *s, char **fix)
{
	query_tree	t;

	memset(s, 0, sizeof(*s));
	s->catalog = ctx->catalog;
	*fix = NULL;
	if (query_tree_parse(query, &t) == 0)
	{
		PgQuery__SelectStmt *sel = t.select;
		PgQuery__Node **items;
		size_t		n = 0;
		int			known = 1;

		query_tree_each_table(&t, add_from_table, s);
		items = query_node_array(&t, expanded_size(s, sel));
		for (size_t i = 0; i < sel->n_target_list && !s->overflow; i++)
		{
			const PgQuery__ColumnRef *cr = star_of(sel->target_list[i]);

			if (cr)
				known &= expand_star(ctx, &t, s, cr, items, &n);
			else
				items[n++] = sel->target_list[i];
		}
		if (s->nwide > 0 && known)
		{
			query_tree_set_list(&t, &sel->n_target_list, &sel->target_list, n, items);
			*fix = query_tree_deparse(&t);
		}
	}
	query_tree_free(&t);
}

static void
report(const rule_context *ctx, const hot_query *hq, const star_scan *s, const char *fix, double rate, int assumed)
{
	double		bytes = 0;
	int			columns = 0;
	finding    *f;
	strbuf		names;

	strbuf_init(&names);
	for (int i = 0; i < s->nwide; i++)
	{
		bytes += row_bytes(s->wide[i]);
		columns += live_columns(s->wide[i]);
		strbuf_printf(&names, "%s%s.%s", i ? ", " : "", s->wide[i]->schema, s->wide[i]->name);
	}
	f = workload_query_finding(&rule_select_star_hot, hq->fingerprint, hq->query,
							   UNUSED_SHARE * bytes * hq->rows_per_call * rate / BYTES_PER_MS);
	for (int i = 0; i < s->nwide; i++)
	{
		strbuf		qn;

		strbuf_init(&qn);
		strbuf_printf(&qn, "%s.%s", s->wide[i]->schema, s->wide[i]->name);
		finding_add_table(f, qn.data);
		strbuf_free(&qn);
	}
	finding_set_detail(f, "The select list takes every column of %s (%d columns, about %.0f bytes a row) in "
					   "a query run %.0f times per hour (%.1f%% of all time in %s; rows per call: %.0f%s). If "
					   "half of each row is not used, that is %.1f MB per hour sent for nothing.%s",
					   names.data, columns, bytes, rate, 100 * hq->time_share,
					   hq->from_pgss ? "pg_stat_statements" : "the log", hq->rows_per_call,
					   hq->from_pgss ? "" : " (one assumed: the log has no row counts)",
					   UNUSED_SHARE * bytes * hq->rows_per_call * rate / (1024.0 * 1024.0),
					   workload_rate_note(assumed));
	finding_set_hint(f, "Every column is read, detoasted and sent on every call, and no index can "
					 "answer the query alone.");
	finding_set_fix(f, fix, "name the columns the caller reads: the list above is every column the * "
					"stands for, keep only those used; with a few columns left, an index with them "
					"(CREATE INDEX ... INCLUDE (...)) can serve the query by an index-only scan");
	strbuf_free(&names);
	finding_list_add(ctx->out, f);
}

static void
consider(const rule_context *ctx, const hot_query *hq)
{
	int			assumed;
	double		rate = workload_rate(hq->calls, hq->hours, &assumed);
	star_scan	s;
	char	   *fix;

	if (rate < rule_param_value(ctx, &rule_select_star_hot, "min_calls_per_hour") &&
		100 * hq->time_share < rule_param_value(ctx, &rule_select_star_hot, "min_time_share"))
		return;
	scan_query(ctx, hq->query, &s, &fix);
	if (s.nwide > 0)
		report(ctx, hq, &s, fix, rate, assumed);
	free(fix);
}

/* pg_stat_statements' queries, one per fingerprint; each marked in seen. */
static void
check_pgss(const rule_context *ctx, hashmap *seen)
{
	const workload_context *wc = ctx->workload;
	struct hashmap *index = workload_pgss_index(wc);
	double		total = 0;

	for (int i = 0; index && i < wc->pgss->count; i++)
		total += wc->pgss->entries[i].total_exec_ms;
	for (int i = 0; index && i < wc->pgss->count; i++)
	{
		const pgss_entry *e = &wc->pgss->entries[i];
		uint64_t	fp = e->fingerprint;
		const pgss_totals *t = workload_pgss_lookup(index, fp);
		int			inserted;
		void	  **slot = hashmap_put(seen, &fp, sizeof(fp), hash_mix64(fp), &inserted);

		if (!inserted)
			continue;
		*slot = (void *) t;		/* a value, so that hashmap_get finds it */
		if (!e->parsed || t->calls <= 0)
			continue;

		hot_query	hq = {
			.fingerprint = fp, .query = e->query, .calls = t->calls,
			.rows_per_call = t->rows / t->calls, .hours = wc->pgss_hours,
			.time_share = total > 0 ? t->total_ms / total : 0, .from_pgss = 1,
		};

		consider(ctx, &hq);
	}
	workload_pgss_index_free(index);
}

static void
check(const rule_context *ctx)
{
	const workload_context *wc = ctx->workload;
	hashmap    *seen;
	size_t		nq;
	query_stats **qs;
	double		total = workload_get_summary(wc->model)->total_duration_ms;

	if (ctx->catalog == NULL)
		return;
	seen = hashmap_create(64);
	check_pgss(ctx, seen);
	qs = workload_queries(wc->model, &nq);
	for (size_t i = 0; i < nq; i++)
	{
		uint64_t	fp = qs[i]->fingerprint;

		if (!qs[i]->parsed || qs[i]->calls == 0 || hashmap_get(seen, &fp, sizeof(fp), hash_mix64(fp)))
			continue;

		hot_query	hq = {
			.fingerprint = fp, .query = qs[i]->normalized, .calls = (double) qs[i]->calls,
			.rows_per_call = 1, .hours = wc->log_hours,
			.time_share = total > 0 ? qs[i]->total_ms / total : 0,
		};

		consider(ctx, &hq);
	}
	hashmap_destroy(seen);
}

const rule	rule_select_star_hot = {
	.id = "select-star-hot",
	.title = "SELECT * on a wide table in a hot query",
	.severity = FINDING_LOW,
	.scope = RULE_WORKLOAD,
	.summary = "SELECT * / t.* on a table with >= min_columns columns or wide rows, in a frequent or costly query (needs --dsn)",
	.check = check,
	.params = params,
	.horizon = RULE_HORIZON_APPLICATION,
};
