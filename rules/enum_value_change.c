/*-------------------------------------------------------------------------
 * enum_value_change.c
 *    enum-value-change: ALTER TYPE ... RENAME VALUE of an existing enum,
 *    and a value added by ALTER TYPE ... ADD VALUE used before its
 *    transaction commits.
 *
 * Renaming an enum value breaks the running code that sends the old
 * one: from the commit on it is invalid input.  Adding one is safe, but
 * from PostgreSQL 12, where ADD VALUE may run inside a transaction
 * block, the new value cannot be used until that transaction commits:
 * a later statement of the same transaction that names it fails with
 * "unsafe use of new value".  A use is a string constant equal to the
 * value (an A_Const in the statement's tree), which is how a default, a
 * backfill or a CHECK names it.  Before 12 the ADD VALUE itself fails in
 * a block, which concurrently-in-transaction reports.
 * docs/rules/enum-value-change.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_objects.h"
#include "rules/migration_rules.h"
#include "src/lib/hashmap.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"
#include "src/sql/sql_tree.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const rule rule_enum_value_change;

/* The enum's name as written. */
static void
type_name(const PgQuery__AlterEnumStmt *e, strbuf *out)
{
	size_t		n = e->n_type_name;

	if (n == 0 || e->type_name[n - 1]->node_case != PG_QUERY__NODE__NODE_STRING)
		return;
	sql_append_qualified(out, n >= 2 && e->type_name[n - 2]->node_case == PG_QUERY__NODE__NODE_STRING
						 ? e->type_name[n - 2]->string->sval : NULL, e->type_name[n - 1]->string->sval);
}

/* RENAME VALUE 'a' TO 'b' becomes ADD VALUE IF NOT EXISTS 'b' AFTER 'a'. */
static void
add_instead(PgQuery__Node *stmt, void *arg)
{
	PgQuery__AlterEnumStmt *e = stmt->alter_enum_stmt;

	if (e->new_val_neighbor != protobuf_c_empty_string)
		free(e->new_val_neighbor);
	e->new_val_neighbor = e->old_val;
	e->old_val = (char *) protobuf_c_empty_string;
	e->new_val_is_after = 1;
	e->skip_if_new_val_exists = 1;
}

static void
report_rename(const rule_context *ctx, int i)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__AlterEnumStmt *e = s->node->alter_enum_stmt;
	finding    *f = migration_finding(&rule_enum_value_change, ctx, i);
	strbuf		name;
	char	   *fix,
			   *sql = NULL;

	if (f == NULL)
		return;
	strbuf_init(&name);
	type_name(e, &name);
	finding_set_detail(f, "It renames the value '%s' of %s, which exists before the migration, to '%s': running "
					   "code that still sends '%s' fails as soon as this commits (ERROR: invalid input value "
					   "for enum %s: \"%s\").", e->old_val, name.data, e->new_val, e->old_val, name.data, e->old_val);
	finding_set_hint(f, "Add the new value instead (committed before anything uses it), deploy code that "
					 "writes it, UPDATE the rows that hold the old one, then stop accepting the old value. An "
					 "enum value cannot be dropped: values that change belong in a lookup table or a CHECK "
					 "constraint.");
	fix = migration_edited_sql(s, add_instead, NULL);
	if (fix && asprintf(&sql, "%s;", fix) > 0)
		finding_set_fix(f, sql, "the first step: add the new value beside the old one");
	free(sql);
	free(fix);
	strbuf_free(&name);
	finding_list_add(ctx->out, f);
}

static void
report_unsafe_use(const rule_context *ctx, int add, int use)
{
	const migration *m = MIGRATION(ctx);
	const PgQuery__AlterEnumStmt *e = m->statements[add].node->alter_enum_stmt;
	finding    *f = migration_finding(&rule_enum_value_change, ctx, add);
	strbuf		name;

	if (f == NULL)
		return;
	strbuf_init(&name);
	type_name(e, &name);
	finding_set_detail(f, "It adds the value '%s' to %s inside a transaction block, and the statement at line %d "
					   "uses '%s' before that transaction commits: PostgreSQL refuses it (ERROR: unsafe use of "
					   "new value \"%s\" of enum type %s) and the migration fails there.", e->new_val, name.data,
					   m->statements[use].line, e->new_val, e->new_val, name.data);
	finding_set_hint(f, "Commit the new value before using it: run the ALTER TYPE ... ADD VALUE in a migration "
					 "of its own, or end the transaction right after it.");
	strbuf_free(&name);
	finding_list_add(ctx->out, f);
}

/* The walk over one statement for the pending new values it uses. */
typedef struct use_search
{
	const rule_context *ctx;
	hashmap    *pending;		/* value → ADD VALUE statement + 1; NULL once reported */
	int			use;			/* the statement walked */
} use_search;

static int
visit_const(void *arg, const ProtobufCMessage *msg, const ProtobufCMessage *parent,
			const ProtobufCFieldDescriptor *field)
{
	use_search *u = arg;
	const PgQuery__AConst *c = (const PgQuery__AConst *) msg;
	int			inserted;
	void	  **slot;
	size_t		len;

	if (msg->descriptor != &pg_query__a__const__descriptor || c->val_case != PG_QUERY__A__CONST__VAL_SVAL)
		return 0;
	len = strlen(c->sval->sval);
	if (hashmap_get(u->pending, c->sval->sval, len, hash_bytes(c->sval->sval, len)) == NULL)
		return 0;
	slot = hashmap_put(u->pending, c->sval->sval, len, hash_bytes(c->sval->sval, len), &inserted);
	report_unsafe_use(u->ctx, (int) (intptr_t) *slot - 1, u->use);
	*slot = NULL;
	return 0;
}

/*
 * The ADD VALUEs of the transaction statement start opens, against the
 * statements after each in it; returns the index past the transaction.
 */
static int
check_transaction(const rule_context *ctx, int start)
{
	const migration *m = MIGRATION(ctx);
	use_search	u = {.ctx = ctx, .pending = hashmap_create(8)};
	int			i;

	for (i = start; i < m->nstatements && m->statements[i].transaction == m->statements[start].transaction; i++)
	{
		const PgQuery__Node *n = m->statements[i].node;
		int			inserted;
		void	  **slot;

		if (n == NULL)
			continue;
		if (n->node_case == PG_QUERY__NODE__NODE_ALTER_ENUM_STMT && n->alter_enum_stmt->old_val[0] == '\0')
		{
			const char *v = n->alter_enum_stmt->new_val;

			slot = hashmap_put(u.pending, v, strlen(v), hash_bytes(v, strlen(v)), &inserted);
			if (inserted)
				*slot = (void *) (intptr_t) (i + 1);
			continue;
		}
		if (hashmap_count(u.pending) == 0)
			continue;
		u.use = i;
		sql_tree_walk((const ProtobufCMessage *) n, visit_const, &u);
	}
	hashmap_destroy(u.pending);
	return i;
}

/* RENAME VALUE of enums that exist before the migration. */
static void
check_renames(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	migration_objects *objects = NULL;
	strbuf		key;

	strbuf_init(&key);
	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__Node *n = m->statements[i].node;

		if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_ALTER_ENUM_STMT ||
			n->alter_enum_stmt->old_val[0] == '\0')
			continue;
		if (objects == NULL)
			objects = migration_objects_build(m);
		if (!migration_name_list_key(n->alter_enum_stmt->n_type_name, n->alter_enum_stmt->type_name, &key) ||
			!migration_object_created_before(objects, MIGRATION_OBJECT_TYPE, key.data, i))
			report_rename(ctx, i);
	}
	migration_objects_free(objects);
	strbuf_free(&key);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	check_renames(ctx);
	if (ctx->migration->pg_version < 12)
		return;
	for (int i = 0; i < m->nstatements;)
		i = m->statements[i].in_block ? check_transaction(ctx, i) : i + 1;
}

const rule	rule_enum_value_change = {
	.id = "enum-value-change",
	.title = "enum value renamed, or used before it is committed",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "ALTER TYPE ... RENAME VALUE of an existing enum, or a new enum value used in its own transaction",
	.check = check,
};
