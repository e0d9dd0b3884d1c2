/*-------------------------------------------------------------------------
 * report.h
 *    The analysis report, as text (for people), JSON (for programs) or
 *    Markdown (for pull-request comments).
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
#include "src/model/ingest.h"
#include "src/model/workload.h"

#include <jansson.h>
#include <stdio.h>

#define REPORT_SCHEMA_VERSION 1

typedef enum report_format
{
	REPORT_TEXT = 0,
	REPORT_JSON,
	REPORT_MARKDOWN
} report_format;

/* "text", "json", "markdown" to a format; -1 if unknown. */
int			report_format_from_name(const char *name);

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
	int			color;			/* text only: colours for a terminal (src/core/color.h) */
} report_input;

/* The whole report as a JSON object (caller json_decref's it). */
json_t	   *report_build_json(const report_input *in);

/* Write the JSON report (indented) to out; 0 on success, -1 on a write error. */
int			report_write_json(FILE *out, const report_input *in);

/* Write the text report to out; 0 on success, -1 on a write error. */
int			report_write_text(FILE *out, const report_input *in);

/*
 * Write the Markdown report to out (src/report/report_markdown.c); 0 on
 * success, -1 on a write error.  All log-derived text is escaped.
 */
int			report_write_markdown(FILE *out, const report_input *in);

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
