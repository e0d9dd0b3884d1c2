/*-------------------------------------------------------------------------
 * session_cache.h
 *    The simulated TTL cache of the cacheable-query detector: which
 *    executions of a read-only query an application cache in front of
 *    the database would have answered.
 *
 * One key per (fingerprint, parameters hash), filled by a miss and valid
 * for ttl_ms; SEQ_CACHE_KEYS keys at most, the one filled longest ago
 * evicted first: it is the first to expire, and a hit does not make a
 * filled key live longer (hits on an evicted key are missed: the figures
 * err low).  Hits and misses are counted in the fingerprint's
 * seq_fingerprint.  Entries come from chunks freed whole, and a
 * fingerprint's keys are linked from its seq_fingerprint, so that the
 * bounded table (query_table.c) can drop one fingerprint's keys alone and
 * reuse their memory.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SESSION_CACHE_H
#define PGSIFT_SESSION_CACHE_H

#include "src/model/session_patterns.h"

#include <stdint.h>

typedef struct cache_entry cache_entry;

typedef struct ttl_cache
{
	double		ttl_ms;
	/* the keys: an open-addressing index of entry numbers, and the entries in fill order */
	uint64_t   *slots;			/* hash tag << 32 | entry number + 1; 0: empty */
	uint32_t	nslots;			/* a power of two, at least twice count */
	uint32_t	count;
	uint32_t	oldest,			/* entry numbers + 1; 0: none */
				newest;
	cache_entry **chunks;		/* entries come from chunks, freed whole */
	int			nchunks;
	uint32_t	used;			/* entry numbers handed out */
	uint32_t	free_entries;	/* entries of forgotten fingerprints, reused first (number + 1) */
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
