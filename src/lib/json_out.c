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

static int
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

static int
json_write_piece(const char *piece, size_t size, void *data)
{
	json_write_buffer *b = data;
	static const char spaces[64] = "                                                               ";
	const char *nl;

	if (b->indent == 0)
		return json_write_raw(piece, size, b);
	while ((nl = memchr(piece, '\n', size)) != NULL)
	{
		size_t		upto = (size_t) (nl - piece) + 1;

		json_write_raw(piece, upto, b);
		for (int left = b->indent; left > 0; left -= (int) sizeof(spaces) - 1)
			json_write_raw(spaces, left < (int) sizeof(spaces) - 1 ? (size_t) left : sizeof(spaces) - 1, b);
		piece += upto;
		size -= upto;
	}
	return json_write_raw(piece, size, b);
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
	rc = json_dump_callback(v, json_write_piece, b, flags);
	json_write_flush(b);
	rc = rc == 0 && !b->failed ? 0 : -1;
	free(b);
	return rc;
}
