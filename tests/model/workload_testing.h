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

/*
 * A new model of the log at path, its format detected, read with jobs
 * threads (first_percent: ingest_options.first_part_percent; syslog
 * timestamps in 2026), asserting that it gave records.  The file's record
 * goes to *f and its malformed lines to *t, which the caller frees
 * (ingest_file_clear, diag_tally_free) with the model.
 */
workload   *workload_test_read(const char *path, int jobs, int first_percent, ingest_file *f, diag_tally *t);

#endif
