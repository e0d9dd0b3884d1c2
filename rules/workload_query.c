/*-------------------------------------------------------------------------
 * workload_query.c
 *    Rates, pg_stat_statements by fingerprint, and per-query findings for
 *    the workload rules (large-offset, many-rows-per-call,
 *    select-star-hot).
 *-------------------------------------------------------------------------
 */
#include "rules/workload_query.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/live/pgss.h"
#include "src/live/sandbox.h"
#include "src/model/workload.h"

#include <stdlib.h>
#include <string.h>

double
workload_rate(double calls, double hours, int *assumed)
{
	*assumed = !(hours > 0);
	return *assumed ? calls : calls / hours;
}

const char *
workload_rate_note(int assumed)
{
	return assumed ? " The span of the figures is unknown: they are taken as one hour's." : "";
}

struct hashmap *
workload_pgss_index(const workload_context *wc)
{
	const pgss_snapshot *ss = wc ? wc->pgss : NULL;
	hashmap    *index;

	if (ss == NULL || !ss->available)
		return NULL;
	index = hashmap_create((size_t) ss->count + 1);
	for (int i = 0; i < ss->count; i++)
	{
		const pgss_entry *e = &ss->entries[i];
		uint64_t	fp = e->fingerprint;
		void	  **slot = hashmap_put(index, &fp, sizeof(fp), hash_mix64(fp), NULL);
		pgss_totals *t = *slot;

		if (t == NULL)
			*slot = t = xcalloc(1, sizeof(pgss_totals));
		t->calls += (double) e->calls;
		t->total_ms += e->total_exec_ms;
		t->rows += (double) e->rows;
	}
	return index;
}

const pgss_totals *
workload_pgss_lookup(const struct hashmap *index, uint64_t fingerprint)
{
	return index ? hashmap_get(index, &fingerprint, sizeof(fingerprint), hash_mix64(fingerprint)) : NULL;
}

void
workload_pgss_index_free(struct hashmap *index)
{
	size_t		pos = 0;
	const char *key;
	size_t		keylen;
	void	   *value;

	if (index == NULL)
		return;
	while (hashmap_next(index, &pos, &key, &keylen, &value))
		free(value);
	hashmap_destroy(index);
}

finding *
workload_query_finding(const rule *r, uint64_t fingerprint, const char *query, double score)
{
	finding    *f = finding_new(r->id, r->severity, r->title);
	char		hex[17];

	fingerprint_hex(fingerprint, hex);
	finding_set_key(f, hex);
	finding_add_fingerprint(f, fingerprint);
	if (query)
		finding_set_query(f, query);
	f->score = score > 0 ? score : 0;
	f->measurement.method = MEASURE_ESTIMATED;
	return f;
}

int
workload_conn_serves(const workload_context *wc, const char *database)
{
	const char *db;

	if (wc == NULL || wc->conn == NULL || !sandbox_alive(wc->conn))
		return 0;
	db = PQdb(pgc_raw(sandbox_conn(wc->conn)));
	return database == NULL || (db && strcmp(db, database) == 0);
}
