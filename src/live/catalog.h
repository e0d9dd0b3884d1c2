/*-------------------------------------------------------------------------
 * catalog.h
 *    A snapshot of what the live database's catalog says about its tables.
 *
 * Taken in a few round trips (one query per kind of object, never one per
 * table), from user schemas only (not pg_catalog, information_schema,
 * pg_toast).  Everything is copied into the snapshot's own memory; the
 * connection can be closed after catalog_snapshot_take.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_CATALOG_H
#define PGSIFT_CATALOG_H

#include "src/live/sandbox.h"

#include <stdint.h>

typedef struct catalog_table
{
	uint32_t	oid;
	char	   *schema;
	char	   *name;
	double		reltuples;		/* -1: never analyzed/vacuumed */
	int64_t		relpages;
	int64_t		size_bytes;		/* pg_table_size */
	int64_t		seq_scan,
				seq_tup_read,
				idx_scan;
	int64_t		n_tup_ins,
				n_tup_upd,
				n_tup_del,
				n_tup_hot_upd;
	int64_t		n_live_tup,
				n_dead_tup;
	char	   *last_analyze;	/* greatest of last_analyze/last_autoanalyze, or NULL */
	int			ncolumns;
	char	  **columns;		/* attname by attnum-1 (dropped: NULL) */
	char	  **column_types;	/* format_type of each, as columns; NULL if unread */
} catalog_table;

typedef struct catalog_index
{
	uint32_t	oid;
	uint32_t	table_oid;
	char	   *schema;
	char	   *name;
	char	   *table;
	char	   *definition;		/* pg_get_indexdef */
	char	   *method;			/* btree, hash, gin, ... */
	int			nkeys;			/* key columns (not INCLUDE) */
	int			ncolumns;		/* keys + INCLUDE */
	char	  **columns;		/* column name, or NULL for an expression */
	char	   *expressions;	/* pg_get_expr of indexprs, or NULL */
	char	   *predicate;		/* pg_get_expr of indpred, or NULL */
	int			unique;
	int			primary;
	int			valid;
	int			backs_constraint;	/* used by a constraint (PK, unique, exclusion) */
	int64_t		size_bytes;
	int64_t		idx_scan;
} catalog_index;

typedef struct catalog_column_stats
{
	char	   *schema;
	char	   *table;
	char	   *column;
	double		null_frac;
	double		n_distinct;		/* as in pg_stats: negative = fraction of rows */
	double		correlation;	/* NAN when absent */
	double		most_common_freq;	/* highest of most_common_freqs, or 0 */
} catalog_column_stats;

typedef struct catalog_fk
{
	char	   *name;
	char	   *schema;
	char	   *table;			/* referencing */
	char	   *ref_table;		/* referenced (schema-qualified) */
	int			ncolumns;
	char	  **columns;		/* referencing columns, in key order */
	char	  **ref_columns;	/* the referenced columns they pair with, or NULL */
} catalog_fk;

typedef struct catalog_sequence
{
	char	   *schema;
	char	   *name;
	char	   *type;			/* smallint, integer, bigint */
	int64_t		last_value;		/* -1 if never used */
	int64_t		max_value;
	int64_t		increment;
} catalog_sequence;

typedef struct catalog_settings
{
	int64_t		work_mem_kb;
	int64_t		shared_buffers_kb;
	int64_t		effective_cache_size_kb;
	double		random_page_cost;
	int64_t		max_connections;
	int			jit;
	char	   *stats_reset;	/* pg_stat_database.stats_reset, or NULL */
} catalog_settings;

/* A function's volatility (pg_proc.provolatile), one row per overload. */
typedef struct catalog_function
{
	char	   *schema;
	char	   *name;
	char		volatility;		/* 'i', 's' or 'v' */
} catalog_function;

/* A cast that only relabels the value (pg_cast.castmethod = 'b'), by type names. */
typedef struct catalog_cast
{
	char	   *source;			/* format_type: "character varying", "cidr", ... */
	char	   *target;
} catalog_cast;

typedef struct catalog_snapshot
{
	int			ntables;
	catalog_table *tables;
	int			nindexes;
	catalog_index *indexes;
	int			nstats;
	catalog_column_stats *stats;
	int			nfks;
	catalog_fk *fks;
	int			nsequences;
	catalog_sequence *sequences;
	catalog_settings settings;
	int			nfunctions;
	catalog_function *functions;	/* every plain function, pg_catalog's too */
	int			nbinary_casts;
	catalog_cast *binary_casts;
	void	   *mem;			/* internal: arena */
} catalog_snapshot;

/*
 * Take a snapshot.  NULL on failure (reported in PostgreSQL's style, with a
 * hint when a privilege is missing).
 */
catalog_snapshot *catalog_snapshot_take(sandbox *c);
void		catalog_snapshot_free(catalog_snapshot *s);

/* Lookups by schema-qualified or bare name (bare: first match on search order). */
const catalog_table *catalog_find_table(const catalog_snapshot *s, const char *schema, const char *name);
const catalog_column_stats *catalog_find_stats(const catalog_snapshot *s, const char *schema,
											   const char *table, const char *column);

/*
 * The volatility of the function called name (in schema, or in any schema
 * when NULL): 'v' when any overload is volatile, else 's' when any is
 * stable, else 'i'; 0 when there is no such function.
 */
char		catalog_function_volatility(const catalog_snapshot *s, const char *schema, const char *name);

/* format_type of column of schema.table ("integer", "character varying(10)"), or NULL. */
const char *catalog_column_type(const catalog_snapshot *s, const char *schema, const char *table,
								const char *column);

#endif
