/*-------------------------------------------------------------------------
 * diag.c
 *    Printing of errors and warnings, and the malformed-line tally.
 *-------------------------------------------------------------------------
 */
#include "src/core/diag.h"
#include "src/core/color.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int			diag_quiet = 0;
int			diag_color = 0;
int			diag_notices = 0;

/* The detail and hint staged for this thread's next message (malloc'd). */
static __thread char *pending_detail;
static __thread char *pending_hint;

/* Stage a detail or hint: fmt, or the text of a lone "%s" (NULL: none). */
static void
stage(char **slot, const char *fmt, va_list ap)
{
	int			saved_errno = errno;

	free(*slot);
	*slot = NULL;
	if (fmt && strcmp(fmt, "%s") == 0)
	{
		const char *text = va_arg(ap, const char *);

		*slot = text ? xstrdup(text) : NULL;
	}
	else if (fmt)
		*slot = strbuf_vformat(fmt, ap);
	errno = saved_errno;
}

void
diag_detail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	stage(&pending_detail, fmt, ap);
	va_end(ap);
}

void
diag_hint(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	stage(&pending_hint, fmt, ap);
	va_end(ap);
}

static void emit(color_role role, const char *level, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* "label:" in role's colour when diag_color is on, then sep. */
static void
put_label(strbuf *sb, color_role role, const char *label, const char *sep)
{
	strbuf_printf(sb, "%s%s%s%s", color_start(diag_color, role), label, color_end(diag_color), sep);
}

/*
 * Print "pgsift: level: " (level NULL: none), the primary message and what
 * was staged, in one write; forget the staging.
 */
static void
emit(color_role role, const char *level, const char *fmt, va_list ap)
{
	char	   *primary = strbuf_vformat(fmt, ap);	/* first: %m reads errno */
	strbuf		all;

	strbuf_init(&all);
	put_label(&all, COLOR_DIAG_LOCUS, "pgsift:", " ");
	if (level)
		put_label(&all, role, level, " ");
	strbuf_printf(&all, "%s\n", primary);
	if (pending_detail)
	{
		put_label(&all, COLOR_DIAG_NOTE, "DETAIL:", "  ");
		strbuf_printf(&all, "%s\n", pending_detail);
	}
	if (pending_hint)
	{
		put_label(&all, COLOR_DIAG_NOTE, "HINT:", "  ");
		strbuf_printf(&all, "%s\n", pending_hint);
	}
	fputs(all.data, stderr);
	strbuf_free(&all);
	free(primary);
}

static void
forget_staged(void)
{
	free(pending_detail);
	free(pending_hint);
	pending_detail = pending_hint = NULL;
}

void
diag_error(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	emit(COLOR_DIAG_ERROR, "error:", fmt, ap);
	va_end(ap);
	forget_staged();
}

void
diag_warning(const char *fmt,...)
{
	va_list		ap;

	if (!diag_quiet)
	{
		va_start(ap, fmt);
		emit(COLOR_DIAG_WARNING, "warning:", fmt, ap);
		va_end(ap);
	}
	forget_staged();
}

void
diag_notice(const char *fmt,...)
{
	va_list		ap;

	if (diag_notices && !diag_quiet)
	{
		va_start(ap, fmt);
		emit(COLOR_DIAG_LOCUS, NULL, fmt, ap);
		va_end(ap);
	}
}

void
diag_fallback(diag_tally *t, uint64_t line)
{
	if (t->fallback++ == 0 || line < t->fallback_first)
		t->fallback_first = line;
}

void
diag_malformed(diag_tally *t, const char *file, uint64_t line, const char *reason)
{
	t->malformed++;
	if (t->nsamples < DIAG_MAX_SAMPLES)
	{
		diag_location *l = &t->samples[t->nsamples++];

		l->file = xstrdup(file ? file : "-");
		l->line = line;
		l->reason = xstrdup(reason ? reason : "malformed line");
	}
}

void
diag_tally_merge(diag_tally *dst, const diag_tally *src)
{
	dst->malformed += src->malformed;
	if (src->fallback > 0 && (dst->fallback == 0 || src->fallback_first < dst->fallback_first))
		dst->fallback_first = src->fallback_first;
	dst->fallback += src->fallback;
	for (int i = 0; i < src->nsamples && dst->nsamples < DIAG_MAX_SAMPLES; i++)
	{
		diag_location *l = &dst->samples[dst->nsamples++];

		l->file = xstrdup(src->samples[i].file);
		l->line = src->samples[i].line;
		l->reason = xstrdup(src->samples[i].reason);
	}
}

void
diag_tally_shift_lines(diag_tally *t, uint64_t offset)
{
	if (t->fallback > 0)
		t->fallback_first += offset;
	for (int i = 0; i < t->nsamples; i++)
		t->samples[i].line += offset;
}

void
diag_tally_free(diag_tally *t)
{
	for (int i = 0; i < t->nsamples; i++)
	{
		free(t->samples[i].file);
		free(t->samples[i].reason);
	}
	t->nsamples = 0;
	t->malformed = 0;
	t->fallback = 0;
	t->fallback_first = 0;
}
