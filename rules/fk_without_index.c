/*-------------------------------------------------------------------------
 * fk_without_index.c
 *    fk-without-index: a foreign key whose referencing columns no index
 *    leads with, and that the workload deletes or joins through.
 *
 * Deleting or updating a referenced row makes PostgreSQL look up the
 * referencing rows; without an index that is a sequential scan of the
 * referencing table per row, under lock.  Joins through the key suffer
 * the same way.  An unindexed key that nothing uses costs nothing, so
 * the rule fires only with evidence that it is used: a statement of the
 * workload (the log model and pg_stat_statements, ctx->workload) that
 * deletes from the referenced table, updates its key columns, or joins
 * the two tables on the key; or, from the catalog, deletes on the
 * referenced table since the statistics were reset (n_tup_del > 0).
 * Deletes and key updates make it medium, a join alone low.
 *
 * Statements are read from libpg_query's parse tree.  Every SELECT,
 * UPDATE and DELETE in it (CTEs and subqueries included) opens a scope of
 * the tables it names, and an equality between two columns resolves each
 * side in the innermost scope that has it, so a correlated subquery's
 * "o.customer_id = c.id" joins too.  The referenced columns are the
 * constraint's (confkey); a snapshot without them falls back on the key
 * columns of the unique indexes of the referenced table with as many
 * columns as the key (the constraint needs one of them).  An index covers the key when its leading
 * key columns are the key's columns in any order, it is valid, and it has
 * no predicate.  docs/rules/fk-without-index.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/lib/arena.h"
#include "src/live/pgss.h"
#include "src/model/workload.h"
#include "src/sql/sql_tree.h"

#include <jansson.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

extern const rule rule_fk_without_index;

#define MAX_SCOPE_TABLES 16

/* What a statement does through a key, weakest first. */
typedef enum fk_use_kind
{
	FK_USE_NONE = 0,
	FK_USE_JOIN,
	FK_USE_UPDATE,
	FK_USE_DELETE
} fk_use_kind;

/* The strongest use of one key found in the workload, and where. */
typedef struct fk_use
{
	fk_use_kind kind;
	uint64_t	fingerprint;
	const char *query;
	const char *source;			/* "the log" or "pg_stat_statements" */
	int64_t		calls;
} fk_use;

/* An unindexed key under scrutiny. */
typedef struct fk_target
{
	const catalog_fk *fk;
	char	   *ref_schema;		/* split from fk->ref_table (malloc'd) */
	const char *ref_name;
	int			nref_keys;
	const catalog_index **ref_keys; /* unique indexes the key may reference */
	uint64_t	joined;			/* bit c: column c equated in this statement */
	fk_use		use;
} fk_target;

/* A table named in one statement's FROM, UPDATE or DELETE. */
typedef struct scope_table
{
	const char *schema;			/* NULL when not written */
	const char *name;
	const char *alias;			/* alias, else the name */
} scope_table;

typedef struct scope
{
	const struct scope *parent;
	int			n;
	scope_table items[MAX_SCOPE_TABLES];
} scope;

typedef struct fk_scan
{
	const catalog_snapshot *cat;
	int			ntargets;
	fk_target  *targets;
} fk_scan;

static int
leads_with(const catalog_index *ix, const catalog_fk *fk)
{
	if (!ix->valid || ix->predicate || ix->nkeys < fk->ncolumns)
		return 0;
	for (int c = 0; c < fk->ncolumns; c++)
	{
		int			found = 0;

		for (int k = 0; k < fk->ncolumns && !found; k++)
			found = ix->columns[k] && strcmp(ix->columns[k], fk->columns[c]) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

static int
covered(const catalog_snapshot *s, const catalog_fk *fk)
{
	for (int i = 0; i < s->nindexes; i++)
	{
		const catalog_index *ix = &s->indexes[i];

		if (strcmp(ix->schema, fk->schema) == 0 && strcmp(ix->table, fk->table) == 0 && leads_with(ix, fk))
			return 1;
	}
	return 0;
}

/*
 * The unique indexes of the referenced table with as many columns as the
 * key: the key references one of them (the catalog does not say which).
 */
static void
find_ref_keys(const catalog_snapshot *s, fk_target *t)
{
	t->ref_keys = xcalloc((size_t) s->nindexes + 1, sizeof(catalog_index *));
	for (int i = 0; i < s->nindexes; i++)
	{
		const catalog_index *ix = &s->indexes[i];

		if (ix->unique && ix->valid && !ix->predicate && ix->nkeys == t->fk->ncolumns &&
			strcmp(ix->schema, t->ref_schema) == 0 && strcmp(ix->table, t->ref_name) == 0)
			t->ref_keys[t->nref_keys++] = ix;
	}
}

static int
is_ref_key_column(const fk_target *t, const char *column)
{
	if (t->fk->ref_columns)
	{
		for (int c = 0; c < t->fk->ncolumns; c++)
			if (t->fk->ref_columns[c] && strcmp(t->fk->ref_columns[c], column) == 0)
				return 1;
		return 0;
	}
	for (int i = 0; i < t->nref_keys; i++)
		for (int k = 0; k < t->ref_keys[i]->nkeys; k++)
			if (t->ref_keys[i]->columns[k] && strcmp(t->ref_keys[i]->columns[k], column) == 0)
				return 1;
	return 0;
}

static int
names_table(const scope_table *st, const char *schema, const char *name)
{
	return strcmp(st->name, name) == 0 && (st->schema == NULL || strcmp(st->schema, schema) == 0);
}

static const char *
sval_of(json_t *node)
{
	return json_string_value(json_object_get(json_object_get(node, "String"), "sval"));
}

/* Add a RangeVar's table to sc; rv is the RangeVar's fields. */
static void
scope_add(scope *sc, json_t *rv)
{
	const char *name = json_string_value(json_object_get(rv, "relname"));
	const char *alias = json_string_value(json_object_get(json_object_get(rv, "alias"), "aliasname"));

	if (name == NULL || sc->n >= MAX_SCOPE_TABLES)
		return;
	sc->items[sc->n++] = (scope_table) {
		.schema = json_string_value(json_object_get(rv, "schemaname")),
		.name = name, .alias = alias ? alias : name,
	};
}

/* The tables of a FROM (or USING) list item, through its joins. */
static void
scope_add_from(scope *sc, json_t *item)
{
	json_t	   *j = json_object_get(item, "JoinExpr");

	if (json_object_get(item, "RangeVar"))
		scope_add(sc, json_object_get(item, "RangeVar"));
	else if (j)
	{
		scope_add_from(sc, json_object_get(j, "larg"));
		scope_add_from(sc, json_object_get(j, "rarg"));
	}
}

static int
table_has_column(const catalog_snapshot *cat, const scope_table *st, const char *column)
{
	const catalog_table *t = catalog_find_table(cat, st->schema, st->name);

	for (int i = 0; t && i < t->ncolumns; i++)
		if (t->columns[i] && strcmp(t->columns[i], column) == 0)
			return 1;
	return 0;
}

/*
 * The table a ColumnRef reads, innermost scope first: by its qualifier,
 * or, unqualified, the one table of a scope that has the column.  NULL
 * when it cannot be told.
 */
static const scope_table *
resolve(const fk_scan *s, const scope *sc, json_t *colref, const char **column)
{
	json_t	   *fields = json_object_get(colref, "fields");
	size_t		n = json_array_size(fields);
	const char *qual = n >= 2 ? sval_of(json_array_get(fields, n - 2)) : NULL;

	if (n == 0 || (*column = sval_of(json_array_get(fields, n - 1))) == NULL)
		return NULL;
	for (; sc; sc = sc->parent)
	{
		const scope_table *found = NULL;

		for (int i = 0; i < sc->n; i++)
		{
			if (qual ? strcmp(qual, sc->items[i].alias) != 0 : !table_has_column(s->cat, &sc->items[i], *column))
				continue;
			if (found)
				return NULL;	/* ambiguous */
			found = &sc->items[i];
		}
		if (found)
			return found;
	}
	return NULL;
}

static json_t *
column_ref(json_t *node)
{
	while (json_object_get(node, "TypeCast"))
		node = json_object_get(json_object_get(node, "TypeCast"), "arg");
	return json_object_get(node, "ColumnRef");
}

/* "a.col = b.col": mark the key columns it equates. */
static void
scan_equality(fk_scan *s, json_t *e, const scope *sc)
{
	const char *kind = json_string_value(json_object_get(e, "kind"));
	const char *op = sval_of(json_array_get(json_object_get(e, "name"), 0));
	json_t	   *l = column_ref(json_object_get(e, "lexpr")),
			   *r = column_ref(json_object_get(e, "rexpr"));
	const char *lcol,
			   *rcol;
	const scope_table *lt,
			   *rt;

	if (!kind || strcmp(kind, "AEXPR_OP") != 0 || !op || strcmp(op, "=") != 0 || !l || !r ||
		(lt = resolve(s, sc, l, &lcol)) == NULL || (rt = resolve(s, sc, r, &rcol)) == NULL || lt == rt)
		return;
	for (int i = 0; i < s->ntargets; i++)
	{
		fk_target  *t = &s->targets[i];

		for (int side = 0; side < 2; side++)
		{
			const scope_table *from = side ? rt : lt,
					   *to = side ? lt : rt;
			const char *fcol = side ? rcol : lcol,
					   *tcol = side ? lcol : rcol;

			if (!names_table(from, t->fk->schema, t->fk->table) || !names_table(to, t->ref_schema, t->ref_name) ||
				!is_ref_key_column(t, tcol))
				continue;
			for (int c = 0; c < t->fk->ncolumns && c < 64; c++)
				if (strcmp(t->fk->columns[c], fcol) == 0)
					t->joined |= (uint64_t) 1 << c;
		}
	}
}

/* Whether an UPDATE's SET list names a referenced key column of t. */
static int
sets_key(const fk_target *t, json_t *targets)
{
	size_t		i;
	json_t	   *rt;

	json_array_foreach(targets, i, rt)
	{
		const char *name = json_string_value(json_object_get(json_object_get(rt, "ResTarget"), "name"));

		if (name && is_ref_key_column(t, name))
			return 1;
	}
	return 0;
}

/* A DELETE from, or a key UPDATE of, a referenced table. */
static void
scan_modification(fk_scan *s, const char *type, json_t *stmt, const fk_use *here)
{
	scope		target = {0};

	scope_add(&target, json_object_get(stmt, "relation"));
	for (int i = 0; target.n == 1 && i < s->ntargets; i++)
	{
		fk_target  *t = &s->targets[i];
		fk_use_kind kind = strcmp(type, "DeleteStmt") == 0 ? FK_USE_DELETE
			: sets_key(t, json_object_get(stmt, "targetList")) ? FK_USE_UPDATE : FK_USE_NONE;

		if (kind > t->use.kind && names_table(&target.items[0], t->ref_schema, t->ref_name))
		{
			t->use = *here;
			t->use.kind = kind;
		}
	}
}

static void walk(fk_scan *s, json_t *v, const scope *sc, const fk_use *here);

/* One SelectStmt, UpdateStmt or DeleteStmt: a new scope for what it holds. */
static void
walk_statement(fk_scan *s, const char *type, json_t *stmt, const scope *parent, const fk_use *here)
{
	scope		sc = {.parent = parent};
	size_t		i;
	json_t	   *item;

	scope_add(&sc, json_object_get(stmt, "relation"));
	json_array_foreach(json_object_get(stmt, "fromClause"), i, item)
		scope_add_from(&sc, item);
	json_array_foreach(json_object_get(stmt, "usingClause"), i, item)
		scope_add_from(&sc, item);
	if (strcmp(type, "SelectStmt") != 0)
		scan_modification(s, type, stmt, here);
	walk(s, stmt, &sc, here);
}

static void
walk(fk_scan *s, json_t *v, const scope *sc, const fk_use *here)
{
	const char *key;
	json_t	   *child;
	size_t		i;

	if (json_is_array(v))
		json_array_foreach(v, i, child)
			walk(s, child, sc, here);
	if (!json_is_object(v))
		return;
	json_object_foreach(v, key, child)
	{
		if (strcmp(key, "SelectStmt") == 0 || strcmp(key, "UpdateStmt") == 0 || strcmp(key, "DeleteStmt") == 0)
			walk_statement(s, key, child, sc, here);
		else
		{
			if (strcmp(key, "A_Expr") == 0)
				scan_equality(s, child, sc);
			walk(s, child, sc, here);
		}
	}
}

/* Look for uses of the targets' keys in one workload statement. */
static void
scan_statement(fk_scan *s, const fk_use *here)
{
	json_t	   *tree = sql_tree_json(here->query, NULL);

	if (tree == NULL)
		return;
	for (int i = 0; i < s->ntargets; i++)
		s->targets[i].joined = 0;
	walk(s, json_object_get(tree, "stmts"), NULL, here);
	for (int i = 0; i < s->ntargets; i++)
	{
		fk_target  *t = &s->targets[i];
		int			ncols = t->fk->ncolumns < 64 ? t->fk->ncolumns : 64;
		uint64_t	all = ncols == 64 ? ~(uint64_t) 0 : ((uint64_t) 1 << ncols) - 1;

		if (t->use.kind == FK_USE_NONE && t->joined == all)
		{
			t->use = *here;
			t->use.kind = FK_USE_JOIN;
		}
	}
	json_decref(tree);
}

/* Every statement of the log model, then of pg_stat_statements, heaviest first. */
static void
scan_workload(fk_scan *s, const workload_context *wc)
{
	if (wc && wc->model)
	{
		size_t		n;
		query_stats **qs = workload_queries(wc->model, &n);

		for (size_t i = 0; i < n; i++)
		{
			fk_use		here = {.fingerprint = qs[i]->fingerprint, .query = qs[i]->normalized,
			.source = "the log", .calls = (int64_t) (qs[i]->calls + qs[i]->untimed_calls)};

			if (qs[i]->parsed && qs[i]->normalized)
				scan_statement(s, &here);
		}
	}
	for (int i = 0; wc && wc->pgss && wc->pgss->available && i < wc->pgss->count; i++)
	{
		const pgss_entry *e = &wc->pgss->entries[i];
		fk_use		here = {.fingerprint = e->fingerprint, .query = e->query,
		.source = "pg_stat_statements", .calls = e->calls};

		if (e->parsed && e->query)
			scan_statement(s, &here);
	}
}

/* The referenced table's deletes since the statistics reset, 0 when unknown. */
static int64_t
referenced_deletes(const catalog_snapshot *s, const fk_target *t)
{
	const catalog_table *tab = catalog_find_table(s, t->ref_schema, t->ref_name);

	return tab && tab->n_tup_del > 0 ? tab->n_tup_del : 0;
}

/* The evidence as a clause of the detail: "; the workload deletes ..." */
static void
append_evidence(strbuf *sb, const fk_target *t, int64_t deletes)
{
	if (t->use.kind == FK_USE_JOIN)
		strbuf_printf(sb, "; the workload joins %s.%s to %s through the key", t->fk->schema, t->fk->table,
					  t->fk->ref_table);
	else if (t->use.kind == FK_USE_UPDATE)
		strbuf_printf(sb, "; the workload updates the key columns of %s", t->fk->ref_table);
	else if (t->use.kind == FK_USE_DELETE)
		strbuf_printf(sb, "; the workload deletes from %s", t->fk->ref_table);
	if (t->use.kind != FK_USE_NONE)
		strbuf_printf(sb, " (fingerprint %016llx, %lld call%s in %s)", (unsigned long long) t->use.fingerprint,
					  (long long) t->use.calls, t->use.calls == 1 ? "" : "s", t->use.source);
	if (deletes > 0)
		strbuf_printf(sb, "; %s has had %lld deletes since the statistics were reset",
					  t->fk->ref_table, (long long) deletes);
}

static void
report(const rule_context *ctx, const fk_target *t, int64_t deletes)
{
	const catalog_fk *fk = t->fk;
	finding    *f = rule_catalog_finding(&rule_fk_without_index, fk->schema, fk->name, fk->table, 0);
	strbuf		cols,
				evidence,
				sql;

	strbuf_init(&cols);
	for (int c = 0; c < fk->ncolumns; c++)
	{
		if (c > 0)
			strbuf_puts(&cols, ", ");
		sql_append_ident(&cols, fk->columns[c]);
	}
	if (deletes > 0 || t->use.kind >= FK_USE_UPDATE)
		f->severity = FINDING_MEDIUM;
	finding_add_table(f, fk->ref_table);
	if (t->use.kind != FK_USE_NONE)
	{
		finding_add_fingerprint(f, t->use.fingerprint);
		finding_set_query(f, t->use.query);
	}
	strbuf_init(&evidence);
	append_evidence(&evidence, t, deletes);
	finding_set_detail(f, "Foreign key %s on %s.%s (%s) references %s, and no index on %s.%s leads with "
					   "those columns%s.", fk->name, fk->schema, fk->table, cols.data, fk->ref_table,
					   fk->schema, fk->table, evidence.data);
	finding_set_hint(f, "Each delete or key update on %s scans %s.%s for referencing rows; joins through "
					 "the key cannot use an index either.", fk->ref_table, fk->schema, fk->table);
	strbuf_init(&sql);
	strbuf_puts(&sql, "CREATE INDEX CONCURRENTLY ON ");
	sql_append_qualified(&sql, fk->schema, fk->table);
	strbuf_printf(&sql, " (%s);", cols.data);
	finding_set_fix(f, sql.data, "index the referencing columns");
	strbuf_free(&sql);
	strbuf_free(&evidence);
	strbuf_free(&cols);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const catalog_snapshot *cat = ctx->catalog;
	fk_scan		s = {.cat = cat, .targets = xcalloc((size_t) cat->nfks + 1, sizeof(fk_target))};

	for (int i = 0; i < cat->nfks; i++)
	{
		const catalog_fk *fk = &cat->fks[i];
		const char *dot = strchr(fk->ref_table, '.');
		fk_target  *t = &s.targets[s.ntargets];

		if (fk->ncolumns == 0 || dot == NULL || covered(cat, fk))
			continue;
		t->fk = fk;
		t->ref_schema = xstrndup(fk->ref_table, (size_t) (dot - fk->ref_table));
		t->ref_name = dot + 1;
		if (fk->ref_columns == NULL)
			find_ref_keys(cat, t);
		s.ntargets++;
	}
	if (s.ntargets > 0)
		scan_workload(&s, ctx->workload);
	for (int i = 0; i < s.ntargets; i++)
	{
		int64_t		deletes = referenced_deletes(cat, &s.targets[i]);

		if (deletes > 0 || s.targets[i].use.kind != FK_USE_NONE)
			report(ctx, &s.targets[i], deletes);
		free(s.targets[i].ref_schema);
		free(s.targets[i].ref_keys);
	}
	free(s.targets);
}

const rule	rule_fk_without_index = {
	.id = "fk-without-index",
	.title = "foreign key has no index on its referencing columns",
	.severity = FINDING_LOW,
	.scope = RULE_CATALOG,
	.summary = "unindexed FK that the workload deletes, key-updates or joins through (medium for deletes)",
	.check = check,
	.answered_by_index = RULE_ANSWERED_BY_COLUMN_SET,
};
