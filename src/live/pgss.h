/*-------------------------------------------------------------------------
 * pgss.h
 *    Reading pg_stat_statements from a live server.
 *
 * A snapshot is the view's top-level statements at one moment, for every
 * user and database the role may see, each with the libpg_query
 * fingerprint of its text so that it joins the statements read from logs.
 * Two snapshots give the activity between them (pgss_delta), which is what
 * --interval reports.
 *
 * pg_stat_statements is optional: when it is not installed, not preloaded
 * or not readable, pgss_read warns (with what to do) and returns a snapshot
 * with available = 0, and the analysis goes on without it.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_PGSS_H
#define PGSIFT_PGSS_H

#include "src/live/sandbox.h"

#include <stdint.h>

typedef struct pgss_entry
{
	int64_t		queryid;
	uint64_t	fingerprint;	/* libpg_query fingerprint of query ($n placeholders and all) */
	int			parsed;			/* 0: libpg_query failed, fingerprint.h's fallback used */
	char	   *query;			/* the view's normalized text (malloc'd) */
	char	   *user;			/* role name (malloc'd) */
	char	   *dbname;			/* database name (malloc'd) */
	int			toplevel;
	int64_t		calls;
	double		total_exec_ms,
				mean_exec_ms,
				min_exec_ms,
				max_exec_ms,
				stddev_exec_ms,
				total_plan_ms;	/* 0 before PostgreSQL 13 or with track_planning off */
	int64_t		rows,
				shared_blks_hit,
				shared_blks_read,
				shared_blks_dirtied,
				shared_blks_written,
				temp_blks_read,
				temp_blks_written;
	double		blk_read_time_ms,
				blk_write_time_ms;	/* 0 unless track_io_timing */
	int64_t		wal_bytes;		/* 0 before PostgreSQL 13 */
} pgss_entry;

typedef struct pgss_snapshot
{
	int			available;		/* 0: pg_stat_statements could not be read (warned) */
	int			count;
	pgss_entry *entries;		/* by total_exec_ms, largest first */
	int64_t		taken_at_ms;	/* Unix time of the read, client clock */
	char	   *stats_reset;	/* pg_stat_statements_info.stats_reset as
								 * "YYYY-MM-DD HH:MM:SS.mmm UTC", or NULL */
	int			hidden;			/* rows left out: '<insufficient privilege>' */
} pgss_snapshot;

/*
 * Read the top-level statements (toplevel = true where the view has the
 * column, PostgreSQL 14 and later) of every user and database visible to
 * the role.  pgsift's own statements (text starting with
 * PGSIFT_STATEMENT_TAG after optional white space) are left out.
 *
 * Works with the view's columns from pg_stat_statements 1.7 (PostgreSQL
 * 12: total_time, no planning times) to 1.11 (PostgreSQL 17): the columns
 * are looked up, not guessed from the server version.
 *
 * When the extension is missing (not created in this database, or not in
 * shared_preload_libraries) or the role may not read it, prints a warning
 * with a hint and returns a snapshot with available = 0.  When the role
 * sees other users' texts as '<insufficient privilege>', those rows are
 * left out, counted in hidden, and one warning suggests GRANT
 * pg_read_all_stats.  Returns NULL only when the connection died (an error
 * is printed).  Free with pgss_free.
 */
pgss_snapshot *pgss_read(sandbox *c);

/*
 * The activity between two snapshots of the same server: per (queryid,
 * user, database, toplevel), after's counters minus before's; entries
 * whose calls did not change are dropped.  An entry absent from before, or
 * whose counters went down (pg_stat_statements_reset, eviction), counts
 * from zero, as do all of them when stats_reset changed.  mean and stddev
 * are those of the interval's calls (exact, from the sums); min and max
 * are the after values when they moved during the interval, else NAN (not
 * known).  Never NULL; available only if both were.  Free with pgss_free.
 */
pgss_snapshot *pgss_delta(const pgss_snapshot *before, const pgss_snapshot *after);

/* Free a snapshot and its entries; NULL is allowed. */
void		pgss_free(pgss_snapshot *s);

/*
 * Drop (and free) the entries of every database but dbname, keeping the
 * order of the rest; returns how many were dropped.  The view shows the
 * whole server, while an analysis is of the connected database: its
 * catalog, and the only place its queries can be explained.
 */
int			pgss_keep_database(pgss_snapshot *s, const char *dbname);

#endif
