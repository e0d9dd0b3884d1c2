/*-------------------------------------------------------------------------
 * migration_private.h
 *    What the files of the migration model share and nobody else sees.
 *
 * migration.c reads files and splits them into statements;
 * migration_session.c follows transactions and settings from one
 * statement to the next and indexes the relations each touches;
 * migration_ignore.c ties the ignore comments to their statements.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_PRIVATE_H
#define PGSIFT_MIGRATION_PRIVATE_H

#include "src/model/migration.h"

struct hashmap;

/* What the model knows of one relation: see migration_created_before. */
typedef struct migration_relation
{
	int			created;		/* statement that created it, or -1 */
	char	   *table;			/* for an index created here: its table's key */
	int			n,
				cap;
	int		   *statements;		/* the statements that lock it */
} migration_relation;

struct migration_state
{
	int			files_cap,
				statements_cap,
				ignores_cap;
	int			transactions;	/* numbers handed out so far */
	int			in_block;
	int			block;			/* the open block's transaction number */
	migration_settings session; /* SET, for the session */
	migration_settings saved;	/* session at BEGIN: what ROLLBACK restores */
	migration_settings local;	/* SET LOCAL, until the block ends */
	int			local_set;
	struct hashmap *relations;	/* key → migration_relation */
};

/* Called at the start and the end of each file (the wrap of --single-transaction). */
void		migration_session_file_start(migration *m);
void		migration_session_file_end(migration *m);

/*
 * Give statement i its transaction and settings, then apply what it does
 * to the session (BEGIN, COMMIT, SET...) and note the relations it
 * creates and locks.
 */
void		migration_session_place(migration *m, int i);

/* A copy of len bytes of text with psql meta-command lines blanked (offsets kept). */
char	   *migration_blank_meta_commands(const char *text, size_t len);

/* The 1-based line of byte offset off in f. */
int			migration_file_line(const migration_file *f, size_t off);

/* Free the relation index. */
void		migration_relations_free(migration *m);

/*
 * Find the ignore comments of file (whose statements are those from
 * first on) and tie each to its statement.
 */
void		migration_ignores_scan(migration *m, int file, int first);

#endif
