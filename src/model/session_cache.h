/*-------------------------------------------------------------------------
 * session_cache.h
 *    The simulated TTL cache of the cacheable-query detector: which
 *    executions of a read-only query an application cache in front of
 *    the database would have answered.
 *
 * One key per (fingerprint, parameters hash), filled by a miss and valid
 * for ttl_ms; SEQ_CACHE_KEYS keys at most, the least recently used
 * evicted (hits on an evicted key are missed: the figures err low).  Hits
 * and misses are counted in the fingerprint's seq_fingerprint.  Entries
 * come from chunks freed whole, and a fingerprint's keys are linked from
 * its seq_fingerprint, so that the bounded table (query_table.c) can drop
 * one fingerprint's keys alone and reuse their memory.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SESSION_CACHE_H
#define PGSIFT_SESSION_CACHE_H

#include "src/lib/keyed_table.h"
#include "src/model/session_patterns.h"

#include <stdint.h>

typedef struct cache_entry cache_entry;

typedef struct ttl_cache
{
	keyed_table table;			/* keys, least recently used first */
	double		ttl_ms;
	cache_entry **chunks;		/* entries come from chunks, freed whole */
	int			nchunks;
	int			chunk_used;		/* entries handed out of the last chunk */
	cache_entry *free_entries;	/* entries of forgotten fingerprints, reused first */
	uint64_t	evictions;		/* keys evicted because SEQ_CACHE_KEYS were kept */
} ttl_cache;

void		ttl_cache_init(ttl_cache *c, double ttl_ms);
void		ttl_cache_free(ttl_cache *c);

/*
 * One execution of f (a cacheable fingerprint) with parameters hash h at
 * ts, taking ms: a hit when its key was filled within the TTL, else a
 * miss that fills it.
 */
void		ttl_cache_observe(ttl_cache *c, seq_fingerprint *f, uint64_t h, int64_t ts, double ms);

/* Drop every key of f, their entries kept for reuse. */
void		ttl_cache_forget(ttl_cache *c, seq_fingerprint *f);

/* src's seq_fingerprint (of src's model) to dst's (found or created). */
typedef seq_fingerprint *(*ttl_cache_map) (void *ctx, const seq_fingerprint *f);

/*
 * Fold src, the cache of a later part of the same log, into dst: a key
 * src first saw within the TTL of dst's fill was a hit, not the miss src
 * counted; then the cache goes on as src left it.  src is left empty.
 */
void		ttl_cache_merge(ttl_cache *dst, ttl_cache *src, ttl_cache_map map, void *ctx);

#endif
