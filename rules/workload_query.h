/*-------------------------------------------------------------------------
 * workload_query.h
 *    What the per-query workload rules share: rates, pg_stat_statements
 *    figures by fingerprint, and findings about one normalized query.
 *
 * A query's figures come from two places: the log model (timed calls
 * over the log's span) and pg_stat_statements (every call since its
 * reset, possibly under several users and databases, summed here).
 * pg_stat_statements, when it has the fingerprint, is the complete count;
 * logs filtered by log_min_duration_statement see only the slow calls.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_WORKLOAD_QUERY_H
#define PGSIFT_WORKLOAD_QUERY_H

#include "rules/rule.h"

#include <stdint.h>

struct hashmap;

/* One fingerprint's pg_stat_statements figures, summed over its rows. */
typedef struct pgss_totals
{
	double		calls;
	double		total_ms;
	double		rows;
} pgss_totals;

/*
 * calls / hours; with hours unknown (0) the figures are taken to span one
 * hour and *assumed is set (a detail then says so: workload_rate_note).
 */
double		workload_rate(double calls, double hours, int *assumed);

/* "" or, when assumed, a sentence with a leading space.  Static text. */
const char *workload_rate_note(int assumed);

/*
 * pg_stat_statements of wc summed by fingerprint (NULL when wc has none
 * or it was not available).  Look up with workload_pgss_lookup; free with
 * workload_pgss_index_free.
 */
struct hashmap *workload_pgss_index(const workload_context *wc);
const pgss_totals *workload_pgss_lookup(const struct hashmap *index, uint64_t fingerprint);
void		workload_pgss_index_free(struct hashmap *index);

/*
 * A new finding of rule r about the query with this fingerprint: id keyed
 * on the fingerprint, query (normalized; may be NULL) and score set,
 * method estimated.  Never NULL.
 */
finding    *workload_query_finding(const rule *r, uint64_t fingerprint, const char *query, double score);

/*
 * Whether a statement logged in database (NULL: not known) may be
 * explained on wc's connection: there is one, and it is to that database.
 */
int			workload_conn_serves(const workload_context *wc, const char *database);

#endif
