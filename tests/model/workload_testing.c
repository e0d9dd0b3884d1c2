/*-------------------------------------------------------------------------
 * workload_testing.c
 *    Feeding a workload model by hand (workload_testing.h).
 *-------------------------------------------------------------------------
 */
#include "tests/model/workload_testing.h"
#include "tests/test_registry.h"

#include <string.h>

void
workload_test_read(workload_test_log *r, const char *path, int jobs, int first_percent)
{
	ingest_options o = {.format = LOG_FORMAT_AUTO, .jobs = jobs, .syslog_year = 2026,
	.first_part_percent = first_percent, .spare = jobs > 2 ? spare_thread_start() : NULL};

	memset(r, 0, sizeof(*r));
	r->model = workload_create(NULL);
	r->file.path = path;
	CU_ASSERT(ingest_files(r->model, &r->file, 1, &o, &r->tally) > 0);
	spare_thread_finish(o.spare);
}

void
workload_test_log_free(workload_test_log *r)
{
	ingest_file_clear(&r->file);
	diag_tally_free(&r->tally);
	workload_destroy(r->model);
}

void
workload_test_feed(workload *w, log_event_kind kind, int64_t ts, int pid, const char *query,
				   const char *params, double ms, const char *vxid)
{
	log_record	rec;
	log_event	ev;

	log_record_clear(&rec);
	memset(&ev, 0, sizeof(ev));
	rec.ts_ms = ts;
	rec.pid = pid;
	rec.severity = SEV_LOG;
	rec.dbname = "shop";
	rec.vxid = vxid;
	ev.kind = kind;
	ev.rec = &rec;
	ev.duration_ms = ms;
	ev.query = query;
	ev.query_len = query ? strlen(query) : 0;
	ev.params = params;
	ev.session_ms = -1;
	workload_add_event(w, &ev);
}

void
workload_test_statement(workload *w, int64_t ts, int pid, const char *query, const char *params, double ms)
{
	workload_test_feed(w, EV_STATEMENT, ts, pid, query, params, ms, NULL);
}
