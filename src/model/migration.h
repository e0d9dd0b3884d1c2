/*-------------------------------------------------------------------------
 * migration.h
 *    A migration as PostgreSQL will run it: its files, their statements
 *    located by file and line, and the transaction and settings each
 *    statement runs under.
 *
 * Files run in the order given, as psql runs a script: statement by
 * statement in one session, each in its own transaction unless a
 * BEGIN ... COMMIT block (or --single-transaction, which wraps each file
 * in one, as Rails, Flyway and other migration tools do) holds it.  SET
 * and SET LOCAL of lock_timeout and statement_timeout are followed as the
 * server follows them: a SET lasts for the session unless its
 * transaction rolls back, a SET LOCAL until its transaction ends.
 *
 * The model also remembers, per relation, which statements touch it and
 * which statement created it, so that a rule can ask "was this table
 * created earlier in the migration?" (then it is new and empty, and locks
 * on it harm nobody) without walking the whole migration again; and the
 * "-- pgsift: ignore RULE-ID" comments, tied to the statement they sit on
 * or above.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_H
#define PGSIFT_MIGRATION_H

#include <pg_query/pg_query.pb-c.h>
#include <stddef.h>

struct migration_state;

/* The timeouts in effect for a statement, in ms; 0: none (the default). */
typedef struct migration_settings
{
	double		lock_timeout_ms;
	double		statement_timeout_ms;
} migration_settings;

typedef struct migration_options
{
	int			single_transaction; /* each file runs in one transaction */
	migration_settings initial; /* what the session starts with (the
								 * migration tool's or role's settings) */
} migration_options;

typedef struct migration_file
{
	char	   *path;			/* as given */
	char	   *text;			/* the whole file, NUL-terminated */
	size_t		len;
	int			nlines;
	size_t	   *line_starts;	/* byte offset of each line's start */
} migration_file;

typedef struct migration_statement
{
	int			file;			/* index into files */
	int			line;			/* 1-based line of its first token */
	int			end_line;		/* line of its last character */
	size_t		offset;			/* byte offset of its first token in the file */
	char	   *sql;			/* its text, without the ';' (malloc'd) */
	PgQuery__ParseResult *tree; /* NULL when it does not parse */
	const PgQuery__Node *node;	/* the statement in tree, or NULL */
	char	   *error;			/* libpg_query's message when tree is NULL */
	int			error_line;		/* the line the error points at */
	int			transaction;	/* statements with one number share a transaction */
	int			in_block;		/* inside BEGIN ... COMMIT or a wrapped file */
	migration_settings settings;	/* in effect while it runs */
} migration_statement;

/*
 * A "-- pgsift: ignore RULE-ID[, ...]" comment (one per rule it names):
 * it silences that rule on the statement it sits in, at the end of, or
 * above; "-- pgsift: ignore-file RULE-ID" on every statement of its file.
 */
typedef struct migration_ignore
{
	char	   *rule;			/* as written, lower case */
	int			file;
	int			line;
	int			whole_file;		/* ignore-file */
	int			statement;		/* index into statements; -1: none follows it */
	int			used;			/* a finding was silenced by it */
} migration_ignore;

typedef struct migration
{
	migration_options options;
	int			nfiles;
	migration_file *files;
	int			nstatements;
	migration_statement *statements;
	int			nignores;
	migration_ignore *ignores;
	struct migration_state *state;	/* private: the session between files,
									 * the relations, the array sizes */
} migration;

/* An empty migration with these options (NULL: the defaults). */
void		migration_init(migration *m, const migration_options *options);

/* Free everything m holds; m is empty afterwards. */
void		migration_free(migration *m);

/*
 * Read the file at path and add its statements after those already
 * there.  0, or -1 after reporting (diag) why it could not be read; a
 * statement that does not parse is kept, with its error, and is not a
 * failure here.
 */
int			migration_add_file(migration *m, const char *path);

/* Add text (len bytes) as a file called name; -1 when it holds a NUL byte. */
int			migration_add_text(migration *m, const char *name, const char *text, size_t len);

/*
 * "schema.name" of a relation as the migration names it, lower case as
 * the parser folded it; "public" when unqualified.  Static buffer, valid
 * until the next call.
 */
const char *migration_relation_key(const PgQuery__RangeVar *rv);

/*
 * The index of the statement that created the relation called key (a
 * migration_relation_key) before statement before, or -1.  Tables,
 * views, materialized views, sequences and indexes count.
 */
int			migration_created_before(const migration *m, const char *key, int before);

/*
 * The statements that lock the relation called key (their target, or
 * the table a foreign key references), in order; *n says how many.  The
 * array belongs to m.
 */
const int  *migration_relation_statements(const migration *m, const char *key, int *n);

/* For an index created in the migration, the key of its table; else NULL. */
const char *migration_index_table(const migration *m, const char *index_key);

/*
 * A duration as PostgreSQL writes a timeout: a number of ms, or a number
 * and a unit (ms, s, min, h, d: "2s", "1.5 min").  -1 when it is not one.
 */
double		migration_duration_ms(const char *text);

/* Statement i's file's path. */
const char *migration_statement_path(const migration *m, int i);

#endif
