/*-------------------------------------------------------------------------
 * duplicate_index.c
 *    duplicate-index: an index made redundant by another on the same
 *    table.
 *
 * PgHero's test: same table, same method, same expressions and predicate,
 * and the shorter index's key columns are a leading prefix of the longer
 * one's, which serves every lookup the shorter can.  A unique index is
 * never redundant to a non-unique or longer one (it enforces something);
 * two unique indexes on the same columns are.  The shorter one is dropped,
 * or, between equals, the one enforcing no constraint, else the later
 * name.  A dropped index with INCLUDE columns is skipped: the other may
 * not cover them.  docs/rules/duplicate-index.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#include <string.h>

extern const rule rule_duplicate_index;

static int
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Whether a's key columns are a leading prefix of b's (expressions: NULL). */
static int
keys_prefix(const catalog_index *a, const catalog_index *b)
{
	if (a->nkeys > b->nkeys)
		return 0;
	for (int i = 0; i < a->nkeys; i++)
		if (!same_text(a->columns[i], b->columns[i]))
			return 0;
	return 1;
}

/* Whether dropping a, because of b, loses nothing. */
static int
redundant(const catalog_index *a, const catalog_index *b)
{
	if (a == b || a->table_oid != b->table_oid || !a->valid || !b->valid)
		return 0;
	if (!same_text(a->method, b->method) || !same_text(a->expressions, b->expressions) ||
		!same_text(a->predicate, b->predicate) || !keys_prefix(a, b))
		return 0;
	if (a->ncolumns > a->nkeys || a->primary)
		return 0;
	if (a->unique || b->unique)
	{
		if (!(a->unique && b->unique && a->nkeys == b->nkeys))
			return 0;
	}
	if (a->nkeys < b->nkeys)
		return 1;
	/* equals: keep the one that enforces a constraint, else the first name */
	if (a->backs_constraint != b->backs_constraint)
		return b->backs_constraint;
	return strcmp(a->name, b->name) > 0;
}

static void
report(const rule_context *ctx, const catalog_index *drop, const catalog_index *keep)
{
	double		mb = (double) drop->size_bytes / (1024.0 * 1024.0);
	finding    *f = rule_catalog_finding(&rule_duplicate_index, drop->schema, drop->name, drop->table, mb);
	strbuf		sql;

	finding_set_detail(f, "Index %s.%s (%.1f MB) is covered by %s.%s on the same table: %s",
					   drop->schema, drop->name, mb, keep->schema, keep->name,
					   keep->definition ? keep->definition : "(definition not known)");
	finding_set_hint(f, "Every lookup the shorter index serves, the longer one serves too; keeping both "
					 "doubles the write cost.");
	strbuf_init(&sql);
	strbuf_puts(&sql, "DROP INDEX CONCURRENTLY ");
	sql_append_qualified(&sql, drop->schema, drop->name);
	strbuf_putc(&sql, ';');
	finding_set_fix(f, sql.data, "drop the redundant index; the covering one stays");
	strbuf_free(&sql);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const catalog_snapshot *s = ctx->catalog;

	for (int i = 0; i < s->nindexes; i++)
		for (int j = 0; j < s->nindexes; j++)
			if (redundant(&s->indexes[i], &s->indexes[j]))
			{
				report(ctx, &s->indexes[i], &s->indexes[j]);
				break;			/* one covering index is enough to say so */
			}
}

const rule	rule_duplicate_index = {
	.id = "duplicate-index",
	.title = "index is covered by another index",
	.severity = FINDING_MEDIUM,
	.scope = RULE_CATALOG,
	.summary = "index whose key columns are a prefix of another's (same method, expressions, predicate)",
	.check = check,
};
