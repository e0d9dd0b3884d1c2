/*-------------------------------------------------------------------------
 * workload_testing.h
 *    Feeding a workload model by hand, for the suites that test what the
 *    model does with statements (test_session_patterns.c,
 *    test_store_sequences.c, the catalog rules' workload evidence), or
 *    from a log file (test_ingest.c, test_workload_zone.c).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_WORKLOAD_TESTING_H
#define PGSIFT_WORKLOAD_TESTING_H

#include "src/model/ingest.h"
#include "src/model/workload.h"

#include <stdint.h>

/*
 * Feed w one event of kind as a log would give it: at ts (Unix ms), from
 * backend pid in database "shop", with the statement text query, its
 * DETAIL parameters text params (NULL: none), its duration ms and the
 * record's vxid (NULL: none).
 */
void		workload_test_feed(workload *w, log_event_kind kind, int64_t ts, int pid, const char *query,
							   const char *params, double ms, const char *vxid);

/* A timed statement: workload_test_feed of EV_STATEMENT without a vxid. */
void		workload_test_statement(workload *w, int64_t ts, int pid, const char *query,
									const char *params, double ms);

/* A log read into a model: the model, the file's record, its malformed lines. */
typedef struct workload_test_log
{
	workload   *model;
	ingest_file file;
	diag_tally	tally;
} workload_test_log;

/*
 * A new model of the log at path in *r, its format detected, read with
 * jobs threads (first_percent: ingest_options.first_part_percent; syslog
 * timestamps in 2026; with more than 2, the parts' models are destroyed
 * on a spare thread), asserting that it gave records.  Freed with
 * workload_test_log_free.
 */
void		workload_test_read(workload_test_log *r, const char *path, int jobs, int first_percent);

void		workload_test_log_free(workload_test_log *r);

#endif
