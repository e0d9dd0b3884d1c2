/*-------------------------------------------------------------------------
 * migration_testing.h
 *    Linting a migration held in a string, for the migration rule tests.
 *
 * Each call lints one migration text (as one file called "m.sql") with
 * the gate (src/analyze/migration_gate.c), so ignores, ordering and the
 * registry are exercised as pgsift migration does, and keeps the result
 * until the next call.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_TESTING_H
#define PGSIFT_MIGRATION_TESTING_H

#include "src/analyze/migration_gate.h"

/* Lint sql for PostgreSQL pg_version (0: 15); the result is valid until the next call. */
const migration_gate_result *lint_sql(const char *sql, int pg_version);

/* The same with options (--single-transaction, initial settings, config). */
const migration_gate_result *lint_sql_with(const char *sql, const migration_gate_options *opts);

/* The last result (NULL before the first lint). */
const migration_gate_result *lint_last_result(void);

/* How many findings of rule the last lint gave. */
int			lint_count(const char *rule);

/* The n-th (0-based) finding of rule in the last lint, or NULL. */
const finding *lint_finding(const char *rule, int n);

/* The line of the first finding of rule, or 0 when none. */
int			lint_line(const char *rule);

/* Free the last result (the suites' cleanup). */
void		lint_free(void);

#endif
