/*-------------------------------------------------------------------------
 * workload_testing.c
 *    Feeding a workload model by hand (workload_testing.h).
 *-------------------------------------------------------------------------
 */
#include "tests/model/workload_testing.h"
#include "tests/test_registry.h"

#include <string.h>

workload *
workload_test_read(const char *path, int jobs, int first_percent, ingest_file *f, diag_tally *t)
{
	workload   *w = workload_create(NULL);
	ingest_options o = {.format = LOG_FORMAT_AUTO, .jobs = jobs, .syslog_year = 2026,
	.first_part_percent = first_percent};

	memset(f, 0, sizeof(*f));
	memset(t, 0, sizeof(*t));
	f->path = path;
	CU_ASSERT(ingest_files(w, f, 1, &o, t) > 0);
	return w;
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
