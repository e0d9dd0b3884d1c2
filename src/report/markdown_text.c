/*-------------------------------------------------------------------------
 * markdown_text.c
 *    Putting text that is not pgsift's own into Markdown safely
 *    (see markdown_text.h).
 *-------------------------------------------------------------------------
 */
#include "src/report/markdown_text.h"

#include <string.h>

void
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

/* The longest run of backticks in s. */
static size_t
longest_backtick_run(const char *s)
{
	size_t		run = 0,
				longest = 0;

	for (; *s; s++)
	{
		run = *s == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	return longest;
}

void
md_fenced(strbuf *sb, const char *info, const char *s)
{
	size_t		fence;
	size_t		len;

	s = s ? s : "";
	fence = longest_backtick_run(s) + 1;
	len = strlen(s);
	if (fence < 3)
		fence = 3;
	for (size_t i = 0; i < fence; i++)
		strbuf_putc(sb, '`');
	strbuf_printf(sb, "%s\n%s%s", info, s, len > 0 && s[len - 1] == '\n' ? "" : "\n");
	for (size_t i = 0; i < fence; i++)
		strbuf_putc(sb, '`');
	strbuf_puts(sb, "\n\n");
}
