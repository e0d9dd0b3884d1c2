/*-------------------------------------------------------------------------
 * report.h
 *    The analysis report, as text (for people), JSON (for programs),
 *    Markdown (for pull-request comments) or HTML (one self-contained page
 *    with charts, docs/html-report.md).
 *
 * Every format is built from the same report_input.  The JSON's top level
 * is a stable contract (docs/json-schema.md): keys may be added, never
 * renamed or removed without a schema_version bump.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_REPORT_H
#define PGSIFT_REPORT_H

#include "src/core/diag.h"
#include "src/core/finding.h"
#include "src/lib/spare_thread.h"
#include "src/model/ingest.h"
#include "src/model/workload.h"

#include <jansson.h>
#include <stdio.h>

#define REPORT_SCHEMA_VERSION 1

typedef enum report_format
{
	REPORT_TEXT = 0,
	REPORT_JSON,
	REPORT_MARKDOWN,
	REPORT_HTML
} report_format;

/* The HTML report's default size bound (--html-max-bytes). */
#define REPORT_HTML_MAX_BYTES_DEFAULT ((size_t) 20 * 1024 * 1024)

/* "text", "json", "markdown" ("md"), "html" to a format; -1 if unknown. */
int			report_format_from_name(const char *name);

/* --top's default for fmt: 20 queries, 50 in HTML, 0 (all) in JSON. */
int			report_default_top(report_format fmt);

/*
 * The JSON report's queries rendered ahead on a second thread, so that
 * the rules and that rendering overlap (report_json_start_ahead).
 */
typedef struct report_json_ahead report_json_ahead;

typedef struct report_input
{
	workload   *model;
	const ingest_file *files;	/* may be NULL (report from a store) */
	int			nfiles;
	const diag_tally *tally;	/* may be NULL */
	int			top;			/* queries to list; <= 0: all */
	const char *store_path;		/* shown when the report comes from a store */
	const finding_list *findings;	/* may be NULL: no rule ran */
	json_t	   *live;			/* live-database section (borrowed), or NULL */
	int			jobs;			/* threads the report may use (-j); <= 1: one */
	report_json_ahead *json_ahead;	/* or NULL: the JSON report's queries rendered ahead */
	int			color;			/* text only: colours for a terminal (src/core/color.h) */
	/* the HTML report only */
	const char *dsn;			/* the live database's DSN as given (shown
								 * redacted), or NULL */
	int64_t		generated_ms;	/* when the report was made (epoch ms); 0: not shown */
	const char *version;		/* pgsift's version to show; NULL: PGSIFT_VERSION */
	size_t		html_max_bytes; /* 0: REPORT_HTML_MAX_BYTES_DEFAULT */
} report_input;

/* The whole report as a JSON object (caller json_decref's it). */
json_t	   *report_build_json(const report_input *in);

/* Write the JSON report (indented) to out; 0 on success, -1 on a write error. */
int			report_write_json(FILE *out, const report_input *in);

/*
 * Start rendering the JSON report's queries (the first top of model's; <= 0:
 * all) on a second thread, a bounded number of blocks ahead of the report,
 * while the caller goes on (with the rules).  The thread is spare when it
 * can take the job (started before, asleep: it begins at once), else a new
 * one.  The caller must not change the queries' figures until the report
 * is written: a report whose queries are those writes the blocks, any
 * other renders its own.  NULL when there are too few queries to share.
 */
report_json_ahead *report_json_start_ahead(workload *model, int top, spare_thread *spare);

/* Did a report write a's blocks?  (Each rendering ahead serves one report.) */
int			report_json_ahead_used(const report_json_ahead *a);

/* Stop the helper (a spare one is left asleep) and free what it rendered; NULL is allowed. */
void		report_json_ahead_free(report_json_ahead *a);

/* Write the text report to out; 0 on success, -1 on a write error. */
int			report_write_text(FILE *out, const report_input *in);

/*
 * Write the Markdown report to out (src/report/report_markdown.c); 0 on
 * success, -1 on a write error.  All log-derived text is escaped.
 */
int			report_write_markdown(FILE *out, const report_input *in);

/*
 * Write the HTML report to out (src/report/report_html.c): one UTF-8 page
 * with its style sheet, script and charts inline, readable without
 * JavaScript and without network access; every string from a log or a
 * database is escaped (html_escape.h).  Past in->html_max_bytes the
 * queries' samples are left out, then the plans, with a warning on
 * stderr.  0 on success, -1 on a write error.
 */
int			report_write_html(FILE *out, const report_input *in);

/* Write the report in format fmt; 0 on success, -1 on a write error. */
int			report_write(FILE *out, report_format fmt, const report_input *in);

/*
 * Write text (NULL: "") for a terminal: each line break continued with
 * indent, other control characters shown as '?' (statements come from
 * logs and migrations, and must not move the cursor or change the
 * terminal's state).
 */
void		report_put_clean(FILE *out, const char *text, const char *indent);

/* "2024-01-02T03:04:05.123Z" into buf[32]; "" for LOG_TS_UNKNOWN. */
void		report_format_ts(int64_t ts_ms, char buf[32]);

#endif
