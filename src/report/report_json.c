/*-------------------------------------------------------------------------
 * report_json.c
 *    The JSON report (schema in docs/json-schema.md).
 *
 * Built as a jansson tree, then dumped, the queries one at a time (two
 * threads at a time with -j 2 or more).  Numbers that are not finite (a
 * percentile of nothing) become null, since JSON has no NaN.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_event.h"
#include "src/lib/arena.h"
#include "src/lib/civil_time.h"
#include "src/lib/json_out.h"
#include "src/report/report.h"
#include "src/report/report_pooler.h"
#include "src/report/report_summary.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * "2024-01-02T03:04:05.123Z".  The report formats a time for every sample
 * it lists, from two threads with -j 2: civil_time_from_ms, not gmtime_r
 * and strftime, which take glibc's time-zone lock on every call.
 */
void
report_format_ts(int64_t ts_ms, char buf[32])
{
	civil_time	t;

	if (ts_ms == LOG_TS_UNKNOWN)
	{
		buf[0] = '\0';
		return;
	}
	civil_time_from_ms(ts_ms, &t);
	snprintf(buf, 32, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long) t.year, t.month, t.day, t.hour,
			 t.minute, t.second, t.ms);
}

static json_t *
json_ts(int64_t ts_ms)
{
	char		buf[32];

	if (ts_ms == LOG_TS_UNKNOWN)
		return json_null();
	report_format_ts(ts_ms, buf);
	return json_string(buf);
}

static json_t *
names_json(const name_count *arr, int n)
{
	json_t	   *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:o, s:I}", "name", json_text(arr[i].name), "count", (json_int_t) arr[i].count));
	return a;
}

static json_t *
samples_json(const query_stats *q)
{
	json_t	   *a = json_array();

	for (int i = 0; i < q->nsamples; i++)
	{
		const query_sample *s = &q->samples[i];
		json_t	   *o = json_object();

		json_object_set_new(o, "duration_ms", json_ms(s->duration_ms));
		json_object_set_new(o, "timestamp", json_ts(s->ts_ms));
		json_object_set_new(o, "query", json_text(s->query ? s->query : ""));
		json_object_set_new(o, "parameters", json_text_or_null(s->params));
		json_object_set_new(o, "database", json_text_or_null(s->database));
		json_object_set_new(o, "user", json_text_or_null(s->user));
		json_object_set_new(o, "file", json_text_or_null(s->file));
		json_object_set_new(o, "line", json_integer((json_int_t) s->line));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
query_json(const query_stats *q, double total_ms)
{
	char		hex[17];
	json_t	   *o = json_object();

	fingerprint_hex(q->fingerprint, hex);
	json_object_set_new(o, "fingerprint", json_string(hex));
	json_object_set_new(o, "query", json_text(q->normalized));
	json_object_set_new(o, "parsed", json_boolean(q->parsed));
	json_object_set_new(o, "calls", json_integer((json_int_t) q->calls));
	json_object_set_new(o, "total_ms", json_ms(q->total_ms));
	json_object_set_new(o, "percent", json_ms(total_ms > 0 ? 100.0 * q->total_ms / total_ms : 0));
	json_object_set_new(o, "mean_ms", json_ms(q->calls ? q->total_ms / (double) q->calls : NAN));
	json_object_set_new(o, "min_ms", json_ms(q->calls ? q->min_ms : NAN));
	json_object_set_new(o, "max_ms", json_ms(q->calls ? q->max_ms : NAN));
	json_object_set_new(o, "p50_ms", json_ms(query_stats_quantile(q, 0.50)));
	json_object_set_new(o, "p95_ms", json_ms(query_stats_quantile(q, 0.95)));
	json_object_set_new(o, "p99_ms", json_ms(query_stats_quantile(q, 0.99)));
	json_object_set_new(o, "untimed_calls", json_integer((json_int_t) q->untimed_calls));
	json_object_set_new(o, "error_bound_ms", json_ms(q->error_ms));
	json_object_set_new(o, "error_bound_calls", json_integer((json_int_t) q->error_calls));
	json_object_set_new(o, "parse", json_pack("{s:I, s:o}", "count", (json_int_t) q->parse_count, "total_ms", json_ms(q->parse_ms)));
	json_object_set_new(o, "bind", json_pack("{s:I, s:o}", "count", (json_int_t) q->bind_count, "total_ms", json_ms(q->bind_ms)));
	json_object_set_new(o, "first_seen", json_ts(q->first_ts));
	json_object_set_new(o, "last_seen", json_ts(q->last_ts));
	json_object_set_new(o, "databases", names_json(q->databases, q->ndatabases));
	json_object_set_new(o, "users", names_json(q->users, q->nusers));
	json_object_set_new(o, "applications", names_json(q->apps, q->napps));
	json_object_set_new(o, "samples", samples_json(q));
	if (q->plan)
	{
		json_t	   *plan = q->plan_is_json ? json_loads(q->plan, 0, NULL) : NULL;

		json_object_set_new(o, "plan", json_pack("{s:s, s:o, s:o}", "format", q->plan_is_json ? "json" : "text",
												 "duration_ms", json_ms(q->plan_ms),
												 "plan", plan ? plan : json_text(q->plan)));
	}
	return o;
}

/* What the bounded table evicted (docs/json-schema.md, summary.other). */
static json_t *
other_json(const workload *w)
{
	const workload_other *o = workload_other_row(w);
	double		total = workload_get_summary(w)->total_duration_ms;

	return json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:I}",
					 "fingerprints_evicted", (json_int_t) o->fingerprints_evicted,
					 "statements", (json_int_t) o->statements,
					 "untimed_statements", (json_int_t) o->untimed_statements,
					 "total_ms", json_ms(o->total_ms),
					 "percent", json_ms(total > 0 ? 100.0 * o->total_ms / total : 0),
					 "unlisted_max_ms", json_ms(o->error_ms),
					 "unlisted_max_calls", (json_int_t) o->error_calls);
}

static json_t *
summary_json(workload *w)
{
	const workload_summary *s = workload_get_summary(w);
	size_t		nq;
	double		max_error_ms;
	uint64_t	max_error_calls;
	json_t	   *o;

	workload_queries(w, &nq);
	workload_max_error(w, &max_error_ms, &max_error_calls);
	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
					 "files", (json_int_t) s->files,
					 "lines", (json_int_t) s->lines,
					 "records", (json_int_t) s->records,
					 "statements", (json_int_t) s->statements,
					 "untimed_statements", (json_int_t) s->untimed_statements,
					 "fingerprints", (json_int_t) nq,
					 "parse_errors", (json_int_t) s->parse_errors,
					 "malformed_lines", (json_int_t) s->malformed_lines,
					 "filtered_out", (json_int_t) s->filtered_out,
					 "own_statements", (json_int_t) s->own_statements,
					 "first_timestamp", json_ts(s->first_ts),
					 "last_timestamp", json_ts(s->last_ts),
					 "total_duration_ms", json_ms(s->total_duration_ms));
	json_object_set_new(o, "max_fingerprints", json_integer((json_int_t) workload_other_row(w)->max_fingerprints));
	json_object_set_new(o, "other", other_json(w));
	json_object_set_new(o, "max_error_ms", json_ms(max_error_ms));
	json_object_set_new(o, "max_error_calls", json_integer((json_int_t) max_error_calls));
	return o;
}

/* Session times as a histogram with fixed upper bounds (the last is open). */
static json_t *
session_histogram_json(const quantile_sketch *d)
{
	static const struct
	{
		const char *label;
		double		le_ms;
	}			bounds[] = {
		{"<100ms", 100}, {"<1s", 1000}, {"<10s", 10000}, {"<1min", 60000},
		{"<10min", 600000}, {"<1h", 3600000}, {">=1h", INFINITY}
	};
	json_t	   *a = json_array();
	uint64_t	below = 0;

	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
	{
		uint64_t	upto = isfinite(bounds[i].le_ms) ? sketch_count_at_most(d, nextafter(bounds[i].le_ms, 0))
			: sketch_count(d);

		json_array_append_new(a, json_pack("{s:s, s:o, s:I}", "bucket", bounds[i].label,
										   "below_ms", isfinite(bounds[i].le_ms) ? json_real(bounds[i].le_ms) : json_null(),
										   "sessions", (json_int_t) (upto - below)));
		below = upto;
	}
	return a;
}

static json_t *
sessions_json(const workload *w)
{
	const session_figures *s = workload_sessions(w);
	uint64_t	n = sketch_count(s->duration);
	json_t	   *o;

	o = json_pack("{s:I, s:I, s:I, s:{s:I, s:I}, s:I, s:o, s:I, s:{s:I, s:o, s:o, s:o, s:o, s:o}}",
					 "connections_received", (json_int_t) s->received,
					 "connections_authorized", (json_int_t) s->authorized,
					 "disconnections", (json_int_t) s->disconnections,
					 "refused", "too_many_clients", (json_int_t) s->refused_too_many,
					 "reserved_slots", (json_int_t) s->refused_reserved,
					 "peak_concurrent", (json_int_t) workload_peak_sessions(w),
					 "peak_at", json_ts(s->peak_ts ? s->peak_ts : LOG_TS_UNKNOWN),
					 "open_windows", (json_int_t) workload_open_sessions(w),
					 "duration_ms", "count", (json_int_t) n,
					 "mean", json_ms(n ? s->total_session_ms / (double) n : NAN),
					 "p50", json_ms(n ? sketch_quantile(s->duration, 0.5) : NAN),
					 "p95", json_ms(n ? sketch_quantile(s->duration, 0.95) : NAN),
					 "p99", json_ms(n ? sketch_quantile(s->duration, 0.99) : NAN),
					 "max", json_ms(n ? sketch_quantile(s->duration, 1.0) : NAN));
	json_object_set_new(o, "duration_histogram", session_histogram_json(s->duration));
	return o;
}

static json_t *
events_json(const workload *w)
{
	const event_figures *e = workload_events(w);
	json_t	   *kinds = json_object();
	json_t	   *sev = json_object();
	json_t	   *states = json_array();

	for (int k = 0; k < EV__COUNT; k++)
		json_object_set_new(kinds, log_event_kind_name((log_event_kind) k), json_integer((json_int_t) e->by_kind[k]));
	for (int k = SEV_DEBUG; k <= SEV_PANIC; k++)
		if (e->by_severity[k])
			json_object_set_new(sev, log_severity_name((log_severity) k), json_integer((json_int_t) e->by_severity[k]));
	for (int i = 0; i < e->nsqlstates; i++)
		json_array_append_new(states, json_pack("{s:s, s:I, s:o}", "sqlstate", e->sqlstates[i].sqlstate,
												"count", (json_int_t) e->sqlstates[i].count,
												"example", json_text_or_null(e->sqlstates[i].example)));
	return json_pack("{s:o, s:o, s:o, s:{s:I, s:o, s:o}, s:{s:I, s:I, s:I}}",
					 "by_kind", kinds, "by_severity", sev, "sqlstates", states,
					 "lock_waits", "count", (json_int_t) e->by_kind[EV_LOCK_WAIT],
					 "total_wait_ms", json_ms(e->lock_wait_ms), "max_wait_ms", json_ms(e->lock_wait_max_ms),
					 "temp_files", "count", (json_int_t) e->by_kind[EV_TEMP_FILE],
					 "total_bytes", (json_int_t) e->temp_file_bytes, "max_bytes", (json_int_t) e->temp_file_max_bytes);
}

static json_t *
activity_json(workload *w)
{
	size_t		n;
	minute_stats *m = workload_minutes(w, &n);
	json_t	   *a = json_array();

	for (size_t i = 0; i < n; i++)
	{
		/* known when the minute's histogram counts every timed statement (minute_stats) */
		int			known = m[i].statements > 0 && minute_latency_count(&m[i].latency) == m[i].statements;

		json_array_append_new(a, json_pack("{s:o, s:I, s:o, s:I, s:I, s:o}",
										   "minute", json_ts(m[i].minute * 60000),
										   "statements", (json_int_t) m[i].statements,
										   "total_ms", json_ms(m[i].total_ms),
										   "errors", (json_int_t) m[i].errors,
										   "connections", (json_int_t) m[i].connections,
										   "p95_ms", json_ms(known ? minute_latency_quantile(&m[i].latency, 0.95) : NAN)));
	}
	return a;
}

static json_t *
inputs_json(const report_input *in)
{
	json_t	   *a = json_array();

	for (int i = 0; i < in->nfiles; i++)
	{
		const ingest_file *f = &in->files[i];

		json_array_append_new(a, json_pack("{s:o, s:b, s:s, s:o, s:s, s:I, s:I, s:I, s:I, s:b, s:I}",
										   "path", json_text(f->path), "opened", f->opened,
										   "format", log_format_name(f->format),
										   "prefix", json_text_or_null(f->prefix),
										   "compression", input_compression_name(f->compression),
										   "lines", (json_int_t) f->lines, "records", (json_int_t) f->records,
										   "malformed_lines", (json_int_t) f->malformed,
										   "fallback_lines", (json_int_t) f->fallback_lines,
										   "complete", f->opened && !f->read_error,
										   "start_offset", (json_int_t) f->start_offset));
	}
	return a;
}

static json_t *
malformed_json(const diag_tally *t)
{
	json_t	   *a = json_array();

	for (int i = 0; t && i < t->nsamples; i++)
		json_array_append_new(a, json_pack("{s:o, s:I, s:o}", "file", json_text(t->samples[i].file),
										   "line", (json_int_t) t->samples[i].line, "reason", json_text(t->samples[i].reason)));
	return a;
}

/* The findings, each with a one-line summary of its before and after plans. */
static json_t *
findings_json(const finding_list *l)
{
	json_t	   *a = json_array();

	for (int i = 0; l && i < l->count; i++)
	{
		const finding_measurement *m = &l->items[i]->measurement;
		json_t	   *f = finding_to_json(l->items[i]);
		json_t	   *mj = json_object_get(f, "measurement");
		char	   *before = report_plan_line(m->before_plan);
		char	   *after = report_plan_line(m->after_plan);

		json_object_set_new(mj, "before_plan_summary", json_text_or_null(before));
		json_object_set_new(mj, "after_plan_summary", json_text_or_null(after));
		free(before);
		free(after);
		json_array_append_new(a, f);
	}
	return a;
}

static json_t *
executive_summary_json(const report_summary *s)
{
	json_t	   *a = json_array();

	for (int i = 0; i < s->nrows; i++)
	{
		const summary_row *r = &s->rows[i];

		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
										   "finding", r->finding ? json_text_or_null(r->finding->id) : json_null(),
										   "metric", json_text(r->metric), "unit", json_text(r->unit),
										   "before", json_ms(r->before), "after", json_ms(r->after),
										   "delta", json_ms(r->after - r->before),
										   "change_percent", json_ms(r->before != 0 ? 100.0 * (r->after - r->before) / r->before : NAN)));
	}
	return a;
}

static json_t *
recommendations_json(const report_recommendations *r)
{
	json_t	   *o = json_object();

	for (int h = 0; h < REC__COUNT; h++)
	{
		json_t	   *ids = json_array();

		for (int i = 0; i < r->count[h]; i++)
			json_array_append_new(ids, json_text_or_null(r->items[h][i]->id));
		json_object_set_new(o, recommendation_horizon_key((recommendation_horizon) h), ids);
	}
	return o;
}

/* "executive_summary" and "recommendations" (docs/json-schema.md). */
static void
findings_summary_json(json_t *root, const report_input *in)
{
	report_summary s;
	report_recommendations r;

	report_summary_build(in, &s);
	report_recommendations_build(in, &s, &r);
	json_object_set_new(root, "executive_summary", executive_summary_json(&s));
	json_object_set_new(root, "recommendations", recommendations_json(&r));
	report_recommendations_free(&r);
	report_summary_free(&s);
}

/* How many of nq queries a report lists given its top (<= 0: all). */
static size_t
listed(int top, size_t nq)
{
	return top > 0 && (size_t) top < nq ? (size_t) top : nq;
}

/*
 * The report's root object; with_queries = 0 leaves "queries" an empty
 * array for report_write_json to stream.
 */
static json_t *
build_root(const report_input *in, int with_queries)
{
	json_t	   *root = json_object();
	size_t		nq;
	query_stats **qs = workload_queries(in->model, &nq);
	double		total = workload_get_summary(in->model)->total_duration_ms;
	json_t	   *queries = json_array();
	size_t		limit = listed(in->top, nq);

	for (size_t i = 0; with_queries && i < limit; i++)
		json_array_append_new(queries, query_json(qs[i], total));
	json_object_set_new(root, "schema_version", json_integer(REPORT_SCHEMA_VERSION));
	json_object_set_new(root, "pgsift_version", json_string(PGSIFT_VERSION));
	json_object_set_new(root, "summary", summary_json(in->model));
	json_object_set_new(root, "inputs", inputs_json(in));
	json_object_set_new(root, "malformed", malformed_json(in->tally));
	json_object_set_new(root, "queries", queries);
	json_object_set_new(root, "sessions", sessions_json(in->model));
	json_object_set_new(root, "pooler", report_json_pooler(in->model));
	json_object_set_new(root, "events", events_json(in->model));
	json_object_set_new(root, "activity", activity_json(in->model));
	json_object_set_new(root, "findings", findings_json(in->findings));
	findings_summary_json(root, in);
	if (in->live)
		json_object_set(root, "live", in->live);
	if (in->store_path)
		json_object_set_new(root, "store", json_string(in->store_path));
	return root;
}

json_t *
report_build_json(const report_input *in)
{
	return build_root(in, 1);
}

#define REPORT_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

/* Write query i of qs (its JSON, indented for the queries array) to out; 0 or -1. */
static int
write_query(FILE *out, query_stats *const *qs, size_t i, double total)
{
	json_t	   *q = query_json(qs[i], total);
	int			rc = 0;

	if (i > 0)
		rc |= fputs(",\n    ", out) == EOF;
	rc |= json_write_indented(out, q, REPORT_JSON_FLAGS, 4) != 0;
	json_decref(q);
	return rc ? -1 : 0;
}

/*
 * With -j 2 or more, a second thread renders blocks of queries into
 * memory while the first renders them too and writes the report in order.
 * Each takes the next block not yet taken, so that neither waits on a
 * fixed share (the first blocks, the busiest queries, cost most); the
 * first writes a block it took straight to the report when every block
 * before it is written.  No block is taken more than QUERY_BLOCK_LEAD
 * ahead of the report, which bounds the memory held: 1,024 queries' JSON,
 * about 2 MB.  A helper started before the rules (report_json_start_ahead)
 * has that many ready when the report begins: the rules, opening the file
 * and the report's other sections take 7-8 ms of the ORM log's 14 ms of
 * queries, which a lead of 8 blocks left the helper idle for.  The bytes
 * are those of a serial run: each block is the same calls, in memory.
 */
#define QUERY_BLOCK			16
#define QUERY_BLOCK_LEAD	64

typedef struct query_blocks
{
	query_stats *const *qs;
	size_t		nqueries;
	size_t		nblocks;
	double		total;
	char	  **text;			/* per block rendered in memory: its bytes */
	size_t	   *len;
	int		   *ready;			/* 1: rendered in memory, -1: that failed */
	size_t		taken;			/* blocks taken by either thread */
	size_t		written;		/* blocks written to the report */
	int			failed;
	pthread_mutex_t lock;
	pthread_cond_t changed;
} query_blocks;

/* Write block b's queries to out; 0 or -1. */
static int
write_block(FILE *out, const query_blocks *qb, size_t b)
{
	int			rc = 0;

	for (size_t i = b * QUERY_BLOCK; i < (b + 1) * QUERY_BLOCK && i < qb->nqueries && rc == 0; i++)
		rc = write_query(out, qb->qs, i, qb->total);
	return rc;
}

/* Render block b into memory and hand it over (qb->lock not held). */
static void
render_block(query_blocks *qb, size_t b)
{
	char	   *text = NULL;
	size_t		len = 0;
	FILE	   *mem = open_memstream(&text, &len);
	int			rc = -1;

	if (mem != NULL)
	{
		rc = write_block(mem, qb, b);
		rc |= fclose(mem) != 0 ? -1 : 0;
	}
	pthread_mutex_lock(&qb->lock);
	qb->text[b] = text;
	qb->len[b] = rc == 0 ? len : 0;
	qb->ready[b] = rc == 0 ? 1 : -1;
	pthread_cond_broadcast(&qb->changed);
	pthread_mutex_unlock(&qb->lock);
}

/* May another block be taken now?  (qb->lock held) */
static int
can_take(const query_blocks *qb)
{
	return qb->taken < qb->nblocks && qb->taken <= qb->written + QUERY_BLOCK_LEAD && !qb->failed;
}

static void
helper_blocks(void *arg)
{
	query_blocks *qb = arg;

	for (;;)
	{
		pthread_mutex_lock(&qb->lock);
		while (!can_take(qb) && qb->taken < qb->nblocks && !qb->failed)
			pthread_cond_wait(&qb->changed, &qb->lock);
		if (!can_take(qb))
		{
			pthread_mutex_unlock(&qb->lock);
			return;
		}
		size_t		b = qb->taken++;

		pthread_mutex_unlock(&qb->lock);
		render_block(qb, b);
	}
}

/*
 * The first thread's part: write the next block once rendered, else take
 * one (straight to out when it is the next to write), else wait; 0 or -1.
 */
static int
write_blocks_in_order(FILE *out, query_blocks *qb)
{
	int			rc = 0;

	pthread_mutex_lock(&qb->lock);
	while (qb->written < qb->nblocks && rc == 0)
	{
		size_t		next = qb->written;

		if (qb->ready[next] != 0)
		{
			pthread_mutex_unlock(&qb->lock);
			if (qb->ready[next] < 0 || fwrite(qb->text[next], 1, qb->len[next], out) != qb->len[next])
				rc = -1;
			free(qb->text[next]);
			qb->text[next] = NULL;
		}
		else if (can_take(qb))
		{
			size_t		b = qb->taken++;

			pthread_mutex_unlock(&qb->lock);
			if (b != next)
			{
				render_block(qb, b);
				pthread_mutex_lock(&qb->lock);
				continue;
			}
			rc = write_block(out, qb, b);
		}
		else
		{
			pthread_cond_wait(&qb->changed, &qb->lock);
			continue;
		}
		pthread_mutex_lock(&qb->lock);
		qb->written = next + 1;
		qb->failed |= rc != 0;
		pthread_cond_broadcast(&qb->changed);
	}
	qb->failed |= rc != 0;
	pthread_cond_broadcast(&qb->changed);
	pthread_mutex_unlock(&qb->lock);
	return rc;
}

/*
 * Queries rendered ahead (report.h): the blocks of one report's queries
 * and the helper rendering them, from before the rules run until the
 * report takes them.
 */
struct report_json_ahead
{
	query_blocks qb;
	query_stats **qs;			/* the queries in report order, our own copy */
	const workload *model;
	spare_thread *helper;		/* runs helper_blocks; NULL: no thread could be made */
	int			own_helper;		/* made for this, not the caller's */
	int			taken;			/* a report wrote them */
};

/*
 * Blocks of qs[0, n) with a helper started: on spare, or (NULL) on a
 * thread of their own when one can be made.
 */
static report_json_ahead *
ahead_start(const workload *model, query_stats *const *qs, size_t n, double total, spare_thread *spare)
{
	report_json_ahead *a = xcalloc(1, sizeof(report_json_ahead));
	query_blocks *qb = &a->qb;

	a->model = model;
	a->qs = xmalloc(n * sizeof(query_stats *));
	memcpy(a->qs, qs, n * sizeof(query_stats *));
	qb->qs = a->qs;
	qb->nqueries = n;
	qb->total = total;
	qb->nblocks = (n + QUERY_BLOCK - 1) / QUERY_BLOCK;
	qb->text = xcalloc(qb->nblocks, sizeof(char *));
	qb->len = xcalloc(qb->nblocks, sizeof(size_t));
	qb->ready = xcalloc(qb->nblocks, sizeof(int));
	pthread_mutex_init(&qb->lock, NULL);
	pthread_cond_init(&qb->changed, NULL);
	/* without a second thread the report's own takes every block, in order */
	a->own_helper = spare == NULL;
	a->helper = spare ? spare : spare_thread_start();
	if (spare_thread_run(a->helper, helper_blocks, qb) != 0 && a->own_helper)
	{
		spare_thread_finish(a->helper);
		a->helper = NULL;
	}
	return a;
}

report_json_ahead *
report_json_start_ahead(workload *model, int top, spare_thread *spare)
{
	size_t		nq;
	query_stats **qs = workload_queries(model, &nq);
	size_t		limit = listed(top, nq);

	if (limit <= QUERY_BLOCK)
		return NULL;
	return ahead_start(model, qs, limit, workload_get_summary(model)->total_duration_ms, spare);
}

int
report_json_ahead_used(const report_json_ahead *a)
{
	return a != NULL && a->taken;
}

void
report_json_ahead_free(report_json_ahead *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->qb.lock);
	a->qb.failed = 1;			/* no report takes the rest: the helper stops */
	pthread_cond_broadcast(&a->qb.changed);
	pthread_mutex_unlock(&a->qb.lock);
	if (a->own_helper)
		spare_thread_finish(a->helper);
	else
		spare_thread_wait(a->helper);
	for (size_t b = 0; b < a->qb.nblocks; b++)
		free(a->qb.text[b]);
	pthread_mutex_destroy(&a->qb.lock);
	pthread_cond_destroy(&a->qb.changed);
	free(a->qb.text);
	free(a->qb.len);
	free(a->qb.ready);
	free(a->qs);
	free(a);
}

/* May the report write a's blocks for queries qs[0, n)?  Once only, and the same queries. */
static int
ahead_fits(const report_json_ahead *a, const workload *model, query_stats *const *qs, size_t n)
{
	return a != NULL && !a->taken && a->model == model && a->qb.nqueries == n &&
		memcmp(a->qs, qs, n * sizeof(query_stats *)) == 0;
}

/*
 * The queries array, one query built, written and freed at a time: the
 * JSON of 100,000 queries as one tree is most of a run's memory and its
 * teardown alone takes seconds.  With -j 2 or more two threads render the
 * blocks (those rendered ahead, when they are this report's queries).
 * The bytes are json_dumpf's.
 */
static int
write_queries(FILE *out, const report_input *in)
{
	size_t		nq;
	query_stats **qs = workload_queries(in->model, &nq);
	double		total = workload_get_summary(in->model)->total_duration_ms;
	size_t		limit = listed(in->top, nq);
	int			rc = 0;

	if (limit == 0)
		return fputs("[]", out) == EOF ? -1 : 0;
	rc |= fputs("[\n    ", out) == EOF;
	if (ahead_fits(in->json_ahead, in->model, qs, limit))
	{
		in->json_ahead->taken = 1;
		rc |= write_blocks_in_order(out, &in->json_ahead->qb) != 0;
	}
	else if (in->jobs > 1 && limit > QUERY_BLOCK)
	{
		report_json_ahead *a = ahead_start(in->model, qs, limit, total, NULL);

		rc |= write_blocks_in_order(out, &a->qb) != 0;
		report_json_ahead_free(a);
	}
	else
		for (size_t i = 0; i < limit && rc == 0; i++)
			rc |= write_query(out, qs, i, total) != 0;
	rc |= fputs("\n  ]", out) == EOF;
	return rc ? -1 : 0;
}

int
report_write_json(FILE *out, const report_input *in)
{
	json_t	   *root = build_root(in, 0);
	const char *key;
	json_t	   *value;
	int			rc = 0,
				first = 1;

	rc |= fputs("{", out) == EOF;
	json_object_foreach(root, key, value)
	{
		/* the keys are build_root's own names: nothing to escape */
		rc |= fprintf(out, "%s\"%s\": ", first ? "\n  " : ",\n  ", key) < 0;
		if (strcmp(key, "queries") == 0)
			rc |= write_queries(out, in) != 0;
		else
			rc |= json_write_indented(out, value, REPORT_JSON_FLAGS | JSON_ENCODE_ANY, 2) != 0;
		first = 0;
		if (rc)
			break;
	}
	rc |= fputs(first ? "}\n" : "\n}\n", out) == EOF;
	json_decref(root);
	return rc ? -1 : 0;
}
