/*-------------------------------------------------------------------------
 * migration_objects.c
 *    What a migration creates that the model does not index (see
 *    migration_objects.h).
 *
 * Three maps: created, from a kind-prefixed key to the first statement
 * that creates the object (plus one, so that NULL means none); named,
 * from a relation key to the statements that give a relation that name;
 * and freed, to the statements that rename a relation away from it.
 * Their lists are in statement order, so "between" is a binary search.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_objects.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct name_uses
{
	int			n,
				cap;
	int		   *statements;
} name_uses;

struct migration_objects
{
	hashmap    *created;
	hashmap    *named;
	hashmap    *freed;
	strbuf		key;			/* scratch */
};

static const char kind_prefix[] = {'S', 'T', 'C', 'R'};

int
migration_name_list_key(size_t n, PgQuery__Node *const *names, strbuf *key)
{
	strbuf_reset(key);
	if (n == 0)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (names[k]->node_case != PG_QUERY__NODE__NODE_STRING)
			return 0;
	strbuf_printf(key, "%s.%s", n == 1 ? "public" : names[n - 2]->string->sval, names[n - 1]->string->sval);
	return 1;
}

static void
note_created(migration_objects *o, migration_object_kind kind, const char *key, int i)
{
	int			inserted;
	void	  **slot;

	strbuf_reset(&o->key);
	strbuf_printf(&o->key, "%c:%s", kind_prefix[kind], key);
	slot = hashmap_put(o->created, o->key.data, o->key.len, hash_bytes(o->key.data, o->key.len), &inserted);
	if (inserted)
		*slot = (void *) (intptr_t) (i + 1);
}

static void
note_use(hashmap *map, const char *key, int i)
{
	int			inserted;
	void	  **slot = hashmap_put(map, key, strlen(key), hash_bytes(key, strlen(key)), &inserted);
	name_uses  *u;

	if (inserted)
		*slot = xcalloc(1, sizeof(name_uses));
	u = *slot;
	if (u->n == u->cap)
	{
		u->cap = u->cap ? u->cap * 2 : 2;
		u->statements = xrealloc(u->statements, sizeof(int) * (size_t) u->cap);
	}
	u->statements[u->n++] = i;
}

static void
note_type_names(migration_objects *o, size_t n, PgQuery__Node *const *names, int i)
{
	strbuf		key;

	strbuf_init(&key);
	if (migration_name_list_key(n, names, &key))
		note_created(o, MIGRATION_OBJECT_TYPE, key.data, i);
	strbuf_free(&key);
}

/* ADD COLUMN's columns, keyed on the table. */
static void
note_columns(migration_objects *o, const PgQuery__AlterTableStmt *a, int i)
{
	strbuf		key;

	if (a->relation == NULL)
		return;
	strbuf_init(&key);
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = a->cmds[k]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD
			? a->cmds[k]->alter_table_cmd : NULL;

		if (cmd == NULL || cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || cmd->def == NULL ||
			cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
			continue;
		strbuf_reset(&key);
		strbuf_printf(&key, "%s.%s", migration_relation_key(a->relation), cmd->def->column_def->colname);
		note_created(o, MIGRATION_OBJECT_COLUMN, key.data, i);
	}
	strbuf_free(&key);
}

/*
 * A relation renamed: the new name sits in the old one's schema, and is
 * new when the old one was.
 */
static void
note_renamed(const migration *m, migration_objects *o, const PgQuery__RenameStmt *r, int i)
{
	strbuf		key;
	int			was_new;

	if (r->relation == NULL || r->newname == NULL || (r->subname && r->subname[0]))
		return;
	was_new = migration_relation_is_new(m, o, migration_relation_key(r->relation), i);
	note_use(o->freed, migration_relation_key(r->relation), i);
	strbuf_init(&key);
	strbuf_printf(&key, "%s.%s", r->relation->schemaname && r->relation->schemaname[0]
				  ? r->relation->schemaname : "public", r->newname);
	note_use(o->named, key.data, i);
	if (was_new)
		note_created(o, MIGRATION_OBJECT_RENAMED, key.data, i);
	strbuf_free(&key);
}

static void
note_statement(const migration *m, migration_objects *o, const PgQuery__Node *n, int i)
{
	switch (n->node_case)
	{
		case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
			note_created(o, MIGRATION_OBJECT_SCHEMA, n->create_schema_stmt->schemaname, i);
			break;
		case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
			note_type_names(o, n->create_enum_stmt->n_type_name, n->create_enum_stmt->type_name, i);
			break;
		case PG_QUERY__NODE__NODE_CREATE_RANGE_STMT:
			note_type_names(o, n->create_range_stmt->n_type_name, n->create_range_stmt->type_name, i);
			break;
		case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
			note_type_names(o, n->create_domain_stmt->n_domainname, n->create_domain_stmt->domainname, i);
			break;
		case PG_QUERY__NODE__NODE_DEFINE_STMT:
			if (n->define_stmt->kind == PG_QUERY__OBJECT_TYPE__OBJECT_TYPE)
				note_type_names(o, n->define_stmt->n_defnames, n->define_stmt->defnames, i);
			break;
		case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
			if (n->composite_type_stmt->typevar)
				note_created(o, MIGRATION_OBJECT_TYPE, migration_relation_key(n->composite_type_stmt->typevar), i);
			break;
		case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
			note_columns(o, n->alter_table_stmt, i);
			break;
		case PG_QUERY__NODE__NODE_CREATE_STMT:
			note_use(o->named, migration_relation_key(n->create_stmt->relation), i);
			break;
		case PG_QUERY__NODE__NODE_VIEW_STMT:
			note_use(o->named, migration_relation_key(n->view_stmt->view), i);
			break;
		case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
			if (n->create_table_as_stmt->into && n->create_table_as_stmt->into->rel)
				note_use(o->named, migration_relation_key(n->create_table_as_stmt->into->rel), i);
			break;
		case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
			note_use(o->named, migration_relation_key(n->create_seq_stmt->sequence), i);
			break;
		case PG_QUERY__NODE__NODE_RENAME_STMT:
			note_renamed(m, o, n->rename_stmt, i);
			break;
		default:
			break;
	}
}

migration_objects *
migration_objects_build(const migration *m)
{
	migration_objects *o = xcalloc(1, sizeof(*o));

	o->created = hashmap_create(16);
	o->named = hashmap_create(16);
	o->freed = hashmap_create(16);
	strbuf_init(&o->key);
	for (int i = 0; i < m->nstatements; i++)
		if (m->statements[i].node)
			note_statement(m, o, m->statements[i].node, i);
	return o;
}

static void
free_uses(hashmap *map)
{
	size_t		pos = 0;
	const char *key;
	size_t		keylen;
	void	   *value;

	while (hashmap_next(map, &pos, &key, &keylen, &value))
	{
		name_uses  *u = value;

		free(u->statements);
		free(u);
	}
	hashmap_destroy(map);
}

void
migration_objects_free(migration_objects *o)
{
	if (o == NULL)
		return;
	free_uses(o->named);
	free_uses(o->freed);
	hashmap_destroy(o->created);
	strbuf_free(&o->key);
	free(o);
}

int
migration_object_created_before(const migration_objects *o, migration_object_kind kind, const char *key,
								int before)
{
	strbuf		k;
	intptr_t	at;

	strbuf_init(&k);
	strbuf_printf(&k, "%c:%s", kind_prefix[kind], key);
	at = (intptr_t) hashmap_get(o->created, k.data, k.len, hash_bytes(k.data, k.len));
	strbuf_free(&k);
	return at > 0 && at - 1 < before;
}

int
migration_relation_is_new(const migration *m, const migration_objects *o, const char *key, int before)
{
	return migration_created_before(m, key, before) >= 0 ||
		migration_object_created_before(o, MIGRATION_OBJECT_RENAMED, key, before);
}

/* Whether map's list for key holds a statement after after and before before. */
static int
use_between(const hashmap *map, const char *key, int after, int before)
{
	const name_uses *u = hashmap_get(map, key, strlen(key), hash_bytes(key, strlen(key)));
	int			lo = 0,
				hi;

	if (u == NULL)
		return 0;
	/* the first statement past after */
	hi = u->n;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (u->statements[mid] <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < u->n && u->statements[lo] < before;
}

int
migration_name_given_between(const migration_objects *o, const char *key, int after, int before)
{
	return use_between(o->named, key, after, before);
}

int
migration_name_freed_between(const migration_objects *o, const char *key, int after, int before)
{
	return use_between(o->freed, key, after, before);
}
