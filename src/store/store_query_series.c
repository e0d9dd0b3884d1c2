/*-------------------------------------------------------------------------
 * store_query_series.c
 *    Each kept query's calls over time (src/model/query_series.h) in the
 *    store, as model_state pairs.
 *
 * A key per query with a series, "queries.series.<parsed>.<fingerprint>"
 * (the fingerprint in 16 hex digits), its value the text query_series_format
 * writes.  No schema change: an older pgsift skips these keys, and a store
 * written before them reads back with no series (the report then draws no
 * sparkline for those queries until this run's calls are counted).
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/store/store_private.h"
#include "src/store/store_sql.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_QUERY_SERIES "queries.series."	/* and parsed, '.', the fingerprint */

int
store_query_series_write(store *s, workload *w)
{
	size_t		n,
				i;
	query_stats **qs = workload_queries(w, &n);
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO model_state (key, value) VALUES (?1, ?2)", "write");
	char		key[64],
				value[1024];

	if (st == NULL)
		return -1;
	for (i = 0; i < n; i++)
	{
		if (qs[i]->series == NULL || qs[i]->series->width_ms == 0)
			continue;
		snprintf(key, sizeof(key), KEY_QUERY_SERIES "%d.%016" PRIx64, qs[i]->parsed ? 1 : 0, qs[i]->fingerprint);
		query_series_format(qs[i]->series, value, sizeof(value));
		store_bind_text(st, 1, key);
		store_bind_text(st, 2, value);
		if (store_step_done(s, st, "write") != 0)
			break;
	}
	sqlite3_finalize(st);
	return i == n ? 0 : -1;
}

/* The query a key names; 0, or -1 when the key is not one of ours. */
static int
key_query(const char *key, int *parsed, uint64_t *fingerprint)
{
	const char *p;
	char	   *end;

	if (key == NULL || strncmp(key, KEY_QUERY_SERIES, strlen(KEY_QUERY_SERIES)) != 0)
		return -1;
	p = key + strlen(KEY_QUERY_SERIES);
	if ((p[0] != '0' && p[0] != '1') || p[1] != '.' || strlen(p + 2) != 16)
		return -1;
	*parsed = p[0] == '1';
	*fingerprint = strtoull(p + 2, &end, 16);
	return *end == '\0' ? 0 : -1;
}

int
store_query_series_read(store *s, workload *w)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT key, value FROM model_state"
									 " WHERE key LIKE '" KEY_QUERY_SERIES "%' ORDER BY key", "read");
	int			rc = -1;

	if (st == NULL)
		return -1;
	while ((rc = store_step_row(s, st)) == 1)
	{
		int			parsed;
		uint64_t	fingerprint;
		query_series series;
		query_stats *q;

		if (key_query((const char *) sqlite3_column_text(st, 0), &parsed, &fingerprint) != 0)
			continue;
		if (query_series_parse(&series, (const char *) sqlite3_column_text(st, 1)) != 0)
		{
			store_report_damaged(s, "calls over time of a query");
			rc = -1;
			break;
		}
		/* a query a smaller bound left out on loading has no entry */
		if ((q = workload_query_find(w, fingerprint, parsed)) == NULL)
			continue;
		if (q->series == NULL)
			q->series = xcalloc(1, sizeof(query_series));
		*q->series = series;
	}
	sqlite3_finalize(st);
	return rc;
}
