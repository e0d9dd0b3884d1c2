/*-------------------------------------------------------------------------
 * missing_statement_timeout.c
 *    missing-statement-timeout: a statement that blocks writes on an
 *    existing table for as long as it works, with no statement_timeout
 *    in effect.
 *
 * lock_timeout bounds the wait for a lock; once granted, the lock is
 * held as long as the statement works, and some statements work in
 * proportion to the table: an index build, a rewrite (ALTER COLUMN TYPE,
 * a volatile default, VACUUM FULL, CLUSTER), a validating scan (SET NOT
 * NULL, a validated CHECK or foreign key), a REINDEX, a REFRESH.  On a
 * table larger than on staging that is an outage of unknown length; a
 * statement_timeout turns it into a cancelled statement and a rolled
 * back transaction, with the table as before.  Statements whose work
 * does not grow with the table (a nullable ADD COLUMN, a DROP) are left
 * to lock-without-timeout.  docs/rules/missing-statement-timeout.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/lib/strbuf.h"

#include <stdio.h>
#include <string.h>

extern const rule rule_missing_statement_timeout;

static const rule_param params[] = {
	{"max_statement_timeout_ms", 600000, "a statement_timeout longer than this (ms) counts as none"},
	{NULL, 0, NULL}
};

/* Whether a column default is computed once (a constant, now()), so PostgreSQL 11+ stores it without a rewrite. */
static int
default_is_cheap(const PgQuery__Node *d)
{
	if (d == NULL)
		return 1;
	switch (d->node_case)
	{
		case PG_QUERY__NODE__NODE_A_CONST:
		case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
			return 1;
		case PG_QUERY__NODE__NODE_TYPE_CAST:
			return default_is_cheap(d->type_cast->arg);
		case PG_QUERY__NODE__NODE_FUNC_CALL:
			return d->func_call->n_funcname > 0 &&
				d->func_call->funcname[d->func_call->n_funcname - 1]->node_case == PG_QUERY__NODE__NODE_STRING &&
				strcmp(d->func_call->funcname[d->func_call->n_funcname - 1]->string->sval, "now") == 0;
		default:
			return 0;
	}
}

/* What ADD COLUMN c makes PostgreSQL do to every row, or NULL. */
static const char *
add_column_work(const PgQuery__ColumnDef *c, int pg_version)
{
	const PgQuery__Node *def = c->raw_default;

	if (c->type_name && c->type_name->n_names > 0 &&
		c->type_name->names[c->type_name->n_names - 1]->node_case == PG_QUERY__NODE__NODE_STRING &&
		strstr(c->type_name->names[c->type_name->n_names - 1]->string->sval, "serial"))
		return "rewrites the table to fill the serial column";
	for (size_t k = 0; k < c->n_constraints; k++)
	{
		const PgQuery__Constraint *con = c->constraints[k]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT
			? c->constraints[k]->constraint : NULL;

		if (con == NULL)
			continue;
		if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT)
			def = con->raw_expr;
		else if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY)
			return "rewrites the table to fill the identity column";
		else if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED)
			return "rewrites the table to compute the generated column";
		else if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
				 con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE)
			return "builds an index";
		else if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK ||
				 con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
			return "scans the table to validate the new column's constraint";
	}
	if (def && pg_version < 11)
		return "rewrites the table to store the default (before PostgreSQL 11)";
	if (!default_is_cheap(def))
		return "may rewrite the table (a default that is not a constant is computed for every row)";
	return NULL;
}

/* What one ALTER TABLE subcommand does to every row, or NULL. */
static const char *
alter_cmd_work(const PgQuery__AlterTableCmd *cmd, int pg_version)
{
	const PgQuery__Constraint *con = alter_table_cmd_constraint(cmd);

	if (con)
	{
		if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
			con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ||
			con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION)
			return con->indexname && con->indexname[0] ? NULL : "builds an index";
		if ((con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK ||
			 con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN) &&
			!con->skip_validation)
			return "scans the table to validate the constraint";
		return NULL;
	}
	switch (cmd->subtype)
	{
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
			return cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF
				? add_column_work(cmd->def->column_def, pg_version) : NULL;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
			return "may rewrite the table (a type change that is not binary-compatible)";
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
			return "scans the table to check NOT NULL";
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
			return "rewrites the table";
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
			return "copies the table's files to the new tablespace";
		default:
			return NULL;
	}
}

/* What statement n does in proportion to its table, or NULL when its work does not grow with it. */
static const char *
table_work(const PgQuery__Node *n, int pg_version)
{
	const char *work;

	switch (n->node_case)
	{
		case PG_QUERY__NODE__NODE_INDEX_STMT:
			return "builds an index";
		case PG_QUERY__NODE__NODE_REINDEX_STMT:
			return "rebuilds indexes";
		case PG_QUERY__NODE__NODE_CLUSTER_STMT:
			return "rewrites the table in index order";
		case PG_QUERY__NODE__NODE_VACUUM_STMT:
			return "rewrites the table";	/* the lock says whether it is FULL */
		case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
			return n->refresh_mat_view_stmt->concurrent ? NULL : "recomputes the materialized view";
		case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
			for (size_t k = 0; k < n->alter_table_stmt->n_cmds; k++)
			{
				const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(n->alter_table_stmt, k);

				if (cmd && (work = alter_cmd_work(cmd, pg_version)) != NULL)
					return work;
			}
			return NULL;
		default:
			return NULL;
	}
}

/* Whether n is a REINDEX INDEX, whose lock's relation is the index, not its table. */
static int
reindex_index(const PgQuery__Node *n)
{
	return n->node_case == PG_QUERY__NODE__NODE_REINDEX_STMT &&
		n->reindex_stmt->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX;
}

/* "10min", "90s", "1500ms": the threshold as a setting. */
static void
format_timeout(double ms, strbuf *out)
{
	long long	v = (long long) ms;

	if (v >= 60000 && v % 60000 == 0)
		strbuf_printf(out, "%lldmin", v / 60000);
	else if (v >= 1000 && v % 1000 == 0)
		strbuf_printf(out, "%llds", v / 1000);
	else
		strbuf_printf(out, "%lldms", v > 0 ? v : 1);
}

static void
report(const rule_context *ctx, int i, const statement_lock *lock, const char *work, double max_ms)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	finding    *f = migration_finding(&rule_missing_statement_timeout, ctx, i);
	strbuf		fix;

	if (f == NULL)
		return;
	finding_set_detail(f, "It %s under %s on %s%s, which blocks %s for as long as it works, %s: on a table larger "
					   "than on staging, or behind a long wait for the lock, nothing stops it.", work,
					   lock_mode_name(lock->mode), reindex_index(s->node) ? "the table of " : "",
					   lock->relation ? migration_relation_name(lock->relation) : "its tables",
					   migration_lock_blocks(lock->mode),
					   s->settings.statement_timeout_ms == 0 ? "with no statement_timeout in effect"
					   : "with a statement_timeout over the limit");
	finding_set_hint(f, "Set statement_timeout to the longest the table may stay blocked%s: if it runs out, the "
					 "statement is cancelled and its transaction rolls back, leaving the table as it was. Do "
					 "the work another way (CONCURRENTLY, NOT VALID then VALIDATE) if it cannot fit.",
					 s->in_block ? " (SET LOCAL inside the transaction block)" : "");
	strbuf_init(&fix);
	strbuf_printf(&fix, "SET %sstatement_timeout = '", s->in_block ? "LOCAL " : "");
	format_timeout(max_ms, &fix);
	strbuf_puts(&fix, "';");
	finding_set_fix(f, fix.data, "before the statement: cancel it instead of blocking the table without end");
	strbuf_free(&fix);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	double		max_ms = rule_param_value(ctx, &rule_missing_statement_timeout, "max_statement_timeout_ms");

	for (int i = 0; i < m->nstatements; i++)
	{
		const migration_statement *s = &m->statements[i];
		double		timeout = s->settings.statement_timeout_ms;
		statement_lock lock;
		const char *work;
		char		known[160];

		if (s->node == NULL || (timeout != 0 && timeout <= max_ms))
			continue;
		statement_lock_of(s->node, ctx->migration->pg_version, &lock);
		if (!lock_mode_blocks_writes(lock.mode) || (work = table_work(s->node, ctx->migration->pg_version)) == NULL ||
			migration_target_is_new(ctx, i))
			continue;
		/*
		 * "may rewrite": with the catalog or the trace, the rewrite rules
		 * know, and found none when neither reported the statement
		 */
		if (strncmp(work, "may rewrite", 11) == 0 && (ctx->migration->catalog || ctx->migration->trace))
		{
			if (!migration_statement_has_finding(ctx, i, "column-type-rewrite") &&
				!migration_statement_has_finding(ctx, i, "add-column-rewrites") &&
				migration_traced_rewrite(ctx, i) != 1)
				continue;
			/* they found it: say so, without the doubt */
			snprintf(known, sizeof(known), "rewrites%s", work + strlen("may rewrite"));
			work = known;
		}
		report(ctx, i, &lock, work, max_ms);
	}
}

const rule	rule_missing_statement_timeout = {
	.id = "missing-statement-timeout",
	.title = "long lock that blocks writes held without statement_timeout",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "an index build, rewrite or validating scan of an existing table with no statement_timeout in effect",
	.check = check,
	.params = params,
};
