/*-------------------------------------------------------------------------
 * report_migration_markdown.c
 *    pgsift migration's report as Markdown: a pull-request comment or a
 *    GitHub job summary.
 *
 * It opens with a marker line (MIGRATION_MARKDOWN_MARKER) so that a CI
 * step can find and update the comment it posted before, then the
 * verdict, a table of the findings, and a section per finding with its
 * statement, lock, detail, hint and fix.  Statements, names and the
 * rules' texts (which quote them) are escaped or fenced
 * (markdown_text.h).  GitHub refuses a comment over 65,536 characters:
 * sections are added while they fit, and the rest is counted.
 *-------------------------------------------------------------------------
 */
#include "src/report/markdown_text.h"
#include "src/report/report_migration.h"

#include <string.h>

#define TABLE_ROWS 100
#define FOOTER_RESERVE 512

/* One paragraph on the trace and the workload's plans, when there was a database. */
static void
write_database(strbuf *sb, const migration_gate_result *r)
{
	int			counts[REGRESS_NOT_PLANNED + 1] = {0},
				ran = 0;

	if (!r->connected)
		return;
	if (!r->traced)
	{
		strbuf_printf(sb, "Checked against the catalog of a PostgreSQL %d database; not traced "
					  "(`--measure plan` runs it in a transaction that is rolled back).\n\n", r->server_version);
		return;
	}
	for (int i = 0; i < r->trace.nsteps; i++)
		ran += r->trace.steps[i].step == SANDBOX_STEP_RAN || r->trace.steps[i].step == SANDBOX_STEP_FAILED;
	for (int i = 0; i < r->regressions.nqueries; i++)
		counts[r->regressions.queries[i].verdict]++;
	strbuf_puts(sb, "Traced on ");
	md_escape(sb, r->trace.database ? r->trace.database : "the database");
	strbuf_printf(sb, " (PostgreSQL %d, rolled back): %d of %d statements ran.", r->server_version, ran,
				  r->trace.nsteps);
	if (r->regressions.nqueries > 0)
		strbuf_printf(sb, " Workload: %d queries planned before and after: %d slower, %d fail, %d faster, "
					  "%d unchanged.", r->regressions.nqueries, counts[REGRESS_SLOWER], counts[REGRESS_FAILS],
					  counts[REGRESS_FASTER], counts[REGRESS_UNCHANGED]);
	strbuf_puts(sb, "\n\n");
}

static void
write_header(strbuf *sb, const migration_report_input *in)
{
	const migration_gate_result *r = in->result;
	const finding_list *l = &r->findings;
	int			counts[FINDING_CRITICAL + 1] = {0};
	int			any = 0;

	for (int i = 0; i < l->count; i++)
		counts[l->items[i]->severity]++;
	strbuf_printf(sb, "%s\n## pgsift migration: ", MIGRATION_MARKDOWN_MARKER);
	if (l->count == 0)
		strbuf_puts(sb, "no findings\n\n");
	else
	{
		strbuf_printf(sb, "%d finding%s (", l->count, l->count == 1 ? "" : "s");
		for (int s = FINDING_CRITICAL; s >= FINDING_INFO; s--)
			if (counts[s] > 0)
				strbuf_printf(sb, "%s%d %s", any++ ? ", " : "", counts[s], finding_severity_name((finding_severity) s));
		strbuf_puts(sb, ")\n\n");
	}
	strbuf_printf(sb, "%d file%s, %d statement%s, checked for PostgreSQL %d%s.", r->migration.nfiles,
				  r->migration.nfiles == 1 ? "" : "s", r->migration.nstatements,
				  r->migration.nstatements == 1 ? "" : "s", r->pg_version,
				  r->migration.options.single_transaction ? ", each file in one transaction" : "");
	if (in->fail_on >= 0)
		strbuf_printf(sb, " Gate: **%s** (`--fail-on %s`).", migration_report_failed(in) ? "failed" : "passed",
					  finding_severity_name((finding_severity) in->fail_on));
	strbuf_puts(sb, "\n\n");
	write_database(sb, r);
}

static void
write_where(strbuf *sb, const finding *f)
{
	md_escape(sb, f->location.file ? f->location.file : "?");
	strbuf_printf(sb, ":%d", f->location.line);
}

static void
write_table(strbuf *sb, const finding_list *l)
{
	if (l->count == 0)
		return;
	strbuf_puts(sb, "| Severity | Where | Rule | Finding |\n|---|---|---|---|\n");
	for (int i = 0; i < l->count && i < TABLE_ROWS; i++)
	{
		const finding *f = l->items[i];

		strbuf_printf(sb, "| %s | ", finding_severity_name(f->severity));
		write_where(sb, f);
		strbuf_printf(sb, " | `%s` | ", f->rule);
		md_escape(sb, f->title);
		strbuf_puts(sb, " |\n");
	}
	if (l->count > TABLE_ROWS)
		strbuf_printf(sb, "| | | | and %d more |\n", l->count - TABLE_ROWS);
	strbuf_puts(sb, "\n");
}

static void
write_section(strbuf *sb, const finding *f)
{
	strbuf_puts(sb, "### ");
	write_where(sb, f);
	strbuf_printf(sb, ": `%s` (%s)\n\n", f->rule, finding_severity_name(f->severity));
	if (f->location.statement)
		md_fenced(sb, "sql", f->location.statement);
	if (f->location.lock || f->location.rewrite >= 0)
	{
		if (f->location.lock)
		{
			strbuf_printf(sb, "**Lock:** %s", f->location.lock);
			if (f->ntables > 0)
			{
				strbuf_puts(sb, " on ");
				md_escape(sb, f->tables[0]);
			}
		}
		if (f->location.rewrite >= 0)
			strbuf_printf(sb, "%s**Rewrites the table:** %s", f->location.lock ? " · " : "",
						  f->location.rewrite ? "yes" : "no");
		strbuf_puts(sb, "\n\n");
	}
	if (f->detail)
	{
		md_escape(sb, f->detail);
		strbuf_puts(sb, "\n\n");
	}
	if (f->hint)
	{
		strbuf_puts(sb, "**Hint:** ");
		md_escape(sb, f->hint);
		strbuf_puts(sb, "\n\n");
	}
	if (f->fix_sql)
	{
		strbuf_puts(sb, "**Fix:**\n\n");
		md_fenced(sb, "sql", f->fix_sql);
	}
}

void
migration_report_markdown(strbuf *sb, const migration_report_input *in)
{
	const finding_list *l = &in->result->findings;
	strbuf		section;
	int			shown = 0;

	write_header(sb, in);
	write_table(sb, l);
	strbuf_init(&section);
	for (; shown < l->count; shown++)
	{
		strbuf_reset(&section);
		write_section(&section, l->items[shown]);
		if (sb->len + section.len + FOOTER_RESERVE > MIGRATION_MARKDOWN_LIMIT)
			break;
		strbuf_append(sb, section.data, section.len);
	}
	strbuf_free(&section);
	if (shown < l->count)
		strbuf_printf(sb, "*%d more finding%s not shown here: GitHub limits a comment to %d characters. "
					  "The JSON and SARIF reports hold them all.*\n\n", l->count - shown,
					  l->count - shown == 1 ? "" : "s", MIGRATION_MARKDOWN_LIMIT);
	strbuf_puts(sb, "<sub>pgsift " PGSIFT_VERSION " · `pgsift rules ID` explains each rule</sub>\n");
}
