/*-------------------------------------------------------------------------
 * report_html.h
 *    What the sections of the HTML report share (src/report/report_html*.c).
 *
 * report_write_html (report_html.c) builds one html_report from the
 * report input: the log's time zone, the queries listed, the executive
 * summary, the activity buckets.  Each section then writes itself into a
 * strbuf of its own (report_html_header.c, _findings.c, _activity.c,
 * _queries.c, _events.c), so the page's size is known before a byte is
 * written and the size bound can leave out samples, then plans.  Every
 * string that is not pgsift's own goes through html_escape; the helpers
 * below escape what they are given.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_REPORT_HTML_H
#define PGSIFT_REPORT_HTML_H

#include "src/lib/strbuf.h"
#include "src/report/report.h"
#include "src/report/report_summary.h"
#include "src/report/svg_chart.h"

#include <stdint.h>

/* Samples shown per query, at most (the model keeps WORKLOAD_SAMPLES). */
#define HTML_SAMPLES 3

typedef struct html_report
{
	const report_input *in;
	const workload_summary *s;
	int32_t		zone;			/* the log's UTC offset in minutes, or LOG_UTC_OFFSET_UNKNOWN */
	query_stats **queries;		/* by total time (the model's array) */
	size_t		nqueries;		/* all of them */
	size_t		nlisted;		/* the first nlisted are in the query table */
	report_summary summary;		/* of in->findings (empty when NULL) */
	int			samples;		/* samples per query shown: HTML_SAMPLES, 0 once dropped */
	int			plans;			/* plans shown: 1, 0 once dropped */
	/* activity in buckets of the log's zone (report_html_activity.c) */
	int64_t		bucket_ms;
	int64_t		start_ms;
	int			nbuckets;
	double	   *statements;		/* per second, per bucket */
	double	   *db_seconds;		/* statement time (s) per bucket */
	double	   *errors;			/* per bucket */
	double	   *p95_ms;			/* per bucket; NAN: no timed statement, or unknown */
	int			p95_unknown;	/* buckets with statements whose p95 a store did not keep */
} html_report;

/* The sections, each into out; a section with nothing to show writes nothing. */
void		html_section_header(strbuf *out, const html_report *r);
void		html_section_summary(strbuf *out, const html_report *r);
void		html_section_findings(strbuf *out, const html_report *r);
void		html_section_figures(strbuf *out, const html_report *r);
void		html_section_over_time(strbuf *out, const html_report *r);
void		html_section_latency(strbuf *out, const html_report *r);
void		html_section_queries(strbuf *out, const html_report *r);
void		html_section_sessions(strbuf *out, const html_report *r);
void		html_section_errors(strbuf *out, const html_report *r);
void		html_section_locks(strbuf *out, const html_report *r);
void		html_section_temp_files(strbuf *out, const html_report *r);
void		html_section_checkpoints(strbuf *out, const html_report *r);
void		html_section_autovacuum(strbuf *out, const html_report *r);
void		html_section_pooler(strbuf *out, const html_report *r);
void		html_section_appendix(strbuf *out, const html_report *r);

/* The activity buckets of r from the model's minutes (freed by html_activity_free). */
void		html_activity_build(html_report *r);
void		html_activity_free(html_report *r);

/* <section id="id"><h2>title</h2> and its end; title is pgsift's own text. */
void		html_open_section(strbuf *out, const char *id, const char *title);
void		html_close_section(strbuf *out);

/* Figures, escaped where they hold text: 1,234,567; "12.3 ms" / "4.20 s"; "1.5 MB". */
void		html_count(strbuf *out, uint64_t n);
void		html_ms(strbuf *out, double ms);
/* A duration in three significant digits for table cells: "0.551 ms", "22.3 ms", "656 ms", "2.73 s". */
void		html_ms_short(strbuf *out, double ms);
void		html_bytes(strbuf *out, uint64_t bytes);
/* A percentage of whole with one decimal ("12.3%"), "-" when whole is 0. */
void		html_percent(strbuf *out, double part, double whole);

/* ts_ms in the log's zone, to the millisecond; "unknown" for LOG_TS_UNKNOWN. */
void		html_time(strbuf *out, const html_report *r, int64_t ts_ms);
/* The same to the minute ("2024-01-31 12:05"). */
void		html_minute(strbuf *out, const html_report *r, int64_t ts_ms);

/* The zone sentence of the header: "Times are in UTC+01:00, the log's zone." */
void		html_zone_sentence(strbuf *out, const html_report *r);

/* Whether the query of 16-hex fingerprint hex has a row in the query table. */
int			html_query_listed(const html_report *r, const char *hex);

/* A link to the query's row (<a href="#q-hex">), or the fingerprint alone when it has none. */
void		html_query_ref(strbuf *out, const html_report *r, const char *hex);

/* The finding with that id, or NULL. */
const finding *html_finding_by_id(const html_report *r, const char *id);

/* The 1-based rank of f among the findings, 0 when absent. */
int			html_finding_rank(const html_report *r, const finding *f);

/* A link to finding f: "#3 title". */
void		html_finding_ref(strbuf *out, const html_report *r, const finding *f);

/* SQL in <pre><code> with a copy button (hidden until the script shows it). */
void		html_copyable_sql(strbuf *out, const char *sql);

#endif
