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
 *
 * For a bounded model (the workload's --max-fingerprints table) a cache
 * can be lazy and forgetful: a lazy cache leaves a new fingerprint's
 * normalized text and traits to its owner, who computes them only for the
 * fingerprints that matter (fingerprint_normalize); a forgotten shape is
 * dropped, its memory given back, and its key remembered in a fixed-size
 * table so that seeing it again costs no libpg_query call.
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
	const char *normalized;		/* owned by the cache; lives as long as the shape;
								 * NULL when a lazy cache left it to the caller */
	int			parsed;			/* 0: libpg_query failed, fallback used */
	const char *parse_error;	/* libpg_query's message when parsed == 0 */
	seq_kind	kind;			/* statement_traits_classify of normalized, when wanted */
	int			values_width;	/* its VALUES width (SEQ_KIND_SINGLE_INSERT) */
	void	   *owner_data;		/* free for the caller (the model keeps its stats here) */
	int			forgotten;		/* fingerprint_cache_forget was called on it */
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
	uint64_t	forgotten;		/* fingerprint_cache_forget calls that forgot a shape */
	uint64_t	recalled;		/* forgotten shapes found again before a purge freed them */
	uint64_t	purged;			/* forgotten shapes freed by a purge */
	uint64_t	remembered;		/* new shapes whose fingerprint was remembered, not parsed */
	uint64_t	texts_shared;	/* normalized texts taken from an earlier part's cache */
	uint64_t	classified;		/* fingerprint_cache_classify calls that parsed the text */
	uint64_t	traits_shared;	/* fingerprint_cache_classify answers another cache had found */
} fingerprint_cache_stats;

fingerprint_cache *fingerprint_cache_create(void);
void		fingerprint_cache_destroy(fingerprint_cache *c);

/*
 * Have c classify each new fingerprint (query_shape.kind and values_width,
 * by statement_traits_classify); otherwise kind stays SEQ_KIND_UNKNOWN.
 */
void		fingerprint_cache_want_traits(fingerprint_cache *c);

/*
 * Have c leave a new fingerprint's normalized text NULL and its kind
 * SEQ_KIND_UNKNOWN (the caller computes them when it needs them, with
 * fingerprint_normalize), except for a statement that libpg_query cannot
 * parse (its text is its shape key, which costs nothing), one longer than
 * SHAPE_LONG_STATEMENT, and one whose first word may begin transaction
 * control: those are done at once, as in a cache that is not lazy.  Up to
 * keep_forgotten forgotten shapes (fingerprint_cache_forget) are kept
 * whole, with what their owner taught them, before a purge frees them (a
 * few hundred bytes each); up to remember of their keys (rounded up to a
 * power of two, 32 bytes each) are remembered after.
 */
void		fingerprint_cache_lazy(fingerprint_cache *c, size_t keep_forgotten, size_t remember);

/*
 * The normalized text of sql[0..len), as a cache gives it for a new
 * fingerprint whose first statement this is (malloc'd).
 */
char	   *fingerprint_normalize(const char *sql, size_t len);

/*
 * fingerprint_normalize of sql[0..len), whose fingerprint is (fingerprint,
 * parsed), through c's resolver: the text a cache of lower order
 * normalized for that fingerprint is copied rather than computed again
 * (what wins when the models merge, the earlier part's); else sql is
 * normalized and offered to the caches after c.  Without a resolver the
 * same as fingerprint_normalize.  malloc'd.
 */
char	   *fingerprint_cache_normalize(fingerprint_cache *c, uint64_t fingerprint, int parsed, const char *sql,
										size_t len);

/*
 * statement_traits_classify of normalized (into *values_width), a
 * normalized text of c's.  Through c's resolver, once a cache sharing it
 * has classified that very text the answer is taken rather than parsed
 * again: a part that starts with the texts of the parts before it starts
 * with their traits too.  Without a resolver, the same as
 * statement_traits_classify.
 */
seq_kind	fingerprint_cache_classify(fingerprint_cache *c, const char *normalized, int *values_width);

/*
 * On a miss, have c ask r before libpg_query (NULL: stop asking).  c itself
 * stays single-threaded; r may be shared by caches on other threads.
 * order says where c's part of the log starts among the caches sharing r
 * (a lower order for an earlier part; the first part's is 0): c takes
 * normalized texts only from caches of lower order.
 */
void		fingerprint_cache_share(fingerprint_cache *c, shape_resolver *r, uint64_t order);

shape_resolver *shape_resolver_create(void);
void		shape_resolver_destroy(shape_resolver *r);

/*
 * The shape of sql[0..len) (need not be NUL-terminated).  Never NULL.  The
 * returned struct is owned by the cache and stays put until destroy, or
 * until it is forgotten and purged.
 */
query_shape *fingerprint_lookup(fingerprint_cache *c, const char *sql, size_t len);

/*
 * The shape's normalized text, now the caller's (malloc'd; NULL if it has
 * none): the owner of a shape takes it rather than copy it.
 */
char	   *fingerprint_shape_take_normalized(query_shape *shape);

/*
 * Forget shape, a fingerprint of c, and every shape key that leads to it:
 * its owner_data is cleared at once (the caller's data is gone), and a
 * lookup that meets it again takes it back, owner_data NULL, with what its
 * owner learned of it: normalized (malloc'd, taken over; NULL: none) and
 * its kind (SEQ_KIND_UNKNOWN: not classified) and values_width, kept if
 * the shape had none.  Its memory goes at a purge.
 */
void		fingerprint_cache_forget(fingerprint_cache *c, query_shape *shape, char *normalized,
									 seq_kind kind, int values_width);

/*
 * Once keep_forgotten shapes are forgotten (fingerprint_cache_lazy): free
 * them and drop their keys, in one pass over c's tables (so amortised O(1)
 * a shape when keep_forgotten is of the order of the shapes kept).
 * Their keys are remembered (as many as fingerprint_cache_lazy said, in a
 * direct-mapped table: a newer key may take an older one's slot) with
 * their fingerprint and kind, so that meeting one again costs a hash, not
 * libpg_query.  Otherwise nothing.
 */
void		fingerprint_cache_purge(fingerprint_cache *c);

/* The fingerprints c holds, forgotten ones left out. */
size_t		fingerprint_cache_count(const fingerprint_cache *c);

fingerprint_cache_stats fingerprint_cache_get_stats(const fingerprint_cache *c);

/* 16 lower-case hex digits of a fingerprint into buf[17]. */
void		fingerprint_hex(uint64_t fp, char buf[17]);

#endif
