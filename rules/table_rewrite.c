/*-------------------------------------------------------------------------
 * table_rewrite.c
 *    table-rewrite: statements that rewrite or rebuild a whole existing
 *    table under ACCESS EXCLUSIVE.
 *
 * ALTER TABLE ... SET TABLESPACE (a copy of every block), SET ACCESS
 * METHOD, SET LOGGED and SET UNLOGGED, VACUUM FULL and CLUSTER write the
 * table anew, and REFRESH MATERIALIZED VIEW without CONCURRENTLY
 * recomputes a view: all of them hold ACCESS EXCLUSIVE from start to
 * end, so nothing reads or writes the relation meanwhile.  The refresh is
 * medium (a view is read, not written, and usually smaller); the rest
 * are high.  Relations created earlier in the migration are not
 * reported.  The online alternatives are pg_repack (an extension and
 * its client, which pgsift does not run) and REFRESH ... CONCURRENTLY.
 * docs/rules/table-rewrite.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_ident.h"

#include <stdio.h>
#include <stdlib.h>

extern const rule rule_table_rewrite;

/*
 * Append the relations of rels that are not new to names (comma
 * separated) and to targets (pg_repack's --table options); how many.
 */
static int
append_old_relations(const rule_context *ctx, int i, size_t n, PgQuery__Node *const *rels, strbuf *names,
					 strbuf *targets)
{
	int			count = 0;

	for (size_t k = 0; k < n; k++)
	{
		const PgQuery__RangeVar *rv = rels[k]->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION
			? rels[k]->vacuum_relation->relation : NULL;

		if (rv == NULL || migration_is_new(ctx, rv, i))
			continue;
		strbuf_printf(names, "%s%s", count++ ? ", " : "", migration_relation_name(rv));
		strbuf_printf(targets, "--table=%s ", migration_relation_name(rv));
	}
	return count;
}

/*
 * The fix that hands the work to pg_repack's client: SQL for the
 * extension, the command as a comment.  options and targets end with a
 * space when not empty; no target: every table of the database.
 */
static void
set_repack_fix(finding *f, const char *options, const char *targets, const char *description)
{
	strbuf		sql;

	strbuf_init(&sql);
	strbuf_printf(&sql, "CREATE EXTENSION IF NOT EXISTS pg_repack;\n"
				  "-- then, outside the migration (pg_repack needs a primary key or a unique NOT NULL index):\n"
				  "-- pg_repack %s%s<database>", options, targets);
	finding_set_fix(f, sql.data, description);
	strbuf_free(&sql);
}

static finding *
new_finding(const rule_context *ctx, int i)
{
	finding    *f = migration_finding(&rule_table_rewrite, ctx, i);

	if (f)
		finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), 1);
	return f;
}

static const char *const blocks = "an ACCESS EXCLUSIVE lock that blocks every read and write of the table";

/* The detail, hint and fix of SET TABLESPACE space on table. */
static void
report_tablespace(finding *f, const PgQuery__AlterTableStmt *a, const char *table, const char *space)
{
	strbuf		options;

	finding_set_detail(f, "SET TABLESPACE copies every block of %s to tablespace %s under %s, for the whole "
					   "copy (its indexes stay where they are unless moved too).", table, space, blocks);
	/* pg_repack moves tables, not materialized views */
	if (a->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
	{
		finding_set_hint(f, "pg_repack does not move materialized views: create the view anew in the new "
						 "tablespace (CREATE MATERIALIZED VIEW ... TABLESPACE) and swap the names.");
		return;
	}
	finding_set_hint(f, "pg_repack can move the table online: it copies it, taking only brief locks, and "
					 "swaps the copy in.");
	strbuf_init(&options);
	strbuf_puts(&options, "--tablespace=");
	sql_append_ident(&options, space);
	strbuf_printf(&options, " --moveidx --table=%s ", table);
	set_repack_fix(f, options.data, "", "move the table online with pg_repack");
	strbuf_free(&options);
}

/* ALTER TABLE ... SET TABLESPACE / ACCESS METHOD / LOGGED / UNLOGGED. */
static void
check_alter(const rule_context *ctx, int i, const PgQuery__AlterTableStmt *a)
{
	const PgQuery__AlterTableCmd *cmd = NULL;
	char		table[512];
	finding    *f;

	if ((a->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && a->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW) ||
		migration_is_new(ctx, a->relation, i))
		return;
	for (size_t k = 0; k < a->n_cmds && cmd == NULL; k++)
	{
		const PgQuery__AlterTableCmd *c = migration_alter_cmd(a, k);

		if (c && (c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace ||
				  c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod ||
				  c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged ||
				  c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged))
			cmd = c;
	}
	if (cmd == NULL || (f = new_finding(ctx, i)) == NULL)
		return;
	snprintf(table, sizeof(table), "%s", migration_relation_name(a->relation));
	switch (cmd->subtype)
	{
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
			report_tablespace(f, a, table, cmd->name);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
			finding_set_detail(f, "SET ACCESS METHOD %s rewrites every row of %s and rebuilds its indexes under "
							   "%s.", cmd->name, table, blocks);
			finding_set_hint(f, "There is no online form: run it in a maintenance window, or fill a new table "
							 "with the access method in batches and swap the two.");
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
			finding_set_detail(f, "SET LOGGED rewrites %s and writes the whole table to the WAL (and so to "
							   "every replica) under %s.", table, blocks);
			finding_set_hint(f, "There is no online form: run it in a maintenance window, and expect WAL (and "
							 "replication lag) the size of the table.");
			break;
		default:
			finding_set_detail(f, "SET UNLOGGED rewrites %s under %s; afterwards the table is emptied by a "
							   "crash and is not replicated.", table, blocks);
			finding_set_hint(f, "There is no online form: run it in a maintenance window.");
			break;
	}
	finding_list_add(ctx->out, f);
}

static void
check_vacuum(const rule_context *ctx, int i, const PgQuery__VacuumStmt *v)
{
	strbuf		names,
				targets;
	finding    *f;
	int			n;

	if (!v->is_vacuumcmd || !statement_option_set(v->n_options, v->options, "full"))
		return;
	strbuf_init(&names);
	strbuf_init(&targets);
	n = append_old_relations(ctx, i, v->n_rels, v->rels, &names, &targets);
	if ((v->n_rels == 0 || n > 0) && (f = new_finding(ctx, i)) != NULL)
	{
		finding_set_detail(f, "VACUUM FULL rewrites %s into new files and rebuilds their indexes, holding %s "
						   "for as long as the copy takes.",
						   v->n_rels == 0 ? "every table of the database" : names.data, blocks);
		finding_set_hint(f, "Plain VACUUM makes dead rows' space reusable without blocking anyone; to give "
						 "the space back online, use pg_repack --no-order.");
		set_repack_fix(f, "--no-order ", targets.data, "compact the table online with pg_repack");
		finding_list_add(ctx->out, f);
	}
	strbuf_free(&names);
	strbuf_free(&targets);
}

static void
check_cluster(const rule_context *ctx, int i, const PgQuery__ClusterStmt *c)
{
	char		table[512];
	finding    *f;

	if ((c->relation && migration_is_new(ctx, c->relation, i)) || (f = new_finding(ctx, i)) == NULL)
		return;
	snprintf(table, sizeof(table), "%s", c->relation ? migration_relation_name(c->relation) : "");
	finding_set_detail(f, "CLUSTER rewrites %s in index order and rebuilds their indexes, holding %s for "
					   "the whole rewrite.", c->relation ? table : "every table clustered before", blocks);
	finding_set_hint(f, "pg_repack reorders a table by its clustering index online (ALTER TABLE ... CLUSTER "
					 "ON sets that index and only takes SHARE UPDATE EXCLUSIVE).");
	if (c->relation && c->indexname && c->indexname[0])
	{
		strbuf		sql;

		strbuf_init(&sql);
		strbuf_printf(&sql, "ALTER TABLE %s CLUSTER ON ", table);
		sql_append_ident(&sql, c->indexname);
		strbuf_printf(&sql, ";\nCREATE EXTENSION IF NOT EXISTS pg_repack;\n"
					  "-- then, outside the migration (pg_repack needs a primary key or a unique NOT NULL index):\n"
					  "-- pg_repack --table=%s <database>", table);
		finding_set_fix(f, sql.data, "reorder the table online with pg_repack");
		strbuf_free(&sql);
	}
	else if (c->relation)
	{
		strbuf		target;

		strbuf_init(&target);
		strbuf_printf(&target, "--table=%s ", table);
		set_repack_fix(f, "", target.data, "reorder the table online with pg_repack");
		strbuf_free(&target);
	}
	finding_list_add(ctx->out, f);
}

static void
make_concurrent(PgQuery__Node *stmt, void *arg)
{
	stmt->refresh_mat_view_stmt->concurrent = 1;
}

static void
check_refresh(const rule_context *ctx, int i, const PgQuery__RefreshMatViewStmt *r)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	char		view[512];
	char	   *sql;
	finding    *f;

	if (r->concurrent || migration_is_new(ctx, r->relation, i) || (f = new_finding(ctx, i)) == NULL)
		return;
	f->severity = FINDING_MEDIUM;
	snprintf(view, sizeof(view), "%s", migration_relation_name(r->relation));
	if (r->skip_data)
	{
		finding_set_detail(f, "REFRESH ... WITH NO DATA takes ACCESS EXCLUSIVE on %s and empties it: until "
						   "the next REFRESH, every query of the view fails.", view);
		finding_set_hint(f, "Refresh it with data, CONCURRENTLY if it has a unique index.");
		finding_list_add(ctx->out, f);
		return;
	}
	finding_set_detail(f, "REFRESH MATERIALIZED VIEW without CONCURRENTLY holds ACCESS EXCLUSIVE on %s while "
					   "the view is recomputed: every query of it waits for the whole refresh.", view);
	finding_set_hint(f, "REFRESH MATERIALIZED VIEW CONCURRENTLY keeps the view readable (it takes EXCLUSIVE, "
					 "which lets reads go on); it needs a unique index on the view, on plain columns and "
					 "without a WHERE clause.");
	if ((sql = migration_edited_sql(s, make_concurrent, NULL)) != NULL)
	{
		strbuf		fix;

		strbuf_init(&fix);
		strbuf_printf(&fix, "-- once, if the view has no unique index: CREATE UNIQUE INDEX ON %s (<key columns>);\n"
					  "%s;", view, sql);
		finding_set_fix(f, fix.data, "refresh without blocking reads");
		strbuf_free(&fix);
		free(sql);
	}
	finding_list_add(ctx->out, f);
}

static void
check_move_all(const rule_context *ctx, int i, const PgQuery__AlterTableMoveAllStmt *mv)
{
	finding    *f;

	if (mv->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && mv->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW)
		return;
	if ((f = new_finding(ctx, i)) == NULL)
		return;
	finding_set_detail(f, "ALTER TABLE ALL IN TABLESPACE %s SET TABLESPACE %s copies every table there, one "
					   "after the other, each under %s for its whole copy.",
					   mv->orig_tablespacename, mv->new_tablespacename, blocks);
	finding_set_hint(f, "Move the large tables one by one with pg_repack --tablespace, online.");
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__Node *n = m->statements[i].node;

		if (n == NULL)
			continue;
		switch (n->node_case)
		{
			case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
				check_alter(ctx, i, n->alter_table_stmt);
				break;
			case PG_QUERY__NODE__NODE_ALTER_TABLE_MOVE_ALL_STMT:
				check_move_all(ctx, i, n->alter_table_move_all_stmt);
				break;
			case PG_QUERY__NODE__NODE_VACUUM_STMT:
				check_vacuum(ctx, i, n->vacuum_stmt);
				break;
			case PG_QUERY__NODE__NODE_CLUSTER_STMT:
				check_cluster(ctx, i, n->cluster_stmt);
				break;
			case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
				check_refresh(ctx, i, n->refresh_mat_view_stmt);
				break;
			default:
				break;
		}
	}
}

const rule	rule_table_rewrite = {
	.id = "table-rewrite",
	.title = "statement rewrites the whole table under ACCESS EXCLUSIVE",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "SET TABLESPACE, SET ACCESS METHOD, SET [UN]LOGGED, VACUUM FULL, CLUSTER, or REFRESH "
	"MATERIALIZED VIEW without CONCURRENTLY on an existing relation",
	.check = check,
};
