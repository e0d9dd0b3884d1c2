/*-------------------------------------------------------------------------
 * pooler.h
 *    What a pgBouncer log says about the pooler, beside the server's figures.
 *
 * pgBouncer's records (EV_POOLER events) are kept apart from the server's
 * sessions and errors: its clients are not server sessions, and one server
 * connection it opens serves many of them.  The figures are counts, sums
 * and maxima only, so two parts of a log merge by adding them, and a store
 * keeps them as named counters.  The reasons of pooler errors and of
 * closed connections are counted by their text up to the first ": "
 * ("no such database: shop" counts as "no such database"), a bounded
 * number of each; the rest go to an "other" count.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_POOLER_H
#define PGSIFT_POOLER_H

#include "parsers/log_event.h"

#include <stdint.h>

#define POOLER_REASONS		16
#define POOLER_REASON_LEN	80

typedef enum pooler_reason_table
{
	POOLER_TABLE_ERRORS = 0,	/* "pooler error: REASON" */
	POOLER_TABLE_CLIENT_CLOSE,	/* client "closing because: REASON" */
	POOLER_TABLE_SERVER_CLOSE,	/* server "closing because: REASON" */
	POOLER_TABLE__COUNT
} pooler_reason_table;

typedef struct pooler_reason
{
	char		text[POOLER_REASON_LEN];
	uint64_t	count;
} pooler_reason;

typedef struct pooler_reasons
{
	int			n;
	pooler_reason items[POOLER_REASONS];	/* in order of first sight */
	uint64_t	other;			/* reasons beyond POOLER_REASONS */
} pooler_reasons;

typedef struct pooler_figures
{
	uint64_t	records;		/* pgBouncer records kept (after --since etc.) */
	uint64_t	by_kind[POOLER__COUNT];
	uint64_t	warnings;		/* records at WARNING */
	uint64_t	errors;			/* at ERROR or above */
	int64_t		first_ts;		/* LOG_TS_UNKNOWN when none */
	int64_t		last_ts;
	double		client_age_s;	/* sum of closed clients' ages */
	double		client_age_max_s;
	double		server_age_s;	/* sum of closed server connections' ages */
	double		server_age_max_s;
	/* the stats lines: rates summed over lines, times weighted by their rate */
	double		xacts_per_s_sum;
	double		xacts_per_s_max;
	double		queries_per_s_sum;
	double		queries_per_s_max;
	double		xact_us_weighted;	/* sum of xacts/s x xact us */
	double		query_us_weighted;	/* sum of queries/s x query us */
	double		wait_us_weighted;	/* sum of xacts/s x wait us */
	double		wait_us_max;
	double		in_bytes_per_s_sum;
	double		out_bytes_per_s_sum;
	pooler_reasons reasons[POOLER_TABLE__COUNT];
} pooler_figures;

/* Empty figures. */
void		pooler_init(pooler_figures *p);

/* Count one EV_POOLER event (already through the model's filter). */
void		pooler_add_event(pooler_figures *p, const log_event *ev);

/* Count a reason n times in table t (text up to its first ": ", cut to fit). */
void		pooler_add_reason(pooler_figures *p, pooler_reason_table t, const char *text, size_t len,
							  uint64_t n);

/* Fold src (a later part of the logs) into dst. */
void		pooler_merge(pooler_figures *dst, const pooler_figures *src);

/* The mean of a stats figure over the stats lines (weighted as above); < 0 when none. */
double		pooler_mean_xacts_per_s(const pooler_figures *p);
double		pooler_mean_queries_per_s(const pooler_figures *p);
double		pooler_mean_xact_us(const pooler_figures *p);
double		pooler_mean_query_us(const pooler_figures *p);
double		pooler_mean_wait_us(const pooler_figures *p);

/* "pooler_errors", "client_close_reasons", "server_close_reasons": JSON and store keys. */
const char *pooler_table_name(pooler_reason_table t);

#endif
