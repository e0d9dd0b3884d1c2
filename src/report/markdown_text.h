/*-------------------------------------------------------------------------
 * markdown_text.h
 *    Putting text that is not pgsift's own into Markdown safely.
 *
 * Log text, statements of a migration and names from a database are
 * attacker-controlled.  In a Markdown report they go either through
 * md_escape, which makes them one line of plain text (Markdown
 * metacharacters backslash-escaped; '<', '>' and '&' as entities, so no
 * raw HTML passes), or into a fenced code block whose fence is longer
 * than any run of backticks inside, so the text cannot close it.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MARKDOWN_TEXT_H
#define PGSIFT_MARKDOWN_TEXT_H

#include "src/lib/strbuf.h"

/* Append s (NULL: "") as one line of escaped Markdown text. */
void		md_escape(strbuf *sb, const char *s);

/* Append s verbatim in a fenced code block (info string info), then a blank line. */
void		md_fenced(strbuf *sb, const char *info, const char *s);

#endif
