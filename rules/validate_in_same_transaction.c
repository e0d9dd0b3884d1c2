/*-------------------------------------------------------------------------
 * validate_in_same_transaction.c
 *    validate-in-same-transaction: VALIDATE CONSTRAINT in the transaction
 *    that added the constraint NOT VALID.
 *
 * The recipe for a constraint on a busy table is ADD ... NOT VALID (a
 * strong lock for a moment), COMMIT, then VALIDATE CONSTRAINT (a scan
 * under SHARE UPDATE EXCLUSIVE, which blocks no reads or writes).  Run
 * both in one transaction and the ADD's lock (SHARE ROW EXCLUSIVE on
 * both tables for a foreign key, ACCESS EXCLUSIVE for a CHECK) is held
 * until COMMIT, through the whole validating scan: the recipe buys
 * nothing.  One ALTER TABLE that does both is the same.  Each table's statements are walked once, in order, keeping
 * the constraints added NOT VALID in the transaction open at each.
 * docs/rules/validate-in-same-transaction.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_constraints.h"
#include "rules/migration_rules.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern const rule rule_validate_in_same_transaction;

/* A constraint added NOT VALID in the open transaction. */
typedef struct pending
{
	char	   *name;
	int			statement;		/* the ADD */
	lock_mode	mode;			/* what the ADD holds until COMMIT */
} pending;

typedef struct pending_list
{
	int			n;
	int			cap;
	pending    *items;
	hashmap    *by_name;		/* name -> index + 1 into items */
	int			transaction;	/* the transaction they were added in */
} pending_list;

static void
pending_clear(pending_list *p)
{
	for (int k = 0; k < p->n; k++)
		free(p->items[k].name);
	p->n = 0;
	if (p->by_name)
		hashmap_destroy(p->by_name);
	p->by_name = NULL;
}

static void
pending_add(pending_list *p, const PgQuery__AlterTableStmt *a, const PgQuery__AlterTableCmd *cmd,
			const PgQuery__Constraint *con, int i, int pg_version)
{
	strbuf		name;
	int			inserted;

	if (p->n == p->cap)
	{
		p->cap = p->cap ? p->cap * 2 : 4;
		p->items = xrealloc(p->items, sizeof(pending) * (size_t) p->cap);
	}
	strbuf_init(&name);
	migration_constraint_name(&name, a->relation, con, NULL);
	if (p->by_name == NULL)
		p->by_name = hashmap_create(16);
	*hashmap_put(p->by_name, name.data, name.len, hash_bytes(name.data, name.len), &inserted) =
		(void *) (intptr_t) (p->n + 1);
	p->items[p->n++] = (pending) {
		.name = strbuf_detach(&name), .statement = i, .mode = alter_table_cmd_lock(cmd, pg_version),
	};
}

static const pending *
pending_named(const pending_list *p, const char *name)
{
	void	   *v = p->by_name ? hashmap_get(p->by_name, name, strlen(name), hash_bytes(name, strlen(name))) : NULL;

	return v ? &p->items[(intptr_t) v - 1] : NULL;
}

static void
report(const rule_context *ctx, int i, const PgQuery__AlterTableStmt *a, const char *name, const pending *added)
{
	const migration *m = MIGRATION(ctx);
	finding    *f = migration_finding(&rule_validate_in_same_transaction, ctx, i);
	strbuf		sql;

	if (f == NULL)
		return;
	finding_set_lock(f, lock_mode_name(added->mode), 0);
	if (added->statement == i)
		finding_set_detail(f, "VALIDATE CONSTRAINT %s scans %s in the statement that adds the constraint NOT "
						   "VALID: the %s lock that ADD CONSTRAINT takes is held until the transaction ends, so the "
						   "whole scan blocks %s, as if NOT VALID had not been used.",
						   name, migration_relation_name(a->relation), lock_mode_name(added->mode),
						   migration_lock_blocks(added->mode));
	else
		finding_set_detail(f, "VALIDATE CONSTRAINT %s scans %s inside the transaction opened at line %d, which "
						   "added the constraint NOT VALID at line %d: the %s lock that ADD CONSTRAINT took is "
						   "held until COMMIT, so the whole scan blocks %s, as if NOT VALID had not been used.",
						   name, migration_relation_name(a->relation), migration_block_start_line(m, i),
						   m->statements[added->statement].line, lock_mode_name(added->mode),
						   migration_lock_blocks(added->mode));
	finding_set_hint(f, "Commit after ADD CONSTRAINT ... NOT VALID and validate in a transaction of its own (with "
					 "a tool that wraps each migration in a transaction, in the next migration): alone, VALIDATE "
					 "takes SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.");
	strbuf_init(&sql);
	strbuf_printf(&sql, "ALTER TABLE %s VALIDATE CONSTRAINT ", migration_relation_name(a->relation));
	sql_append_ident(&sql, name);
	strbuf_putc(&sql, ';');
	finding_set_fix(f, sql.data, "run it in a transaction of its own, after the one that adds the constraint commits");
	strbuf_free(&sql);
	finding_list_add(ctx->out, f);
}

/* Statement i's subcommands on the table, in order, against the open transaction's list. */
static void
walk_statement(const rule_context *ctx, pending_list *p, int i)
{
	const migration_statement *s = &MIGRATION(ctx)->statements[i];
	const PgQuery__AlterTableStmt *a = s->node->alter_table_stmt;

	/* outside a block the statement is its own transaction */
	if (!s->in_block || s->transaction != p->transaction)
	{
		pending_clear(p);
		p->transaction = s->transaction;
	}
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);
		const PgQuery__Constraint *con;
		const pending *added;

		if (cmd == NULL)
			continue;
		con = alter_table_cmd_constraint(cmd);
		if (con && con->skip_validation)
			pending_add(p, a, cmd, con, i, ctx->migration->pg_version);
		else if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint ||
				  cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse) &&
				 cmd->name && (added = pending_named(p, cmd->name)) != NULL)
			report(ctx, i, a, cmd->name, added);
	}
}

/* Walk the statements of the table statement i alters; mark them done. */
static void
walk_table(const rule_context *ctx, int i, char *done)
{
	const migration *m = MIGRATION(ctx);
	char	   *key = xstrdup(migration_relation_key(m->statements[i].node->alter_table_stmt->relation));
	pending_list p = {.transaction = -1};
	int			n;
	const int  *list = migration_relation_statements(m, key, &n);

	for (int k = 0; k < n; k++)
	{
		/* a foreign key lists its statement under the referenced table too */
		if (!migration_alters(&m->statements[list[k]], key))
			continue;
		done[list[k]] = 1;
		walk_statement(ctx, &p, list[k]);
	}
	pending_clear(&p);
	free(p.items);
	free(key);
}

/* Whether a validates a constraint. */
static int
validates_constraint(const PgQuery__AlterTableStmt *a)
{
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);

		if (cmd && (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint ||
					cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse))
			return 1;
	}
	return 0;
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	char	   *done = xcalloc((size_t) m->nstatements + 1, 1);

	for (int i = 0; i < m->nstatements; i++)
	{
		const migration_statement *s = &m->statements[i];
		const PgQuery__AlterTableStmt *a = migration_alter_table(s);

		if (a && a->relation && !done[i] && validates_constraint(a) &&
			!migration_is_new(ctx, a->relation, i))
			walk_table(ctx, i, done);
	}
	free(done);
}

const rule	rule_validate_in_same_transaction = {
	.id = "validate-in-same-transaction",
	.title = "constraint validated in the transaction that added it NOT VALID",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "VALIDATE CONSTRAINT in the same transaction as its ADD ... NOT VALID (the strong lock is held)",
	.check = check,
};
