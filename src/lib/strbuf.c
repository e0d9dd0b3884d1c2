/*-------------------------------------------------------------------------
 * strbuf.c
 *    Growable byte string.
 *-------------------------------------------------------------------------
 */
#include "src/lib/strbuf.h"
#include "src/lib/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
strbuf_init(strbuf *sb)
{
	sb->cap = 64;
	sb->len = 0;
	sb->data = xmalloc(sb->cap);
	sb->data[0] = '\0';
}

void
strbuf_reserve(strbuf *sb, size_t extra)
{
	size_t		need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	size_t		cap = sb->cap ? sb->cap : 64;

	while (cap < need)
		cap *= 2;
	sb->data = xrealloc(sb->data, cap);
	/*
	 * zeroed: a JIT-compiled pattern may read a few bytes past the end of
	 * the text it matches (never acting on them); they are not garbage
	 */
	memset(sb->data + sb->cap, 0, cap - sb->cap);
	sb->cap = cap;
}

void
strbuf_append(strbuf *sb, const char *s, size_t n)
{
	strbuf_reserve(sb, n);
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
strbuf_puts(strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}

void
strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
	va_list		ap2;

	va_copy(ap2, ap);
	int			n = vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap2);

	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t) n >= sb->cap - sb->len)
	{
		strbuf_reserve(sb, (size_t) n);
		vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t) n;
}

void
strbuf_printf(strbuf *sb, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

char *
strbuf_vformat(const char *fmt, va_list ap)
{
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_vprintf(&sb, fmt, ap);
	return strbuf_detach(&sb);
}

void
strbuf_reset(strbuf *sb)
{
	sb->len = 0;
	sb->data[0] = '\0';
}

char *
strbuf_detach(strbuf *sb)
{
	char	   *d = sb->data;

	sb->data = NULL;
	sb->len = sb->cap = 0;
	return d;
}

void
strbuf_free(strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}
