/*-------------------------------------------------------------------------
 * html_escape.c
 *    Escaping of log and database text for the HTML report.
 *
 * A decoder of one UTF-8 character decides what each byte is; runs of
 * bytes that need nothing are copied at once.  Quotes are escaped in
 * element content too, so one function serves content and attributes
 * and no caller has to know where its text goes.
 *-------------------------------------------------------------------------
 */
#include "src/report/html_escape.h"

#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD"	/* U+FFFD */

size_t
html_utf8_char(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		n;
	unsigned	c,
				min;

	if (u[0] < 0x80)
	{
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF)
		n = 2, c = u[0] & 0x1F, min = 0x80;
	else if (u[0] >= 0xE0 && u[0] <= 0xEF)
		n = 3, c = u[0] & 0x0F, min = 0x800;
	else if (u[0] >= 0xF0 && u[0] <= 0xF4)
		n = 4, c = u[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++)
	{
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Whether code point c is a control character the report leaves out. */
static int
is_control(unsigned c)
{
	return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c <= 0x9F);
}

/* The character reference of an ASCII character that has one, else NULL. */
static const char *
reference(unsigned c)
{
	switch (c)
	{
		case '&':
			return "&amp;";
		case '<':
			return "&lt;";
		case '>':
			return "&gt;";
		case '"':
			return "&quot;";
		case '\'':
			return "&#39;";
		default:
			return NULL;
	}
}

void
html_escape_n(strbuf *out, const char *s, size_t len)
{
	size_t		i = 0,
				run = 0;		/* start of the bytes copied as they are */

	strbuf_reserve(out, len);
	while (i < len)
	{
		unsigned	c;
		size_t		n = html_utf8_char(s + i, len - i, &c);
		const char *rep = n ? reference(c) : NULL;

		if (n && rep == NULL && !is_control(c))
		{
			i += n;
			continue;
		}
		strbuf_append(out, s + run, i - run);
		strbuf_puts(out, rep ? rep : REPLACEMENT);
		i += n ? n : 1;
		run = i;
	}
	strbuf_append(out, s + run, i - run);
}

void
html_escape(strbuf *out, const char *s)
{
	if (s)
		html_escape_n(out, s, strlen(s));
}

void
html_json_escape(strbuf *out, const char *json)
{
	size_t		len = json ? strlen(json) : 0,
				i = 0,
				run = 0;

	strbuf_reserve(out, len);
	while (i < len)
	{
		unsigned	c;
		size_t		n = html_utf8_char(json + i, len - i, &c);
		const char *rep = NULL;

		if (n == 0)
			rep = REPLACEMENT;
		else if (c == '<')
			rep = "\\u003c";
		else if (c == '>')
			rep = "\\u003e";
		else if (c == '&')
			rep = "\\u0026";
		else if (c == 0x2028)
			rep = "\\u2028";
		else if (c == 0x2029)
			rep = "\\u2029";
		if (rep == NULL)
		{
			i += n;
			continue;
		}
		strbuf_append(out, json + run, i - run);
		strbuf_puts(out, rep);
		i += n ? n : 1;
		run = i;
	}
	strbuf_append(out, json + run, i - run);
}
