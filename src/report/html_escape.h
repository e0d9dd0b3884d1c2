/*-------------------------------------------------------------------------
 * html_escape.h
 *    The one escaping of the HTML report for every string pgsift did not
 *    write itself.
 *
 * Statements, user, database and application names, error messages,
 * file names and catalog names come from logs and databases, so from
 * whoever can connect.  Each goes through html_escape, into element
 * content or a double-quoted attribute value, or through
 * html_json_escape inside the report's <script type="application/json">
 * block.  Both also make the text valid UTF-8 (browsers would otherwise
 * guess at the page's encoding) and keep control characters out.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_HTML_ESCAPE_H
#define PGSIFT_HTML_ESCAPE_H

#include "src/lib/strbuf.h"

#include <stddef.h>

/*
 * Append s (NULL: nothing) to out for element content or a quoted
 * attribute value: '&', '<', '>', '"' and '\'' as character references;
 * a byte that does not start a valid UTF-8 sequence (overlong forms,
 * surrogates and code points past U+10FFFF are not valid) as U+FFFD, and
 * so every control character (C0, DEL, C1) but '\n' and '\t'.
 */
void		html_escape(strbuf *out, const char *s);

/* html_escape of the len bytes at s (NUL bytes among them become U+FFFD). */
void		html_escape_n(strbuf *out, const char *s, size_t len);

/*
 * Append JSON text (as jansson dumps it) to out for a
 * <script type="application/json"> block: '<', '>' and '&' as \u003c,
 * \u003e and \u0026 (so no "</script>" or "<!--" can end or change the
 * block), U+2028 and U+2029 as \u2028 and \u2029 (a script reading the
 * block as JavaScript would end a line there), invalid UTF-8 as U+FFFD.
 * These characters appear only inside JSON strings, where the escapes
 * mean the same characters, so the JSON's value is unchanged.
 */
void		html_json_escape(strbuf *out, const char *json);

/*
 * The length of the valid UTF-8 sequence at s[0..len) and its code point
 * in *cp, or 0 when s does not start one (len must be > 0).
 */
size_t		html_utf8_char(const char *s, size_t len, unsigned *cp);

#endif
