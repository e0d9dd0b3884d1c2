/*-------------------------------------------------------------------------
 * report_migration.h
 *    The report of pgsift migration, for a terminal and for CI: text,
 *    JSON, Markdown (a pull-request comment), SARIF 2.1.0 (code
 *    scanning) and GitHub workflow commands (annotations on the diff).
 *
 * Statements and comments of a migration come from a pull request: they
 * are attacker-controlled.  Every writer escapes them for its medium:
 * control characters never reach a terminal, Markdown gets them escaped
 * or fenced (src/report/markdown_text.h), workflow commands get GitHub's
 * escaping, JSON and SARIF jansson's.  The shapes are documented in
 * docs/json-schema.md ("pgsift migration") and docs/ci.md.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_REPORT_MIGRATION_H
#define PGSIFT_REPORT_MIGRATION_H

#include "src/analyze/migration_gate.h"
#include "src/lib/strbuf.h"

#include <jansson.h>
#include <stdio.h>

/* GitHub's limit on a comment body, which the Markdown report stays under. */
#define MIGRATION_MARKDOWN_LIMIT 65536

typedef enum migration_format
{
	MIGRATION_FORMAT_TEXT = 0,
	MIGRATION_FORMAT_JSON,
	MIGRATION_FORMAT_MARKDOWN,
	MIGRATION_FORMAT_SARIF,
	MIGRATION_FORMAT_GITHUB
} migration_format;

/* "text", "json", "markdown", "sarif", "github" to a format; -1 if unknown. */
int			migration_format_from_name(const char *name);

typedef struct migration_report_input
{
	const migration_gate_result *result;
	int			fail_on;		/* the severity that fails the gate, -1: none */
	const char *summary_path;	/* github: where the job summary goes ($GITHUB_STEP_SUMMARY), or NULL */
} migration_report_input;

/* Whether a finding reaches in->fail_on. */
int			migration_report_failed(const migration_report_input *in);

/* Write the report in fmt to out; 0, or -1 on a write error. */
int			migration_report_write(FILE *out, migration_format fmt, const migration_report_input *in);

/* The JSON report (caller json_decref's it). */
json_t	   *migration_report_json(const migration_report_input *in);

/*
 * The database part of the report (docs/json-schema.md, "database"):
 * the server, the trace of each statement, the workload's plans before
 * and after; JSON null without a DSN.
 */
json_t	   *migration_report_database_json(const migration_gate_result *r);

/* The same as a text section (nothing without a DSN). */
void		migration_report_database_text(FILE *out, const migration_gate_result *r);

/* The SARIF 2.1.0 log (caller json_decref's it). */
json_t	   *migration_report_sarif(const migration_report_input *in);

/*
 * The Markdown report into sb, under MIGRATION_MARKDOWN_LIMIT bytes: when
 * the findings do not fit, the last ones are left out and a line says how
 * many.  It starts with a stable marker line (an HTML comment) that a CI
 * step can find to update its earlier comment.
 */
void		migration_report_markdown(strbuf *sb, const migration_report_input *in);

/* The marker line that starts the Markdown report. */
#define MIGRATION_MARKDOWN_MARKER "<!-- pgsift-migration-report -->"

/*
 * A path as SARIF's artifactLocation.uri and GitHub's file= want it:
 * relative to the current directory when it lies under it (a repository's
 * checkout, in CI), each segment percent-encoded as RFC 3986 asks (for
 * SARIF; encode 0 leaves it as it is, for GitHub).  Malloc'd.
 */
char	   *migration_report_relative_path(const char *path, int encode);

/* GitHub workflow-command escaping of a message (% CR LF) or, property 1, a property value (also : ,). */
void		github_escape(strbuf *sb, const char *s, int property);

#endif
