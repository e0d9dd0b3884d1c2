/*-------------------------------------------------------------------------
 * store_minute_latency.c
 *    The minutes' latency histograms (src/model/minute_latency.h) in the
 *    store.
 *
 * They are model_state pairs, not columns of minutes: the key is
 * "minutes.latency.<minute>", the value minute_latency_encode's blob
 * (5 bytes per bucket with a count).  So no schema migration was needed,
 * an older pgsift reading a newer store skips the keys it does not know,
 * and a store written before they were kept reads back with no
 * histograms: those minutes' percentiles are unknown (minute_stats).  A
 * minute that has no timed statement gets no pair.
 *-------------------------------------------------------------------------
 */
#include "src/store/store_private.h"
#include "src/store/store_sql.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MINUTE_LATENCY "minutes.latency."	/* and the minute */

int
store_minute_latency_write(store *s, workload *w)
{
	size_t		n,
				i;
	minute_stats *minutes = workload_minutes(w, &n);
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO model_state (key, value) VALUES (?1, ?2)", "write");
	unsigned char blob[MINUTE_LATENCY_ENCODED_MAX];
	char		key[64];

	if (st == NULL)
		return -1;
	for (i = 0; i < n; i++)
	{
		size_t		len = minute_latency_encode(&minutes[i].latency, blob);

		if (len <= 1)
			continue;
		snprintf(key, sizeof(key), KEY_MINUTE_LATENCY "%" PRId64, minutes[i].minute);
		store_bind_text(st, 1, key);
		sqlite3_bind_blob(st, 2, blob, (int) len, SQLITE_TRANSIENT);
		if (store_step_done(s, st, "write") != 0)
			break;
	}
	sqlite3_finalize(st);
	return i == n ? 0 : -1;
}

/* The minute a key names, into *minute; -1 when the key is not one of ours. */
static int
key_minute(const char *key, int64_t *minute)
{
	char	   *end;
	long long	v;

	if (key == NULL || strncmp(key, KEY_MINUTE_LATENCY, strlen(KEY_MINUTE_LATENCY)) != 0)
		return -1;
	errno = 0;
	v = strtoll(key + strlen(KEY_MINUTE_LATENCY), &end, 10);
	if (errno != 0 || end == key + strlen(KEY_MINUTE_LATENCY) || *end != '\0')
		return -1;
	*minute = v;
	return 0;
}

int
store_minute_latency_read(store *s, workload *w)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT key, value FROM model_state"
									 " WHERE key LIKE '" KEY_MINUTE_LATENCY "%' ORDER BY key", "read");
	int			rc = -1;

	if (st == NULL)
		return -1;
	while ((rc = store_step_row(s, st)) == 1)
	{
		minute_stats m = {0};
		const void *blob = sqlite3_column_blob(st, 1);
		int			len = sqlite3_column_bytes(st, 1);

		if (key_minute((const char *) sqlite3_column_text(st, 0), &m.minute) != 0)
			continue;
		if (minute_latency_decode(&m.latency, blob, (size_t) len) != 0)
		{
			store_report_damaged(s, "latency histogram of a minute");
			rc = -1;
			break;
		}
		workload_add_minute(w, &m);
	}
	sqlite3_finalize(st);
	return rc;
}
