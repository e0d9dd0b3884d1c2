/*-------------------------------------------------------------------------
 * ranking.c
 *    Ordering a run's findings for the report, and merging those that
 *    share a fix.
 *
 * Several rules can propose the same fix: fk-without-index and
 * missing-index both ask for an index on orders (account_id), one named,
 * one not.  The report shows such findings as one: the fix's SQL is
 * compared by its libpg_query parse tree (locations dropped, and for
 * CREATE INDEX the name, CONCURRENTLY and IF NOT EXISTS too), so spelling
 * and quoting do not matter.  The merged finding keeps the best-ranked
 * member's id, title and fix, lists every rule it came from, the union of
 * fingerprints and tables, the best measurement (measured > hypothetical >
 * estimated > none) and the highest severity.  Its score is the highest of
 * the members', not their sum: one fix is applied once, and rules that
 * see the same index from two sides (the deletes it speeds up, the
 * selects it serves) often count the same saved time, so the maximum is
 * the figure that is never overstated.
 *
 * Two more findings are one fix with a missing index although their SQL
 * differs: a seq-scan-filter on a table and query that a missing-index
 * finding serves (the scan is the evidence, the index the fix), and a
 * CREATE INDEX whose key columns lead the missing index's on the same
 * table (fk-without-index asks for (order_id), the advisor proposes
 * (order_id) INCLUDE (...), which answers both).  They are folded into
 * the missing-index finding the same way.
 *
 * Then a missing index that serves the child query of an N+1 pattern is
 * linked to it (both ways, in "related"), and both details say that one
 * index fix serves both.  Finally every rule scores in milliseconds saved
 * per hour of workload (or its documented scale), so one sort ranks all.
 *
 * Before any of that, findings_cap_scores bounds each score by the time
 * its queries take in the log: no fix saves more than all of it.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/core/finding.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/model/workload.h"
#include "src/sql/sql_tree.h"

#include <ctype.h>
#include <math.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/* Drop what does not change what a statement does: where it was written. */
static void
strip_tree(json_t *node)
{
	const char *key;
	json_t	   *value,
			   *tmp;
	size_t		i;

	if (json_is_array(node))
	{
		json_array_foreach(node, i, value)
			strip_tree(value);
		return;
	}
	if (!json_is_object(node))
		return;
	json_object_del(node, "location");
	json_object_del(node, "stmt_location");
	json_object_del(node, "stmt_len");
	value = json_object_get(node, "IndexStmt");
	if (json_is_object(value))
	{
		/* the same index whatever it is called and however it is built */
		json_object_del(value, "idxname");
		json_object_del(value, "concurrent");
		json_object_del(value, "if_not_exists");
	}
	json_object_foreach_safe(node, tmp, key, value)
		strip_tree(value);
}

/* The SQL with white space folded and trailing semicolons cut. */
static char *
folded_text(const char *sql)
{
	strbuf		sb;
	int			space = 0;

	strbuf_init(&sb);
	for (const char *p = sql; *p; p++)
	{
		if (isspace((unsigned char) *p))
		{
			space = sb.len > 0;
			continue;
		}
		if (space)
			strbuf_putc(&sb, ' ');
		space = 0;
		strbuf_putc(&sb, *p);
	}
	while (sb.len > 0 && (sb.data[sb.len - 1] == ';' || sb.data[sb.len - 1] == ' '))
		sb.data[--sb.len] = '\0';
	if (sb.len == 0)
	{
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

char *
finding_fix_key(const char *sql)
{
	json_t	   *tree;
	json_t	   *stmts;
	char	   *key = NULL;

	if (sql == NULL)
		return NULL;
	tree = sql_tree_json(sql, NULL);
	stmts = json_object_get(tree, "stmts");
	if (json_array_size(stmts) > 0)
	{
		strip_tree(stmts);
		key = json_dumps(stmts, JSON_SORT_KEYS | JSON_COMPACT);
	}
	json_decref(tree);
	if (key == NULL && stmts == NULL)
		key = folded_text(sql);
	return key;
}

/* Append s (copied) to items[0..*n) unless it is there. */
static void
add_unique(char ***items, int *n, const char *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < *n; i++)
		if (strcmp((*items)[i], s) == 0)
			return;
	*items = xrealloc(*items, (size_t) (*n + 1) * sizeof(char *));
	(*items)[(*n)++] = xstrdup(s);
}

/* Take src's text for *dst when dst has none. */
static void
take_if_missing(char **dst, char **src)
{
	if (*dst == NULL)
	{
		*dst = *src;
		*src = NULL;
	}
}

static void
absorb_metrics(finding *dst, const finding *src)
{
	for (int i = 0; i < src->nmetrics; i++)
		if (finding_metric_named(dst, src->metrics[i].name) == NULL)
			finding_add_metric(dst, src->metrics[i].name, src->metrics[i].before, src->metrics[i].after,
							   src->metrics[i].unit);
}

/*
 * Fold src into dst (the better-ranked finding of the same fix); src is
 * left to be freed.  See the file comment for what is kept.
 */
static void
absorb(finding *dst, finding *src)
{
	int			said = finding_has_rule(dst, src->rule);	/* its sentence is there already */

	if (dst->nrules == 0)
		add_unique(&dst->rules, &dst->nrules, dst->rule);
	if (src->nrules == 0)
		add_unique(&dst->rules, &dst->nrules, src->rule);
	for (int i = 0; i < src->nrules; i++)
		add_unique(&dst->rules, &dst->nrules, src->rules[i]);
	for (int i = 0; i < src->nfingerprints; i++)
		add_unique(&dst->fingerprints, &dst->nfingerprints, src->fingerprints[i]);
	for (int i = 0; i < src->ntables; i++)
		add_unique(&dst->tables, &dst->ntables, src->tables[i]);
	for (int i = 0; i < src->nrelated; i++)
		add_unique(&dst->related, &dst->nrelated, src->related[i]);
	if (src->severity > dst->severity)
		dst->severity = src->severity;
	if (src->score > dst->score)
		dst->score = src->score;
	if (src->measurement.method > dst->measurement.method)
	{
		finding_measurement m = dst->measurement;

		dst->measurement = src->measurement;
		src->measurement = m;	/* freed with src */
	}
	take_if_missing(&dst->query, &src->query);
	take_if_missing(&dst->hint, &src->hint);
	take_if_missing(&dst->fix_description, &src->fix_description);
	absorb_metrics(dst, src);
	if (!said)
		finding_append_detail(dst, "The same fix also answers %s: %s.", src->rule, src->title ? src->title : "");
}

typedef struct keyed_finding
{
	char	   *key;			/* NULL: a finding without fix SQL, never merged */
	finding    *f;
} keyed_finding;

/* By key (NULL last), then in ranking order, so a group's first is its best. */
static int
compare_keyed(const void *a, const void *b)
{
	const keyed_finding *ka = a;
	const keyed_finding *kb = b;
	int			c;

	if ((ka->key == NULL) != (kb->key == NULL))
		return ka->key == NULL ? 1 : -1;
	if (ka->key && (c = strcmp(ka->key, kb->key)) != 0)
		return c;
	return finding_compare(ka->f, kb->f);
}

/* Merge the findings of l whose fixes have the same key; l shrinks. */
static void
merge_same_fix(finding_list *l)
{
	keyed_finding *k = xcalloc((size_t) l->count + 1, sizeof(keyed_finding));
	int			n = 0;

	for (int i = 0; i < l->count; i++)
	{
		k[i].f = l->items[i];
		k[i].key = finding_fix_key(l->items[i]->fix_sql);
	}
	qsort(k, (size_t) l->count, sizeof(keyed_finding), compare_keyed);
	for (int i = 0; i < l->count; i++)
	{
		int			first = i;

		while (k[i].key && i + 1 < l->count && k[i + 1].key && strcmp(k[i + 1].key, k[first].key) == 0)
		{
			absorb(k[first].f, k[i + 1].f);
			finding_free(k[i + 1].f);
			free(k[++i].key);
		}
		l->items[n++] = k[first].f;
		free(k[first].key);
	}
	l->count = n;
	free(k);
}

/* Whether a and b name a fingerprint in common. */
static int
share_fingerprint(const finding *a, const finding *b)
{
	for (int i = 0; i < a->nfingerprints; i++)
		for (int j = 0; j < b->nfingerprints; j++)
			if (strcmp(a->fingerprints[i], b->fingerprints[j]) == 0)
				return 1;
	return 0;
}

/* Whether f names fingerprint hex. */
static int
names_fingerprint(const finding *f, const char *hex)
{
	for (int i = 0; i < f->nfingerprints; i++)
		if (strcmp(f->fingerprints[i], hex) == 0)
			return 1;
	return 0;
}

/*
 * Whether two table names are the same table: equal, or one unqualified
 * (plans name the schema only with VERBOSE) and the other's name part.
 */
static int
same_table(const char *x, const char *y)
{
	const char *dx = strrchr(x, '.');
	const char *dy = strrchr(y, '.');

	if (strcmp(x, y) == 0)
		return 1;
	if (dx == NULL && dy != NULL)
		return strcmp(x, dy + 1) == 0;
	if (dy == NULL && dx != NULL)
		return strcmp(dx + 1, y) == 0;
	return 0;
}

/* Whether a and b name a table in common. */
static int
share_table(const finding *a, const finding *b)
{
	for (int i = 0; i < a->ntables; i++)
		for (int j = 0; j < b->ntables; j++)
			if (same_table(a->tables[i], b->tables[j]))
				return 1;
	return 0;
}

/* What decides whether one CREATE INDEX answers another (see index_covers). */
typedef struct index_shape
{
	char		table[256];		/* schema.name, or name */
	char		method[64];
	int			has_where;
	int			ncols;
	const char *cols[32];		/* plain columns in key order; NULL: an expression */
	json_t	   *tree;			/* owns the strings */
} index_shape;

/* The shape of sql when it is one CREATE INDEX; 0, or -1 when it is not. */
static int
index_shape_of(const char *sql, index_shape *out)
{
	json_t	   *stmts,
			   *ix,
			   *rel,
			   *param;
	size_t		i;

	memset(out, 0, sizeof(*out));
	if (sql == NULL)
		return -1;
	out->tree = sql_tree_json(sql, NULL);
	stmts = json_object_get(out->tree, "stmts");
	ix = json_object_get(json_object_get(json_array_get(stmts, 0), "stmt"), "IndexStmt");
	if (json_array_size(stmts) != 1 || ix == NULL)
	{
		json_decref(out->tree);
		out->tree = NULL;
		return -1;
	}
	rel = json_object_get(ix, "relation");
	snprintf(out->table, sizeof(out->table), "%s%s%s",
			 json_string_value(json_object_get(rel, "schemaname")) ? json_string_value(json_object_get(rel, "schemaname")) : "",
			 json_string_value(json_object_get(rel, "schemaname")) ? "." : "",
			 json_string_value(json_object_get(rel, "relname")) ? json_string_value(json_object_get(rel, "relname")) : "");
	snprintf(out->method, sizeof(out->method), "%s",
			 json_string_value(json_object_get(ix, "accessMethod")) ? json_string_value(json_object_get(ix, "accessMethod")) : "btree");
	out->has_where = json_object_get(ix, "whereClause") != NULL;
	json_array_foreach(json_object_get(ix, "indexParams"), i, param)
		if (out->ncols < 32)
		out->cols[out->ncols++] = json_string_value(json_object_get(json_object_get(param, "IndexElem"), "name"));
	return 0;
}

/*
 * Whether the index big answers what small asks for: the same table and
 * method, no predicate on either, and small's plain key columns are big's
 * leading ones, in the same order or, with any_order, in any order (a
 * foreign key's lookups need only the set).
 */
static int
index_covers(const index_shape *big, const index_shape *small, int any_order)
{
	if (strcmp(big->table, small->table) != 0 || strcmp(big->method, small->method) != 0 ||
		big->has_where || small->has_where || small->ncols == 0 || small->ncols > big->ncols)
		return 0;
	for (int i = 0; i < small->ncols; i++)
	{
		int			found = 0;

		for (int j = any_order ? 0 : i; j < (any_order ? small->ncols : i + 1) && !found; j++)
			found = small->cols[i] && big->cols[j] && strcmp(small->cols[i], big->cols[j]) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

/* What the descriptor of rule id says (an unknown id: nothing). */
static int
rule_serves_others(const char *id)
{
	const rule *r = rule_find(id);

	return r && r->serves_others;
}

static int
rule_child_served(const char *id)
{
	const rule *r = rule_find(id);

	return r && r->child_served_by_index;
}

/* Whether f, or a finding merged into it, is of a rule whose fix serves others. */
static int
serves_others(const finding *f)
{
	if (rule_serves_others(f->rule))
		return 1;
	for (int i = 0; i < f->nrules; i++)
		if (rule_serves_others(f->rules[i]))
			return 1;
	return 0;
}

/* Whether f is answered by the missing index ix (see the file comment). */
static int
answered_by_index(const finding *ix, const index_shape *ix_shape, const finding *f)
{
	index_shape shape;
	int			covered;

	const rule *r = rule_find(f->rule);
	rule_answered_by_index how = r ? r->answered_by_index : RULE_ANSWERED_BY_PREFIX;

	if (how == RULE_ANSWERED_BY_QUERY)
		return share_fingerprint(ix, f) && share_table(ix, f);
	if (ix_shape->tree == NULL || index_shape_of(f->fix_sql, &shape) != 0)
		return 0;
	covered = index_covers(ix_shape, &shape, how == RULE_ANSWERED_BY_COLUMN_SET);
	json_decref(shape.tree);
	return covered;
}

/* Fold into each missing-index finding the findings its index answers; l shrinks. */
static void
merge_into_indexes(finding_list *l)
{
	for (int i = 0; i < l->count; i++)
	{
		finding    *ix = l->items[i];
		index_shape shape;
		int			n = 0;

		if (!rule_serves_others(ix->rule))
			continue;
		index_shape_of(ix->fix_sql, &shape);
		for (int j = 0; j < l->count; j++)
		{
			finding    *f = l->items[j];

			if (f != ix && !rule_serves_others(f->rule) && answered_by_index(ix, &shape, f))
			{
				absorb(ix, f);
				finding_free(f);
				continue;
			}
			l->items[n++] = f;
		}
		json_decref(shape.tree);
		l->count = n;
		for (int k = 0; k < l->count; k++)
			if (l->items[k] == ix)
				i = k;
	}
}

/* Say in both findings that the index of ix serves the N+1 of np, and link them. */
static void
link_index_to_n_plus_one(finding *ix, finding *np)
{
	finding_add_related(ix, np->id ? np->id : "");
	finding_add_related(np, ix->id ? ix->id : "");
	finding_append_detail(ix, "One index fix serves both: it also speeds up each repeated child query "
						  "of the N+1 pattern %s.", np->id ? np->id : "");
	finding_append_detail(np, "One index fix serves both: %s (%s) speeds up each child query, and "
						  "batching them cuts their number.", ix->id ? ix->id : "", ix->fix_sql ? ix->fix_sql : "");
}

static void
cross_reference(finding_list *l)
{
	for (int i = 0; i < l->count; i++)
	{
		finding    *ix = l->items[i];

		if (!serves_others(ix))
			continue;
		for (int j = 0; j < l->count; j++)
		{
			finding    *np = l->items[j];

			/* the child is the N+1's first fingerprint; an index on the parent serves it once */
			if (j != i && rule_child_served(np->rule) && np->nfingerprints > 0 &&
				names_fingerprint(ix, np->fingerprints[0]))
				link_index_to_n_plus_one(ix, np);
		}
	}
}

/*
 * Merge the findings of l that share a fix, link missing indexes to the
 * N+1 patterns they serve, and sort by score (finding_list_sort).  Merged
 * findings are freed; l keeps ownership of the rest.
 */
void
findings_rank(finding_list *l)
{
	merge_same_fix(l);
	merge_into_indexes(l);
	cross_reference(l);
	finding_list_sort(l);
}

void
findings_settle_index_promises(finding_list *l, int advisor_ran)
{
	for (int i = 0; i < l->count; i++)
	{
		finding    *f = l->items[i];
		const rule *r = rule_find(f->rule);

		/* a finding that names no index of its own, and that no missing index answered */
		if (f->fix_sql != NULL || r == NULL || r->answered_by_index != RULE_ANSWERED_BY_QUERY)
			continue;

		strbuf		why;

		strbuf_init(&why);
		strbuf_puts(&why, f->fix_description ? f->fix_description : "an index");
		if (advisor_ran)
			strbuf_puts(&why, ": none is proposed. The advisor's candidates for this query cost no less by "
						"HypoPG's estimate, or none could be made: the table is under its size floor, the "
						"filtered columns have few distinct values, or the comparands are computed per row "
						"(docs/rules/missing-index.md)");
		else
			strbuf_puts(&why, ": the index advisor did not run here; pgsift analyze --dsn proposes one "
						"and measures it (HypoPG), when an index pays");
		finding_set_fix(f, NULL, why.data);
		strbuf_free(&why);
	}
}

/* The log's time per hour of the queries f names, or NAN when one of them is not timed in the log. */
static double
named_queries_ms_per_hour(const finding *f, query_stats **qs, size_t nq, double hours)
{
	double		total = 0;

	if (f->nfingerprints == 0 || hours <= 0)
		return NAN;
	for (int i = 0; i < f->nfingerprints; i++)
	{
		uint64_t	fp = strtoull(f->fingerprints[i], NULL, 16);
		size_t		k = 0;

		while (k < nq && qs[k]->fingerprint != fp)
			k++;
		if (k == nq || qs[k]->calls == 0)
			return NAN;
		total += qs[k]->total_ms;
	}
	return total / hours;
}

void
findings_cap_scores(finding_list *l, workload *w)
{
	size_t		nq;
	query_stats **qs = workload_queries(w, &nq);
	double		hours = workload_span_hours(w);

	for (int i = 0; i < l->count; i++)
	{
		finding    *f = l->items[i];
		double		ceiling = named_queries_ms_per_hour(f, qs, nq, hours);

		if (isfinite(ceiling) && isfinite(f->score) && f->score > ceiling)
		{
			finding_append_detail(f, "The score is capped at the %.1f ms per hour its queries take in the log "
								  "(the estimate was %.1f).", ceiling, f->score);
			f->score = ceiling;
		}
	}
}

int
finding_list_max_severity(const finding_list *l)
{
	int			max = -1;

	for (int i = 0; l && i < l->count; i++)
		if ((int) l->items[i]->severity > max)
			max = (int) l->items[i]->severity;
	return max;
}
