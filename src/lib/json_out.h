/*-------------------------------------------------------------------------
 * json_out.h
 *    JSON values for pgsift's output, safe for any text.
 *
 * Log text, query text and catalog names are whatever the server (or an
 * attacker feeding it) wrote, and need not be UTF-8; jansson refuses such
 * strings outright, which would silently drop the value.  Every string
 * pgsift writes to JSON goes through json_text.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_JSON_OUT_H
#define PGSIFT_JSON_OUT_H

#include <jansson.h>
#include <stdio.h>

/* A JSON string of s; invalid UTF-8 sequences become U+FFFD.  Never NULL. */
json_t	   *json_text(const char *s);

/* json_text, or JSON null for NULL. */
json_t	   *json_text_or_null(const char *s);

/* Milliseconds rounded to the microsecond; null when not finite. */
json_t	   *json_ms(double v);

/*
 * Write v to out as json_dumpf would (flags the same), through a 64 KiB
 * buffer: jansson hands a dump over in pieces of a few bytes, and one
 * stdio call per piece costs more than building the document.  Returns 0,
 * or -1 on a write error.
 */
int			json_write(FILE *out, const json_t *v, size_t flags);

/*
 * json_write of v as a value nested `indent` spaces deep in a document
 * indented by the same flags: every line after the first gets indent more
 * spaces (JSON strings hold no raw line breaks, so only the layout's are
 * touched).  Writing a large document piece by piece this way gives the
 * bytes one dump of the whole would.
 */
int			json_write_indented(FILE *out, const json_t *v, size_t flags, int indent);

#endif
