/*-------------------------------------------------------------------------
 * shape_key.h
 *    A statement's shape: its text with every literal replaced by '?',
 *    literal lists collapsed, comments dropped and white space folded.
 *
 * Two statements with equal shape keys have equal fingerprints (libpg_query
 * ignores constants), which is what the fingerprint cache (fingerprint.h)
 * relies on; the converse need not hold.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SHAPE_KEY_H
#define PGSIFT_SHAPE_KEY_H

#include "src/lib/strbuf.h"

#include <stddef.h>

/* Statements longer than this reach libpg_query through shape_short_literals. */
#define SHAPE_LONG_STATEMENT (64 * 1024)

/*
 * Write the shape key of sql[0..len) into out (reset first).  Exposed for
 * tests: equal keys must imply equal fingerprints.
 */
void		shape_key(const char *sql, size_t len, strbuf *out);

/*
 * sql[0..len) into out (reset first) with every string literal and
 * dollar-quoted body longer than 64 bytes replaced by an empty one (its
 * prefix, E, B, X, U&, stays).  libpg_query's fingerprint and
 * normalization ignore what a literal holds, so they give the same answer
 * for the short text; but parsing a statement costs it several copies of
 * every literal, which for a 50 MB string is most of the memory a run
 * would take.
 */
void		shape_short_literals(const char *sql, size_t len, strbuf *out);

#endif
