/*-------------------------------------------------------------------------
 * session_window.h
 *    The recent statements of one open session, a bounded ring, and the
 *    run of the sequence detectors in progress there.
 *
 * The model keeps one window per open session (session_table.h); the
 * detectors (session_patterns.h) read a window when a run closes.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SESSION_WINDOW_H
#define PGSIFT_SESSION_WINDOW_H

#include "src/model/query_stats.h"
#include "src/model/session_run.h"

#include <stdint.h>

#define SESSION_WINDOW			64	/* statements kept per open session */

/*
 * Longest statement text a window keeps for its values (simple protocol):
 * a longer one is kept without it, and what would be measured with its
 * values is estimated instead.
 */
#define SESSION_TEXT_MAX (64 * 1024)

/* A statement in a session's window. */
typedef struct session_statement
{
	int64_t		ts_ms;
	double		duration_ms;
	const query_stats *query;
	uint32_t	query_generation;	/* in a window: query's generation when pushed (query_stats.h) */
	char	   *params;			/* or NULL */
	char	   *text;			/* without params (simple protocol): the statement as logged;
								 * its values stand for the parameters (in a window: NULL
								 * past SESSION_TEXT_MAX bytes) */
	size_t		text_len;		/* for the caller's text: its length */
	int64_t		xid;
	char	   *vxid;			/* or NULL */
	/* in a window: params, text and vxid point into buf, the slot's own, reused */
	char	   *buf;
	size_t		buf_cap;
} session_statement;

/* Recent statements of one open session, oldest first (a ring). */
typedef struct session_window
{
	char	   *key;			/* session id, or "pid:N" */
	int			count;			/* <= SESSION_WINDOW */
	int			start;			/* ring index of the oldest */
	uint64_t	total;			/* statements the session ran so far */
	session_seq seq;			/* its run in progress (session_patterns.h) */
	session_statement items[SESSION_WINDOW];
} session_window;

/*
 * Append a statement to a window; params, text (when params is NULL) and
 * vxid are copied into the slot's buffer, which the slot keeps and reuses
 * (free it with session_window_free_slots).
 */
void		session_window_push(session_window *w, const session_statement *st);

/* Free the buffers of every slot of w (its statements, and the slots no longer in use). */
void		session_window_free_slots(session_window *w);

/* The i-th statement of a window, 0 = oldest. */
const session_statement *session_window_at(const session_window *w, int i);

/*
 * Whether st, a statement of a window, ran q: a window may outlive an
 * entry of the bounded table (workload.h), whose memory then holds
 * another fingerprint's, so the pointer alone does not say.
 */
static inline int
session_statement_ran(const session_statement *st, const query_stats *q)
{
	return st->query == q && q != NULL && st->query_generation == q->generation;
}

#endif
