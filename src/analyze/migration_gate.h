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
#include "src/model/migration.h"

typedef struct migration_gate_options
{
	int			pg_version;		/* the target's major version; 0: 15 */
	migration_options model;	/* --single-transaction, the session's settings */
	const pgsift_config *config;	/* rules and thresholds; NULL: defaults */
} migration_gate_options;

typedef struct migration_gate_result
{
	migration	migration;		/* the files, statements and ignores */
	finding_list findings;		/* in migration order */
	int			pg_version;		/* what the rules judged for */
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
 * PGSIFT_EXIT_OK, or PGSIFT_EXIT_NOINPUT after reporting a file that
 * could not be read.  Statements that do not parse are findings
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

#endif
