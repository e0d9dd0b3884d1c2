/*-------------------------------------------------------------------------
 * alters_could_combine.c
 *    alters-could-combine: consecutive ALTER TABLE statements on the
 *    same existing table in one transaction.
 *
 * PostgreSQL runs each ALTER TABLE on its own: a scan or rewrite that
 * one of them needs is a pass over the table of its own, all of it
 * under the lock the first one took.  One ALTER TABLE with all the
 * actions validates and rewrites in a single pass.  A run is broken by
 * any statement but SET and RESET (a backfill UPDATE between two ALTERs
 * is usually there for a reason); ATTACH and DETACH PARTITION cannot be
 * combined and end a run too.  Reported once per run, on its second
 * statement, with a fix that merges the actions: each later statement
 * is parsed again and its subcommands moved into the first's tree.
 * docs/rules/alters-could-combine.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_tree.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_alters_could_combine;

/* A run of ALTER TABLEs on one table. */
typedef struct alter_run
{
	const migration *m;
	strbuf		key;			/* the table's key, with " ONLY" when inh is off */
	int			n,
				cap;
	int		   *statements;
} alter_run;

/* Whether statement i is an ALTER TABLE of an existing table that could take more actions. */
static int
combinable(const rule_context *ctx, int i)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__AlterTableStmt *a = migration_alter_table(s);

	if (a == NULL || !s->in_block || a->relation == NULL || a->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
		migration_is_new(ctx, a->relation, i))
		return 0;
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);

		if (cmd == NULL || cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition ||
			cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition ||
			cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize)
			return 0;
	}
	return 1;
}

static void
run_key(const migration_statement *s, strbuf *key)
{
	const PgQuery__RangeVar *rv = s->node->alter_table_stmt->relation;

	strbuf_reset(key);
	strbuf_printf(key, "%d\n%s%s", s->transaction, migration_relation_key(rv), rv->inh ? "" : " ONLY");
}

/* Move the subcommands of the run's later statements into the first's tree. */
static void
merge_actions(PgQuery__Node *stmt, void *arg)
{
	const alter_run *run = arg;
	PgQuery__AlterTableStmt *into = stmt->alter_table_stmt;

	for (int k = 1; k < run->n; k++)
	{
		PgQuery__ParseResult *tree = sql_tree_parse(run->m->statements[run->statements[k]].sql, NULL);
		PgQuery__AlterTableStmt *from;

		if (tree == NULL || tree->n_stmts == 0 || tree->stmts[0]->stmt == NULL ||
			tree->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT)
		{
			sql_tree_free(tree);
			continue;
		}
		from = tree->stmts[0]->stmt->alter_table_stmt;
		into->cmds = xrealloc(into->cmds, sizeof(PgQuery__Node *) * (into->n_cmds + from->n_cmds));
		memcpy(into->cmds + into->n_cmds, from->cmds, sizeof(PgQuery__Node *) * from->n_cmds);
		into->n_cmds += from->n_cmds;
		from->n_cmds = 0;		/* the nodes belong to into now; the array is still freed */
		sql_tree_free(tree);
	}
}

/* "3, 4 and 5" */
static void
run_lines(const alter_run *run, strbuf *out)
{
	for (int k = 0; k < run->n; k++)
		strbuf_printf(out, "%s%d", k == 0 ? "" : k == run->n - 1 ? " and " : ", ",
					  run->m->statements[run->statements[k]].line);
}

static void
report(const rule_context *ctx, const alter_run *run)
{
	const migration_statement *s = &run->m->statements[run->statements[1]];
	finding    *f = migration_finding(&rule_alters_could_combine, ctx, run->statements[1]);
	strbuf		lines,
				fix;
	char	   *sql;

	if (f == NULL)
		return;
	strbuf_init(&lines);
	strbuf_init(&fix);
	run_lines(run, &lines);
	finding_set_detail(f, "Lines %s each alter %s in the same transaction: PostgreSQL runs every ALTER TABLE on "
					   "its own, so a scan or rewrite that one of them needs is a pass over the table of its own, "
					   "all under the lock the first one took.", lines.data,
					   migration_relation_name(s->node->alter_table_stmt->relation));
	finding_set_hint(f, "Combine them into one ALTER TABLE with all the actions, separated by commas: it "
					 "validates and rewrites the table in one pass. PostgreSQL orders the actions by kind, not "
					 "as written, so try the combined statement on staging.");
	sql = migration_edited_sql(&run->m->statements[run->statements[0]], merge_actions, (void *) run);
	if (sql)
	{
		strbuf_printf(&fix, "%s;", sql);
		strbuf_reset(&lines);
		strbuf_puts(&lines, "the actions of lines ");
		run_lines(run, &lines);
		strbuf_puts(&lines, " in one statement");
		finding_set_fix(f, fix.data, lines.data);
		free(sql);
	}
	strbuf_free(&lines);
	strbuf_free(&fix);
	finding_list_add(ctx->out, f);
}

static void
flush(const rule_context *ctx, alter_run *run)
{
	if (run->n >= 2)
		report(ctx, run);
	run->n = 0;
	strbuf_reset(&run->key);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	alter_run	run = {.m = m};
	strbuf		key;
	int			file = -1;

	strbuf_init(&run.key);
	strbuf_init(&key);
	for (int i = 0; i < m->nstatements; i++)
	{
		const migration_statement *s = &m->statements[i];

		if (s->node && s->node->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT && s->file == file)
			continue;
		if (!combinable(ctx, i))
		{
			flush(ctx, &run);
			continue;
		}
		run_key(s, &key);
		if (s->file != file || strcmp(key.data, run.key.data) != 0)
		{
			flush(ctx, &run);
			strbuf_puts(&run.key, key.data);
			file = s->file;
		}
		if (run.n == run.cap)
		{
			run.cap = run.cap ? run.cap * 2 : 4;
			run.statements = xrealloc(run.statements, sizeof(int) * (size_t) run.cap);
		}
		run.statements[run.n++] = i;
	}
	flush(ctx, &run);
	free(run.statements);
	strbuf_free(&run.key);
	strbuf_free(&key);
}

const rule	rule_alters_could_combine = {
	.id = "alters-could-combine",
	.title = "ALTER TABLE statements on one table could be one",
	.severity = FINDING_LOW,
	.scope = RULE_MIGRATION,
	.summary = "consecutive ALTER TABLE statements on the same existing table in one transaction",
	.check = check,
};
