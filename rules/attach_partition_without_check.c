/*-------------------------------------------------------------------------
 * attach_partition_without_check.c
 *    attach-partition-without-check: ATTACH PARTITION of an existing
 *    table that no valid CHECK constraint has prepared.
 *
 * Attaching a table as a partition proves that every row fits the
 * partition bound: PostgreSQL reads the whole table under ACCESS
 * EXCLUSIVE on it, unless a valid CHECK constraint of the table already
 * implies the bound.  Before PostgreSQL 12 ATTACH PARTITION also holds
 * ACCESS EXCLUSIVE on the parent meanwhile (severity high then).  We
 * cannot prove statically that a CHECK implies the bound, so any valid
 * CHECK added to the table earlier in the migration is taken as the
 * safe form.  The fix writes that CHECK from the bound when the parent's
 * partition key is known (the parent is created in the migration, on one
 * column).  docs/rules/attach-partition-without-check.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_constraints.h"
#include "rules/migration_rules.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_attach_partition_without_check;

/* The PartitionCmd of an ATTACH PARTITION, or NULL. */
static const PgQuery__PartitionCmd *
attached(const PgQuery__AlterTableStmt *a)
{
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);

		if (cmd && cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition && cmd->def &&
			cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD && cmd->def->partition_cmd->name)
			return cmd->def->partition_cmd;
	}
	return NULL;
}

/*
 * The ALTER TABLEs of one table, in order, and whether a valid CHECK is
 * present after each: built once per table attached, then asked in
 * O(log n) per ATTACH.
 */
typedef struct check_history
{
	int			n;
	int		   *statements;
	char	   *valid_after;
} check_history;

static check_history *
history_of(const migration *m, const char *key)
{
	check_history *h = xcalloc(1, sizeof(*h));
	migration_checks checks = {0};
	int			n;
	const int  *list = migration_relation_statements(m, key, &n);

	h->statements = xcalloc((size_t) n + 1, sizeof(int));
	h->valid_after = xcalloc((size_t) n + 1, 1);
	for (int k = 0; k < n; k++)
	{
		if (!migration_alters(&m->statements[list[k]], key))
			continue;
		migration_checks_apply(&checks, m->statements[list[k]].node->alter_table_stmt);
		h->statements[h->n] = list[k];
		h->valid_after[h->n++] = (char) migration_checks_valid(&checks, NULL);
	}
	migration_checks_free(&checks);
	return h;
}

/* Whether a valid CHECK is present on the table of h before statement i. */
static int
prepared(const check_history *h, int i)
{
	int			lo = 0,
				hi = h->n;		/* the first statement at or after i is in [lo, hi] */

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (h->statements[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && h->valid_after[lo - 1];
}

/* The history of the table called key, from memo or built into it. */
static const check_history *
memo_history(hashmap *memo, const migration *m, const char *key)
{
	int			inserted;
	void	  **slot = hashmap_put(memo, key, strlen(key), hash_bytes(key, strlen(key)), &inserted);

	if (inserted)
		*slot = history_of(m, key);
	return *slot;
}

static void
memo_free(hashmap *memo)
{
	size_t		pos = 0;
	const char *key;
	size_t		keylen;
	void	   *value;

	while (hashmap_next(memo, &pos, &key, &keylen, &value))
	{
		check_history *h = value;

		free(h->statements);
		free(h->valid_after);
		free(h);
	}
	hashmap_destroy(memo);
}

/* The parent's partition key column when the migration created it on one column, else NULL. */
static const char *
partition_key(const migration *m, const PgQuery__RangeVar *parent, int i)
{
	int			c = migration_created_before(m, migration_relation_key(parent), i);
	const PgQuery__Node *n = c >= 0 ? m->statements[c].node : NULL;
	const PgQuery__PartitionSpec *spec;

	if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_CREATE_STMT || (spec = n->create_stmt->partspec) == NULL ||
		spec->n_part_params != 1 || spec->part_params[0]->node_case != PG_QUERY__NODE__NODE_PARTITION_ELEM)
		return NULL;
	return spec->part_params[0]->partition_elem->name && spec->part_params[0]->partition_elem->name[0]
		? spec->part_params[0]->partition_elem->name : NULL;
}

/* Whether a range datum is MINVALUE or MAXVALUE. */
static int
unbounded(const PgQuery__Node *datum)
{
	return datum->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && datum->column_ref->n_fields == 1;
}

/* Append " AND key op datum" unless the datum is unbounded; 0 if it cannot be written. */
static int
append_range_side(strbuf *sb, const char *key, const char *op, const PgQuery__Node *datum)
{
	char	   *value;

	if (unbounded(datum))
		return 1;
	if ((value = migration_expression_sql(datum)) == NULL)
		return 0;
	strbuf_printf(sb, " AND %s %s %s", key, op, value);
	free(value);
	return 1;
}

static int
append_list(strbuf *sb, const char *key, const PgQuery__PartitionBoundSpec *b)
{
	strbuf		values;
	int			has_null = 0;

	strbuf_init(&values);
	for (size_t k = 0; k < b->n_listdatums; k++)
	{
		const PgQuery__Node *d = b->listdatums[k];
		char	   *value;

		if (d->node_case == PG_QUERY__NODE__NODE_A_CONST && d->a_const->isnull)
		{
			has_null = 1;
			continue;
		}
		if ((value = migration_expression_sql(d)) == NULL)
			break;
		strbuf_printf(&values, "%s%s", values.len ? ", " : "", value);
		free(value);
	}
	if (values.len == 0)
		strbuf_printf(sb, "%s IS NULL", key);
	else
		strbuf_printf(sb, "%s IS %s %s IN (%s)", key, has_null ? "NULL OR" : "NOT NULL AND", key, values.data);
	strbuf_free(&values);
	return 1;
}

/* satisfies_hash_partition('parent'::regclass, modulus, remainder, key): the bound itself. */
static int
append_hash(strbuf *sb, const char *key, const PgQuery__RangeVar *parent, const PgQuery__PartitionBoundSpec *b)
{
	const char *name = migration_relation_name(parent);

	strbuf_puts(sb, "satisfies_hash_partition('");
	for (const char *c = name; *c; c++)
	{
		if (*c == '\'')
			strbuf_putc(sb, '\'');	/* doubled in a literal */
		strbuf_putc(sb, *c);
	}
	strbuf_printf(sb, "'::regclass, %d, %d, %s)", b->modulus, b->remainder, key);
	return 1;
}

/*
 * A CHECK expression that implies bound on key (of parent), into sb, in
 * the shape PostgreSQL's proof recognizes; 0 when there is none to write.
 */
static int
bound_check(strbuf *sb, const char *key, const PgQuery__RangeVar *parent, const PgQuery__PartitionBoundSpec *b)
{
	if (b == NULL || b->is_default || b->strategy == NULL)
		return 0;
	if (strcmp(b->strategy, "l") == 0)
		return append_list(sb, key, b);
	if (strcmp(b->strategy, "h") == 0)
		return append_hash(sb, key, parent, b);
	if (strcmp(b->strategy, "r") != 0 || b->n_lowerdatums != 1 || b->n_upperdatums != 1)
		return 0;
	strbuf_printf(sb, "%s IS NOT NULL", key);
	return append_range_side(sb, key, ">=", b->lowerdatums[0]) && append_range_side(sb, key, "<", b->upperdatums[0]);
}

/* The recipe: the CHECK, its validation, the ATTACH, the DROP. */
static void
set_fix(finding *f, const migration *m, int i, const PgQuery__RangeVar *parent, const PgQuery__PartitionCmd *pc)
{
	const char *known = partition_key(m, parent, i);
	strbuf		key,
				expr,
				name,
				sql;
	char	   *child = xstrdup(migration_relation_name(pc->name));

	strbuf_init(&key);
	strbuf_init(&expr);
	strbuf_init(&name);
	strbuf_init(&sql);
	sql_append_ident(&key, known ? known : "partition_key");
	if (bound_check(&expr, key.data, parent, pc->bound))
	{
		migration_object_name(&name, pc->name->relname, NULL, "bound");
		strbuf_printf(&sql, "ALTER TABLE %s ADD CONSTRAINT ", child);
		sql_append_ident(&sql, name.data);
		strbuf_printf(&sql, " CHECK (%s) NOT VALID;\nALTER TABLE %s VALIDATE CONSTRAINT ", expr.data, child);
		sql_append_ident(&sql, name.data);
		strbuf_printf(&sql, ";\n%s;\nALTER TABLE %s DROP CONSTRAINT ", m->statements[i].sql, child);
		sql_append_ident(&sql, name.data);
		strbuf_putc(&sql, ';');
		finding_set_fix(f, sql.data, known ? "prove the bound with a CHECK validated without blocking, then attach"
						: "prove the bound with a CHECK validated without blocking, then attach "
						"(write the parent's partition key for partition_key)");
	}
	strbuf_free(&sql);
	strbuf_free(&name);
	strbuf_free(&expr);
	strbuf_free(&key);
	free(child);
}

static void
report(const rule_context *ctx, int i, const PgQuery__RangeVar *parent, const PgQuery__PartitionCmd *pc)
{
	int			version = ctx->migration->pg_version;
	finding    *f = migration_finding(&rule_attach_partition_without_check, ctx, i);
	char	   *child;

	if (f == NULL)
		return;
	child = xstrdup(migration_relation_name(pc->name));
	if (version < 12)
		f->severity = FINDING_HIGH;
	finding_set_lock(f, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), 0);
	finding_add_table(f, migration_relation_key(pc->name));
	finding_set_detail(f, "ATTACH PARTITION reads every row of %s to prove it fits the partition bound, while it "
					   "holds ACCESS EXCLUSIVE on %s, which blocks %s; no valid CHECK constraint added to %s earlier "
					   "in the migration lets PostgreSQL skip the scan.", child, child,
					   migration_lock_blocks(LOCK_ACCESS_EXCLUSIVE), child);
	if (version < 12)
		finding_append_detail(f, "Before PostgreSQL 12 it also holds ACCESS EXCLUSIVE on the parent %s for the "
							  "whole scan: no query on the partitioned table runs meanwhile.",
							  migration_relation_name(parent));
	else
		finding_append_detail(f, "The parent %s is only held in SHARE UPDATE EXCLUSIVE.", migration_relation_name(parent));
	if (pc->bound && pc->bound->is_default)
		finding_set_hint(f, "A default partition's bound is every value no other partition takes: a CHECK that "
						 "implies it must exclude each of their bounds. Write that CHECK, add it NOT VALID and "
						 "validate it in a transaction of its own before attaching, or attach while the table is "
						 "quiet, with a short lock_timeout.");
	else
		finding_set_hint(f, "Before attaching, add to %s a CHECK constraint that implies the partition bound (with "
						 "the key IS NOT NULL, unless the bound admits NULL) NOT VALID, and validate it in a "
						 "transaction of its own: ATTACH PARTITION then skips the scan. Drop the CHECK once "
						 "attached.", child);
	set_fix(f, MIGRATION(ctx), i, parent, pc);
	free(child);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	hashmap    *memo = NULL;

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__AlterTableStmt *a = migration_alter_table(&m->statements[i]);
		const PgQuery__PartitionCmd *pc = a && a->relation ? attached(a) : NULL;
		char	   *child;

		if (pc == NULL || migration_is_new(ctx, pc->name, i))
			continue;
		if (memo == NULL)
			memo = hashmap_create(16);
		child = xstrdup(migration_relation_key(pc->name));
		if (!prepared(memo_history(memo, m, child), i))
			report(ctx, i, a->relation, pc);
		free(child);
	}
	if (memo)
		memo_free(memo);
}

const rule	rule_attach_partition_without_check = {
	.id = "attach-partition-without-check",
	.title = "ATTACH PARTITION scans the table under ACCESS EXCLUSIVE",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "ATTACH PARTITION of an existing table with no valid CHECK constraint added to it first",
	.check = check,
};
