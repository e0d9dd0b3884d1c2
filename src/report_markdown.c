/*-------------------------------------------------------------------------
 * report_markdown.c
 *    The report as Markdown, for pull-request comments.
 *
 * Log text is attacker-controlled: every string that comes from a log or
 * a database goes through md_escape (table cells) or a fenced block whose
 * fence is longer than any backtick run inside it.
 *-------------------------------------------------------------------------
 */
#include "report.h"
#include "strbuf.h"

#include <math.h>
#include <string.h>

/* Text for a table cell: Markdown and HTML metacharacters escaped, one line. */
static void
md_escape(strbuf *sb, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++)
	{
		if (*p == '\n' || *p == '\r' || *p == '\t')
			strbuf_putc(sb, ' ');
		else if (*p == '<')
			strbuf_puts(sb, "&lt;");
		else if (*p == '>')
			strbuf_puts(sb, "&gt;");
		else if (*p == '&')
			strbuf_puts(sb, "&amp;");
		else if (strchr("\\`*_{}[]()#+-.!|~", *p))
		{
			strbuf_putc(sb, '\\');
			strbuf_putc(sb, *p);
		}
		else
			strbuf_putc(sb, *p);
	}
}

static void
write_findings(FILE *out, const finding_list *l)
{
	strbuf		sb;

	strbuf_init(&sb);
	fprintf(out, "## Findings (%d, by time saved)\n\n", l ? l->count : 0);
	if (l == NULL || l->count == 0)
	{
		fputs("None.\n\n", out);
		strbuf_free(&sb);
		return;
	}
	fputs("| # | severity | rule | finding | score (ms/h) |\n|---|---|---|---|---|\n", out);
	for (int i = 0; i < l->count; i++)
	{
		const finding *f = l->items[i];

		strbuf_reset(&sb);
		md_escape(&sb, f->title);
		fprintf(out, "| %d | %s | `%s` | %s | %.1f |\n", i + 1, finding_severity_name(f->severity), f->rule,
				sb.data, isfinite(f->score) ? f->score : 0);
	}
	fputc('\n', out);
	strbuf_free(&sb);
}

int
report_write_markdown(FILE *out, const report_input *in)
{
	const workload_summary *s = workload_get_summary(in->model);

	fputs("# pgsift report\n\n", out);
	fprintf(out, "%llu statements, %.1f ms in total.\n\n", (unsigned long long) s->statements,
			s->total_duration_ms);
	write_findings(out, in->findings);
	return ferror(out) ? -1 : 0;
}
