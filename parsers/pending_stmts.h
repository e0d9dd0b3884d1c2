/*-------------------------------------------------------------------------
 * pending_stmts.h
 *    Logged statements waiting for their duration, one per session.
 *
 * Private to the event assembler (events.c).  With log_statement=all a
 * statement is logged when it starts and its bare "duration: X ms" when
 * it ends; this table holds the statement in between.  Sessions are keyed
 * by the %c session id, else by the pid.  Records are transient, so each
 * entry keeps a deep copy of its record; entries and their buffers are
 * recycled, so a steady state allocates nothing.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_PENDING_STMTS_H
#define PGSIFT_PENDING_STMTS_H

#include "parsers/log_record.h"

#include <stddef.h>
#include <stdint.h>

typedef struct session_key
{
	const char *data;			/* into the record, or into pidbuf */
	size_t		len;
	uint64_t	hash;
	char		pidbuf[LOG_SESSION_KEY_BUF];	/* "pid:N" (log_record_session_key) */
} session_key;

typedef struct pending_stmt pending_stmt;
typedef struct pending_stmts pending_stmts;

/* The session rec belongs to; k points into rec (and itself) afterwards. */
void		session_key_of(session_key *k, const log_record *rec);

pending_stmts *pending_stmts_create(void);

/* Free the table and every copy in it. */
void		pending_stmts_destroy(pending_stmts *t);

/* Number of sessions with a pending statement. */
size_t		pending_stmts_count(const pending_stmts *t);

/* The pending statement of session k, or NULL. */
pending_stmt *pending_stmts_find(pending_stmts *t, const session_key *k);

/* The entry that has waited longest, or NULL when the table is empty. */
pending_stmt *pending_stmts_oldest(pending_stmts *t);

/*
 * Store a deep copy of rec as session k's pending statement.  k must have
 * none (find and remove it first).
 */
void		pending_stmts_add(pending_stmts *t, const session_key *k, const log_record *rec);

/* The copy of the statement's record, valid until p is removed. */
const log_record *pending_stmt_record(const pending_stmt *p);

/* Forget p; its memory is kept for the next add. */
void		pending_stmts_remove(pending_stmts *t, pending_stmt *p);

#endif
