/*-------------------------------------------------------------------------
 * rename_object.c
 *    rename-object: renaming a table, view, materialized view, sequence,
 *    column, schema, type or constraint that exists before the
 *    migration.
 *
 * A rename is instant and breaks every running client at once: the code
 * deployed alongside the old schema sends the old name, and from the
 * commit on PostgreSQL answers "does not exist" until new code is out.
 * The safe order is expand and contract: add the new name, keep both
 * working (a view with the old name over a renamed table, a copied and
 * synced column), switch the application, drop the old one later.  Not
 * reported: objects the migration created; indexes, which no
 * application query names; and the two halves of a swap in one
 * transaction: a relation whose old name is given back (to a rebuilt
 * table, or a view kept under it), and the one that takes a name the
 * transaction freed.  A constraint's rename is low: only code naming
 * the constraint (ON CONFLICT ON CONSTRAINT, error handling that matches
 * its name) notices.  docs/rules/rename-object.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_objects.h"
#include "rules/migration_rules.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"

#include <stdlib.h>

extern const rule rule_rename_object;

/* What a rename of this kind is called in the detail, or NULL: not reported. */
static const char *
renamed_kind(const PgQuery__RenameStmt *r)
{
	switch (r->rename_type)
	{
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
			return "table";
		case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
			return "foreign table";
		case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
			return "view";
		case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
			return "materialized view";
		case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
			return "sequence";
		case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
			return "column";
		case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
			return "schema";
		case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
			return "type";
		case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
			return "domain";
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
			return "constraint";
		default:
			return NULL;
	}
}

/* Whether r renames a relation that queries read: a view can stand in for its old name. */
static int
view_can_keep_name(const PgQuery__RenameStmt *r)
{
	return r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
		r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ||
		r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ||
		r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE;
}

/*
 * For each statement, the index of the first statement of its
 * transaction (bounds[2i]) and the index just past its last (bounds[2i+1]).
 */
static int *
transaction_bounds(const migration *m)
{
	int			n = m->nstatements;
	int		   *bounds = xmalloc(sizeof(int) * 2 * (size_t) (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		bounds[2 * i] = i > 0 && m->statements[i].in_block &&
			m->statements[i - 1].transaction == m->statements[i].transaction ? bounds[2 * (i - 1)] : i;
	for (int i = n - 1; i >= 0; i--)
		bounds[2 * i + 1] = i + 1 < n && m->statements[i].in_block &&
			m->statements[i + 1].transaction == m->statements[i].transaction ? bounds[2 * (i + 1) + 1] : i + 1;
	return bounds;
}

/*
 * Whether the relation rename i keeps every name in use: its old name is
 * given back later in its transaction, or its new name is one the
 * transaction freed before it (the replacement half of a swap).
 */
static int
names_kept(const migration_objects *objects, const int *bounds, const PgQuery__RenameStmt *r, int i)
{
	strbuf		key;
	int			kept;

	if (migration_name_given_between(objects, migration_relation_key(r->relation), i, bounds[2 * i + 1]))
		return 1;
	strbuf_init(&key);
	strbuf_printf(&key, "%s.%s", r->relation->schemaname && r->relation->schemaname[0]
				  ? r->relation->schemaname : "public", r->newname);
	kept = migration_name_freed_between(objects, key.data, bounds[2 * i] - 1, i);
	strbuf_free(&key);
	return kept;
}

/*
 * Whether what statement i renames existed before the migration and its
 * old name stays gone after its transaction; its old name as written
 * goes to name.
 */
static int
renames_old_object(const rule_context *ctx, const migration_objects *objects, const int *bounds, int i,
				   strbuf *name)
{
	const PgQuery__RenameStmt *r = MIGRATION(ctx)->statements[i].node->rename_stmt;
	strbuf		key;
	int			old;

	strbuf_reset(name);
	if (r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA)
	{
		sql_append_ident(name, r->subname);
		return !migration_object_created_before(objects, MIGRATION_OBJECT_SCHEMA, r->subname, i);
	}
	strbuf_init(&key);
	if (r->relation == NULL)
	{
		/* a type or domain, named by a list */
		const PgQuery__List *l = r->object && r->object->node_case == PG_QUERY__NODE__NODE_LIST
			? r->object->list : NULL;

		old = l && migration_name_list_key(l->n_items, l->items, &key) &&
			!migration_object_created_before(objects, MIGRATION_OBJECT_TYPE, key.data, i);
		if (old)
			sql_append_qualified(name, l->n_items >= 2 ? l->items[l->n_items - 2]->string->sval : NULL,
								 l->items[l->n_items - 1]->string->sval);
	}
	else if (migration_relation_is_new(MIGRATION(ctx), objects, migration_relation_key(r->relation), i))
		old = 0;
	else if (r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN)
	{
		strbuf_printf(&key, "%s.%s", migration_relation_key(r->relation), r->subname);
		old = !migration_object_created_before(objects, MIGRATION_OBJECT_COLUMN, key.data, i);
		sql_append_ident(name, r->subname);
		strbuf_printf(name, " of %s", migration_relation_name(r->relation));
	}
	else if (r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT)
	{
		old = 1;
		sql_append_ident(name, r->subname);
		strbuf_printf(name, " of %s", migration_relation_name(r->relation));
	}
	else
	{
		old = !names_kept(objects, bounds, r, i);
		strbuf_puts(name, migration_relation_name(r->relation));
	}
	strbuf_free(&key);
	return old;
}

/* For a table or view: the rename, then a view under the old name over the new one. */
static void
set_view_fix(finding *f, const migration_statement *s)
{
	const PgQuery__RenameStmt *r = s->node->rename_stmt;
	strbuf		fix;

	if (!view_can_keep_name(r))
		return;
	strbuf_init(&fix);
	strbuf_printf(&fix, "%s%s;\nCREATE VIEW %s AS SELECT * FROM ", s->in_block ? "" : "BEGIN;\n", s->sql,
				  migration_relation_name(r->relation));
	sql_append_qualified(&fix, r->relation->schemaname, r->newname);
	strbuf_printf(&fix, ";%s", s->in_block ? "" : "\nCOMMIT;");
	finding_set_fix(f, fix.data, "rename, and keep the old name working as a view over the new one (a simple "
					"view on a table takes INSERT, UPDATE and DELETE too); drop the view once no code uses it");
	strbuf_free(&fix);
}

static void
report(const rule_context *ctx, int i, const char *kind, const char *name)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__RenameStmt *r = s->node->rename_stmt;
	finding    *f = migration_finding(&rule_rename_object, ctx, i);
	statement_lock lock;

	if (f == NULL)
		return;
	statement_lock_of(s->node, ctx->migration->pg_version, &lock);
	finding_set_lock(f, lock_mode_name(lock.mode), 0);
	if (r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT)
	{
		f->severity = FINDING_LOW;
		finding_set_detail(f, "It renames the constraint %s, which exists before the migration, to %s: code "
						   "that names the constraint (ON CONFLICT ON CONSTRAINT, error handling matching its "
						   "name) fails or stops matching as soon as this commits.", name, r->newname);
		finding_set_hint(f, "Change the code that names the constraint first, or keep the old name.");
		finding_list_add(ctx->out, f);
		return;
	}
	finding_set_detail(f, "It renames the %s %s, which exists before the migration, to %s: application code "
					   "still running uses the old name and fails as soon as this commits (ERROR: ... does not "
					   "exist), until new code is deployed.", kind, name, r->newname);
	if (r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN)
		finding_set_hint(f, "Expand and contract: add the new column, keep it in sync with the old one (a "
						 "trigger) and backfill it, switch the application to it, then drop the old column in a "
						 "later migration.");
	else if (view_can_keep_name(r))
		finding_set_hint(f, "Expand and contract: rename it and, in the same transaction, create a view with the "
						 "old name over it; switch the application to the new name, then drop the view in a "
						 "later migration.");
	else
		finding_set_hint(f, "Deploy application code that no longer names the %s before the migration that "
						 "renames it.", kind);
	set_view_fix(f, s);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	migration_objects *objects = NULL;
	int		   *bounds = NULL;
	strbuf		name;

	strbuf_init(&name);
	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__Node *n = m->statements[i].node;
		const char *kind;

		if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_RENAME_STMT ||
			(kind = renamed_kind(n->rename_stmt)) == NULL)
			continue;
		if (objects == NULL)
		{
			objects = migration_objects_build(m);
			bounds = transaction_bounds(m);
		}
		if (renames_old_object(ctx, objects, bounds, i, &name))
			report(ctx, i, kind, name.data);
	}
	strbuf_free(&name);
	migration_objects_free(objects);
	free(bounds);
}

const rule	rule_rename_object = {
	.id = "rename-object",
	.title = "object renamed while the application uses the old name",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "RENAME of a table, view, column, schema, type or constraint that exists before the migration",
	.check = check,
};
