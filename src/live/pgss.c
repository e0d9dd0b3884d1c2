/*-------------------------------------------------------------------------
 * pgss.c
 *    pg_stat_statements snapshots and the difference of two.
 *
 * The view's shape depends on the extension version installed in the
 * database (which can lag the server's after pg_upgrade), not on the
 * server version, so the reader first finds the view (the extension's
 * schema) and its columns, then builds its SELECT from what is there:
 * total_exec_time or total_time, toplevel when it exists, and so on.
 * Everything runs as tagged statements, and rows whose text starts with
 * the tag are pgsift's own and are left out.
 *
 * Every failure short of a lost connection is a warning with a hint and a
 * snapshot with available = 0: pg_stat_statements enriches the analysis
 * but is never required for it.
 *-------------------------------------------------------------------------
 */
#include "src/live/pgss.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/lib/strbuf.h"
#include "src/model/workload.h"
#include "src/sql/fingerprint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INSUFFICIENT_PRIVILEGE "<insufficient privilege>"

/* Where the view is and what it has. */
typedef struct pgss_view
{
	char	   *schema;			/* the extension's schema (malloc'd) */
	char	   *columns;		/* ",userid,dbid,...," (malloc'd) */
	int			has_info;		/* pg_stat_statements_info exists (1.9+) */
	char	   *role;			/* current_user (malloc'd) */
} pgss_view;

/* Columns of the reader's SELECT, in order. */
enum
{
	COL_QUERYID, COL_QUERY, COL_USER, COL_DBNAME, COL_TOPLEVEL, COL_CALLS,
	COL_TOTAL, COL_MEAN, COL_MIN, COL_MAX, COL_STDDEV, COL_PLAN, COL_ROWS,
	COL_SHARED_HIT, COL_SHARED_READ, COL_SHARED_DIRTIED, COL_SHARED_WRITTEN,
	COL_TEMP_READ, COL_TEMP_WRITTEN, COL_BLK_READ_TIME, COL_BLK_WRITE_TIME, COL_WAL_BYTES
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
free_view(pgss_view *v)
{
	free(v->schema);
	free(v->columns);
	free(v->role);
}

/*
 * Find the view: 1 found (v filled), 0 the extension is not created in
 * this database, -1 the query failed (see sandbox_last_error).
 */
static int
locate_view(sandbox *c, pgss_view *v)
{
	PGresult   *res = sandbox_read(c,
								"SELECT n.nspname, "
								"to_regclass(format('%I.pg_stat_statements_info', n.nspname)) IS NOT NULL, "
								"(SELECT ',' || string_agg(a.attname, ',') || ',' FROM pg_catalog.pg_attribute a "
								" WHERE a.attrelid = format('%I.pg_stat_statements', n.nspname)::regclass "
								" AND a.attnum > 0 AND NOT a.attisdropped), current_user "
								"FROM pg_catalog.pg_extension e "
								"JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
								"WHERE e.extname = 'pg_stat_statements'", 0, NULL);

	memset(v, 0, sizeof(*v));
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
	{
		PQclear(res);
		return 0;
	}
	v->schema = xstrdup(PQgetvalue(res, 0, 0));
	v->has_info = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	v->columns = xstrdup(PQgetvalue(res, 0, 2));
	v->role = xstrdup(PQgetvalue(res, 0, 3));
	PQclear(res);
	return 1;
}

static int
has_column(const pgss_view *v, const char *name)
{
	char		key[80];

	snprintf(key, sizeof(key), ",%s,", name);
	return strstr(v->columns, key) != NULL;
}

/* ", s.<first existing of names>" or ", <fallback>". */
static void
add_column(strbuf *sql, const pgss_view *v, const char *name, const char *old_name, const char *fallback)
{
	if (has_column(v, name))
		strbuf_printf(sql, ", s.%s", name);
	else if (old_name && has_column(v, old_name))
		strbuf_printf(sql, ", s.%s", old_name);
	else
		strbuf_printf(sql, ", %s", fallback);
}

/* The SELECT for the columns this version of the view has. */
static char *
build_select(sandbox *c, const pgss_view *v)
{
	strbuf		sql;
	char	   *schema = PQescapeIdentifier(pgc_raw(sandbox_conn(c)), v->schema, strlen(v->schema));

	strbuf_init(&sql);
	strbuf_puts(&sql, "SELECT s.queryid, s.query, pg_catalog.pg_get_userbyid(s.userid), "
				"coalesce(d.datname, s.dbid::text)");
	add_column(&sql, v, "toplevel", NULL, "true");
	strbuf_puts(&sql, ", s.calls");
	add_column(&sql, v, "total_exec_time", "total_time", "0");
	add_column(&sql, v, "mean_exec_time", "mean_time", "0");
	add_column(&sql, v, "min_exec_time", "min_time", "0");
	add_column(&sql, v, "max_exec_time", "max_time", "0");
	add_column(&sql, v, "stddev_exec_time", "stddev_time", "0");
	add_column(&sql, v, "total_plan_time", NULL, "0");
	strbuf_puts(&sql, ", s.rows, s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied, "
				"s.shared_blks_written, s.temp_blks_read, s.temp_blks_written");
	/* 1.11 (PostgreSQL 17) split blk_*_time into shared_ and local_ */
	if (has_column(v, "local_blk_read_time"))
		strbuf_puts(&sql, ", s.shared_blk_read_time + s.local_blk_read_time"
					", s.shared_blk_write_time + s.local_blk_write_time");
	else
	{
		add_column(&sql, v, "blk_read_time", "shared_blk_read_time", "0");
		add_column(&sql, v, "blk_write_time", "shared_blk_write_time", "0");
	}
	/* numeric: as text, parsed with saturation rather than cast with overflow */
	strbuf_puts(&sql, has_column(v, "wal_bytes") ? ", s.wal_bytes::text" : ", '0'");
	strbuf_printf(&sql, " FROM %s.pg_stat_statements s "
				  "LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid", schema ? schema : "public");
	if (has_column(v, "toplevel"))
		strbuf_puts(&sql, " WHERE s.toplevel");
	strbuf_puts(&sql, " ORDER BY 7 DESC, 6 DESC, 1");
	PQfreemem(schema);
	return strbuf_detach(&sql);
}

static int64_t
int_at(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static double
double_at(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtod(PQgetvalue(res, row, col), NULL);
}

/* Whether a query text is one of pgsift's own (the tag after white space). */
static int
is_own_text(const char *q)
{
	q += strspn(q, " \t\r\n");
	return strncmp(q, PGSIFT_STATEMENT_TAG, sizeof(PGSIFT_STATEMENT_TAG) - 1) == 0;
}

static void
fill_entry(pgss_entry *e, const PGresult *res, int row, fingerprint_cache *fc)
{
	const char *query = PQgetvalue(res, row, COL_QUERY);
	query_shape *shape = fingerprint_lookup(fc, query, strlen(query));

	e->queryid = int_at(res, row, COL_QUERYID);
	e->fingerprint = shape->fingerprint;
	e->parsed = shape->parsed;
	e->query = xstrdup(query);
	e->user = xstrdup(PQgetvalue(res, row, COL_USER));
	e->dbname = xstrdup(PQgetvalue(res, row, COL_DBNAME));
	e->toplevel = strcmp(PQgetvalue(res, row, COL_TOPLEVEL), "t") == 0;
	e->calls = int_at(res, row, COL_CALLS);
	e->total_exec_ms = double_at(res, row, COL_TOTAL);
	e->mean_exec_ms = double_at(res, row, COL_MEAN);
	e->min_exec_ms = double_at(res, row, COL_MIN);
	e->max_exec_ms = double_at(res, row, COL_MAX);
	e->stddev_exec_ms = double_at(res, row, COL_STDDEV);
	e->total_plan_ms = double_at(res, row, COL_PLAN);
	e->rows = int_at(res, row, COL_ROWS);
	e->shared_blks_hit = int_at(res, row, COL_SHARED_HIT);
	e->shared_blks_read = int_at(res, row, COL_SHARED_READ);
	e->shared_blks_dirtied = int_at(res, row, COL_SHARED_DIRTIED);
	e->shared_blks_written = int_at(res, row, COL_SHARED_WRITTEN);
	e->temp_blks_read = int_at(res, row, COL_TEMP_READ);
	e->temp_blks_written = int_at(res, row, COL_TEMP_WRITTEN);
	e->blk_read_time_ms = double_at(res, row, COL_BLK_READ_TIME);
	e->blk_write_time_ms = double_at(res, row, COL_BLK_WRITE_TIME);
	e->wal_bytes = int_at(res, row, COL_WAL_BYTES);
}

/*
 * Fill s from the view's rows: pgsift's own statements, texts the server
 * no longer has (NULL) and other users' hidden texts are left out.
 */
static void
fill_entries(pgss_snapshot *s, const PGresult *res)
{
	fingerprint_cache *fc = fingerprint_cache_create();
	int			n = PQntuples(res);

	s->entries = xcalloc(n > 0 ? (size_t) n : 1, sizeof(pgss_entry));
	for (int row = 0; row < n; row++)
	{
		const char *query = PQgetvalue(res, row, COL_QUERY);

		if (PQgetisnull(res, row, COL_QUERY) || is_own_text(query))
			continue;
		if (strcmp(query, INSUFFICIENT_PRIVILEGE) == 0)
		{
			s->hidden++;
			continue;
		}
		fill_entry(&s->entries[s->count++], res, row, fc);
	}
	fingerprint_cache_destroy(fc);
}

/* pg_stat_statements_info.stats_reset in UTC, or NULL. */
static char *
read_stats_reset(sandbox *c, const pgss_view *v)
{
	char	   *schema = PQescapeIdentifier(pgc_raw(sandbox_conn(c)), v->schema, strlen(v->schema));
	strbuf		sql;
	PGresult   *res;
	char	   *reset = NULL;

	if (schema == NULL)
		return NULL;
	strbuf_init(&sql);
	strbuf_printf(&sql, "SELECT to_char(stats_reset AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') || ' UTC' "
				  "FROM %s.pg_stat_statements_info", schema);
	PQfreemem(schema);
	res = sandbox_read(c, sql.data, 0, NULL);
	strbuf_free(&sql);
	if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		reset = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return reset;
}

/* Whether the server loaded the library (its settings exist only then). */
static int
library_loaded(sandbox *c)
{
	PGresult   *res = sandbox_read(c, "SELECT 1 FROM pg_catalog.pg_settings WHERE name = 'pg_stat_statements.max'",
								0, NULL);
	int			loaded = res && PQntuples(res) == 1;

	PQclear(res);
	return loaded;
}

static void
warn_not_installed(sandbox *c)
{
	const char *db = PQdb(pgc_raw(sandbox_conn(c)));
	strbuf		hint;

	strbuf_init(&hint);
	if (library_loaded(c))
		strbuf_printf(&hint, "Run CREATE EXTENSION pg_stat_statements; in database \"%s\" "
					  "(the server already has pg_stat_statements in shared_preload_libraries).", db);
	else
		strbuf_printf(&hint, "Add pg_stat_statements to shared_preload_libraries in postgresql.conf, "
					  "restart the server, then run CREATE EXTENSION pg_stat_statements; in database \"%s\".", db);
	diag_detail("Without it pgsift has no statistics of the statements the server ran; "
				 "the analysis goes on with the rest.");
	diag_hint("%s", hint.data);
	diag_warning("pg_stat_statements is not installed in database \"%s\"", db);
	strbuf_free(&hint);
}

/*
 * The view could not be read: warn and return s (available = 0), or, when
 * the connection is gone, print an error, free s and return NULL.
 */
static pgss_snapshot *
read_failed(sandbox *c, pgss_snapshot *s, const char *role)
{
	const char *state = sandbox_last_sqlstate(c);
	strbuf		detail,
				hint;

	if (!sandbox_alive(c))
	{
		diag_hint("Check the server's log for a restart or a terminated backend.");
		diag_error("lost the connection to the database while reading pg_stat_statements: %s", sandbox_last_error(c));
		pgss_free(s);
		return NULL;
	}
	strbuf_init(&detail);
	strbuf_init(&hint);
	if (strcmp(state, "55000") == 0)
	{
		strbuf_puts(&detail, "The extension is created in this database but the server did not load its "
					"library, so it keeps no statistics; the analysis goes on without them.");
		strbuf_puts(&hint, "Add pg_stat_statements to shared_preload_libraries in postgresql.conf and "
					"restart the server (CREATE EXTENSION pg_stat_statements is already done here).");
	}
	else if (strcmp(state, "42501") == 0)
	{
		strbuf_printf(&detail, "Role \"%s\" may not read it; the analysis goes on without it.", role);
		strbuf_printf(&hint, "Ask a superuser to GRANT SELECT ON pg_stat_statements TO %s "
					  "(and GRANT pg_read_all_stats TO %s to see every user's statements).", role, role);
	}
	else
		strbuf_printf(&detail, "SQLSTATE %s; the analysis goes on without pg_stat_statements.",
					  state[0] ? state : "unknown");
	diag_detail("%s", detail.data);
	diag_hint("%s", hint.len ? hint.data : NULL);
	diag_warning("could not read pg_stat_statements: %s", sandbox_last_error(c));
	strbuf_free(&detail);
	strbuf_free(&hint);
	return s;
}

static void
warn_hidden(const pgss_snapshot *s, const char *role)
{
	diag_detail("Only superusers and members of pg_read_all_stats see the text of other users' statements; "
				"%d statement%s left out.", s->hidden, s->hidden == 1 ? " was" : "s were");
	diag_hint("GRANT pg_read_all_stats TO %s; (or pg_monitor, which includes it).", role);
	diag_warning("role \"%s\" may not see other users' statements in pg_stat_statements", role);
}

pgss_snapshot *
pgss_read(sandbox *c)
{
	pgss_snapshot *s = xcalloc(1, sizeof(pgss_snapshot));
	pgss_view	v;
	int			found;

	s->taken_at_ms = now_ms();
	found = locate_view(c, &v);
	if (found == 0)
	{
		warn_not_installed(c);
		return s;
	}
	if (found < 0)
		return read_failed(c, s, PQuser(pgc_raw(sandbox_conn(c))));

	char	   *sql = build_select(c, &v);
	PGresult   *res = sandbox_read(c, sql, 0, NULL);

	free(sql);
	if (res == NULL)
	{
		s = read_failed(c, s, v.role);
		free_view(&v);
		return s;
	}
	fill_entries(s, res);
	PQclear(res);
	s->available = 1;
	if (v.has_info)
		s->stats_reset = read_stats_reset(c, &v);
	if (s->hidden > 0)
		warn_hidden(s, v.role);
	free_view(&v);
	return s;
}

/* ---------------------------------------------------------------------------
 * Differences
 * ---------------------------------------------------------------------------
 */

/* The key of an entry across snapshots, into sb (reset first). */
static void
entry_key(const pgss_entry *e, strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_printf(sb, "%lld", (long long) e->queryid);
	strbuf_putc(sb, '\0');
	strbuf_puts(sb, e->user);
	strbuf_putc(sb, '\0');
	strbuf_puts(sb, e->dbname);
	strbuf_putc(sb, '\0');
	strbuf_putc(sb, e->toplevel ? 't' : 'f');
}

static void
copy_entry(pgss_entry *dst, const pgss_entry *src)
{
	*dst = *src;
	dst->query = xstrdup(src->query);
	dst->user = xstrdup(src->user);
	dst->dbname = xstrdup(src->dbname);
}

/* Sum of squared execution times, from pg_stat_statements' population stddev. */
static double
sum_of_squares(const pgss_entry *e)
{
	return (double) e->calls * (e->stddev_exec_ms * e->stddev_exec_ms + e->mean_exec_ms * e->mean_exec_ms);
}

/* d = a - b, for an entry that ran between the two snapshots. */
static void
subtract_entry(pgss_entry *d, const pgss_entry *a, const pgss_entry *b)
{
	copy_entry(d, a);
	d->calls = a->calls - b->calls;
	d->total_exec_ms = a->total_exec_ms - b->total_exec_ms;
	d->total_plan_ms = a->total_plan_ms - b->total_plan_ms;
	d->rows = a->rows - b->rows;
	d->shared_blks_hit = a->shared_blks_hit - b->shared_blks_hit;
	d->shared_blks_read = a->shared_blks_read - b->shared_blks_read;
	d->shared_blks_dirtied = a->shared_blks_dirtied - b->shared_blks_dirtied;
	d->shared_blks_written = a->shared_blks_written - b->shared_blks_written;
	d->temp_blks_read = a->temp_blks_read - b->temp_blks_read;
	d->temp_blks_written = a->temp_blks_written - b->temp_blks_written;
	d->blk_read_time_ms = a->blk_read_time_ms - b->blk_read_time_ms;
	d->blk_write_time_ms = a->blk_write_time_ms - b->blk_write_time_ms;
	d->wal_bytes = a->wal_bytes - b->wal_bytes;
	if (d->calls <= 0)
		return;
	d->mean_exec_ms = d->total_exec_ms / (double) d->calls;

	double		var = (sum_of_squares(a) - sum_of_squares(b)) / (double) d->calls -
		d->mean_exec_ms * d->mean_exec_ms;

	d->stddev_exec_ms = var > 0 ? sqrt(var) : 0;
	d->min_exec_ms = a->min_exec_ms < b->min_exec_ms ? a->min_exec_ms : NAN;
	d->max_exec_ms = a->max_exec_ms > b->max_exec_ms ? a->max_exec_ms : NAN;
}

static void
free_entry(pgss_entry *e)
{
	free(e->query);
	free(e->user);
	free(e->dbname);
}

static int
cmp_total_desc(const void *x, const void *y)
{
	const pgss_entry *a = x,
			   *b = y;

	if (a->total_exec_ms != b->total_exec_ms)
		return a->total_exec_ms < b->total_exec_ms ? 1 : -1;
	if (a->calls != b->calls)
		return a->calls < b->calls ? 1 : -1;
	return (a->queryid > b->queryid) - (a->queryid < b->queryid);
}

pgss_snapshot *
pgss_delta(const pgss_snapshot *before, const pgss_snapshot *after)
{
	pgss_snapshot *d = xcalloc(1, sizeof(pgss_snapshot));
	int			reset_all = before->stats_reset && after->stats_reset &&
		strcmp(before->stats_reset, after->stats_reset) != 0;
	hashmap    *earlier = hashmap_create((size_t) before->count + 1);
	strbuf		key;

	strbuf_init(&key);
	for (int i = 0; i < before->count; i++)
	{
		entry_key(&before->entries[i], &key);
		*hashmap_put(earlier, key.data, key.len, hash_bytes(key.data, key.len), NULL) = &before->entries[i];
	}
	d->available = before->available && after->available;
	d->taken_at_ms = after->taken_at_ms;
	d->stats_reset = after->stats_reset ? xstrdup(after->stats_reset) : NULL;
	d->hidden = after->hidden;
	d->entries = xcalloc((size_t) after->count + 1, sizeof(pgss_entry));
	for (int i = 0; i < after->count; i++)
	{
		const pgss_entry *a = &after->entries[i];
		const pgss_entry *b;
		pgss_entry *out = &d->entries[d->count];

		entry_key(a, &key);
		b = reset_all ? NULL : hashmap_get(earlier, key.data, key.len, hash_bytes(key.data, key.len));
		if (b == NULL || a->calls < b->calls)
			copy_entry(out, a);
		else
			subtract_entry(out, a, b);
		if (out->calls > 0)
			d->count++;
		else
			free_entry(out);
	}
	strbuf_free(&key);
	hashmap_destroy(earlier);
	qsort(d->entries, (size_t) d->count, sizeof(pgss_entry), cmp_total_desc);
	return d;
}

int
pgss_keep_database(pgss_snapshot *s, const char *dbname)
{
	int			kept = 0,
				dropped;

	if (s == NULL || dbname == NULL)
		return 0;
	for (int i = 0; i < s->count; i++)
	{
		if (s->entries[i].dbname == NULL || strcmp(s->entries[i].dbname, dbname) == 0)
			s->entries[kept++] = s->entries[i];
		else
			free_entry(&s->entries[i]);
	}
	dropped = s->count - kept;
	s->count = kept;
	return dropped;
}

void
pgss_free(pgss_snapshot *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->count; i++)
		free_entry(&s->entries[i]);
	free(s->entries);
	free(s->stats_reset);
	free(s);
}
