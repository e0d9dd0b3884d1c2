/*-------------------------------------------------------------------------
 * column_type_rewrite.c
 *    column-type-rewrite: ALTER TABLE ... ALTER COLUMN ... TYPE that
 *    rewrites an existing table under ACCESS EXCLUSIVE.
 *
 * Changing a column's type rewrites every row and rebuilds the table's
 * indexes, all under ACCESS EXCLUSIVE, unless the old type is binary
 * coercible to the new one (varchar to text, a wider varchar, numeric or
 * varbit, cidr to inet, ...): then only the catalog changes.  Without a
 * catalog the old type is known only when the migration itself gave it
 * (an earlier ADD COLUMN or ALTER COLUMN TYPE, followed through RENAME
 * COLUMN; the CREATE TABLE of a new table, which is not reported);
 * otherwise the finding says what it depends on, at medium severity
 * when the new type is one that the usual old types reach without a
 * rewrite (text, varchar, numeric without a limit).  A USING expression
 * other than the column itself computes every row anew: a rewrite.
 * docs/rules/column-type-rewrite.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_columns.h"
#include "rules/migration_rules.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"

#include <protobuf-c/protobuf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const rule rule_column_type_rewrite;

/* What one ALTER COLUMN TYPE does; the order is how bad it is. */
typedef enum type_verdict
{
	TYPE_NO_REWRITE = 0,
	TYPE_UNKNOWN_LIKELY_SAFE,	/* old type unknown; new one text, varchar or numeric */
	TYPE_UNKNOWN,				/* old type unknown, or one pgsift does not know */
	TYPE_REWRITE,
	TYPE_TIME_ZONE,				/* timestamp <-> timestamptz */
	TYPE_NARROWER,				/* a shorter varchar: every value checked, and a rewrite */
	TYPE_USING					/* a USING expression computes every row */
} type_verdict;

typedef struct type_change
{
	type_verdict verdict;
	size_t		cmd;
	const char *column;
	column_type from;			/* when known_from */
	int			known_from;
	column_type to;
} type_change;

/* Whether e is the column itself, possibly cast to the new type: the USING ALTER TYPE implies. */
static int
plain_using(const PgQuery__Node *e, const char *column, const column_type *to)
{
	if (e && e->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && e->type_cast->type_name)
	{
		column_type cast;

		column_type_read(e->type_cast->type_name, &cast);
		if (strcmp(cast.name, to->name) != 0 || cast.ntypmods != to->ntypmods || cast.array != to->array ||
			memcmp(cast.typmods, to->typmods, sizeof(cast.typmods)) != 0)
			return 0;
		e = e->type_cast->arg;
	}
	return e && e->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && e->column_ref->n_fields == 1 &&
		e->column_ref->fields[0]->node_case == PG_QUERY__NODE__NODE_STRING &&
		strcmp(e->column_ref->fields[0]->string->sval, column) == 0;
}

/* The verdict when the old type is known. */
static type_verdict
known_verdict(const column_type *from, const column_type *to)
{
	switch (column_type_change(from, to))
	{
		case COLUMN_CHANGE_NONE:
			return TYPE_NO_REWRITE;
		case COLUMN_CHANGE_TIME_ZONE:
			return TYPE_TIME_ZONE;
		case COLUMN_CHANGE_UNKNOWN:
			return TYPE_UNKNOWN;
		default:
			break;
	}
	if (strcmp(to->name, "varchar") == 0 && !to->array && !from->array && to->ntypmods > 0 &&
		(strcmp(from->name, "varchar") == 0 || strcmp(from->name, "text") == 0))
		return TYPE_NARROWER;
	return TYPE_REWRITE;
}

static type_change
classify(const column_tracker *types, const catalog_snapshot *cat, const PgQuery__RangeVar *rel, const char *key,
		 const PgQuery__AlterTableCmd *cmd, size_t k)
{
	const PgQuery__ColumnDef *cd = cmd->def->column_def;
	const PgQuery__TypeName *old = column_tracker_type(types, key, cmd->name);
	type_change c;

	memset(&c, 0, sizeof(c));
	c.cmd = k;
	c.column = cmd->name;

	column_type_read(cd->type_name, &c.to);
	if (old)
	{
		column_type_read(old, &c.from);
		c.known_from = 1;
	}
	else if (column_type_from_catalog(cat, rel, cmd->name, &c.from))
		c.known_from = 2;		/* from the catalog of --dsn */
	if (cd->raw_default && !plain_using(cd->raw_default, cmd->name, &c.to))
		c.verdict = TYPE_USING;
	else if (c.known_from)
	{
		c.verdict = known_verdict(&c.from, &c.to);
		/* a pair pgsift does not know: the server's pg_cast tells whether it only relabels */
		if (c.verdict == TYPE_UNKNOWN && column_type_binary_coercible(cat, &c.from, &c.to))
			c.verdict = TYPE_NO_REWRITE;
	}
	else if (c.to.builtin && !c.to.array && c.to.ntypmods == 0 &&
			 (strcmp(c.to.name, "text") == 0 || strcmp(c.to.name, "varchar") == 0 ||
			  strcmp(c.to.name, "numeric") == 0))
		c.verdict = TYPE_UNKNOWN_LIKELY_SAFE;
	else
		c.verdict = TYPE_UNKNOWN;
	return c;
}

/*
 * The worst type change of ALTER TABLE a (verdict TYPE_NO_REWRITE when
 * none), the old types as the statements before it left them.
 */
static type_change
statement_change(const column_tracker *types, const catalog_snapshot *cat, const PgQuery__AlterTableStmt *a)
{
	type_change worst;
	char		key[512];

	memset(&worst, 0, sizeof(worst));

	snprintf(key, sizeof(key), "%s", migration_relation_key(a->relation));
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);
		type_change c;

		if (cmd == NULL || cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType || cmd->def == NULL ||
			cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF || cmd->def->column_def->type_name == NULL ||
			cmd->name == NULL || cmd->name[0] == '\0')
			continue;
		c = classify(types, cat, a->relation, key, cmd, k);
		if (c.verdict > worst.verdict)
			worst = c;
	}
	return worst;
}

/* Turn ALTER COLUMN c TYPE t (subcommand *arg) into ADD COLUMN c_new t; the other subcommands go. */
static void
make_new_column(PgQuery__Node *stmt, void *arg)
{
	const size_t k = *(const size_t *) arg;
	PgQuery__AlterTableStmt *a;
	PgQuery__AlterTableCmd *cmd;
	PgQuery__ColumnDef *cd;
	strbuf		name;

	/* s parses again into the same tree, so this is the subcommand seen before */
	if (stmt->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT || k >= stmt->alter_table_stmt->n_cmds)
		return;
	a = stmt->alter_table_stmt;
	cmd = a->cmds[k]->alter_table_cmd;
	cd = cmd->def->column_def;
	strbuf_init(&name);
	strbuf_printf(&name, "%s_new", cmd->name);
	if (cd->colname && cd->colname != protobuf_c_empty_string)
		free(cd->colname);
	cd->colname = strbuf_detach(&name);
	free(cmd->name);
	cmd->name = (char *) protobuf_c_empty_string;
	if (cd->raw_default)
		pg_query__node__free_unpacked(cd->raw_default, NULL);
	cd->raw_default = NULL;
	cmd->subtype = PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn;
	for (size_t j = 0; j < a->n_cmds; j++)
		if (j != k)
			pg_query__node__free_unpacked(a->cmds[j], NULL);
	a->cmds[0] = a->cmds[k];
	a->n_cmds = 1;
}

/* The fix for a shorter varchar: keep the type, check the length with a constraint. */
static void
set_check_fix(finding *f, const PgQuery__RangeVar *rel, const char *table, const type_change *c)
{
	strbuf		sql,
				name,
				column;

	strbuf_init(&sql);
	strbuf_init(&name);
	strbuf_init(&column);
	strbuf_printf(&name, "%s_%s_length", rel->relname, c->column);
	sql_append_ident(&column, c->column);
	strbuf_printf(&sql, "ALTER TABLE %s ADD CONSTRAINT ", table);
	sql_append_ident(&sql, name.data);
	strbuf_printf(&sql, " CHECK (char_length(%s) <= %d) NOT VALID;\nALTER TABLE %s VALIDATE CONSTRAINT ",
				  column.data, c->to.typmods[0], table);
	sql_append_ident(&sql, name.data);
	strbuf_puts(&sql, ";");
	finding_set_fix(f, sql.data, "check the length with a constraint validated without blocking writes");
	strbuf_free(&sql);
	strbuf_free(&name);
	strbuf_free(&column);
}

/* The fix otherwise: a new column, filled in batches, swapped in. */
static void
set_swap_fix(finding *f, const migration_statement *s, const char *table, const type_change *c)
{
	char	   *add = migration_edited_sql(s, make_new_column, (void *) &c->cmd);
	strbuf		sql,
				raw,
				column,
				fresh;

	if (add == NULL)
		return;
	strbuf_init(&sql);
	strbuf_init(&raw);
	strbuf_init(&column);
	strbuf_init(&fresh);
	sql_append_ident(&column, c->column);
	strbuf_printf(&raw, "%s_new", c->column);
	sql_append_ident(&fresh, raw.data);
	strbuf_printf(&sql, "%s;\n"
				  "-- keep %s in step with %s for new writes (a trigger), backfill it in batches:\n"
				  "-- UPDATE %s SET %s = %s WHERE %s IS NULL AND <key range>;\n"
				  "-- then, in one short transaction, rename %s away and %s to %s "
				  "(and move its default, constraints and indexes)",
				  add, fresh.data, column.data, table, fresh.data,
				  c->verdict == TYPE_USING ? "<the USING expression>" : column.data, fresh.data,
				  column.data, fresh.data, column.data);
	finding_set_fix(f, sql.data, "a new column of the new type, backfilled in batches, then swapped in");
	strbuf_free(&sql);
	strbuf_free(&raw);
	strbuf_free(&column);
	strbuf_free(&fresh);
	free(add);
}

/* "from integer to bigint", or "to bigint" when the old type is unknown, into buf. */
static void
describe_change(const type_change *c, char *buf, size_t n)
{
	char		from[160],
				to[160];

	column_type_format(&c->to, to, sizeof(to));
	if (c->known_from)
	{
		column_type_format(&c->from, from, sizeof(from));
		snprintf(buf, n, "from %s to %s", from, to);
	}
	else
		snprintf(buf, n, "to %s", to);
}

static void
set_detail(finding *f, const rule_context *ctx, const type_change *c, const char *table, const char *column)
{
	const char *lock = "under an ACCESS EXCLUSIVE lock that blocks every read and write of the table";
	char		change[400];

	describe_change(c, change, sizeof(change));
	switch (c->verdict)
	{
		case TYPE_USING:
			finding_set_detail(f, "Changing column %s %s with a USING expression computes every row anew: "
							   "%s is rewritten and its indexes rebuilt %s.", column, change, table, lock);
			break;
		case TYPE_NARROWER:
			finding_set_detail(f, "Changing column %s %s checks every value against the new length and "
							   "rewrites %s, rebuilding its indexes, %s.", column, change, table, lock);
			break;
		case TYPE_TIME_ZONE:
			finding_set_detail(f, "Changing column %s %s reads every value in the session's TimeZone: %s is "
							   "rewritten and its indexes rebuilt %s.%s", column, change, table, lock,
							   ctx->migration->pg_version >= 12
							   ? " When the session's TimeZone is UTC, PostgreSQL 12 and later change only "
							   "the catalog." : "");
			break;
		case TYPE_REWRITE:
			finding_set_detail(f, "Changing column %s %s rewrites every row of %s and rebuilds its indexes, "
							   "%s.", column, change, table, lock);
			break;
		case TYPE_UNKNOWN_LIKELY_SAFE:
			finding_set_detail(f, "pgsift cannot see column %s's current type: changing it %s is a "
							   "catalog-only change if it is %s now, and otherwise rewrites %s and rebuilds "
							   "its indexes %s.", column, change,
							   strcmp(c->to.name, "numeric") == 0 ? "numeric" : "varchar or text",
							   table, lock);
			break;
		default:
			finding_set_detail(f, "Changing column %s %s rewrites %s and rebuilds its indexes, %s, unless "
							   "the change is binary coercible (%s).", column, change, table, lock,
							   c->known_from ? "pgsift does not know these types"
							   : "pgsift cannot see the column's current type");
			break;
	}
}

static void
report(const rule_context *ctx, int i, const type_change *c)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__RangeVar *rel = migration_alter_table(s)->relation;
	int			traced = migration_traced_rewrite(ctx, i);
	finding    *f;
	char		table[512];
	strbuf		column;

	/* what static knowledge leaves open, the trace settles */
	if (c->verdict < TYPE_REWRITE && traced == 0)
		return;
	if ((f = migration_finding(&rule_column_type_rewrite, ctx, i)) == NULL)
		return;
	snprintf(table, sizeof(table), "%s", migration_relation_name(rel));
	strbuf_init(&column);
	sql_append_ident(&column, c->column);
	if (c->verdict == TYPE_UNKNOWN_LIKELY_SAFE && traced != 1)
		f->severity = FINDING_MEDIUM;
	finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), c->verdict >= TYPE_REWRITE || traced == 1 ? 1 : -1);
	set_detail(f, ctx, c, table, column.data);
	if (c->verdict == TYPE_NARROWER)
	{
		finding_set_hint(f, "Keep the type and add a CHECK constraint on the length NOT VALID, then VALIDATE "
						 "it: validation reads the table under SHARE UPDATE EXCLUSIVE, which blocks no reads "
						 "or writes.");
		set_check_fix(f, rel, table, c);
	}
	else
	{
		finding_set_hint(f, "%sOn a large table, add a column of the new type, keep it in step with a trigger, "
						 "backfill it in batches, then swap the two in one short transaction.",
						 c->verdict == TYPE_UNKNOWN_LIKELY_SAFE ? "Check the column's current type first. " : "");
		set_swap_fix(f, s, table, c);
	}
	strbuf_free(&column);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	column_tracker *types = column_tracker_new();

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__AlterTableStmt *a = migration_alter_table(&m->statements[i]);

		if (a && a->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && !migration_is_new(ctx, a->relation, i))
		{
			type_change c = statement_change(types, ctx->migration->catalog, a);

			if (c.verdict != TYPE_NO_REWRITE)
				report(ctx, i, &c);
		}
		column_tracker_note(types, &m->statements[i]);
	}
	column_tracker_free(types);
}

const rule	rule_column_type_rewrite = {
	.id = "column-type-rewrite",
	.title = "column type change rewrites the table under ACCESS EXCLUSIVE",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "ALTER COLUMN ... TYPE on an existing table that is not binary coercible: a full rewrite",
	.check = check,
};
