/*-------------------------------------------------------------------------
 * json_out.c
 *    Text and figures for the JSON reports.
 *-------------------------------------------------------------------------
 */
#include "src/lib/json_out.h"
#include "src/lib/arena.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Length of the valid UTF-8 sequence at s[0..avail), or 0: rejects stray
 * continuation bytes, overlong forms, surrogates and code points past
 * U+10FFFF (RFC 3629), as jansson does.
 */
static size_t
utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t		n;
	uint32_t	cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t k = 1; k < n; k++)
	{
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		(cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

json_t *
json_text(const char *s)
{
	json_t	   *j = json_string(s);

	if (j)
		return j;

	const unsigned char *u = (const unsigned char *) s;
	size_t		len = strlen(s);
	char	   *clean = xmalloc(len * 3 + 1);
	size_t		o = 0;

	for (size_t i = 0; i < len;)
	{
		size_t		n = utf8_sequence(u + i, len - i);

		if (n > 0)
		{
			memcpy(clean + o, s + i, n);
			o += n;
			i += n;
		}
		else
		{
			memcpy(clean + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		}
	}
	j = json_stringn(clean, o);
	free(clean);
	return j ? j : json_string("");
}

json_t *
json_text_or_null(const char *s)
{
	return s ? json_text(s) : json_null();
}

json_t *
json_ms(double v)
{
	if (!isfinite(v))
		return json_null();
	return json_real(round(v * 1000.0) / 1000.0);
}

typedef struct json_write_buffer
{
	FILE	   *out;
	size_t		used;
	int			failed;
	int			indent;			/* spaces added after each line break */
	char		data[64 * 1024];
} json_write_buffer;

static void
json_write_flush(json_write_buffer *b)
{
	if (b->used > 0 && !b->failed && fwrite(b->data, 1, b->used, b->out) != b->used)
		b->failed = 1;
	b->used = 0;
}

static inline int
json_write_raw(const char *piece, size_t size, json_write_buffer *b)
{
	if (size > sizeof(b->data) - b->used)
		json_write_flush(b);
	if (size > sizeof(b->data))
	{
		if (!b->failed && fwrite(piece, 1, size, b->out) != size)
			b->failed = 1;
	}
	else
	{
		memcpy(b->data + b->used, piece, size);
		b->used += size;
	}
	return b->failed ? -1 : 0;
}

static void
json_write_spaces(json_write_buffer *b, int n)
{
	static const char spaces[64] = "                                                               ";

	for (; n > 0; n -= (int) sizeof(spaces) - 1)
		json_write_raw(spaces, n < (int) sizeof(spaces) - 1 ? (size_t) n : sizeof(spaces) - 1, b);
}

static int
json_write_piece(const char *piece, size_t size, void *data)
{
	json_write_buffer *b = data;
	const char *nl;

	if (b->indent == 0)
		return json_write_raw(piece, size, b);
	while ((nl = memchr(piece, '\n', size)) != NULL)
	{
		size_t		upto = (size_t) (nl - piece) + 1;

		json_write_raw(piece, upto, b);
		json_write_spaces(b, b->indent);
		piece += upto;
		size -= upto;
	}
	return json_write_raw(piece, size, b);
}

/*
 * The writer of json_write_indented: jansson's layout under the flags the
 * reports use, written straight into the buffer.  jansson's own dump hands
 * a document over in pieces of a byte or two and formats every real with
 * snprintf, which made it most of the cost of a large report.
 */
#define OWN_FLAGS	(JSON_MAX_INDENT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(31))

static inline void
put(json_write_buffer *b, const char *s, size_t n)
{
	(void) json_write_raw(s, n, b);
}

static inline void
put_char(json_write_buffer *b, char c)
{
	if (b->used == sizeof(b->data))
		json_write_flush(b);
	b->data[b->used++] = c;
}

/*
 * What comes before a container's member at depth: a comma after the
 * first, then a line break and the indentation (the document's levels and
 * the caller's offset), or without indentation a space.
 */
static void
put_member_start(json_write_buffer *b, int per_level, int depth, int first)
{
	if (!first)
		put_char(b, ',');
	if (per_level > 0)
	{
		put_char(b, '\n');
		json_write_spaces(b, b->indent + per_level * depth);
	}
	else if (!first)
		put_char(b, ' ');
}

/* A container's end at depth: on a line of its own when indented. */
static void
put_end(json_write_buffer *b, int per_level, int depth, char c)
{
	if (per_level > 0)
	{
		put_char(b, '\n');
		json_write_spaces(b, b->indent + per_level * depth);
	}
	put_char(b, c);
}

/*
 * How put_string writes each byte: 0 as it is, else the letter after the
 * backslash ('u' for \u00XX).
 */
static const char json_escape_letter[256] = {
	['"'] = '"', ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	[0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u', [0x06] = 'u', [0x07] = 'u',
	[0x0B] = 'u', [0x0E] = 'u', [0x0F] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u', [0x14] = 'u',
	[0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u', [0x19] = 'u', [0x1A] = 'u', [0x1B] = 'u', [0x1C] = 'u',
	[0x1D] = 'u', [0x1E] = 'u', [0x1F] = 'u',
};

/* The escape of c (json_escape_letter[c] != 0) at o; returns the end. */
static inline char *
escape_at(char *o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char		letter = json_escape_letter[c];

	*o++ = '\\';
	*o++ = letter;
	if (letter == 'u')
	{
		memcpy(o, "00", 2);
		o[2] = hex[c >> 4];
		o[3] = hex[c & 0xF];
		o += 4;
	}
	return o;
}

/* Bytes whose escapes, six at most each, fit the buffer: put_escaped's most at once. */
#define ESCAPED_PIECE	(sizeof(((json_write_buffer *) 0)->data) / 6)

/*
 * s[0..len) (len <= ESCAPED_PIECE) escaped straight into the buffer, room
 * for the worst case (every byte as \u00XX) made first, runs of plain
 * bytes copied whole.
 */
static void
put_escaped(json_write_buffer *b, const unsigned char *s, size_t len)
{
	if (len * 6 > sizeof(b->data) - b->used)
		json_write_flush(b);

	char	   *o = b->data + b->used;

	for (size_t i = 0; i < len;)
	{
		size_t		from = i;

		while (i < len && json_escape_letter[s[i]] == 0)
			i++;
		memcpy(o, s + from, i - from);
		o += i - from;
		if (i < len)
			o = escape_at(o, s[i++]);
	}
	b->used = (size_t) (o - b->data);
}

/*
 * A JSON string as jansson escapes it: quote, backslash and control
 * characters; UTF-8 as it is (escapes are per byte, so a long string goes
 * in pieces cut anywhere).
 */
static void
put_string(json_write_buffer *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *) s;

	put_char(b, '"');
	for (size_t i = 0; i < len; i += ESCAPED_PIECE)
		put_escaped(b, u + i, len - i < ESCAPED_PIECE ? len - i : ESCAPED_PIECE);
	put_char(b, '"');
}

/* Write v's decimal digits before p, at least `least` of them (zeros in front); the new start. */
static char *
prepend_digits(char *p, unsigned long long v, int least)
{
	for (int n = 0; n < least || v > 0; n++, v /= 10)
		*--p = (char) ('0' + v % 10);
	return p;
}

/*
 * A real as jansson writes it: "%.*g", ".0" when that shows no point or
 * exponent, the exponent without '+' or leading zeros.  The reports'
 * figures are milliseconds rounded to the microsecond (json_ms): such a
 * value under 10^9 is written from its integer count of thousandths, which
 * is what "%.12g" prints for it (twelve significant digits hold all of it,
 * and a double is far closer to it than half the last digit).
 */
static void
put_real(json_write_buffer *b, double v, int precision)
{
	char		buf[40];
	int			n;

	if (precision == 0)
		precision = 17;
	if (precision == 12 && v > -1e9 && v < 1e9 && v != 0.0)
	{
		long long	m = llround(v * 1000.0);

		if ((double) m / 1000.0 == v)
		{
			unsigned long long a = (unsigned long long) (m < 0 ? -m : m);
			unsigned long long frac = a % 1000;
			int			digits = 3;
			char	   *p = buf + sizeof(buf);

			/* the fraction's digits without trailing zeros, at least ".0"; then the integer's */
			while (digits > 1 && frac % 10 == 0)
				frac /= 10, digits--;
			p = prepend_digits(p, frac, digits);
			*--p = '.';
			p = prepend_digits(p, a / 1000, 1);
			if (m < 0)
				*--p = '-';
			put(b, p, (size_t) (buf + sizeof(buf) - p));
			return;
		}
	}
	n = snprintf(buf, sizeof(buf) - 3, "%.*g", precision, v);
	if (n < 0 || n >= (int) sizeof(buf) - 3)
		n = (int) strlen(buf);
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL)
	{
		memcpy(buf + n, ".0", 3);
		n += 2;
	}

	char	   *e = strchr(buf, 'e');

	if (e)
	{
		char	   *start = e + 1,
				   *end;

		if (*start == '-')
			start++;
		end = *start == '+' ? start + 1 : start;
		while (*end == '0' && end[1] != '\0')
			end++;
		memmove(start, end, strlen(end) + 1);
		n = (int) strlen(buf);
	}
	put(b, buf, (size_t) n);
}

static void
emit(json_write_buffer *b, const json_t *v, size_t flags, int depth)
{
	int			per_level = (int) (flags & JSON_MAX_INDENT);
	char		num[32];

	switch (json_typeof(v))
	{
		case JSON_OBJECT:
			{
				const char *key;
				json_t	   *value;
				int			first = 1;

				if (json_object_size(v) == 0)
				{
					put(b, "{}", 2);
					return;
				}
				put_char(b, '{');
				json_object_foreach((json_t *) v, key, value)
				{
					put_member_start(b, per_level, depth + 1, first);
					first = 0;
					put_string(b, key, strlen(key));
					put(b, ": ", 2);
					emit(b, value, flags, depth + 1);
				}
				put_end(b, per_level, depth, '}');
				return;
			}
		case JSON_ARRAY:
			{
				size_t		n = json_array_size(v);

				if (n == 0)
				{
					put(b, "[]", 2);
					return;
				}
				put_char(b, '[');
				for (size_t i = 0; i < n; i++)
				{
					put_member_start(b, per_level, depth + 1, i == 0);
					emit(b, json_array_get(v, i), flags, depth + 1);
				}
				put_end(b, per_level, depth, ']');
				return;
			}
		case JSON_STRING:
			put_string(b, json_string_value(v), json_string_length(v));
			return;
		case JSON_INTEGER:
			put(b, num, (size_t) snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v)));
			return;
		case JSON_REAL:
			put_real(b, json_real_value(v), (int) ((flags >> 11) & 0x1F));
			return;
		case JSON_TRUE:
			put(b, "true", 4);
			return;
		case JSON_FALSE:
			put(b, "false", 5);
			return;
		case JSON_NULL:
			put(b, "null", 4);
			return;
	}
}

int
json_write(FILE *out, const json_t *v, size_t flags)
{
	return json_write_indented(out, v, flags, 0);
}

int
json_write_indented(FILE *out, const json_t *v, size_t flags, int indent)
{
	json_write_buffer *b = xmalloc(sizeof(json_write_buffer));
	int			rc;

	b->out = out;
	b->used = 0;
	b->failed = 0;
	b->indent = indent;
	if ((flags & ~(size_t) OWN_FLAGS) != 0)
		rc = json_dump_callback(v, json_write_piece, b, flags);
	else if (!(flags & JSON_ENCODE_ANY) && !json_is_object(v) && !json_is_array(v))
		rc = -1;
	else
	{
		emit(b, v, flags, 0);
		rc = 0;
	}
	json_write_flush(b);
	rc = rc == 0 && !b->failed ? 0 : -1;
	free(b);
	return rc;
}
