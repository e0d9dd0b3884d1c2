/*-------------------------------------------------------------------------
 * statements_after_strong_lock.c
 *    statements-after-strong-lock: inside a transaction block, more
 *    statements after one that takes a lock blocking writes on an
 *    existing table.
 *
 * A table lock is held until the transaction ends, not until the
 * statement does.  An ALTER TABLE that takes ACCESS EXCLUSIVE for a
 * millisecond blocks the table for as long as the statements after it
 * take: a backfill, an index build, changes to other tables.  With
 * --single-transaction (a tool that wraps each file in one transaction)
 * that is every statement after it in the file.  Reported once per
 * transaction, on its first such statement, with how many statements
 * follow (COMMIT, ROLLBACK, SET and RESET do not count) and where the
 * transaction ends.  Each transaction is walked twice, so the rule is
 * linear in the migration.  docs/rules/statements-after-strong-lock.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/lib/hashmap.h"
#include "src/lib/strbuf.h"

#include <string.h>

extern const rule rule_statements_after_strong_lock;

/* Whether statement s counts as work that keeps the transaction open. */
static int
counts(const migration_statement *s)
{
	return s->node == NULL || (s->node->node_case != PG_QUERY__NODE__NODE_TRANSACTION_STMT &&
							   s->node->node_case != PG_QUERY__NODE__NODE_VARIABLE_SET_STMT);
}

/* Where the transaction whose last statement is last ends, for the detail. */
static void
describe_end(const migration *m, int last, strbuf *out)
{
	const PgQuery__Node *n = m->statements[last].node;

	if (n && n->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT &&
		(n->transaction_stmt->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT ||
		 n->transaction_stmt->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK ||
		 n->transaction_stmt->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE))
		strbuf_printf(out, "the %s at line %d",
					  n->transaction_stmt->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT ? "COMMIT"
					  : n->transaction_stmt->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK ? "ROLLBACK"
					  : "PREPARE TRANSACTION", m->statements[last].line);
	else if (m->options.single_transaction)
		strbuf_puts(out, "the end of the file, where the transaction that wraps it commits");
	else
		strbuf_puts(out, "the end of the migration, as no COMMIT ends it");
}

static void
report(const rule_context *ctx, int i, lock_mode mode, const PgQuery__RangeVar *on, int following, int last,
	   const strbuf *later)
{
	const migration *m = MIGRATION(ctx);
	finding    *f = migration_finding(&rule_statements_after_strong_lock, ctx, i);
	strbuf		end;

	if (f == NULL)
		return;
	strbuf_init(&end);
	describe_end(m, last, &end);
	finding_set_detail(f, "It takes %s on %s, which blocks %s, and %d more statement%s follow%s in the same "
					   "transaction, up to %s: the lock is held until then, through all of them.",
					   lock_mode_name(mode), on ? migration_relation_name(on) : "what it drops",
					   migration_lock_blocks(mode), following, following == 1 ? "" : "s",
					   following == 1 ? "s" : "", end.data);
	if (later->len)
		finding_append_detail(f, "Later statements of the transaction hold more tables the same way: %s.",
							  later->data);
	finding_set_hint(f, "End the transaction right after the statement that takes the lock (or make it the "
					 "last one), and give the backfills, index builds and changes to other tables "
					 "transactions of their own%s.",
					 m->options.single_transaction
					 ? ": with one transaction per file, a migration file of their own" : "");
	strbuf_free(&end);
	finding_list_add(ctx->out, f);
}

/* Whether rv is a table not yet seen in this transaction's list (seen is updated). */
static int
first_sight(hashmap *seen, const PgQuery__RangeVar *rv)
{
	const char *key = migration_relation_key(rv);
	int			inserted;

	hashmap_put(seen, key, strlen(key), hash_bytes(key, strlen(key)), &inserted);
	return inserted;
}

/* The transaction block that starts at statement start; returns the index past it. */
static int
check_transaction(const rule_context *ctx, int start)
{
	const migration *m = MIGRATION(ctx);
	int			end = start,
				remaining = 0,
				first = -1,
				first_following = 0,
				nlater = 0;
	lock_mode	first_mode = LOCK_NONE;
	const PgQuery__RangeVar *first_on = NULL;
	strbuf		later;
	hashmap    *seen = hashmap_create(8);

	while (end < m->nstatements && m->statements[end].in_block &&
		   m->statements[end].transaction == m->statements[start].transaction)
		remaining += counts(&m->statements[end++]);
	strbuf_init(&later);
	for (int i = start; i < end; i++)
	{
		const PgQuery__RangeVar *on;
		lock_mode	mode;

		remaining -= counts(&m->statements[i]);
		if (m->statements[i].node == NULL || (mode = migration_blocking_lock(ctx, i, &on)) == LOCK_NONE)
			continue;
		if (first < 0 && remaining > 0)
		{
			first = i;
			first_mode = mode;
			first_on = on;
			first_following = remaining;
			if (on)
				first_sight(seen, on);
		}
		else if (first >= 0 && on && first_sight(seen, on) && nlater++ < 3)
			strbuf_printf(&later, "%s%s (line %d)", later.len ? ", " : "", migration_relation_name(on),
						  m->statements[i].line);
	}
	if (nlater > 3)
		strbuf_printf(&later, " and %d more", nlater - 3);
	if (first >= 0)
		report(ctx, first, first_mode, first_on, first_following, end - 1, &later);
	strbuf_free(&later);
	hashmap_destroy(seen);
	return end;
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements;)
		i = m->statements[i].in_block ? check_transaction(ctx, i) : i + 1;
}

const rule	rule_statements_after_strong_lock = {
	.id = "statements-after-strong-lock",
	.title = "lock that blocks writes held through the rest of the transaction",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "statements that follow, in the same transaction, one that locks an existing table against writes",
	.check = check,
};
