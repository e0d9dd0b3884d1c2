/*-------------------------------------------------------------------------
 * fingerprint.h
 *    Query fingerprints with a cache keyed on the statement's shape.
 *
 * libpg_query's fingerprint ignores constants entirely (their values and
 * how many stand in a list), so two statements that differ only in their
 * literals always share a fingerprint.  The cache exploits that: its key is
 * the statement with every literal replaced by '?', runs of literal lists
 * collapsed, comments dropped and white space folded (shape_key).  Only a
 * new shape pays for pg_query_fingerprint (~9 µs and more); a new
 * fingerprint also pays for pg_query_normalize and, when the cache wants
 * traits, one parse to the protobuf tree; a repeated shape costs one scan
 * and one hash lookup.  Parallel workers share what libpg_query said
 * through a shape_resolver, so a shape is parsed once per run.
 *
 * A statement longer than 64 KiB goes to libpg_query with its literals of
 * more than 64 bytes emptied ('' in their place): the fingerprint and the
 * normalized text do not depend on what a literal holds, and parsing a
 * 50 MB string literal would cost several copies of it.
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
#include "src/sql/shape_key.h"
#include "src/sql/statement_traits.h"

#include <stddef.h>
#include <stdint.h>

typedef struct query_shape
{
	uint64_t	fingerprint;
	const char *normalized;		/* owned by the cache; lives as long as it */
	int			parsed;			/* 0: libpg_query failed, fallback used */
	const char *parse_error;	/* libpg_query's message when parsed == 0 */
	seq_kind	kind;			/* statement_traits_classify of normalized, when wanted */
	int			values_width;	/* its VALUES width (SEQ_KIND_SINGLE_INSERT) */
	void	   *owner_data;		/* free for the caller (the model keeps its stats here) */
} query_shape;

typedef struct fingerprint_cache fingerprint_cache;

/*
 * What libpg_query said about each shape, shared by the caches of parallel
 * workers so that a shape is parsed once per run, not once per worker.
 * Thread-safe; it must outlive every cache shared with it (or be unshared
 * from them first).
 */
typedef struct shape_resolver shape_resolver;

typedef struct fingerprint_cache_stats
{
	uint64_t	lookups;
	uint64_t	misses;			/* shapes sent to libpg_query */
	uint64_t	parse_errors;	/* shapes libpg_query could not parse */
} fingerprint_cache_stats;

fingerprint_cache *fingerprint_cache_create(void);
void		fingerprint_cache_destroy(fingerprint_cache *c);

/*
 * Have c classify each new fingerprint (query_shape.kind and values_width,
 * by statement_traits_classify); otherwise kind stays SEQ_KIND_UNKNOWN.
 */
void		fingerprint_cache_want_traits(fingerprint_cache *c);

/*
 * On a miss, have c ask r before libpg_query (NULL: stop asking).  c itself
 * stays single-threaded; r may be shared by caches on other threads.
 */
void		fingerprint_cache_share(fingerprint_cache *c, shape_resolver *r);

shape_resolver *shape_resolver_create(void);
void		shape_resolver_destroy(shape_resolver *r);

/*
 * The shape of sql[0..len) (need not be NUL-terminated).  Never NULL.  The
 * returned struct is owned by the cache and stays put until destroy.
 */
query_shape *fingerprint_lookup(fingerprint_cache *c, const char *sql, size_t len);

fingerprint_cache_stats fingerprint_cache_get_stats(const fingerprint_cache *c);

/* 16 lower-case hex digits of a fingerprint into buf[17]. */
void		fingerprint_hex(uint64_t fp, char buf[17]);

#endif
