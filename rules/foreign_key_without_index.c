/*-------------------------------------------------------------------------
 * foreign_key_without_index.c
 *    foreign-key-without-index: a foreign key that a migration adds to a
 *    table it creates, with no index on the referencing columns.
 *
 * Each DELETE from the referenced table, and each UPDATE of its key,
 * looks up the referencing rows: without an index whose leading columns
 * are the key's (in any order), that is a sequential scan of the
 * referencing table per row, and joins through the key cannot use an
 * index either (the catalog rule rules/fk_without_index.c judges this
 * on a live database).  Statically only a table the migration creates
 * can be judged: there the migration shows every index it has, the
 * PRIMARY KEY and UNIQUE constraints of its CREATE TABLE and later ADD
 * CONSTRAINTs, and its CREATE INDEX statements.  A table copied with
 * LIKE or created as a partition inherits indexes we cannot see, and is
 * not judged.  With --dsn an existing table is judged too, its indexes
 * read from the catalog (valid, not partial, their leading plain
 * columns) and the migration's own added to them.
 * docs/rules/foreign-key-without-index.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_constraints.h"
#include "rules/migration_rules.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_foreign_key_without_index;

/*
 * The indexes of one table, as the sets of columns their leading
 * columns form: an index on (a, b, c) covers the keys {a}, {a, b} and
 * {a, b, c}, so a key is covered when its own set is present.  A set is
 * its names sorted, each ended by a NUL.
 */
typedef struct table_indexes
{
	hashmap    *sets;
} table_indexes;

static const char *
string_of(const PgQuery__Node *n)
{
	return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void
set_key(strbuf *sb, const char **cols, int n)
{
	const char **sorted = xcalloc((size_t) n + 1, sizeof(char *));

	memcpy(sorted, cols, sizeof(char *) * (size_t) n);
	qsort(sorted, (size_t) n, sizeof(char *), compare_names);
	strbuf_reset(sb);
	for (int k = 0; k < n; k++)
		strbuf_append(sb, sorted[k], strlen(sorted[k]) + 1);
	free(sorted);
}

/* Record an index whose leading plain columns are cols[0..n). */
static void
add_index(table_indexes *t, const char **cols, int n)
{
	strbuf		key;
	int			inserted;

	if (t->sets == NULL)
		t->sets = hashmap_create(16);
	strbuf_init(&key);
	for (int p = 1; p <= n; p++)
	{
		set_key(&key, cols, p);
		*hashmap_put(t->sets, key.data, key.len, hash_bytes(key.data, key.len), &inserted) = (void *) 1;
	}
	strbuf_free(&key);
}

static int
covered(const table_indexes *t, const char **cols, int n)
{
	strbuf		key;
	int			found;

	if (t->sets == NULL)
		return 0;
	strbuf_init(&key);
	set_key(&key, cols, n);
	found = hashmap_get(t->sets, key.data, key.len, hash_bytes(key.data, key.len)) != NULL;
	strbuf_free(&key);
	return found;
}

/* The index a PRIMARY KEY or UNIQUE constraint builds (column: of a column constraint). */
static void
add_key_index(table_indexes *t, const PgQuery__Constraint *con, const char *column)
{
	const char **cols;
	int			n = 0;

	if (con->contype != PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY && con->contype != PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE)
		return;
	if (con->indexname && con->indexname[0])
		return;					/* USING INDEX: its CREATE INDEX is counted */
	cols = xcalloc(con->n_keys + 2, sizeof(char *));
	if (con->n_keys == 0 && column)
		cols[n++] = column;
	for (size_t k = 0; k < con->n_keys && string_of(con->keys[k]); k++)
		cols[n++] = string_of(con->keys[k]);
	add_index(t, cols, n);
	free(cols);
}

/* A CREATE INDEX on the table: btree or hash (one column), not partial. */
static void
add_create_index(table_indexes *t, const PgQuery__IndexStmt *s)
{
	const char *am = s->access_method;
	const char **cols;
	int			n = 0;

	if (s->where_clause || (am && am[0] && strcmp(am, "btree") != 0 && strcmp(am, "hash") != 0))
		return;
	cols = xcalloc(s->n_index_params + 1, sizeof(char *));
	for (size_t k = 0; k < s->n_index_params; k++)
	{
		const PgQuery__Node *p = s->index_params[k];

		if (p->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM || !p->index_elem->name || !p->index_elem->name[0])
			break;				/* an expression: the columns after it do not lead */
		cols[n++] = p->index_elem->name;
	}
	add_index(t, cols, n);
	free(cols);
}

/* The foreign key columns of con (column: of a column constraint), into cols; how many. */
static int
key_columns(const PgQuery__Constraint *con, const char *column, const char **cols)
{
	int			n = 0;

	if (con->n_fk_attrs == 0 && column)
		cols[n++] = column;
	for (size_t k = 0; k < con->n_fk_attrs && string_of(con->fk_attrs[k]); k++)
		cols[n++] = string_of(con->fk_attrs[k]);
	return n;
}

static void
report(const rule_context *ctx, int i, const PgQuery__RangeVar *rel, const PgQuery__Constraint *con,
	   const char **cols, int n)
{
	const migration *m = MIGRATION(ctx);
	const migration_statement *s = &m->statements[i];
	finding    *f = migration_finding(&rule_foreign_key_without_index, ctx, i);
	statement_lock lock;
	strbuf		name,
				list,
				sql;
	char	   *table;

	if (f == NULL)
		return;
	strbuf_init(&name);
	strbuf_init(&list);
	strbuf_init(&sql);
	migration_constraint_name(&name, rel, con, n == 1 ? cols[0] : NULL);
	for (int c = 0; c < n; c++)
	{
		if (c > 0)
			strbuf_puts(&list, ", ");
		sql_append_ident(&list, cols[c]);
	}
	statement_lock_of(s->node, ctx->migration->pg_version, &lock);
	finding_set_lock(f, lock_mode_name(lock.mode > LOCK_SHARE_ROW_EXCLUSIVE ? lock.mode : LOCK_SHARE_ROW_EXCLUSIVE), 0);
	finding_add_table(f, migration_relation_key(rel));
	finding_add_table(f, migration_relation_key(con->pktable));
	table = xstrdup(migration_relation_name(rel));
	finding_set_detail(f, "Foreign key %s on %s (%s) references %s, and no index of %s in the migration leads with "
					   "those columns: each DELETE from %s, and each UPDATE of its key, must find the referencing "
					   "rows with a sequential scan of %s.", name.data, table, list.data,
					   migration_relation_name(con->pktable), table, migration_relation_name(con->pktable), table);
	finding_set_hint(f, "Index the referencing columns in this migration: %s is new, so a plain CREATE INDEX blocks "
					 "nobody. Any index whose leading columns are the key's, in any order, serves; joins through "
					 "the key use it too.", table);
	strbuf_printf(&sql, "CREATE INDEX ON %s (%s);", table, list.data);
	finding_set_fix(f, sql.data, "index the referencing columns");
	/* one finding per key: a statement may add several */
	strbuf_reset(&name);
	strbuf_printf(&name, "%s\n%s\n%s", migration_statement_path(m, i), s->sql, list.data);
	finding_set_key(f, name.data);
	free(table);
	strbuf_free(&sql);
	strbuf_free(&list);
	strbuf_free(&name);
	finding_list_add(ctx->out, f);
}

/* Report foreign key con of statement i unless an index of t covers it. */
static void
judge(const rule_context *ctx, const table_indexes *t, int i, const PgQuery__RangeVar *rel,
	  const PgQuery__Constraint *con, const char *column)
{
	const char **cols;
	int			n;

	if (con->contype != PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN || con->pktable == NULL)
		return;
	cols = xcalloc(con->n_fk_attrs + 2, sizeof(char *));
	n = key_columns(con, column, cols);
	if (n > 0 && !covered(t, cols, n))
		report(ctx, i, rel, con, cols, n);
	free(cols);
}

/* The ADD COLUMN's ColumnDef of cmd, or NULL. */
static const PgQuery__ColumnDef *
added_column(const PgQuery__AlterTableCmd *cmd)
{
	if ((cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
		 cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse) ||
		cmd->def == NULL || cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
		return NULL;
	return cmd->def->column_def;
}

/* One constraint of statement i: its index (pass 0) or its foreign key (pass 1). */
static void
visit(const rule_context *ctx, table_indexes *t, int pass, int i, const PgQuery__RangeVar *rel,
	  const PgQuery__Constraint *con, const char *column)
{
	if (pass == 0)
		add_key_index(t, con, column);
	else
		judge(ctx, t, i, rel, con, column);
}

static void
visit_column(const rule_context *ctx, table_indexes *t, int pass, int i, const PgQuery__RangeVar *rel,
			 const PgQuery__ColumnDef *col)
{
	for (size_t c = 0; c < col->n_constraints; c++)
		if (col->constraints[c]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			visit(ctx, t, pass, i, rel, col->constraints[c]->constraint, col->colname);
}

static void
visit_create(const rule_context *ctx, table_indexes *t, int pass, int c)
{
	const PgQuery__CreateStmt *cs = MIGRATION(ctx)->statements[c].node->create_stmt;

	for (size_t k = 0; k < cs->n_table_elts; k++)
	{
		const PgQuery__Node *e = cs->table_elts[k];

		if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			visit_column(ctx, t, pass, c, cs->relation, e->column_def);
		else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			visit(ctx, t, pass, c, cs->relation, e->constraint, NULL);
	}
}

static void
visit_alter(const rule_context *ctx, table_indexes *t, int pass, int i)
{
	const PgQuery__AlterTableStmt *a = MIGRATION(ctx)->statements[i].node->alter_table_stmt;

	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);
		const PgQuery__Constraint *con;
		const PgQuery__ColumnDef *col;

		if (cmd == NULL)
			continue;
		if ((con = alter_table_cmd_constraint(cmd)) != NULL)
			visit(ctx, t, pass, i, a->relation, con, NULL);
		else if ((col = added_column(cmd)) != NULL)
			visit_column(ctx, t, pass, i, a->relation, col);
	}
}

/* Whether the migration shows every index of the table CREATE TABLE cs makes. */
static int
judgeable(const PgQuery__CreateStmt *cs)
{
	if (cs->partbound)
		return 0;				/* a partition: its parent's indexes */
	for (size_t k = 0; k < cs->n_table_elts; k++)
		if (cs->table_elts[k]->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE)
			return 0;			/* LIKE ... INCLUDING INDEXES */
	return 1;
}

/* Whether statement s builds an index on the relation called key. */
static int
indexes(const migration_statement *s, const char *key)
{
	return s->node && s->node->node_case == PG_QUERY__NODE__NODE_INDEX_STMT && s->node->index_stmt->relation &&
		strcmp(migration_relation_key(s->node->index_stmt->relation), key) == 0;
}

/*
 * The statements list[0..n) on the table called key that come after
 * statement after: pass 0 gathers the indexes they build, pass 1 judges
 * the foreign keys their ALTERs add against them.
 */
static void
visit_later(const rule_context *ctx, table_indexes *t, int pass, const char *key,
			const int *list, int n, int after)
{
	const migration *m = MIGRATION(ctx);

	for (int k = 0; k < n; k++)
	{
		const migration_statement *s = &m->statements[list[k]];

		if (list[k] <= after)
			continue;
		if (migration_alters(s, key))
			visit_alter(ctx, t, pass, list[k]);
		else if (pass == 0 && indexes(s, key))
			add_create_index(t, s->node->index_stmt);
	}
}

/* The table CREATE TABLE c makes: its indexes first, then its foreign keys. */
static void
walk_table(const rule_context *ctx, int c)
{
	const migration *m = MIGRATION(ctx);
	char	   *key = xstrdup(migration_relation_key(m->statements[c].node->create_stmt->relation));
	table_indexes t = {0};
	int			n;
	const int  *list = migration_relation_statements(m, key, &n);

	for (int pass = 0; pass < 2; pass++)
	{
		visit_create(ctx, &t, pass, c);
		visit_later(ctx, &t, pass, key, list, n, c);
	}
	if (t.sets)
		hashmap_destroy(t.sets);
	free(key);
}

/* The valid indexes the catalog of --dsn has on table schema.name, into t; 0 when it has no such table. */
static int
seed_from_catalog(const catalog_snapshot *cat, const PgQuery__RangeVar *rel, table_indexes *t)
{
	const catalog_table *table = catalog_find_table(cat, rel->schemaname && rel->schemaname[0] ? rel->schemaname
													: "public", rel->relname);

	if (table == NULL)
		return 0;
	for (int i = 0; i < cat->nindexes; i++)
	{
		const catalog_index *x = &cat->indexes[i];
		const char *cols[32];
		int			n = 0;

		if (x->table_oid != table->oid || !x->valid || x->predicate)
			continue;
		/* the leading plain columns: an expression ends what the index can serve a key with */
		while (n < x->nkeys && n < 32 && x->columns[n])
		{
			cols[n] = x->columns[n];
			n++;
		}
		for (int k = 1; k <= n; k++)
			add_index(t, cols, k);
	}
	return 1;
}

/*
 * An existing table the migration adds a foreign key to, with --dsn: its
 * indexes are the catalog's and every one the migration builds on it.
 */
static void
walk_existing(const rule_context *ctx, const PgQuery__RangeVar *rel)
{
	const migration *m = MIGRATION(ctx);
	char	   *key = xstrdup(migration_relation_key(rel));
	table_indexes t = {0};
	int			n;
	const int  *list = migration_relation_statements(m, key, &n);

	if (seed_from_catalog(ctx->migration->catalog, rel, &t))
		for (int pass = 0; pass < 2; pass++)
			visit_later(ctx, &t, pass, key, list, n, -1);
	if (t.sets)
		hashmap_destroy(t.sets);
	free(key);
}

/* Whether ALTER TABLE a adds a foreign key. */
static int
adds_foreign_key(const PgQuery__AlterTableStmt *a)
{
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);
		const PgQuery__Constraint *con = cmd ? alter_table_cmd_constraint(cmd) : NULL;

		if (con && con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
			return 1;
	}
	return 0;
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);
	hashmap    *walked = ctx->migration->catalog ? hashmap_create(16) : NULL;

	for (int i = 0; i < m->nstatements; i++)
	{
		const PgQuery__Node *n = m->statements[i].node;

		/* the first CREATE of a name makes the table; a later one fails or does nothing */
		if (n && n->node_case == PG_QUERY__NODE__NODE_CREATE_STMT && n->create_stmt->relation &&
			judgeable(n->create_stmt) &&
			migration_created_before(m, migration_relation_key(n->create_stmt->relation), i + 1) == i)
			walk_table(ctx, i);
		/* with --dsn, a table that exists too: the catalog shows its indexes */
		else if (walked && n && n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT &&
				 n->alter_table_stmt->relation && adds_foreign_key(n->alter_table_stmt) &&
				 !migration_is_new(ctx, n->alter_table_stmt->relation, i))
		{
			const char *key = migration_relation_key(n->alter_table_stmt->relation);
			int			inserted = 0;

			hashmap_put(walked, key, strlen(key), hash_bytes(key, strlen(key)), &inserted);
			if (inserted)
				walk_existing(ctx, n->alter_table_stmt->relation);
		}
	}
	if (walked)
		hashmap_destroy(walked);
}

const rule	rule_foreign_key_without_index = {
	.id = "foreign-key-without-index",
	.title = "new foreign key has no index on its referencing columns",
	.severity = FINDING_MEDIUM,
	.scope = RULE_MIGRATION,
	.summary = "FK added on a table the migration creates (or, with --dsn, any table), with no index leading with its columns",
	.check = check,
	.answered_by_index = RULE_ANSWERED_BY_COLUMN_SET,
};
