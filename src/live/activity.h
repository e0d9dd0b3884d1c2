/*-------------------------------------------------------------------------
 * activity.h
 *    A snapshot of pg_stat_activity: who is connected, doing what.
 *
 * One query over the server's client backends, grouped by state,
 * application and wait event, with the connection settings that bound a
 * pool (max_connections, superuser_reserved_connections,
 * idle_in_transaction_session_timeout).  pgsift's own sessions
 * (application_name pgsift) count towards the slots in use but not
 * towards the figures.  Without pg_read_all_stats other roles' rows show
 * no state: they are counted as hidden.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_ACTIVITY_H
#define PGSIFT_ACTIVITY_H

#include "src/live/sandbox.h"

#include <stdint.h>

/* Sessions of one state ("" when hidden) and application. */
typedef struct activity_group
{
	char	   *state;
	char	   *application;
	int64_t		count;
} activity_group;

/* Sessions waiting on one wait event (wait_event_type/wait_event). */
typedef struct activity_wait
{
	char	   *type;
	char	   *event;
	int64_t		count;
} activity_wait;

typedef struct activity_snapshot
{
	int64_t		sessions;		/* client backends, pgsift's own left out */
	int64_t		active;
	int64_t		idle;
	int64_t		idle_in_transaction;	/* also "(aborted)" */
	int64_t		hidden;			/* rows whose state the role may not see */
	int64_t		slots_used;		/* client backends, pgsift's included */
	double		oldest_idle_in_transaction_s;	/* -1: none */
	char	   *oldest_idle_in_transaction_app; /* its application, or NULL */
	int64_t		max_connections;
	int64_t		reserved_connections;	/* superuser_reserved_connections */
	int64_t		idle_in_transaction_timeout_ms; /* 0: disabled */
	int			ngroups;
	activity_group *groups;		/* by count, descending */
	int			nwaits;
	activity_wait *waits;		/* by count, descending */
} activity_snapshot;

/*
 * Take the snapshot on c (one tagged query).  NULL when the query failed
 * (reported as a warning: the analysis goes on without it).  When rows
 * are hidden, a warning with a hint (pg_read_all_stats or pg_monitor) is
 * printed and the snapshot is returned all the same.  Free with
 * activity_free.
 */
activity_snapshot *activity_take(sandbox *c);

/* Free s; NULL is allowed. */
void		activity_free(activity_snapshot *s);

#endif
