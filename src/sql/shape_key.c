/*-------------------------------------------------------------------------
 * shape_key.c
 *    Shape keys: a statement with its literals replaced, for the
 *    fingerprint cache (fingerprint.h).
 *
 * shape_key is a small SQL lexer: it must agree with PostgreSQL's scanner
 * on what is a literal (strings in all their forms, numbers, dollar-quoted
 * bodies) and what is not (identifiers like t1, quoted identifiers, $n
 * parameters), because a literal mistaken for syntax only costs a cache
 * miss, but syntax mistaken for a literal would merge different queries.
 *-------------------------------------------------------------------------
 */
#include "src/sql/shape_key.h"

#include <ctype.h>
#include <string.h>

/* Skip a quoted string starting at s[i] == '\''; backslash escapes if esc. */
static size_t
skip_string(const char *s, size_t len, size_t i, int esc)
{
	i++;
	while (i < len)
	{
		if (esc && s[i] == '\\' && i + 1 < len)
			i += 2;
		else if (s[i] == '\'')
		{
			if (i + 1 < len && s[i + 1] == '\'')
				i += 2;
			else
				return i + 1;
		}
		else
			i++;
	}
	return len;
}

/* Past the block comment starting at s[i] == '/', '*' (they nest, as in PostgreSQL). */
static size_t
skip_block_comment(const char *s, size_t len, size_t i)
{
	int			depth = 0;

	do
	{
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '*')
			depth++, i += 2;
		else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/')
			depth--, i += 2;
		else
			i++;
	} while (i < len && depth > 0);
	return i;
}

/* Past the quoted identifier starting at s[i] == '"', doubled quotes and all. */
static size_t
skip_quoted_ident(const char *s, size_t len, size_t i)
{
	for (i++;;)
	{
		const char *q = memchr(s + i, '"', len - i);

		if (q == NULL)
			return len;
		i = (size_t) (q - s) + 1;
		if (i < len && s[i] == '"')
			i++;				/* "" inside: go on */
		else
			return i;
	}
}

/* If s[i] starts a dollar-quote tag ($$ or $tag$), return the body's end. */
static size_t
skip_dollar_quote(const char *s, size_t len, size_t i)
{
	size_t		t = i + 1;

	while (t < len && (isalnum((unsigned char) s[t]) || s[t] == '_' || (unsigned char) s[t] >= 0x80))
		t++;
	if (t >= len || s[t] != '$' || isdigit((unsigned char) s[i + 1]))
		return 0;
	size_t		taglen = t - i + 1;

	for (size_t j = t + 1; j + taglen <= len; j++)
		if (s[j] == '$' && memcmp(s + j, s + i, taglen) == 0)
			return j + taglen;
	return len;
}

static size_t
skip_number(const char *s, size_t len, size_t i)
{
	while (i < len && (isdigit((unsigned char) s[i]) || s[i] == '_'))
		i++;
	if (i < len && s[i] == '.' && !(i + 1 < len && s[i + 1] == '.'))
	{
		i++;
		while (i < len && isdigit((unsigned char) s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		size_t		j = i + 1;

		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < len && isdigit((unsigned char) s[j]))
		{
			i = j;
			while (i < len && isdigit((unsigned char) s[i]))
				i++;
		}
	}
	return i;
}

/*
 * Character classes of the shape scan, one table lookup per byte instead
 * of the <ctype.h> calls (which also follow the locale; SQL's do not).
 */
#define SK_SPACE	1
#define SK_IDENT	2			/* letters, digits, '_', '$', bytes >= 0x80 */
#define SK_DIGIT	4

static const unsigned char sk_class[256] = {
	[' '] = SK_SPACE, ['\t'] = SK_SPACE, ['\n'] = SK_SPACE, ['\r'] = SK_SPACE, ['\f'] = SK_SPACE,
	['\v'] = SK_SPACE,
	['a' ... 'z'] = SK_IDENT, ['A' ... 'Z'] = SK_IDENT, ['_'] = SK_IDENT, ['$'] = SK_IDENT,
	['0' ... '9'] = SK_IDENT | SK_DIGIT,
	[0x80 ... 0xff] = SK_IDENT,
};

/* Emit a '?' unless the key already ends in a literal list "?, ?" or "(?), (?)". */
static char *
emit_literal(char *start, char *o)
{
	size_t		n = (size_t) (o - start);

	if (n >= 3 && o[-1] == ' ' && o[-2] == ',' && o[-3] == '?')
		return o - 2;			/* "?, " + "?" -> "?" */
	if (n >= 2 && o[-1] == ',' && o[-2] == '?')
		return o - 1;
	*o++ = '?';
	return o;
}

/* After a ')' closes "(?)", fold a preceding "(?), " or "(?)," into one. */
static char *
fold_row_list(char *start, char *o)
{
	size_t		n = (size_t) (o - start);

	if (n >= 8 && memcmp(o - 8, "(?), (?)", 8) == 0)
		return o - 5;
	if (n >= 7 && memcmp(o - 7, "(?),(?)", 7) == 0)
		return o - 4;
	return o;
}

#define LONG_LITERAL 64			/* longer literals are emptied by shape_short_literals */

void
shape_short_literals(const char *s, size_t len, strbuf *out)
{
	size_t		i = 0,
				copied = 0;		/* s[copied..i) is still to be copied */

	strbuf_reset(out);
	while (i < len)
	{
		size_t		end = 0;	/* end of a literal starting at i */

		if (s[i] == '-' && i + 1 < len && s[i + 1] == '-')
		{
			const char *nl = memchr(s + i, '\n', len - i);

			i = nl ? (size_t) (nl - s) : len;
			continue;
		}
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '*')
		{
			i = skip_block_comment(s, len, i);
			continue;
		}
		if (s[i] == '"')
		{
			/* a quoted identifier: copied as it is */
			i = skip_quoted_ident(s, len, i);
			continue;
		}
		if (s[i] == '\'')
			end = skip_string(s, len, i, i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e'));
		else if (s[i] == '$' && (i == 0 || !(sk_class[(unsigned char) s[i - 1]] & SK_IDENT)))
			end = skip_dollar_quote(s, len, i);
		if (end == 0)
		{
			i++;
			continue;
		}
		if (end - i > LONG_LITERAL)
		{
			strbuf_append(out, s + copied, i - copied);
			strbuf_append(out, "''", 2);
			copied = end;
		}
		i = end;
	}
	strbuf_append(out, s + copied, len - copied);
}

/*
 * The key is written straight into out's buffer: it is never longer than
 * the statement (a literal becomes one '?', blanks fold into one space).
 */
void
shape_key(const char *s, size_t len, strbuf *out)
{
	size_t		i = 0,
				dollar_end;
	int			pending_space = 0;
	char	   *start,
			   *o;

	strbuf_reset(out);
	strbuf_reserve(out, len + 1);
	start = o = out->data;
	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		unsigned char k = sk_class[c];

		if (k & SK_SPACE)
		{
			pending_space = o > start;
			i++;
			continue;
		}
		if (c == '-' && i + 1 < len && s[i + 1] == '-')
		{
			while (i < len && s[i] != '\n')
				i++;
			pending_space = o > start;
			continue;
		}
		if (c == '/' && i + 1 < len && s[i + 1] == '*')
		{
			i = skip_block_comment(s, len, i);
			pending_space = o > start;
			continue;
		}
		if (pending_space)
		{
			*o++ = ' ';
			pending_space = 0;
		}
		if (c == '\'')
		{
			int			esc = o > start && (o[-1] == 'E' || o[-1] == 'e');

			i = skip_string(s, len, i, esc);
			o = emit_literal(start, o);
		}
		else if (c == '"')
		{
			/*
			 * A quoted identifier, copied whole as it is scanned: the rule of
			 * skip_quoted_ident ("" inside goes on), fused with the copy
			 * because identifiers are short and a memchr and a memcpy call
			 * for each cost more than the bytes (ORM statements quote every
			 * name); skipping first and copying after took 4% more.
			 */
			*o++ = s[i++];
			for (;;)
			{
				while (i < len && s[i] != '"')
					*o++ = s[i++];
				if (i >= len)
					break;
				*o++ = s[i++];
				if (i >= len || s[i] != '"')
					break;
				*o++ = s[i++];
			}
		}
		else if (c == '$' && (o == start || !(sk_class[(unsigned char) o[-1]] & SK_IDENT)) &&
				 (dollar_end = skip_dollar_quote(s, len, i)) != 0)
		{
			i = dollar_end;
			o = emit_literal(start, o);
		}
		else if (((k & SK_DIGIT) || (c == '.' && i + 1 < len && (sk_class[(unsigned char) s[i + 1]] & SK_DIGIT))) &&
				 (o == start || !(sk_class[(unsigned char) o[-1]] & SK_IDENT)))
		{
			i = skip_number(s, len, i);
			o = emit_literal(start, o);
		}
		else if (k & SK_IDENT)
		{
			do
				*o++ = s[i++];
			while (i < len && (sk_class[(unsigned char) s[i]] & SK_IDENT));
		}
		else
		{
			*o++ = (char) c;
			if (c == ')')
				o = fold_row_list(start, o);
			i++;
		}
	}
	*o = '\0';
	out->len = (size_t) (o - start);
}
