/*-------------------------------------------------------------------------
 * statement_traits.h
 *    What the sequence detectors need to know of a fingerprint: whether it
 *    is a cacheable read, a single-row INSERT, or transaction control.
 *
 * Decided from libpg_query's parse tree of the normalized text, once per
 * fingerprint (the model caches the answer), never from the text itself.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STATEMENT_TRAITS_H
#define PGSIFT_STATEMENT_TRAITS_H

/* What a fingerprint is, for the detectors; decided once from its tree. */
typedef enum seq_kind
{
	SEQ_KIND_UNKNOWN = 0,		/* not classified yet */
	SEQ_KIND_OTHER,
	SEQ_KIND_CACHEABLE,			/* read-only SELECT of a table, nothing volatile */
	SEQ_KIND_SINGLE_INSERT,		/* INSERT ... VALUES with one row */
	SEQ_KIND_BEGIN,				/* BEGIN, START TRANSACTION */
	SEQ_KIND_END				/* COMMIT, ROLLBACK, END, ABORT, PREPARE TRANSACTION */
} seq_kind;

/*
 * The seq_kind of one statement (never SEQ_KIND_UNKNOWN):
 *   SEQ_KIND_CACHEABLE     a SELECT that reads a table, with no locking
 *                          clause, INTO, data-modifying CTE, or volatile or
 *                          time-dependent function (now(), random(),
 *                          nextval(), clock_timestamp(), CURRENT_TIMESTAMP...);
 *   SEQ_KIND_SINGLE_INSERT INSERT ... VALUES, no WITH (*values_width gets
 *                          the first row's width; see statement_traits_multirow);
 *   SEQ_KIND_BEGIN / SEQ_KIND_END  transaction control;
 *   SEQ_KIND_OTHER         anything else, or text that does not parse.
 */
seq_kind	statement_traits_classify(const char *sql, int *values_width);

/*
 * The fingerprint of a one-row INSERT is shared by its multi-row forms
 * (libpg_query ignores how many rows a VALUES list has), so the rows are
 * counted per statement, for INSERT ... VALUES fingerprints only: from the
 * parameters when the statement has some (their count over the row's
 * width), else with libpg_query's scanner (the VALUES list's top-level
 * rows), run only when the text has a ")" followed by a ",".  Whether
 * the statement inserts more than one row; sql is NUL-terminated.
 */
int			statement_traits_multirow(const char *sql, const char *params, int values_width);

#endif
