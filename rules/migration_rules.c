/*-------------------------------------------------------------------------
 * migration_rules.c
 *    What the migration rules share (see migration_rules.h).
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/live/migration_trace.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"
#include "src/sql/sql_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether an ignore comment silences rule id on statement i; marks it used. */
static int
ignored(migration *m, const char *id, int i)
{
	int			hit = 0;

	for (int k = 0; k < m->nignores; k++)
	{
		migration_ignore *ig = &m->ignores[k];

		if (strcmp(ig->rule, id) != 0)
			continue;
		if (ig->statement == i || (ig->whole_file && ig->file == m->statements[i].file))
		{
			ig->used = 1;
			hit = 1;
		}
	}
	return hit;
}

finding *
migration_finding(const rule *r, const rule_context *ctx, int i)
{
	migration  *m = MIGRATION(ctx);
	const migration_statement *s = &m->statements[i];
	statement_lock lock;
	finding    *f;
	strbuf		key;

	if (ignored(m, r->id, i))
		return NULL;
	f = finding_new(r->id, r->severity, r->title);
	finding_set_location(f, m->files[s->file].path, s->line, s->sql);
	statement_lock_of(s->node, ctx->migration->pg_version, &lock);
	if (lock.mode > LOCK_ROW_EXCLUSIVE)
		finding_set_lock(f, lock_mode_name(lock.mode), -1);
	if (lock.relation)
		finding_add_table(f, migration_relation_key(lock.relation));
	strbuf_init(&key);
	strbuf_printf(&key, "%s\n%s", m->files[s->file].path, s->sql);
	finding_set_key(f, key.data);
	strbuf_free(&key);
	return f;
}

/* Whether f is about statement s of m. */
static int
finding_at(const migration *m, const migration_statement *s, const finding *f)
{
	return f->location.line == s->line && f->location.file && strcmp(f->location.file, m->files[s->file].path) == 0;
}

int
migration_finding_says_rewrite(const rule_context *ctx, int i)
{
	const migration *m = MIGRATION(ctx);

	for (int k = 0; k < ctx->out->count; k++)
		if (ctx->out->items[k]->location.rewrite == 1 && finding_at(m, &m->statements[i], ctx->out->items[k]))
			return 1;
	return 0;
}

int
migration_statement_has_finding(const rule_context *ctx, int i, const char *id)
{
	const migration *m = MIGRATION(ctx);

	for (int k = 0; k < ctx->out->count; k++)
		if (strcmp(ctx->out->items[k]->rule, id) == 0 && finding_at(m, &m->statements[i], ctx->out->items[k]))
			return 1;
	return 0;
}

int
migration_traced_rewrite(const rule_context *ctx, int i)
{
	const statement_trace *st = migration_trace_step(ctx->migration->trace, i);

	if (st == NULL || st->step != SANDBOX_STEP_RAN)
		return -1;
	for (int k = 0; k < st->nchanges; k++)
		if (st->changes[k].kind == TRACE_REWRITTEN && st->changes[k].existed &&
			(st->changes[k].relkind == 'r' || st->changes[k].relkind == 'm'))
			return 1;
	return 0;
}

int
migration_is_new(const rule_context *ctx, const PgQuery__RangeVar *rv, int i)
{
	return rv && migration_created_before(MIGRATION(ctx), migration_relation_key(rv), i) >= 0;
}

/* The key of a DROP's object (a name list), "public." added when unqualified. */
static void
drop_object_key(const PgQuery__Node *object, strbuf *key)
{
	const PgQuery__List *names;

	strbuf_reset(key);
	if (object->node_case != PG_QUERY__NODE__NODE_LIST)
		return;
	names = object->list;
	if (names->n_items == 1)
		strbuf_puts(key, "public.");
	for (size_t k = 0; k < names->n_items; k++)
		if (names->items[k]->node_case == PG_QUERY__NODE__NODE_STRING)
			strbuf_printf(key, "%s%s", k ? "." : "", names->items[k]->string->sval);
}

int
migration_target_is_new(const rule_context *ctx, int i)
{
	const migration *m = MIGRATION(ctx);
	const PgQuery__Node *n = m->statements[i].node;
	statement_lock lock;
	strbuf		key;
	int			all_new = 1;

	if (n == NULL)
		return 0;
	statement_lock_of(n, ctx->migration->pg_version, &lock);
	if (lock.relation)
		return migration_is_new(ctx, lock.relation, i);
	if (n->node_case != PG_QUERY__NODE__NODE_DROP_STMT || n->drop_stmt->n_objects == 0)
		return 0;
	strbuf_init(&key);
	for (size_t k = 0; k < n->drop_stmt->n_objects && all_new; k++)
	{
		drop_object_key(n->drop_stmt->objects[k], &key);
		all_new = key.len > 0 && migration_created_before(m, key.data, i) >= 0;
	}
	strbuf_free(&key);
	return all_new;
}

lock_mode
migration_blocking_lock(const rule_context *ctx, int i, const PgQuery__RangeVar **on)
{
	statement_lock lock;

	statement_lock_of(MIGRATION(ctx)->statements[i].node, ctx->migration->pg_version, &lock);
	*on = lock.relation;
	if (lock_mode_blocks_writes(lock.mode) && !migration_target_is_new(ctx, i))
		return lock.mode;
	*on = lock.other;
	if (lock_mode_blocks_writes(lock.other_mode) && lock.other && !migration_is_new(ctx, lock.other, i))
		return lock.other_mode;
	*on = NULL;
	return LOCK_NONE;
}

int
migration_block_start_line(const migration *m, int i)
{
	int			k = i;

	if (!m->statements[i].in_block)
		return 0;
	while (k > 0 && m->statements[k - 1].transaction == m->statements[i].transaction)
		k--;
	/* BEGIN itself ran before the block was open */
	if (k > 0 && m->statements[k - 1].node &&
		m->statements[k - 1].node->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT)
		k--;
	return m->statements[k].line;
}

const char *
migration_relation_name(const PgQuery__RangeVar *rv)
{
	static _Thread_local char buf[512];
	strbuf		sb;

	strbuf_init(&sb);
	sql_append_qualified(&sb, rv->schemaname, rv->relname);
	snprintf(buf, sizeof(buf), "%s", sb.data);
	strbuf_free(&sb);
	return buf;
}

const char *
migration_lock_blocks(lock_mode mode)
{
	switch (mode)
	{
		case LOCK_ACCESS_EXCLUSIVE:
			return "every read and write of the table";
		case LOCK_EXCLUSIVE:
			return "every write of the table (reads go on)";
		case LOCK_SHARE:
		case LOCK_SHARE_ROW_EXCLUSIVE:
			return "every INSERT, UPDATE and DELETE on the table (reads go on)";
		case LOCK_SHARE_UPDATE_EXCLUSIVE:
			return "other schema changes and VACUUM of the table (reads and writes go on)";
		default:
			return "nothing the application does";
	}
}

const PgQuery__AlterTableStmt *
migration_alter_table(const migration_statement *s)
{
	if (s->node == NULL || s->node->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT)
		return NULL;
	return s->node->alter_table_stmt;
}

const PgQuery__AlterTableCmd *
migration_alter_cmd(const PgQuery__AlterTableStmt *a, size_t k)
{
	if (k >= a->n_cmds || a->cmds[k]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
		return NULL;
	return a->cmds[k]->alter_table_cmd;
}

char *
migration_edited_sql(const migration_statement *s, void (*edit) (PgQuery__Node *stmt, void *arg), void *arg)
{
	PgQuery__ParseResult *tree = sql_tree_parse(s->sql, NULL);
	char	   *sql = NULL;

	if (tree && tree->n_stmts > 0 && tree->stmts[0]->stmt)
	{
		edit(tree->stmts[0]->stmt, arg);
		sql = sql_tree_deparse(tree);
	}
	sql_tree_free(tree);
	return sql;
}
