/*-------------------------------------------------------------------------
 * lock_without_timeout.c
 *    lock-without-timeout: a lock that blocks writes, taken on an
 *    existing table with no lock_timeout in effect.
 *
 * The outage of most migrations is not the change but the wait for its
 * lock: an ALTER TABLE queued behind one long transaction holds its place
 * in the lock queue, and every query on the table queues behind it.
 * lock_timeout turns that into a quick failure to retry.  The settings in
 * effect are the model's (SET, SET LOCAL, RESET as the server follows
 * them, and the [migration] settings of pgsift.conf for what the
 * migration tool sets).  A statement whose table an earlier statement of
 * the same transaction already locked as strongly waits for nothing and
 * is not reported again.  docs/rules/lock-without-timeout.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"

#include <stdio.h>
#include <string.h>

extern const rule rule_lock_without_timeout;

static const rule_param params[] = {
	{"max_lock_timeout_ms", 10000, "a lock_timeout longer than this (ms) counts as none"},
	{NULL, 0, NULL}
};

/*
 * Whether an earlier statement of i's transaction block already holds a
 * lock at least as strong on the same table: then i waits for nothing.
 */
static int
already_held(const rule_context *ctx, int i, const PgQuery__RangeVar *on, lock_mode mode)
{
	const migration *m = MIGRATION(ctx);
	char		key[512];
	int			n;
	const int  *at;

	if (on == NULL || !m->statements[i].in_block)
		return 0;
	snprintf(key, sizeof(key), "%s", migration_relation_key(on));
	at = migration_relation_statements(m, key, &n);
	for (int k = 0; k < n && at[k] < i; k++)
	{
		const migration_statement *e = &m->statements[at[k]];
		statement_lock lock;

		if (e->transaction != m->statements[i].transaction)
			continue;
		statement_lock_of(e->node, ctx->migration->pg_version, &lock);
		if ((lock.relation && lock.mode >= mode && strcmp(migration_relation_key(lock.relation), key) == 0) ||
			(lock.other && lock.other_mode >= mode && strcmp(migration_relation_key(lock.other), key) == 0))
			return 1;
	}
	return 0;
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	double		max_ms = rule_param_value(ctx, &rule_lock_without_timeout, "max_lock_timeout_ms");

	for (int i = 0; i < m->nstatements; i++)
	{
		const migration_statement *s = &m->statements[i];
		const PgQuery__RangeVar *on;
		lock_mode	mode;
		double		timeout = s->settings.lock_timeout_ms;
		finding    *f;

		if (s->node == NULL || (timeout != 0 && timeout <= max_ms))
			continue;
		if ((mode = migration_blocking_lock(ctx, i, &on)) == LOCK_NONE || already_held(ctx, i, on, mode))
			continue;
		if ((f = migration_finding(&rule_lock_without_timeout, ctx, i)) == NULL)
			continue;
		if (timeout < 0)
			timeout = 0;
		finding_set_detail(f, "It takes %s on %s, which blocks %s, %s: if a long transaction holds the "
						   "table, this statement waits, and every query on the table queues behind it.",
						   lock_mode_name(mode), on ? migration_relation_name(on) : "its table",
						   migration_lock_blocks(mode),
						   timeout == 0 ? "with no lock_timeout in effect" : "with a lock_timeout over the limit");
		finding_set_hint(f, "Set a short lock_timeout first (SET LOCAL inside a transaction block) and retry the "
						 "migration when it times out.");
		finding_set_fix(f, s->in_block ? "SET LOCAL lock_timeout = '2s';" : "SET lock_timeout = '2s';",
						"before the statement: give up after 2 s instead of stalling the table");
		finding_list_add(ctx->out, f);
	}
}

const rule	rule_lock_without_timeout = {
	.id = "lock-without-timeout",
	.title = "lock that blocks writes taken without lock_timeout",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "a lock that blocks writes on an existing table, with no lock_timeout in effect",
	.check = check,
	.params = params,
};
