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
 * Then a missing index that serves the child query of an N+1 pattern is
 * linked to it (both ways, in "related"), and both details say that one
 * index fix serves both.  Finally every rule scores in milliseconds saved
 * per hour of workload (or its documented scale), so one sort ranks all.
 *-------------------------------------------------------------------------
 */
#include "finding.h"
#include "strbuf.h"

#include <ctype.h>
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
	while (sb.len > 0 && sb.data[sb.len - 1] == ';')
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
	PgQueryParseResult r;
	json_t	   *tree;
	json_t	   *stmts;
	char	   *key = NULL;

	if (sql == NULL)
		return NULL;
	r = pg_query_parse(sql);
	tree = r.error ? NULL : json_loads(r.parse_tree, 0, NULL);
	pg_query_free_parse_result(r);
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
	*items = realloc(*items, (size_t) (*n + 1) * sizeof(char *));
	if (*items == NULL)
		abort();
	(*items)[(*n)++] = strdup(s);
	if ((*items)[*n - 1] == NULL)
		abort();
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
	finding_set_detail(dst, "%s%sThe same fix also answers %s: %s.", dst->detail ? dst->detail : "",
					   dst->detail ? " " : "", src->rule, src->title ? src->title : "");
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
	keyed_finding *k = calloc((size_t) l->count + 1, sizeof(keyed_finding));
	int			n = 0;

	if (k == NULL)
		abort();
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

/* Say in both findings that the index of ix serves the N+1 of np, and link them. */
static void
link_index_to_n_plus_one(finding *ix, finding *np)
{
	finding_add_related(ix, np->id ? np->id : "");
	finding_add_related(np, ix->id ? ix->id : "");
	finding_set_detail(ix, "%s%sOne index fix serves both: it also speeds up each repeated child query "
					   "of the N+1 pattern %s.", ix->detail ? ix->detail : "", ix->detail ? " " : "",
					   np->id ? np->id : "");
	finding_set_detail(np, "%s%sOne index fix serves both: %s (%s) speeds up each child query, and "
					   "batching them cuts their number.", np->detail ? np->detail : "",
					   np->detail ? " " : "", ix->id ? ix->id : "", ix->fix_sql ? ix->fix_sql : "");
}

static void
cross_reference(finding_list *l)
{
	for (int i = 0; i < l->count; i++)
	{
		finding    *ix = l->items[i];

		if (!finding_has_rule(ix, "missing-index"))
			continue;
		for (int j = 0; j < l->count; j++)
		{
			finding    *np = l->items[j];

			if (j != i && strcmp(np->rule, "n-plus-one") == 0 && share_fingerprint(ix, np))
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
	cross_reference(l);
	finding_list_sort(l);
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
