/*-------------------------------------------------------------------------
 * unique_constraint_builds_index.c
 *    unique-constraint-builds-index: ADD CONSTRAINT ... UNIQUE, PRIMARY
 *    KEY or EXCLUDE on an existing table, building its index under
 *    ACCESS EXCLUSIVE.
 *
 * A UNIQUE or PRIMARY KEY constraint needs a unique index, and ALTER
 * TABLE builds it while holding ACCESS EXCLUSIVE: no read or write of
 * the table for the whole build.  The safe form builds the index first
 * with CREATE UNIQUE INDEX CONCURRENTLY and then adds the constraint
 * USING INDEX, which only takes the lock for a moment.  An exclusion
 * constraint has no USING INDEX form: it is reported, with no fix.  A
 * table created earlier in the migration is not reported.
 * docs/rules/unique-constraint-builds-index.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_constraints.h"
#include "rules/migration_rules.h"
#include "src/lib/arena.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_unique_constraint_builds_index;

/* Whether con builds an index that USING INDEX could have supplied. */
static int
builds_unique_index(const PgQuery__Constraint *con)
{
	return (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ||
			con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) &&
		(con->indexname == NULL || con->indexname[0] == '\0');
}

static int
builds_index(const PgQuery__Constraint *con)
{
	return builds_unique_index(con) || con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION;
}

/* The constraint of subcommand k when it builds an index, else NULL. */
static const PgQuery__Constraint *
index_constraint(const PgQuery__AlterTableStmt *a, size_t k)
{
	const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);
	const PgQuery__Constraint *con = cmd ? alter_table_cmd_constraint(cmd) : NULL;

	return con && builds_index(con) ? con : NULL;
}

static void
free_nodes(size_t *n, PgQuery__Node **nodes)
{
	for (size_t k = 0; k < *n; k++)
		pg_query__node__free_unpacked(nodes[k], NULL);
	*n = 0;
}

/*
 * migration_edited_sql's edit: each UNIQUE and PRIMARY KEY becomes
 * ADD CONSTRAINT name ... USING INDEX name_idx.  The column lists it
 * drops are freed here, with the allocator the tree was unpacked with.
 */
static void
use_index(PgQuery__Node *stmt, void *arg)
{
	PgQuery__AlterTableStmt *a = stmt->alter_table_stmt;
	migration_constraint_names names;

	migration_constraint_names_of(&names, a);
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		PgQuery__Constraint *con;
		strbuf		name;

		if (index_constraint(a, k) == NULL)
			continue;
		con = a->cmds[k]->alter_table_cmd->def->constraint;
		if (!builds_unique_index(con))
			continue;
		strbuf_init(&name);
		strbuf_puts(&name, migration_constraint_names_get(&names, con));
		if (con->conname == NULL || con->conname[0] == '\0')
			con->conname = xstrdup(name.data);
		strbuf_puts(&name, "_idx");
		con->indexname = strbuf_detach(&name);
		free_nodes(&con->n_keys, con->keys);
		free_nodes(&con->n_including, con->including);
		free_nodes(&con->n_options, con->options);
		con->nulls_not_distinct = 0;
		if (con->indexspace && con->indexspace[0])
		{
			free(con->indexspace);	/* the index's, given to CREATE INDEX */
			con->indexspace = (char *) protobuf_c_empty_string;
		}
		strbuf_free(&name);
	}
	migration_constraint_names_free(&names);
}

/* CREATE UNIQUE INDEX CONCURRENTLY for con (called name), into sql. */
static void
append_index(strbuf *sql, const PgQuery__RangeVar *rel, const PgQuery__Constraint *con, const char *constraint)
{
	strbuf		name;

	strbuf_init(&name);
	strbuf_printf(&name, "%s_idx", constraint);
	strbuf_puts(sql, "CREATE UNIQUE INDEX CONCURRENTLY ");
	sql_append_ident(sql, name.data);
	strbuf_printf(sql, " ON %s (", migration_relation_name(rel));
	migration_append_names(sql, con->n_keys, con->keys);
	strbuf_putc(sql, ')');
	if (con->n_including > 0)
	{
		strbuf_puts(sql, " INCLUDE (");
		migration_append_names(sql, con->n_including, con->including);
		strbuf_putc(sql, ')');
	}
	if (con->nulls_not_distinct)
		strbuf_puts(sql, " NULLS NOT DISTINCT");
	if (con->indexspace && con->indexspace[0])
	{
		strbuf_puts(sql, " TABLESPACE ");
		sql_append_ident(sql, con->indexspace);
	}
	strbuf_puts(sql, ";\n");
	strbuf_free(&name);
}

static void
set_fix(finding *f, const migration_statement *s, const migration_constraint_names *names)
{
	const PgQuery__AlterTableStmt *a = s->node->alter_table_stmt;
	strbuf		sql;
	char	   *edited;
	int			any = 0;

	strbuf_init(&sql);
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__Constraint *con = index_constraint(a, k);

		if (con && builds_unique_index(con) && con->n_keys > 0)
		{
			append_index(&sql, a->relation, con, migration_constraint_names_get(names, con));
			any = 1;
		}
	}
	if (any && (edited = migration_edited_sql(s, use_index, NULL)) != NULL)
	{
		strbuf_printf(&sql, "%s;", edited);
		finding_set_fix(f, sql.data, "build the index without blocking, then attach it to the constraint");
		free(edited);
	}
	strbuf_free(&sql);
}

/* The detail's sentence for con (called name), into out. */
static void
describe(strbuf *out, const PgQuery__RangeVar *rel, const PgQuery__Constraint *con, const char *name)
{
	const char *kind = con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ? "PRIMARY KEY"
		: con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ? "UNIQUE constraint" : "exclusion constraint";

	if (out->len > 0)
		strbuf_putc(out, ' ');
	strbuf_printf(out, "Adding %s %s builds its %sindex on %s while ALTER TABLE holds ACCESS EXCLUSIVE, "
				  "which blocks %s, for as long as the build takes.", kind, name,
				  builds_unique_index(con) ? "unique " : "", migration_relation_name(rel),
				  migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE));
}

static void
set_hint(finding *f, const migration_statement *s, int unique, int primary, int exclusion)
{
	strbuf		hint;

	strbuf_init(&hint);
	if (unique)
		strbuf_printf(&hint, "Build the index first with CREATE UNIQUE INDEX CONCURRENTLY%s, which blocks no reads "
					  "or writes, then add the constraint USING INDEX: that takes ACCESS EXCLUSIVE only for a "
					  "moment.", s->in_block ? " (outside the transaction block: it cannot run inside one)" : "");
	if (primary)
		strbuf_puts(&hint, " For a PRIMARY KEY the columns must already be NOT NULL, or adding it scans the table "
					"under ACCESS EXCLUSIVE to set them (see set-not-null-scans).");
	if (exclusion)
		strbuf_printf(&hint, "%sAn exclusion constraint has no USING INDEX form: its lock lasts the whole build. "
					  "Add it while the table is quiet, with a short lock_timeout.", unique ? " " : "");
	finding_set_hint(f, "%s", hint.data);
	strbuf_free(&hint);
}

static void
report(const rule_context *ctx, int i)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__AlterTableStmt *a = s->node->alter_table_stmt;
	finding    *f = migration_finding(&rule_unique_constraint_builds_index, ctx, i);
	migration_constraint_names names;
	strbuf		detail;
	int			unique = 0,
				primary = 0,
				exclusion = 0;

	if (f == NULL)
		return;
	finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), 0);
	migration_constraint_names_of(&names, a);
	strbuf_init(&detail);
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__Constraint *con = index_constraint(a, k);

		if (con == NULL)
			continue;
		describe(&detail, a->relation, con, migration_constraint_names_get(&names, con));
		unique |= builds_unique_index(con);
		primary |= con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
		exclusion |= con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION;
	}
	finding_set_detail(f, "%s", detail.data);
	set_hint(f, s, unique, primary, exclusion);
	set_fix(f, s, &names);
	migration_constraint_names_free(&names);
	strbuf_free(&detail);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__AlterTableStmt *a = migration_alter_table(&m->statements[i]);
		int			found = 0;

		if (a == NULL || a->relation == NULL || migration_is_new(ctx, a->relation, i))
			continue;
		for (size_t k = 0; k < a->n_cmds && !found; k++)
			found = index_constraint(a, k) != NULL;
		if (found)
			report(ctx, i);
	}
}

const rule	rule_unique_constraint_builds_index = {
	.id = "unique-constraint-builds-index",
	.title = "constraint builds its index under ACCESS EXCLUSIVE",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "UNIQUE, PRIMARY KEY or EXCLUDE added to an existing table without USING INDEX",
	.check = check,
};
