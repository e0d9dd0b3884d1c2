/*-------------------------------------------------------------------------
 * fk_without_index.c
 *    fk-without-index: a foreign key whose referencing columns no index
 *    leads with.
 *
 * Deleting or updating a referenced row makes PostgreSQL look up the
 * referencing rows; without an index that is a sequential scan of the
 * referencing table per row, under lock.  Joins through the key suffer
 * the same way.  Whether the workload joins or deletes through the key
 * needs the workload, which this rule does not see yet: it fires on every
 * such key at low severity, medium when the referenced table has had
 * deletes (n_tup_del > 0).  An index covers the key when its leading key
 * columns are the key's columns in any order, it is valid, and it has no
 * predicate.  docs/rules/fk-without-index.md.
 *-------------------------------------------------------------------------
 */
#include "rule.h"

#include <string.h>

extern const rule rule_fk_without_index;

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

/* The referenced table's deletes, or -1 when it is not in the snapshot. */
static int64_t
referenced_deletes(const catalog_snapshot *s, const catalog_fk *fk)
{
	for (int i = 0; i < s->ntables; i++)
	{
		const catalog_table *t = &s->tables[i];
		size_t		len = strlen(t->schema);

		if (strncmp(fk->ref_table, t->schema, len) == 0 && fk->ref_table[len] == '.' &&
			strcmp(fk->ref_table + len + 1, t->name) == 0)
			return t->n_tup_del;
	}
	return -1;
}

static void
report(const rule_context *ctx, const catalog_fk *fk)
{
	int64_t		deletes = referenced_deletes(ctx->catalog, fk);
	finding    *f = rule_catalog_finding(&rule_fk_without_index, fk->schema, fk->name, fk->table, 0);
	strbuf		cols,
				sql;

	strbuf_init(&cols);
	for (int c = 0; c < fk->ncolumns; c++)
	{
		if (c > 0)
			strbuf_puts(&cols, ", ");
		rule_append_ident(&cols, fk->columns[c]);
	}
	if (deletes > 0)
		f->severity = FINDING_MEDIUM;
	finding_add_table(f, fk->ref_table);
	finding_set_detail(f, "Foreign key %s on %s.%s (%s) references %s, and no index on %s.%s leads with "
					   "those columns; the referenced table has had %lld deletes.",
					   fk->name, fk->schema, fk->table, cols.data, fk->ref_table, fk->schema, fk->table,
					   (long long) (deletes > 0 ? deletes : 0));
	finding_set_hint(f, "Each delete or key update on %s scans %s.%s for referencing rows; joins through "
					 "the key cannot use an index either.", fk->ref_table, fk->schema, fk->table);
	strbuf_init(&sql);
	strbuf_puts(&sql, "CREATE INDEX CONCURRENTLY ON ");
	rule_append_qualified(&sql, fk->schema, fk->table);
	strbuf_printf(&sql, " (%s);", cols.data);
	finding_set_fix(f, sql.data, "index the referencing columns");
	strbuf_free(&sql);
	strbuf_free(&cols);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	for (int i = 0; i < ctx->catalog->nfks; i++)
		if (ctx->catalog->fks[i].ncolumns > 0 && !covered(ctx->catalog, &ctx->catalog->fks[i]))
			report(ctx, &ctx->catalog->fks[i]);
}

const rule	rule_fk_without_index = {
	.id = "fk-without-index",
	.title = "foreign key has no index on its referencing columns",
	.severity = FINDING_LOW,
	.scope = RULE_CATALOG,
	.summary = "FK whose columns lead no valid index (medium when the referenced table sees deletes)",
	.check = check,
};
