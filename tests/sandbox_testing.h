/*-------------------------------------------------------------------------
 * sandbox_testing.h
 *    Opening a sandbox with a policy of its own, for the suites that test
 *    the modules above it (catalog, pg_stat_statements, explain, advisor).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SANDBOX_TESTING_H
#define PGSIFT_SANDBOX_TESTING_H

#include "src/live/sandbox.h"

/*
 * A sandbox on dsn under a new policy with the default limits (writes
 * allowed as --measure real allows them when allow_writes is 1); NULL,
 * with what it printed left on stderr, when it could not connect.
 */
sandbox    *sandbox_test_open(const char *dsn, int allow_writes);

/* Close s and free its policy; NULL is allowed. */
void		sandbox_test_close(sandbox *s);

#endif
