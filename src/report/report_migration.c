/*-------------------------------------------------------------------------
 * report_migration.c
 *    pgsift migration's report for a terminal, for GitHub's workflow
 *    commands, and the choice among the formats.
 *
 * The text report puts each finding under a "file:line: severity: rule"
 * line, as compilers do, so editors and terminals jump to the statement.
 * The github format writes one ::error / ::warning / ::notice command per
 * finding (GitHub turns them into annotations on the pull request's diff)
 * and appends the Markdown report to the job summary.
 *-------------------------------------------------------------------------
 */
#include "src/report/report_migration.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/json_out.h"
#include "src/report/report.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEXT_STATEMENT_LINES 6

int
migration_format_from_name(const char *name)
{
	static const char *const names[] = {"text", "json", "markdown", "sarif", "github"};

	for (int i = 0; i < (int) (sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int
migration_report_failed(const migration_report_input *in)
{
	return in->fail_on >= 0 && finding_list_max_severity(&in->result->findings) >= in->fail_on;
}

/* "2 critical, 1 high" for the findings of l (static buffer). */
static const char *
severity_counts(const finding_list *l)
{
	static char buf[160];
	size_t		len = 0;

	buf[0] = '\0';
	for (int s = FINDING_CRITICAL; s >= FINDING_INFO; s--)
	{
		int			n = 0;

		for (int i = 0; i < l->count; i++)
			n += (int) l->items[i]->severity == s;
		if (n > 0)
			len += (size_t) snprintf(buf + len, sizeof(buf) - len, "%s%d %s", len ? ", " : "", n,
									 finding_severity_name((finding_severity) s));
	}
	return buf;
}

/* The first lines of a statement, each after "    | ". */
static void
write_statement(FILE *out, const char *sql)
{
	const char *p = sql;
	int			lines = 0;

	while (p && *p && lines < TEXT_STATEMENT_LINES)
	{
		const char *nl = strchr(p, '\n');
		size_t		n = nl ? (size_t) (nl - p) : strlen(p);
		char	   *line = xstrndup(p, n);

		fputs("    | ", out);
		report_put_clean(out, line, "");
		fputc('\n', out);
		free(line);
		lines++;
		p = nl ? nl + 1 : NULL;
	}
	if (p && *p)
		fputs("    | ...\n", out);
}

static void
write_text_finding(FILE *out, const finding *f)
{
	fprintf(out, "\n%s:%d: %s: %s: ", f->location.file ? f->location.file : "?", f->location.line,
			finding_severity_name(f->severity), f->rule);
	report_put_clean(out, f->title, "");
	fputc('\n', out);
	if (f->location.statement)
		write_statement(out, f->location.statement);
	if (f->location.lock || f->location.rewrite >= 0)
	{
		fputs("    ", out);
		if (f->location.lock)
			fprintf(out, "lock: %s%s%s", f->location.lock, f->ntables > 0 ? " on " : "",
					f->ntables > 0 ? f->tables[0] : "");
		if (f->location.rewrite >= 0)
			fprintf(out, "%srewrites the table: %s", f->location.lock ? " · " : "",
					f->location.rewrite ? "yes" : "no");
		fputc('\n', out);
	}
	if (f->detail)
	{
		fputs("    ", out);
		report_put_clean(out, f->detail, "    ");
		fputc('\n', out);
	}
	if (f->hint)
	{
		fputs("    hint: ", out);
		report_put_clean(out, f->hint, "          ");
		fputc('\n', out);
	}
	if (f->fix_sql)
	{
		fputs("    fix:  ", out);
		report_put_clean(out, f->fix_sql, "          ");
		fputc('\n', out);
	}
}

static void
write_text(FILE *out, const migration_report_input *in)
{
	const migration_gate_result *r = in->result;
	const finding_list *l = &r->findings;

	fprintf(out, "pgsift migration: %d file%s, %d statement%s, checked for PostgreSQL %d\n",
			r->migration.nfiles, r->migration.nfiles == 1 ? "" : "s",
			r->migration.nstatements, r->migration.nstatements == 1 ? "" : "s", r->pg_version);
	if (l->count == 0)
		fputs("no findings\n", out);
	else
		fprintf(out, "%d finding%s: %s\n", l->count, l->count == 1 ? "" : "s", severity_counts(l));
	for (int i = 0; i < l->count; i++)
		write_text_finding(out, l->items[i]);
	migration_report_database_text(out, r);
	if (in->fail_on >= 0)
		fprintf(out, "\ngate: %s (--fail-on %s)\n", migration_report_failed(in) ? "FAILED" : "passed",
				finding_severity_name((finding_severity) in->fail_on));
}

/* Whether c stays as it is in a URI path segment (RFC 3986 unreserved, or '/'). */
static int
uri_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

char *
migration_report_relative_path(const char *path, int encode)
{
	char		cwd[PATH_MAX];
	const char *rel = path;
	size_t		n;
	strbuf		sb;

	if (path[0] == '/' && getcwd(cwd, sizeof(cwd)) != NULL)
	{
		n = strlen(cwd);
		if (strncmp(path, cwd, n) == 0 && path[n] == '/')
			rel = path + n + 1;
	}
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (!encode)
		return xstrdup(rel);
	strbuf_init(&sb);
	for (const unsigned char *p = (const unsigned char *) rel; *p; p++)
		if (uri_plain(*p))
			strbuf_putc(&sb, (char) *p);
		else
			strbuf_printf(&sb, "%%%02X", *p);
	return strbuf_detach(&sb);
}

void
github_escape(strbuf *sb, const char *s, int property)
{
	for (const char *p = s ? s : ""; *p; p++)
	{
		if (*p == '%')
			strbuf_puts(sb, "%25");
		else if (*p == '\r')
			strbuf_puts(sb, "%0D");
		else if (*p == '\n')
			strbuf_puts(sb, "%0A");
		else if (property && *p == ':')
			strbuf_puts(sb, "%3A");
		else if (property && *p == ',')
			strbuf_puts(sb, "%2C");
		else
			strbuf_putc(sb, *p);
	}
}

/* One workflow command for f: ::error file=...,line=...,title=...::message */
static void
write_annotation(FILE *out, const finding *f)
{
	const char *command = f->severity >= FINDING_HIGH ? "error"
		: f->severity == FINDING_MEDIUM ? "warning" : "notice";
	char	   *file = migration_report_relative_path(f->location.file ? f->location.file : "", 0);
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_printf(&sb, "::%s file=", command);
	github_escape(&sb, file, 1);
	strbuf_printf(&sb, ",line=%d,title=", f->location.line);
	github_escape(&sb, f->rule, 1);
	github_escape(&sb, ": ", 1);
	github_escape(&sb, f->title, 1);
	strbuf_puts(&sb, "::");
	github_escape(&sb, f->detail ? f->detail : f->title, 0);
	if (f->hint)
	{
		github_escape(&sb, "\n", 0);
		github_escape(&sb, f->hint, 0);
	}
	fprintf(out, "%s\n", sb.data);
	strbuf_free(&sb);
	free(file);
}

/* Append the Markdown report to the job summary file; 0, or -1 (reported as a warning). */
static int
append_summary(const migration_report_input *in)
{
	FILE	   *fp = fopen(in->summary_path, "a");
	strbuf		sb;
	int			rc = 0;

	if (fp == NULL)
	{
		diag_warning("could not open job summary \"%s\": %m", in->summary_path);
		return -1;
	}
	strbuf_init(&sb);
	migration_report_markdown(&sb, in);
	int			wrote = fputs(sb.data, fp) != EOF;

	if (fclose(fp) != 0 || !wrote)
	{
		diag_warning("could not write job summary \"%s\": %m", in->summary_path);
		rc = -1;
	}
	strbuf_free(&sb);
	return rc;
}

static void
write_github(FILE *out, const migration_report_input *in)
{
	const finding_list *l = &in->result->findings;

	for (int i = 0; i < l->count; i++)
		write_annotation(out, l->items[i]);
	fprintf(out, "pgsift migration: %d statement%s, %d finding%s%s%s\n", in->result->migration.nstatements,
			in->result->migration.nstatements == 1 ? "" : "s", l->count, l->count == 1 ? "" : "s",
			l->count ? ": " : "", severity_counts(l));
	if (in->summary_path && in->summary_path[0])
		append_summary(in);
}

static int
write_json_value(FILE *out, json_t *v)
{
	int			rc = json_write(out, v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(v);
	if (rc == 0)
		fputc('\n', out);
	return rc == 0 ? 0 : -1;
}

int
migration_report_write(FILE *out, migration_format fmt, const migration_report_input *in)
{
	strbuf		sb;

	switch (fmt)
	{
		case MIGRATION_FORMAT_TEXT:
			write_text(out, in);
			break;
		case MIGRATION_FORMAT_JSON:
			if (write_json_value(out, migration_report_json(in)) != 0)
				return -1;
			break;
		case MIGRATION_FORMAT_SARIF:
			if (write_json_value(out, migration_report_sarif(in)) != 0)
				return -1;
			break;
		case MIGRATION_FORMAT_MARKDOWN:
			strbuf_init(&sb);
			migration_report_markdown(&sb, in);
			fputs(sb.data, out);
			strbuf_free(&sb);
			break;
		case MIGRATION_FORMAT_GITHUB:
			write_github(out, in);
			break;
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
