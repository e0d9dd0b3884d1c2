/*-------------------------------------------------------------------------
 * report_summary.h
 *    What every report format shows in the same way: the executive
 *    summary of the measured fixes, the recommendations by horizon, and
 *    plan one-liners.
 *
 * Computed once from a report_input so that text, JSON and Markdown can
 * never disagree.  The figures and the rules that place a finding under
 * "immediate", "next" or "long term" are documented in
 * docs/json-schema.md ("executive_summary", "recommendations").
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_REPORT_SUMMARY_H
#define PGSIFT_REPORT_SUMMARY_H

#include "src/lib/strbuf.h"
#include "src/report/report.h"

/* A finding is "immediate" when it saves at least this share of DB time. */
#define REPORT_IMMEDIATE_SHARE 0.01

/* One row of the executive summary: metric | before | after | delta. */
typedef struct summary_row
{
	const finding *finding;		/* NULL: the row for all measured fixes */
	char	   *metric;			/* "p95 of 0123456789abcdef", ... (malloc'd) */
	double		before,
				after;			/* NAN when not known */
	const char *unit;			/* "ms", "ms/h", "statements" (static) */
} summary_row;

typedef struct report_summary
{
	double		db_ms_per_hour; /* the log's statement time per hour; NAN unknown */
	int			nrows;
	summary_row *rows;
} report_summary;

typedef enum recommendation_horizon
{
	REC_IMMEDIATE = 0,
	REC_NEXT,
	REC_LONG_TERM,
	REC__COUNT
} recommendation_horizon;

typedef struct report_recommendations
{
	int			count[REC__COUNT];
	const finding **items[REC__COUNT];	/* borrowed from the finding list, by score */
} report_recommendations;

/*
 * The executive summary of in's measured findings (method measured or
 * hypothetical) and of every finding that carries named metrics.  Free
 * with report_summary_free.
 */
void		report_summary_build(const report_input *in, report_summary *out);
void		report_summary_free(report_summary *s);

/* after - before as a share of before ("-42.0%"), or "" when not known. */
void		report_format_change(double before, double after, char *buf, size_t size);

/* Place each finding of in under a horizon.  Free with report_recommendations_free. */
void		report_recommendations_build(const report_input *in, const report_summary *s,
										 report_recommendations *out);
void		report_recommendations_free(report_recommendations *r);

/* "immediate", "next", "long_term". */
const char *recommendation_horizon_key(recommendation_horizon h);
/* "Immediate", "Next", "Long term". */
const char *recommendation_horizon_title(recommendation_horizon h);

/*
 * A figure for people: "ms" as a duration in the unit that reads best
 * ("12.345 ms", "3.20 s", "1.5 h"), "ms/h" the same per hour, any other
 * unit as "%g unit"; "-" when not finite.  Returns buf.
 */
const char *report_format_figure(double v, const char *unit, char *buf, size_t size);

/*
 * The sentence on what the bounded table evicted (workload.h) into out:
 * the other row's statements and time, and the largest error of a listed
 * figure.  Returns 0 (out empty) when nothing was evicted.
 */
int			report_other_sentence(workload *w, strbuf *out);

/* Text folded onto one line and cut to width bytes (UTF-8 safe), "..." when cut. */
void		report_one_line(const char *s, size_t width, strbuf *out);

/*
 * A section heading of the text report: fmt's line (printf, the newline
 * added), bold when color is on (src/core/color.h).
 */
void		report_text_heading(FILE *out, int color, const char *fmt,...) __attribute__((format(printf, 3, 4)));

/*
 * The findings part of the text report (src/report/report_findings.c): the
 * executive summary, the bottlenecks and the recommendations.  Nothing
 * when in->findings is NULL (no rule ran).
 */
void		report_text_findings(FILE *out, const report_input *in);

/*
 * The live-database part of the text report (src/report/report_live.c): plans,
 * pg_stat_statements, and the statements explained but not executed.
 * Nothing without in->live.
 */
void		report_text_live(FILE *out, const report_input *in);

/*
 * plan_summary of an EXPLAIN (FORMAT JSON) text: a malloc'd line, or NULL
 * when plan_json is NULL or does not parse.
 */
char	   *report_plan_line(const char *plan_json);

#endif
