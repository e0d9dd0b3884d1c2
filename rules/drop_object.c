/*-------------------------------------------------------------------------
 * drop_object.c
 *    drop-object: DROP TABLE, VIEW, MATERIALIZED VIEW, SEQUENCE, TYPE,
 *    DOMAIN or SCHEMA, or ALTER TABLE ... DROP COLUMN, of an object that
 *    exists before the migration.
 *
 * A lock is over when the statement ends; a drop is not.  The rows go
 * with the table or column (a backup is the only way back), and the
 * application code still deployed, which was written against the old
 * schema, fails on its next query that names the object.  The safe
 * order is expand and contract: stop using it, deploy, drop it in a
 * later migration.  Objects the same migration created are not reported
 * (the model knows its relations, rules/migration_objects.h its schemas,
 * types, added columns and the names new relations are renamed to).
 * docs/rules/drop-object.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_objects.h"
#include "rules/migration_rules.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"

extern const rule rule_drop_object;

/* What dropping one kind of object costs. */
typedef struct drop_kind
{
	PgQuery__ObjectType type;
	const char *word;
	const char *loss;			/* the sentence after "exists before the migration: " */
	const char *cascade;		/* what CASCADE adds */
	const char *restrict_note;	/* when it cannot lose data without CASCADE: why; else NULL */
} drop_kind;

static const drop_kind kinds[] = {
	{PG_QUERY__OBJECT_TYPE__OBJECT_TABLE, "table",
		"the rows are gone for good (only a backup brings them back), and application code still using the "
		"name fails as soon as this commits",
	"CASCADE also drops the views and foreign keys that depend on what it drops", NULL},
	{PG_QUERY__OBJECT_TYPE__OBJECT_VIEW, "view",
		"application code still querying the name fails as soon as this commits",
	"CASCADE also drops the views built on what it drops", NULL},
	{PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW, "materialized view",
		"the stored rows are gone, and application code still querying the name fails as soon as this commits",
	"CASCADE also drops the views built on what it drops", NULL},
	{PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE, "sequence",
		"the position is lost, and code still calling nextval on the name fails as soon as this commits",
	"CASCADE also drops the column defaults that use what it drops, so INSERTs that relied on them fail", NULL},
	{PG_QUERY__OBJECT_TYPE__OBJECT_TYPE, "type",
		"SQL still using the name (a cast, a function's argument) fails as soon as this commits",
		"CASCADE also drops every column of the type, with its data, and the functions that use the type",
	"Without CASCADE it fails while a column or function still uses it, so no stored data goes with it."},
	{PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN, "domain",
		"SQL still using the name (a cast, a function's argument) fails as soon as this commits",
		"CASCADE also drops every column of the domain, with its data",
	"Without CASCADE it fails while a column still uses it, so no stored data goes with it."},
	{PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA, "schema",
		"application code still using the name fails as soon as this commits",
		"CASCADE also drops everything in the schema (tables with their rows, views, functions, types)",
	"Without CASCADE it fails unless the schema is empty, so no stored data goes with it."},
};

static const drop_kind column_kind = {
	PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN, "column",
	"the values are gone for good (only a backup brings them back), and application code still reading or "
	"writing the column fails as soon as this commits (an ORM that lists every column fails on its next query)",
	"CASCADE also drops the views and constraints that use what it drops", NULL
};

static const drop_kind *
kind_of(PgQuery__ObjectType type)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (kinds[k].type == type)
			return &kinds[k];
	return NULL;
}

/*
 * Whether object (an item of DROP's list) of kind existed before
 * statement i; its name as written goes to name, its key to key.
 */
static int
object_is_old(const rule_context *ctx, const migration_objects *objects, const drop_kind *kind,
			  const PgQuery__Node *object, int i, strbuf *name, strbuf *key)
{
	const PgQuery__List *list = object->node_case == PG_QUERY__NODE__NODE_LIST ? object->list : NULL;
	const PgQuery__TypeName *type = object->node_case == PG_QUERY__NODE__NODE_TYPE_NAME ? object->type_name : NULL;
	size_t		n = list ? list->n_items : type ? type->n_names : 0;
	PgQuery__Node *const *names = list ? list->items : type ? type->names : NULL;

	strbuf_reset(name);
	if (kind->type == PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA)
	{
		if (object->node_case != PG_QUERY__NODE__NODE_STRING)
			return 0;
		sql_append_ident(name, object->string->sval);
		return !migration_object_created_before(objects, MIGRATION_OBJECT_SCHEMA, object->string->sval, i);
	}
	if (!migration_name_list_key(n, names, key))
		return 0;
	sql_append_qualified(name, n >= 2 ? names[n - 2]->string->sval : NULL, names[n - 1]->string->sval);
	if (type)
		return !migration_object_created_before(objects, MIGRATION_OBJECT_TYPE, key->data, i);
	return !migration_relation_is_new(MIGRATION(ctx), objects, key->data, i);
}

static void
report(const rule_context *ctx, int i, const drop_kind *kind, const char *names, int several, int cascade)
{
	finding    *f = migration_finding(&rule_drop_object, ctx, i);

	if (f == NULL)
		return;
	if (kind->restrict_note && !cascade)
		f->severity = FINDING_MEDIUM;
	finding_set_detail(f, "It drops the %s%s %s, which exist%s before the migration: %s.%s%s%s", kind->word,
					   several ? "s" : "", names, several ? "" : "s", kind->loss,
					   cascade ? " " : "", cascade ? kind->cascade : "", cascade ? "." : "");
	if (kind->restrict_note && !cascade)
		finding_append_detail(f, "%s", kind->restrict_note);
	finding_set_hint(f, "Expand and contract: first deploy application code that no longer uses the %s, then "
					 "drop it in a later migration, once nothing has used it for a while; keep a backup "
					 "(pg_dump) until you are sure.", kind->word);
	finding_list_add(ctx->out, f);
}

/* DROP TABLE / VIEW / ... of statement i: the objects that were there before. */
static void
check_drop(const rule_context *ctx, const migration_objects *objects, int i)
{
	const PgQuery__DropStmt *d = MIGRATION(ctx)->statements[i].node->drop_stmt;
	const drop_kind *kind = kind_of(d->remove_type);
	strbuf		names,
				name,
				key;
	int			old = 0;

	if (kind == NULL)
		return;
	strbuf_init(&names);
	strbuf_init(&name);
	strbuf_init(&key);
	for (size_t k = 0; k < d->n_objects; k++)
		if (object_is_old(ctx, objects, kind, d->objects[k], i, &name, &key))
			strbuf_printf(&names, "%s%s", old++ ? ", " : "", name.data);
	if (old > 0)
		report(ctx, i, kind, names.data, old > 1, d->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE);
	strbuf_free(&names);
	strbuf_free(&name);
	strbuf_free(&key);
}

/* ALTER TABLE ... DROP COLUMN of statement i: the columns that were there before. */
static void
check_drop_column(const rule_context *ctx, const migration_objects *objects, int i)
{
	const PgQuery__AlterTableStmt *a = migration_alter_table(&MIGRATION(ctx)->statements[i]);
	strbuf		names,
				key;
	int			old = 0,
				cascade = 0;

	if (a->relation == NULL || a->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
		migration_relation_is_new(MIGRATION(ctx), objects, migration_relation_key(a->relation), i))
		return;
	strbuf_init(&names);
	strbuf_init(&key);
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);

		if (cmd == NULL || cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn || cmd->name == NULL)
			continue;
		strbuf_reset(&key);
		strbuf_printf(&key, "%s.%s", migration_relation_key(a->relation), cmd->name);
		if (migration_object_created_before(objects, MIGRATION_OBJECT_COLUMN, key.data, i))
			continue;
		strbuf_puts(&names, old++ ? ", " : "");
		sql_append_ident(&names, cmd->name);
		cascade |= cmd->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
	}
	strbuf_printf(&names, " of %s", migration_relation_name(a->relation));
	if (old > 0)
		report(ctx, i, &column_kind, names.data, old > 1, cascade);
	strbuf_free(&names);
	strbuf_free(&key);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	migration_objects *objects = migration_objects_build(m);

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__Node *n = m->statements[i].node;

		if (n && n->node_case == PG_QUERY__NODE__NODE_DROP_STMT)
			check_drop(ctx, objects, i);
		else if (n && n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT)
			check_drop_column(ctx, objects, i);
	}
	migration_objects_free(objects);
}

const rule	rule_drop_object = {
	.id = "drop-object",
	.title = "object dropped while the application may still use it",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "DROP TABLE, VIEW, SEQUENCE, TYPE, SCHEMA or COLUMN of an object that exists before the migration",
	.check = check,
};
