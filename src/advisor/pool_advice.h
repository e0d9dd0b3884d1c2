/*-------------------------------------------------------------------------
 * pool_advice.h
 *    The figures and the numbers behind the pool-sizing rule.
 *
 * pool_facts are what the logs say about connections (rate, session
 * times, peak, refusals, idle-in-transaction timeouts).  pool_advice is
 * the recommendation: the pool size (measured by the concurrency sweep,
 * src/live/pool_sweep.h, or estimated as (2 × cores) + spindles), the
 * connection set-up cost (timed connections to the DSN, or assumed), and
 * the settings that follow (pgbouncer's, max_connections).  The rule
 * (rules/pool_sizing.c) turns them into findings.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_POOL_ADVICE_H
#define PGSIFT_POOL_ADVICE_H

#include "src/lib/strbuf.h"
#include "src/live/activity.h"
#include "src/live/pool_sweep.h"
#include "src/live/sandbox.h"
#include "src/model/workload.h"

#include <stdint.h>

/* pgbouncer's own default max_client_conn: the least we recommend. */
#define POOL_MIN_CLIENT_CONN	100
/* Slots kept beyond the pool for maintenance, monitoring and migrations. */
#define POOL_ADMIN_SLOTS		10
/* Timed connections when measuring the set-up cost (the median is used). */
#define POOL_CONNECT_SAMPLES	3

typedef struct pool_facts
{
	uint64_t	connections;	/* authorized, or disconnections when more */
	double		log_hours;		/* 0 unknown */
	double		rate_per_s;		/* NAN when the span is unknown */
	double		median_session_ms;	/* NAN without disconnection lines */
	double		p95_session_ms;
	int64_t		peak_sessions;	/* -1 without connection lines */
	uint64_t	refused_too_many;
	uint64_t	refused_reserved;
	uint64_t	idle_timeouts;	/* SQLSTATE 25P03 */
} pool_facts;

/* What pool_advice_make reads besides the figures. */
typedef struct pool_advice_params
{
	sandbox    *conn;			/* NULL: logs only */
	int			measure_real;	/* run the sweep */
	int			server_cores;	/* 0 unknown */
	int			spindles;
	int64_t		catalog_max_connections;	/* 0 unknown; used without activity */
	int			measure_connect;	/* time connections to the DSN */
	double		assumed_connect_ms;
	double		sweep_seconds;
	int			sweep_max_statements;
	int			sweep_top_statements;
	double		knee_share;
} pool_advice_params;

typedef struct pool_advice
{
	int			cores;			/* 0 unknown */
	const char *cores_source;	/* static text, NULL when unknown */
	int			spindles;
	int			pool_size;		/* 0 unknown */
	int			swept;			/* pool_size is the sweep's knee */
	int			sweep_statements;	/* statements the sweep ran */
	int			sweep_screened_out; /* left out by the side-effect screen */
	int			sweep_sleeping; /* left out: their time is pg_sleep's */
	char	   *sweep_mix;		/* the statements run and their shares (malloc'd), or NULL */
	double		sweep_seconds;
	pool_sweep_result sweep;
	char	   *sweep_skipped;	/* why no (usable) sweep under --measure real, or NULL */
	double		connect_ms;
	int			connect_measured;
	int64_t		max_connections;	/* 0 unknown */
	int64_t		reserved;		/* superuser_reserved_connections, 0 unknown */
	int64_t		demand;			/* most sessions seen at once (logs or live) */
	int64_t		max_client_conn;
	char		pgbouncer[256]; /* the pgbouncer settings, as text */
	char		max_connections_text[256];	/* the max_connections advice */
} pool_advice;

/* The log figures of w. */
void		pool_facts_from_logs(workload *w, pool_facts *out);

/*
 * The recommendation from the figures, the live activity (NULL without a
 * DSN or when it could not be read) and p.  May open connections under
 * p->conn's policy (timing, the sweep).  Free with pool_advice_free.
 */
void		pool_advice_make(workload *w, const activity_snapshot *act, const pool_facts *pf,
							 const pool_advice_params *p, pool_advice *out);

/* Append how the size was found (the sweep's table, or the formula). */
void		pool_advice_describe(strbuf *sb, const pool_advice *a);

void		pool_advice_free(pool_advice *a);

#endif
