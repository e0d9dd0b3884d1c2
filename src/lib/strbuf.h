/*-------------------------------------------------------------------------
 * strbuf.h
 *    Growable byte string, always NUL-terminated.
 *
 * The buffer is owned by the strbuf; strbuf_free releases it.  A strbuf
 * that was reset keeps its capacity, so the hot loops reuse one buffer.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STRBUF_H
#define PGSIFT_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf
{
	char	   *data;			/* NUL-terminated; never NULL after init */
	size_t		len;
	size_t		cap;
} strbuf;

void		strbuf_init(strbuf *sb);
void		strbuf_reserve(strbuf *sb, size_t extra);
void		strbuf_append(strbuf *sb, const char *s, size_t n);
void		strbuf_puts(strbuf *sb, const char *s);
/* Append one byte; inline because lexers call it per character. */
static inline void
strbuf_putc(strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		strbuf_reserve(sb, 1);
	sb->data[sb->len++] = c;
	sb->data[sb->len] = '\0';
}
void		strbuf_printf(strbuf *sb, const char *fmt,...) __attribute__((format(printf, 2, 3)));
void		strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* A new malloc'd string formatted like vsprintf (the caller frees it). */
char	   *strbuf_vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Empty the string, keep the memory. */
void		strbuf_reset(strbuf *sb);
/* Hand the buffer to the caller (free() it); strbuf_init before reusing sb. */
char	   *strbuf_detach(strbuf *sb);
void		strbuf_free(strbuf *sb);

#endif
