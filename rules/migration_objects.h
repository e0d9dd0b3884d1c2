/*-------------------------------------------------------------------------
 * migration_objects.h
 *    What a migration creates that the model does not index: schemas,
 *    types, the columns it adds, and the relation names it gives.
 *
 * The model (src/model/migration.h) knows which tables, views,
 * sequences and indexes a migration creates.  The rules about dropping
 * and renaming also ask whether a schema, a type or a column is new
 * (then no running code uses it), and whether a name a rename takes
 * away is given back in the same transaction, as the swap of a rebuilt
 * table does (ALTER TABLE t RENAME TO t_old; ALTER TABLE t_new RENAME TO
 * t) or a view kept under the old name.  One pass over the
 * statements builds the index; each question is a hash probe.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_OBJECTS_H
#define PGSIFT_MIGRATION_OBJECTS_H

#include "src/lib/strbuf.h"
#include "src/model/migration.h"

typedef struct migration_objects migration_objects;

typedef enum migration_object_kind
{
	MIGRATION_OBJECT_SCHEMA,	/* key: the schema's name */
	MIGRATION_OBJECT_TYPE,		/* key: "schema.name" (enum, composite, domain, range) */
	MIGRATION_OBJECT_COLUMN,	/* key: "schema.table.column" (ALTER TABLE ... ADD COLUMN) */
	MIGRATION_OBJECT_RENAMED	/* key: a relation key given by renaming a new relation */
} migration_object_kind;

/* Index the objects m's statements create; free with migration_objects_free. */
migration_objects *migration_objects_build(const migration *m);

void		migration_objects_free(migration_objects *o);

/*
 * Whether the object of kind called key was created by a statement
 * before statement before.
 */
int			migration_object_created_before(const migration_objects *o, migration_object_kind kind,
											const char *key, int before);

/*
 * Whether the relation called key (a migration_relation_key) is new at
 * statement before: created earlier in the migration (the model's
 * answer), or named so by renaming a relation that was new then.
 */
int			migration_relation_is_new(const migration *m, const migration_objects *o, const char *key,
									  int before);

/*
 * Whether a statement after statement after and before statement before
 * gives a relation the name key (a migration_relation_key): creates a
 * table, view, materialized view or sequence called so, or renames one
 * to it.
 */
int			migration_name_given_between(const migration_objects *o, const char *key, int after, int before);

/*
 * Whether a statement after statement after and before statement before
 * renames a relation called key to another name.
 */
int			migration_name_freed_between(const migration_objects *o, const char *key, int after, int before);

/*
 * Set key to "schema.name" for a name list of String nodes (one element:
 * "public." prepended; a database-qualified list keeps its last two).
 * 0 when the list holds anything else.
 */
int			migration_name_list_key(size_t n, PgQuery__Node *const *names, strbuf *key);

#endif
