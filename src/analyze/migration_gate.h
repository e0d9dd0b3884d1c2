/*-------------------------------------------------------------------------
 * migration_gate.h
 *    pgsift migration: a migration's files checked before they run.
 *
 * The gate reads the files into the migration model
 * (src/model/migration.h) and runs the migration rules on it: a static
 * lint that needs no database.  Findings come out in the order of the
 * migration, file by file and line by line, which is the order a
 * reviewer reads them in.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_GATE_H
#define PGSIFT_MIGRATION_GATE_H

#include "src/core/config.h"
#include "src/core/finding.h"
#include "src/live/catalog.h"
#include "src/live/migration_regress.h"
#include "src/live/migration_trace.h"
#include "src/model/migration.h"

#include <jansson.h>

/* What the gate may do on the database of --dsn. */
typedef enum migration_measure
{
	MIGRATION_MEASURE_OFF,		/* read the catalog only (the default) */
	MIGRATION_MEASURE_PLAN,		/* trace the migration in a rolled-back transaction; EXPLAIN the workload */
	MIGRATION_MEASURE_REAL		/* the same, with EXPLAIN ANALYZE of what the screen lets run */
} migration_measure;

typedef struct migration_gate_options
{
	int			pg_version;		/* the target's major version; 0: the server's, else 15 */
	migration_options model;	/* --single-transaction, the session's settings */
	const pgsift_config *config;	/* rules and thresholds; NULL: defaults */
	const char *dsn;			/* a staging database, or NULL: the static lint only */
	migration_measure measure;
	const char *const *workload;	/* --workload log files (NULL-terminated), or NULL */
	int			statement_timeout_ms;	/* of the trace's transaction; <= 0: the sandbox's */
	int			lock_timeout_ms;
} migration_gate_options;

typedef struct migration_gate_result
{
	migration	migration;		/* the files, statements and ignores */
	finding_list findings;		/* in migration order */
	int			pg_version;		/* what the rules judged for */
	/* with a DSN */
	int			connected;
	int			server_version; /* the server's major version */
	catalog_snapshot *catalog;	/* NULL without a DSN */
	migration_measure measure;
	int			traced;			/* the trace ran */
	migration_trace trace;
	int			compared;		/* the workload's plans were compared */
	migration_regressions regressions;
	uint64_t	workload_statements;	/* statements read from --workload logs */
	json_t	   *sandbox;		/* sandbox_policy_report of the run, or NULL */
} migration_gate_result;

/*
 * Apply the [migration] section of c to *opts: lock_timeout and
 * statement_timeout (what the migration tool or the role sets before the
 * files run: "2s", "500ms", a number of ms), single_transaction
 * (true/false) and pg_version (10 to 17).  A value already set in *opts
 * (by the command line) is kept.  0, or -1 after reporting a bad key or
 * value with file:line.
 */
int			migration_gate_configure(const pgsift_config *c, migration_gate_options *opts);

/*
 * Read paths[0..npaths) in order and lint them into *out (which the
 * caller frees with migration_gate_result_free, whatever is returned).
 * With opts->dsn, first connect (the server's version becomes the
 * target's unless one was given) and take the catalog; with
 * MIGRATION_MEASURE_PLAN or _REAL, then trace the migration and compare
 * the workload's plans before and after it, in one sandbox transaction
 * that is rolled back (src/analyze/migration_live.c).  PGSIFT_EXIT_OK;
 * PGSIFT_EXIT_NOINPUT after reporting a file that could not be read;
 * PGSIFT_EXIT_DATABASE after reporting that the database could not be
 * reached or read.  Statements that do not parse are findings
 * (syntax-error), not failures.
 */
int			migration_gate_run(const char *const *paths, int npaths, const migration_gate_options *opts,
							   migration_gate_result *out);

/*
 * The same on migration text already in memory, called name (for tests
 * and the fuzzer); PGSIFT_EXIT_NOINPUT when it holds a NUL byte.
 */
int			migration_gate_run_text(const char *name, const char *text, const migration_gate_options *opts,
									migration_gate_result *out);

void		migration_gate_result_free(migration_gate_result *out);

/* "off", "plan", "real" to the mode, or -1. */
int			migration_measure_from_name(const char *name);
const char *migration_measure_name(migration_measure m);

/*
 * The live part of migration_gate_run (migration_live.c): connect,
 * catalog, and under --measure plan|real the trace and the workload's
 * plans.  PGSIFT_EXIT_OK or PGSIFT_EXIT_DATABASE (reported).
 */
int			migration_gate_live(const migration_gate_options *opts, migration_gate_result *out);

#endif
