/*-------------------------------------------------------------------------
 * migration_trace.h
 *    What a migration really does to a database: run it in the sandbox,
 *    statement by statement, and read what each one did.
 *
 * The trace runs inside one READ WRITE sandbox transaction that the
 * caller opened and will roll back (sandbox_begin, sandbox_end): every
 * statement goes through sandbox_migration, which decides what may be
 * sent at all.  After each statement it reads, as eugene does, the
 * relation locks the backend now holds (pg_locks for its own pid, new
 * since the statement before), the relations whose relfilenode changed
 * (a rewrite, or an index rebuilt), created or dropped, the constraints
 * that were validated (a scan under the statement's lock), the columns
 * whose type or NOT NULL changed, and the size the touched tables had, so
 * that each finding can say how long its lock or rewrite lasts on this
 * data.  The wall time of each statement is measured.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_TRACE_H
#define PGSIFT_MIGRATION_TRACE_H

#include "src/lib/strbuf.h"
#include "src/live/sandbox.h"
#include "src/model/migration.h"

#include <stdint.h>

/* A relation lock a statement took (new, or stronger than before). */
typedef struct trace_lock
{
	char	   *relation;		/* schema.name */
	char	   *mode;			/* AccessExclusiveLock, ShareLock, ... */
	char		relkind;		/* pg_class.relkind */
	int			existed;		/* the relation was there before the migration */
	double		tuples;			/* its size before the migration (reltuples, pages, bytes) */
	int64_t		pages;
	int64_t		bytes;
} trace_lock;

/* What a statement did to a relation or a constraint or a column. */
typedef enum trace_change_kind
{
	TRACE_REWRITTEN,			/* relfilenode changed: a table rewritten, an index rebuilt */
	TRACE_CREATED,
	TRACE_DROPPED,
	TRACE_VALIDATED,			/* a CHECK or FOREIGN KEY constraint validated: a scan */
	TRACE_COLUMN_TYPE,			/* a column's type changed */
	TRACE_COLUMN_NOT_NULL		/* a column became NOT NULL */
} trace_change_kind;

typedef struct trace_change
{
	trace_change_kind kind;
	char	   *object;			/* schema.relation, or schema.relation.constraint / .column */
	char		relkind;		/* the relation's relkind ('c' for a constraint, 'a' for a column) */
	char	   *detail;			/* the new type, the constraint's kind... or NULL */
	int			existed;		/* its relation was there before the migration */
	double		tuples;			/* the relation's size before the statement */
	int64_t		pages;
	int64_t		bytes;
} trace_change;

typedef struct statement_trace
{
	int			statement;		/* index into the migration's statements */
	sandbox_step step;
	char	   *sent;			/* text sent when it is not the statement's own */
	char	   *note;			/* why skipped or refused, or how it was changed */
	char	   *error;			/* FAILED: the server's message */
	char	   *sqlstate;
	double		ms;				/* wall time of the statement (RAN or FAILED) */
	int			nlocks;
	trace_lock *locks;
	int			nchanges;
	trace_change *changes;
} statement_trace;

typedef struct migration_trace
{
	int			ran;			/* the trace ran (some statement was sent) */
	char	   *database;		/* the database traced on (malloc'd) */
	int			server_version; /* its major version */
	int			nsteps;			/* one per statement of the migration, in order */
	statement_trace *steps;
	char	   *stopped;		/* why the trace stopped early (a lost connection), or NULL */
} migration_trace;

/*
 * Trace m on s, whose READ WRITE sandbox transaction is open (the caller
 * rolls it back afterwards).  Fills *out (free with migration_trace_free,
 * whatever is returned).  0, or -1 when the database could not be read
 * (the connection is lost; out->stopped says where).  Statements that
 * fail or are refused are recorded, not failures here.
 */
int			migration_trace_run(sandbox *s, const migration *m, migration_trace *out);

void		migration_trace_free(migration_trace *t);

/* The step of statement i, or NULL (no trace, or not reached). */
const statement_trace *migration_trace_step(const migration_trace *t, int i);

/* "AccessExclusiveLock" -> "ACCESS EXCLUSIVE", as the docs write lock modes (static). */
const char *trace_lock_mode_name(const char *mode);

/* Whether a lock mode blocks writes (SHARE and stronger) / reads (ACCESS EXCLUSIVE). */
int			trace_lock_blocks_writes(const char *mode);
int			trace_lock_blocks_reads(const char *mode);

/* "(50,000 rows, 3.6 MB)" into sb. */
void		trace_put_size(strbuf *sb, double tuples, int64_t bytes);

/*
 * One sentence of what step did, for a finding's detail and the report:
 * "Traced on shop: 412 ms; took ACCESS EXCLUSIVE on public.orders (50,000
 * rows, 3.6 MB); rewrote public.orders." (malloc'd), or NULL when the
 * step has nothing to say.
 */
char	   *trace_step_sentence(const migration_trace *t, const statement_trace *step);

#endif
