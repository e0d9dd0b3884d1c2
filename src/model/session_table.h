/*-------------------------------------------------------------------------
 * session_table.h
 *    The open sessions' statement windows, keyed by session.
 *
 * A session's window is created by its first statement and dropped at its
 * disconnection.  The table holds at most a fixed number of windows; past
 * that, the session idle longest is evicted, so a log without
 * disconnection lines (or a pooler's endless sessions) cannot grow memory.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SESSION_TABLE_H
#define PGSIFT_SESSION_TABLE_H

#include "src/model/session_window.h"

#include <stddef.h>
#include <stdint.h>

#define WORKLOAD_MAX_SESSIONS	100000	/* open session windows kept at once */

typedef struct session_table session_table;

session_table *session_table_create(size_t max_sessions);

/* Called with a window about to be dropped by session_table_remove or an eviction. */
typedef void (*session_close_hook) (void *ctx, session_window *w);

void		session_table_set_close_hook(session_table *t, session_close_hook fn, void *ctx);

/* Call fn on every open window, oldest first. */
void		session_table_foreach(session_table *t, session_close_hook fn, void *ctx);
void		session_table_destroy(session_table *t);

/* The window for key, created empty when absent and create is set; else NULL. */
session_window *session_table_get(session_table *t, const char *key, int create);

/* Drop the window of key, if any. */
void		session_table_remove(session_table *t, const char *key);

size_t		session_table_count(const session_table *t);
uint64_t	session_table_evictions(const session_table *t);

#endif
