/*-------------------------------------------------------------------------
 * add_column_rewrites.c
 *    add-column-rewrites: ALTER TABLE ... ADD COLUMN that rewrites an
 *    existing table under ACCESS EXCLUSIVE.
 *
 * From PostgreSQL 11 a new column's default is evaluated once and kept in
 * the catalog (pg_attribute.attmissingval) when it is not volatile: no
 * row is touched.  Everything that gives each existing row its own value
 * rewrites the whole table and rebuilds its indexes, holding ACCESS
 * EXCLUSIVE all along: a volatile DEFAULT (random(), clock_timestamp(),
 * gen_random_uuid(), nextval(), ...), a serial type (its default is
 * nextval), an identity column, a STORED generated column; and before
 * PostgreSQL 11 any DEFAULT but NULL.  Volatility comes from a list of
 * the functions defaults call (rules/migration_columns.c); a default
 * calling another function is reported as unknown, at medium severity.
 * docs/rules/add-column-rewrites.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_columns.h"
#include "rules/migration_rules.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"

#include <protobuf-c/protobuf-c.h>
#include <stdio.h>
#include <stdlib.h>

extern const rule rule_add_column_rewrites;

/* Why an ADD COLUMN rewrites the table; the order is how sure pgsift is. */
typedef enum add_rewrite
{
	ADD_NO_REWRITE = 0,
	ADD_UNKNOWN_DEFAULT,		/* a function pgsift does not know */
	ADD_VOLATILE_DEFAULT,
	ADD_OLD_DEFAULT,			/* any DEFAULT but NULL, before PostgreSQL 11 */
	ADD_SERIAL,
	ADD_IDENTITY,
	ADD_GENERATED
} add_rewrite;

typedef struct add_column
{
	add_rewrite why;
	size_t		cmd;			/* the subcommand */
	const PgQuery__ColumnDef *def;
	const char *function;		/* the volatile or unknown function, or NULL */
} add_column;

static add_rewrite
classify(const PgQuery__ColumnDef *cd, int pg_version, const catalog_snapshot *cat, const char **function)
{
	const PgQuery__Constraint *gen = column_def_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED);
	const PgQuery__Node *def = column_def_default(cd);
	column_type t;

	*function = NULL;
	if (column_def_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY))
		return ADD_IDENTITY;
	/* GENERATED ALWAYS AS (...) STORED: the only kind before PostgreSQL 18 */
	if (gen && gen->raw_expr)
		return ADD_GENERATED;
	if (cd->type_name)
	{
		column_type_read(cd->type_name, &t);
		if (t.serial)
			return ADD_SERIAL;
	}
	if (def == NULL || column_expr_is_null(def))
		return ADD_NO_REWRITE;
	switch (column_expr_volatility_in(def, cat, function))
	{
		case EXPR_VOLATILE:
			return ADD_VOLATILE_DEFAULT;
		case EXPR_VOLATILITY_UNKNOWN:
			return pg_version < 11 ? ADD_OLD_DEFAULT : ADD_UNKNOWN_DEFAULT;
		default:
			return pg_version < 11 ? ADD_OLD_DEFAULT : ADD_NO_REWRITE;
	}
}

/* The surest reason statement a has to rewrite its table; why = ADD_NO_REWRITE when none. */
static add_column
statement_rewrite(const PgQuery__AlterTableStmt *a, int pg_version, const catalog_snapshot *cat)
{
	add_column	best = {ADD_NO_REWRITE, 0, NULL, NULL};

	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);
		add_column	c = {ADD_NO_REWRITE, k, NULL, NULL};

		if (cmd == NULL || cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || cmd->def == NULL ||
			cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
			continue;
		c.def = cmd->def->column_def;
		c.why = classify(c.def, pg_version, cat, &c.function);
		/* a sure rewrite outranks an unknown one; among sure ones the first counts */
		if (c.why > best.why && (best.why == ADD_NO_REWRITE || best.why == ADD_UNKNOWN_DEFAULT))
			best = c;
	}
	return best;
}

/*
 * Turn the statement into ALTER TABLE ... ALTER COLUMN c SET DEFAULT
 * <the default subcommand *arg added c with>: the expression moves from
 * the column definition to the subcommand; the other subcommands go.
 */
static void
make_set_default(PgQuery__Node *stmt, void *arg)
{
	const size_t k = *(const size_t *) arg;
	PgQuery__AlterTableStmt *a;
	PgQuery__AlterTableCmd *cmd;
	PgQuery__ColumnDef *cd;
	PgQuery__Node *expr = NULL;

	/* s parses again into the same tree, so this is the subcommand seen before */
	if (stmt->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT || k >= stmt->alter_table_stmt->n_cmds)
		return;
	a = stmt->alter_table_stmt;
	cmd = a->cmds[k]->alter_table_cmd;
	cd = cmd->def->column_def;

	for (size_t j = 0; j < cd->n_constraints && expr == NULL; j++)
	{
		PgQuery__Node *c = cd->constraints[j];

		if (c->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
			c->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT && c->constraint->raw_expr)
		{
			expr = c->constraint->raw_expr;
			c->constraint->raw_expr = NULL;
		}
	}
	if (expr == NULL)
		return;
	if (cmd->name && cmd->name != protobuf_c_empty_string)
		free(cmd->name);
	cmd->name = cd->colname;
	cd->colname = (char *) protobuf_c_empty_string;
	pg_query__node__free_unpacked(cmd->def, NULL);
	cmd->def = expr;
	cmd->subtype = PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault;
	cmd->missing_ok = 0;
	for (size_t j = 0; j < a->n_cmds; j++)
		if (j != k)
			pg_query__node__free_unpacked(a->cmds[j], NULL);
	a->cmds[0] = a->cmds[k];
	a->n_cmds = 1;
}

/* Append s as an SQL string literal. */
static void
append_literal(strbuf *sb, const char *s)
{
	strbuf_putc(sb, '\'');
	for (; *s; s++)
	{
		if (*s == '\'')
			strbuf_putc(sb, '\'');
		strbuf_putc(sb, *s);
	}
	strbuf_putc(sb, '\'');
}

/* The statements that give new rows their value: a sequence or the default itself. */
static int
append_new_rows_default(strbuf *sql, const migration_statement *s, const add_column *c,
						const PgQuery__RangeVar *rel, const char *table, const char *column)
{
	if (c->why == ADD_SERIAL || c->why == ADD_IDENTITY)
	{
		column_type t;
		char		type[160];
		strbuf		seq,
					name;

		column_type_read(c->def->type_name, &t);
		t.serial = 0;
		column_type_format(&t, type, sizeof(type));
		strbuf_init(&name);
		strbuf_printf(&name, "%s_%s_seq", rel->relname, c->def->colname);
		strbuf_init(&seq);
		sql_append_qualified(&seq, rel->schemaname, name.data);
		strbuf_printf(sql, "CREATE SEQUENCE %s AS %s OWNED BY %s.%s;\n", seq.data, type, table, column);
		strbuf_printf(sql, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT nextval(", table, column);
		append_literal(sql, seq.data);
		strbuf_puts(sql, ");\n");
		strbuf_free(&seq);
		strbuf_free(&name);
		return 1;
	}
	if (c->why != ADD_GENERATED)
	{
		char	   *set = migration_edited_sql(s, make_set_default, (void *) &c->cmd);

		if (set == NULL)
			return 0;
		strbuf_printf(sql, "%s;\n", set);
		free(set);
	}
	return 1;
}

static void
set_fix(finding *f, const migration_statement *s, const add_column *c, const PgQuery__RangeVar *rel)
{
	char	   *plain = migration_plain_add_column_sql(s, &c->cmd, 1);
	char		table[512];
	strbuf		column,
				sql;

	if (plain == NULL)
		return;
	snprintf(table, sizeof(table), "%s", migration_relation_name(rel));
	strbuf_init(&column);
	sql_append_ident(&column, c->def->colname);
	strbuf_init(&sql);
	strbuf_printf(&sql, "%s\n", plain);
	if (append_new_rows_default(&sql, s, c, rel, table, column.data))
	{
		if (c->why == ADD_GENERATED)
			strbuf_printf(&sql, "-- fill new rows with a BEFORE INSERT OR UPDATE trigger that computes the "
						  "expression, then backfill the existing rows in batches:\n"
						  "-- UPDATE %s SET %s = <expression> WHERE %s IS NULL AND <key range>;",
						  table, column.data, column.data);
		else
			strbuf_printf(&sql, "-- backfill the existing rows in batches, one transaction each:\n"
						  "-- UPDATE %s SET %s = DEFAULT WHERE %s IS NULL AND <key range>;",
						  table, column.data, column.data);
		if (column_def_not_null(c->def) || c->why == ADD_SERIAL || c->why == ADD_IDENTITY)
			strbuf_puts(&sql, "\n-- then set NOT NULL without a long scan: docs/rules/set-not-null-scans.md");
		finding_set_fix(f, sql.data, "add the column plain, give new rows their value, backfill in batches");
	}
	strbuf_free(&sql);
	strbuf_free(&column);
	free(plain);
}

/* The sentence saying why c rewrites the table. */
static void
set_detail(finding *f, const add_column *c, const char *table, const char *column)
{
	const char *tail = "every read and write of the table";
	char		fn[160];

	if (c->function)
		snprintf(fn, sizeof(fn), "%s()", c->function);
	else
		snprintf(fn, sizeof(fn), "its default");

	switch (c->why)
	{
		case ADD_VOLATILE_DEFAULT:
			finding_set_detail(f, "Column %s gets a volatile DEFAULT, %s: it is computed for every row "
							   "already there, so %s is rewritten and its indexes rebuilt under an ACCESS "
							   "EXCLUSIVE lock that blocks %s.", column, fn, table, tail);
			break;
		case ADD_OLD_DEFAULT:
			finding_set_detail(f, "Before PostgreSQL 11, ADD COLUMN with a DEFAULT writes it into every row: "
							   "column %s rewrites %s and rebuilds its indexes under an ACCESS EXCLUSIVE lock "
							   "that blocks %s.", column, table, tail);
			break;
		case ADD_SERIAL:
			finding_set_detail(f, "Column %s is serial: its default is nextval() of a new sequence, volatile, "
							   "so every existing row gets its own value and %s is rewritten, its indexes "
							   "rebuilt, under an ACCESS EXCLUSIVE lock that blocks %s.", column, table, tail);
			break;
		case ADD_IDENTITY:
			finding_set_detail(f, "Column %s is an identity column: every existing row gets a value from its "
							   "sequence, so %s is rewritten and its indexes rebuilt under an ACCESS EXCLUSIVE "
							   "lock that blocks %s.", column, table, tail);
			break;
		case ADD_GENERATED:
			finding_set_detail(f, "Column %s is a STORED generated column: its value is computed and stored "
							   "for every existing row, so %s is rewritten and its indexes rebuilt under an "
							   "ACCESS EXCLUSIVE lock that blocks %s.", column, table, tail);
			break;
		default:
			finding_set_detail(f, "pgsift cannot tell without the catalog whether %s is volatile. If it is, "
							   "column %s's DEFAULT is computed for every existing row and %s rewritten under "
							   "an ACCESS EXCLUSIVE lock that blocks %s; if not, adding it is a catalog-only "
							   "change.", fn, column, table, tail);
			break;
	}
}

static void
report(const rule_context *ctx, int i, const add_column *c)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__RangeVar *rel = migration_alter_table(s)->relation;
	int			traced = migration_traced_rewrite(ctx, i);
	finding    *f;
	char		table[512];
	strbuf		column;

	/* a default whose volatility static knowledge cannot tell: the trace settles it */
	if (c->why == ADD_UNKNOWN_DEFAULT && traced == 0)
		return;
	if ((f = migration_finding(&rule_add_column_rewrites, ctx, i)) == NULL)
		return;
	snprintf(table, sizeof(table), "%s", migration_relation_name(rel));
	strbuf_init(&column);
	sql_append_ident(&column, c->def->colname);
	if (c->why == ADD_UNKNOWN_DEFAULT && traced != 1)
		f->severity = FINDING_MEDIUM;
	finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), c->why == ADD_UNKNOWN_DEFAULT && traced != 1 ? -1 : 1);
	set_detail(f, c, table, column.data);
	if (c->why == ADD_GENERATED)
		finding_set_hint(f, "A STORED generated column cannot be added without a rewrite. On a large table, "
						 "add a plain column instead, fill new rows with a trigger and backfill the existing "
						 "ones in batches.");
	else if (c->why == ADD_SERIAL || c->why == ADD_IDENTITY)
		finding_set_hint(f, "Add a plain integer column, give new rows nextval() of a sequence with ALTER COLUMN "
						 "... SET DEFAULT (a catalog-only change), then backfill the existing rows in batches.");
	else if (ctx->migration->pg_version >= 11)
		finding_set_hint(f, "Add the column without the default (or with a constant one), set the default for "
						 "new rows with ALTER COLUMN ... SET DEFAULT (a catalog-only change), then backfill the "
						 "existing rows in batches.");
	else
		finding_set_hint(f, "Add the column without the default, set the default for new rows with ALTER "
						 "COLUMN ... SET DEFAULT (a catalog-only change), then backfill the existing rows in "
						 "batches. From PostgreSQL 11 a constant default is a catalog-only change.");
	set_fix(f, s, c, rel);
	strbuf_free(&column);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__AlterTableStmt *a = migration_alter_table(&m->statements[i]);
		add_column	c;

		if (a == NULL || a->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || migration_is_new(ctx, a->relation, i))
			continue;
		c = statement_rewrite(a, ctx->migration->pg_version, ctx->migration->catalog);
		if (c.why != ADD_NO_REWRITE)
			report(ctx, i, &c);
	}
}

const rule	rule_add_column_rewrites = {
	.id = "add-column-rewrites",
	.title = "ADD COLUMN rewrites the table under ACCESS EXCLUSIVE",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "ADD COLUMN with a volatile default, serial, identity or STORED generated column "
	"(any default before PostgreSQL 11): a full rewrite",
	.check = check,
};
