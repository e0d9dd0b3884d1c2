/*-------------------------------------------------------------------------
 * constraint_without_not_valid.c
 *    constraint-without-not-valid: a foreign key or CHECK constraint
 *    added to an existing table without NOT VALID.
 *
 * Adding the constraint checks every existing row before the statement
 * ends, under the statement's lock: a foreign key holds SHARE ROW
 * EXCLUSIVE on both tables while it scans the referencing one, a CHECK
 * holds ACCESS EXCLUSIVE while it scans its table.  NOT VALID skips the
 * scan (new rows are still checked), and VALIDATE CONSTRAINT, run later
 * in a transaction of its own, scans under SHARE UPDATE EXCLUSIVE, which
 * blocks no reads or writes.  A column's REFERENCES (ADD COLUMN ...
 * REFERENCES) cannot be NOT VALID, so its fix moves the foreign key to a
 * table constraint of the same statement.  A table created earlier in
 * the migration is not reported: it is empty and unused.
 * docs/rules/constraint-without-not-valid.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_constraints.h"
#include "rules/migration_rules.h"
#include "src/lib/arena.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_constraint_without_not_valid;

/* A constraint that checks every existing row as it is added. */
typedef struct scanning
{
	const PgQuery__Constraint *con;
	const char *column;			/* of a column constraint (ADD COLUMN), else NULL */
	const char *name;			/* its own or the one it will get */
} scanning;

static int
validates(const PgQuery__Constraint *con)
{
	return (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN ||
			con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK) && !con->skip_validation;
}

/* The ColumnDef an ADD COLUMN adds, or NULL. */
static const PgQuery__ColumnDef *
added_column(const PgQuery__AlterTableCmd *cmd)
{
	if ((cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
		 cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse) ||
		cmd->def == NULL || cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
		return NULL;
	return cmd->def->column_def;
}

/*
 * Whether constraint n of column col checks the existing rows as ADD
 * COLUMN adds it: a CHECK always; a foreign key only when the column has
 * a default or is generated, since PostgreSQL skips checking a column
 * that is NULL in every row.
 */
static int
column_scans(const PgQuery__ColumnDef *col, const PgQuery__Node *n)
{
	if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
		return 0;
	if (n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK)
		return 1;
	if (n->constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
		return 0;
	for (size_t c = 0; c < col->n_constraints; c++)
		if (col->constraints[c]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
			(col->constraints[c]->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT ||
			 col->constraints[c]->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED))
			return 1;
	return 0;
}

/*
 * The constraints of a that scan the table, into out (room for as many
 * as a has subcommands and column constraints); how many.
 */
static int
collect(const PgQuery__AlterTableStmt *a, scanning *out)
{
	int			n = 0;

	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);
		const PgQuery__Constraint *con;
		const PgQuery__ColumnDef *col;

		if (cmd == NULL)
			continue;
		if ((con = alter_table_cmd_constraint(cmd)) != NULL && validates(con))
			out[n++] = (scanning) {.con = con};
		else if ((col = added_column(cmd)) != NULL)
			for (size_t c = 0; c < col->n_constraints; c++)
				if (column_scans(col, col->constraints[c]))
					out[n++] = (scanning) {.con = col->constraints[c]->constraint, .column = col->colname};
	}
	return n;
}

/* Room collect needs for a. */
static size_t
collect_room(const PgQuery__AlterTableStmt *a)
{
	size_t		room = a->n_cmds;

	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);
		const PgQuery__ColumnDef *col = cmd ? added_column(cmd) : NULL;

		if (col)
			room += col->n_constraints;
	}
	return room;
}

/* con NOT VALID, and named (names: of the statement it is in) */
static void
set_not_valid(PgQuery__Constraint *con, const migration_constraint_names *names)
{
	const char *name = migration_constraint_names_get(names, con);

	con->skip_validation = 1;
	con->initially_valid = 0;
	if ((con->conname == NULL || con->conname[0] == '\0') && name)
		con->conname = xstrdup(name);
}

/* Make a column's foreign key name its column, as a table constraint must. */
static void
name_key_column(PgQuery__Constraint *con, const char *column)
{
	PgQuery__Node *name = xmalloc(sizeof(*name));

	pg_query__node__init(name);
	name->node_case = PG_QUERY__NODE__NODE_STRING;
	name->string = xmalloc(sizeof(PgQuery__String));
	pg_query__string__init(name->string);
	name->string->sval = xstrdup(column);
	con->fk_attrs = xmalloc(sizeof(PgQuery__Node *));
	con->fk_attrs[0] = name;
	con->n_fk_attrs = 1;
}

/* Append ADD CONSTRAINT <con> to a's subcommands; a owns con from now on. */
static void
append_add_constraint(PgQuery__AlterTableStmt *a, PgQuery__Node *con)
{
	PgQuery__Node *node = xmalloc(sizeof(*node));
	PgQuery__AlterTableCmd *cmd = xmalloc(sizeof(*cmd));

	pg_query__alter_table_cmd__init(cmd);
	cmd->subtype = PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint;
	cmd->behavior = PG_QUERY__DROP_BEHAVIOR__DROP_RESTRICT;
	cmd->def = con;
	pg_query__node__init(node);
	node->node_case = PG_QUERY__NODE__NODE_ALTER_TABLE_CMD;
	node->alter_table_cmd = cmd;
	a->cmds = xrealloc(a->cmds, sizeof(PgQuery__Node *) * (a->n_cmds + 1));
	a->cmds[a->n_cmds++] = node;
}

/*
 * Move the scanning constraints of an ADD COLUMN's column into ADD
 * CONSTRAINT subcommands of a.  The nodes made are malloc'd, as
 * protobuf-c frees them with the tree.
 */
static void
move_column_constraints(PgQuery__AlterTableStmt *a, PgQuery__ColumnDef *col)
{
	size_t		kept = 0;
	size_t		n = col->n_constraints;
	char	   *moves = xcalloc(n + 1, 1);

	/* decided first: whether a key scans depends on the column's other constraints */
	for (size_t c = 0; c < n; c++)
		moves[c] = (char) column_scans(col, col->constraints[c]);
	for (size_t c = 0; c < n; c++)
	{
		PgQuery__Node *con = col->constraints[c];

		if (!moves[c])
		{
			col->constraints[kept++] = con;
			continue;
		}
		if (con->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
			name_key_column(con->constraint, col->colname);
		append_add_constraint(a, con);
	}
	col->n_constraints = kept;
	free(moves);
}

/* migration_edited_sql's edit: every scanning constraint NOT VALID and named. */
static void
make_not_valid(PgQuery__Node *stmt, void *arg)
{
	PgQuery__AlterTableStmt *a = stmt->alter_table_stmt;
	size_t		ncmds = a->n_cmds;
	migration_constraint_names names;

	migration_constraint_names_of(&names, a);
	for (size_t k = 0; k < ncmds; k++)
	{
		PgQuery__AlterTableCmd *cmd = a->cmds[k]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD
			? a->cmds[k]->alter_table_cmd : NULL;
		PgQuery__ColumnDef *col;

		if (cmd == NULL)
			continue;
		if (alter_table_cmd_constraint(cmd) && validates(cmd->def->constraint))
			set_not_valid(cmd->def->constraint, &names);
		else if (added_column(cmd))
		{
			col = cmd->def->column_def;
			for (size_t c = 0; c < col->n_constraints; c++)
				if (column_scans(col, col->constraints[c]))
					set_not_valid(col->constraints[c]->constraint, &names);
			move_column_constraints(a, col);
		}
	}
	migration_constraint_names_free(&names);
}

/* The fix: the statement NOT VALID, then one VALIDATE per constraint. */
static void
set_fix(finding *f, const migration_statement *s, const scanning *sc, int n)
{
	const PgQuery__RangeVar *rel = s->node->alter_table_stmt->relation;
	char	   *edited = migration_edited_sql(s, make_not_valid, NULL);
	strbuf		sql;

	if (edited == NULL)
		return;
	strbuf_init(&sql);
	strbuf_printf(&sql, "%s;", edited);
	for (int k = 0; k < n; k++)
	{
		strbuf_printf(&sql, "\nALTER TABLE %s VALIDATE CONSTRAINT ", migration_relation_name(rel));
		sql_append_ident(&sql, sc[k].name);
		strbuf_putc(&sql, ';');
	}
	finding_set_fix(f, sql.data, "add the constraint without the scan, then validate it in a transaction of its own");
	strbuf_free(&sql);
	free(edited);
}

/* The sentence of the detail for constraint sc of table (its written name), into out. */
static void
describe(strbuf *out, const char *table, const scanning *sc)
{
	const char *ref = sc->con->pktable ? migration_relation_name(sc->con->pktable) : "";
	if (sc->con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK && sc->column)
		strbuf_printf(out, "Adding column %s with CHECK constraint %s scans every row of %s while the ADD COLUMN "
					  "holds ACCESS EXCLUSIVE, which blocks %s.", sc->column, sc->name, table,
					  migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE));
	else if (sc->con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK)
		strbuf_printf(out, "Adding CHECK constraint %s scans every row of %s while it holds ACCESS EXCLUSIVE, "
					  "which blocks %s.", sc->name, table, migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE));
	else if (sc->column)
		strbuf_printf(out, "Adding column %s with a default and REFERENCES %s checks every existing row of %s "
					  "(each holds the default) while the ADD COLUMN holds ACCESS EXCLUSIVE, which blocks %s; %s "
					  "is held in SHARE ROW EXCLUSIVE meanwhile.", sc->column, ref, table,
					  migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE), ref);
	else
		strbuf_printf(out, "Adding foreign key %s checks every existing row of %s against %s while it holds "
					  "SHARE ROW EXCLUSIVE on both tables, which on each blocks %s.", sc->name, table, ref,
					  migration_lock_blocks(LOCK_SHARE_ROW_EXCLUSIVE));
}

static void
set_hint(finding *f, const migration_statement *s, const scanning *sc, int n)
{
	strbuf		hint;

	strbuf_init(&hint);
	strbuf_puts(&hint, "Add the constraint NOT VALID: it then checks only new rows and holds its lock for a "
				"moment. Commit, then run VALIDATE CONSTRAINT in a transaction of its own: it scans under SHARE "
				"UPDATE EXCLUSIVE, which lets reads and writes go on.");
	for (int k = 0; k < n; k++)
		if (sc[k].con->conname == NULL || sc[k].con->conname[0] == '\0')
		{
			strbuf_printf(&hint, " A constraint has no name: the fix names it %s, the name PostgreSQL would give "
						  "it, so that VALIDATE CONSTRAINT can name it; better name it in the migration.",
						  sc[k].name);
			break;
		}
	for (int k = 0; k < n; k++)
		if (sc[k].column)
		{
			strbuf_puts(&hint, " A column constraint cannot be NOT VALID: the fix adds the column, and the "
						"constraint as a table constraint of the same statement.");
			break;
		}
	if (s->in_block)
		strbuf_puts(&hint, " Inside this transaction block, put the VALIDATE after its COMMIT.");
	finding_set_hint(f, "%s", hint.data);
	strbuf_free(&hint);
}

static void
report(const rule_context *ctx, int i, const scanning *sc, int n)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__RangeVar *rel = s->node->alter_table_stmt->relation;
	finding    *f = migration_finding(&rule_constraint_without_not_valid, ctx, i);
	statement_lock lock;
	strbuf		detail;
	char	   *table;

	if (f == NULL)
		return;
	statement_lock_of(s->node, ctx->migration->pg_version, &lock);
	finding_set_lock(f, lock_mode_name(lock.mode), 0);
	table = xstrdup(migration_relation_name(rel));
	strbuf_init(&detail);
	for (int k = 0; k < n; k++)
	{
		if (k > 0)
			strbuf_putc(&detail, ' ');
		describe(&detail, table, &sc[k]);
		if (sc[k].con->pktable)
			finding_add_table(f, migration_relation_key(sc[k].con->pktable));
	}
	finding_set_detail(f, "%s", detail.data);
	strbuf_free(&detail);
	set_hint(f, s, sc, n);
	set_fix(f, s, sc, n);
	free(table);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__AlterTableStmt *a = migration_alter_table(&m->statements[i]);
		scanning   *sc;
		int			n;

		if (a == NULL || a->relation == NULL || migration_is_new(ctx, a->relation, i))
			continue;
		sc = xcalloc(collect_room(a) + 1, sizeof(scanning));
		if ((n = collect(a, sc)) > 0)
		{
			migration_constraint_names names;

			migration_constraint_names_of(&names, a);
			for (int k = 0; k < n; k++)
				sc[k].name = migration_constraint_names_get(&names, sc[k].con);
			report(ctx, i, sc, n);
			migration_constraint_names_free(&names);
		}
		free(sc);
	}
}

const rule	rule_constraint_without_not_valid = {
	.id = "constraint-without-not-valid",
	.title = "constraint added without NOT VALID scans the table under its lock",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "FOREIGN KEY or CHECK added to an existing table without NOT VALID (the scan holds the lock)",
	.check = check,
};
