/*-------------------------------------------------------------------------
 * fingerprint.h
 *    Query fingerprints with a cache keyed on the statement's shape.
 *
 * libpg_query's fingerprint ignores constants entirely (their values and
 * how many stand in a list), so two statements that differ only in their
 * literals always share a fingerprint.  The cache exploits that: its key is
 * the statement with every literal replaced by '?', runs of literal lists
 * collapsed, comments dropped and white space folded (shape_key).  Only a
 * new shape pays for pg_query_fingerprint and pg_query_normalize (~9 µs and
 * more); a repeated one costs one scan and one hash lookup.
 *
 * Statements libpg_query cannot parse (truncated, another dialect) fall
 * back to a fingerprint of the shape key itself, case-folded outside quoted
 * identifiers; their normalized text is the shape key.  They are flagged
 * (parsed = 0) and counted.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_FINGERPRINT_H
#define PGSIFT_FINGERPRINT_H

#include "src/lib/strbuf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct query_shape
{
	uint64_t	fingerprint;
	const char *normalized;		/* owned by the cache; lives as long as it */
	int			parsed;			/* 0: libpg_query failed, fallback used */
	const char *parse_error;	/* libpg_query's message when parsed == 0 */
	void	   *owner_data;		/* free for the caller (the model keeps its stats here) */
} query_shape;

typedef struct fingerprint_cache fingerprint_cache;

typedef struct fingerprint_cache_stats
{
	uint64_t	lookups;
	uint64_t	misses;			/* shapes sent to libpg_query */
	uint64_t	parse_errors;	/* shapes libpg_query could not parse */
} fingerprint_cache_stats;

fingerprint_cache *fingerprint_cache_create(void);
void		fingerprint_cache_destroy(fingerprint_cache *c);

/*
 * The shape of sql[0..len) (need not be NUL-terminated).  Never NULL.  The
 * returned struct is owned by the cache and stays put until destroy.
 */
query_shape *fingerprint_lookup(fingerprint_cache *c, const char *sql, size_t len);

fingerprint_cache_stats fingerprint_cache_get_stats(const fingerprint_cache *c);

/*
 * Write the shape key of sql[0..len) into out (reset first).  Exposed for
 * tests: equal keys must imply equal fingerprints.
 */
void		shape_key(const char *sql, size_t len, strbuf *out);

/* 16 lower-case hex digits of a fingerprint into buf[17]. */
void		fingerprint_hex(uint64_t fp, char buf[17]);

#endif
