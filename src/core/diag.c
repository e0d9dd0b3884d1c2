/*-------------------------------------------------------------------------
 * diag.c
 *    Printing of errors and warnings, and the malformed-line tally.
 *-------------------------------------------------------------------------
 */
#include "src/core/diag.h"
#include "src/lib/arena.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int			diag_quiet = 0;

static void emit(const char *level, const char *detail, const char *hint, const char *fmt, va_list ap)
			__attribute__((format(printf, 4, 0)));

static void
emit(const char *level, const char *detail, const char *hint, const char *fmt, va_list ap)
{
	fputs("pgsift: ", stderr);
	if (level)
		fputs(level, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (detail)
		fprintf(stderr, "DETAIL:  %s\n", detail);
	if (hint)
		fprintf(stderr, "HINT:  %s\n", hint);
}

void
diag_error(const char *detail, const char *hint, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	emit("error: ", detail, hint, fmt, ap);
	va_end(ap);
}

void
diag_warning(const char *detail, const char *hint, const char *fmt,...)
{
	va_list		ap;

	if (diag_quiet)
		return;
	va_start(ap, fmt);
	emit("warning: ", detail, hint, fmt, ap);
	va_end(ap);
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
	for (int i = 0; i < src->nsamples && dst->nsamples < DIAG_MAX_SAMPLES; i++)
	{
		diag_location *l = &dst->samples[dst->nsamples++];

		l->file = xstrdup(src->samples[i].file);
		l->line = src->samples[i].line;
		l->reason = xstrdup(src->samples[i].reason);
	}
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
}
