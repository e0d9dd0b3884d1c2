/*-------------------------------------------------------------------------
 * test_fingerprint.c
 *    Tests of shape keys and the fingerprint cache.
 *
 * The property that matters: two statements with the same shape key must
 * have the same libpg_query fingerprint (else the cache would merge
 * different queries).  It is checked against libpg_query itself on a corpus
 * of statements whose literals vary.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/sql/fingerprint.h"
#include "tests/test_registry.h"

#include <pg_query.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
key_of(const char *sql)
{
	strbuf		sb;

	strbuf_init(&sb);
	shape_key(sql, strlen(sql), &sb);
	return strbuf_detach(&sb);
}

static void
assert_key(const char *sql, const char *expected)
{
	strbuf		sb;

	strbuf_init(&sb);
	shape_key(sql, strlen(sql), &sb);
	CU_ASSERT_STRING_EQUAL(sb.data, expected);
	if (strcmp(sb.data, expected) != 0)
		fprintf(stderr, "\nshape_key(%s) = [%s], want [%s]\n", sql, sb.data, expected);
	strbuf_free(&sb);
}

static void
test_key_literals(void)
{
	assert_key("SELECT * FROM t WHERE a = 1", "SELECT * FROM t WHERE a = ?");
	assert_key("SELECT * FROM t WHERE a = 'it''s'", "SELECT * FROM t WHERE a = ?");
	assert_key("SELECT * FROM t WHERE a = E'x\\'y'", "SELECT * FROM t WHERE a = E?");
	assert_key("SELECT $$body 'with' quote$$, $f$x$f$", "SELECT ?");
	assert_key("SELECT 1.5e-3, .5, 10", "SELECT ?");
	assert_key("SELECT * FROM t1 WHERE c2 = $1", "SELECT * FROM t1 WHERE c2 = $1");
	assert_key("SELECT \"Col 1\" FROM \"T2\"", "SELECT \"Col 1\" FROM \"T2\"");
	assert_key("SELECT a -- comment 1\nFROM t /* c /* nested */ */ WHERE b IN (1, 2, 3)",
			   "SELECT a FROM t WHERE b IN (?)");
	assert_key("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')", "INSERT INTO t VALUES (?)");
	assert_key("  SELECT\n\t1  ", "SELECT ?");
}

static void
test_key_not_literals(void)
{
	/* identifiers that contain digits, and parameters, are kept as they are */
	assert_key("SELECT x1, y_2 FROM t3", "SELECT x1, y_2 FROM t3");
	assert_key("SELECT a FROM t WHERE b = $12", "SELECT a FROM t WHERE b = $12");
	/* a quoted identifier with a literal-looking content stays */
	assert_key("SELECT \"1\" FROM t", "SELECT \"1\" FROM t");
}

/* Every pair of corpus statements with equal keys has equal fingerprints. */
static void
test_equal_keys_equal_fingerprints(void)
{
	const char *corpus[] = {
		"SELECT * FROM accounts WHERE id = 1",
		"SELECT * FROM accounts WHERE id = 99999",
		"SELECT * FROM accounts WHERE id = -4",
		"select * from accounts where id = 7",
		"SELECT * FROM accounts WHERE id IN (1, 2, 3)",
		"SELECT * FROM accounts WHERE id IN (4)",
		"SELECT * FROM accounts WHERE name = 'bob' LIMIT 10",
		"SELECT * FROM accounts WHERE name = 'o''brien' LIMIT 20",
		"SELECT * FROM accounts WHERE name = $1 LIMIT $2",
		"INSERT INTO t (a, b) VALUES (1, 'x')",
		"INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')",
		"INSERT INTO t (a) VALUES (1)",
		"UPDATE t SET a = a + 1 WHERE id = 5",
		"UPDATE t SET a = a + 100 WHERE id = 6",
		"UPDATE t SET a = a - 1 WHERE id = 6",
		"SELECT x::varchar(10) FROM t",
		"SELECT x::varchar(20) FROM t",
		"SELECT * FROM t ORDER BY 1",
		"SELECT * FROM t ORDER BY 2",
		"SELECT * FROM t WHERE d > now() - interval '1 day'",
		"SELECT * FROM t WHERE d > now() - interval '7 days'",
		"SELECT $$a$$ || b FROM t",
		"SELECT 'a' || b FROM t",
		"SELECT t1.a FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.v = 3.14",
		"SELECT t1.a FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.v = 2",
		"SELECT 1",
		"SELECT 2, 3",
	};
	int			n = sizeof(corpus) / sizeof(corpus[0]);
	char	   *keys[64];
	PgQueryFingerprintResult fps[64];
	int			checked = 0;

	for (int i = 0; i < n; i++)
	{
		keys[i] = key_of(corpus[i]);
		fps[i] = pg_query_fingerprint(corpus[i]);
		CU_ASSERT_PTR_NULL(fps[i].error);
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(keys[i], keys[j]) == 0)
			{
				checked++;
				CU_ASSERT_EQUAL(fps[i].fingerprint, fps[j].fingerprint);
			}
	CU_ASSERT(checked >= 8);	/* the corpus really exercises shared keys */
	for (int i = 0; i < n; i++)
	{
		free(keys[i]);
		pg_query_free_fingerprint_result(fps[i]);
	}
}

static void
test_cache_hits_and_groups(void)
{
	fingerprint_cache *c = fingerprint_cache_create();
	const char *a = "SELECT * FROM t WHERE id = 1";
	const char *b = "SELECT * FROM t WHERE id = 2";
	const char *d = "select *  from t where id=3";	/* other key, same fingerprint */
	query_shape *sa = fingerprint_lookup(c, a, strlen(a));
	query_shape *sb = fingerprint_lookup(c, b, strlen(b));
	query_shape *sd = fingerprint_lookup(c, d, strlen(d));
	fingerprint_cache_stats st = fingerprint_cache_get_stats(c);

	CU_ASSERT_PTR_EQUAL(sa, sb);
	CU_ASSERT_PTR_EQUAL(sa, sd);	/* one shape per fingerprint */
	CU_ASSERT_EQUAL(st.lookups, 3);
	CU_ASSERT_EQUAL(st.misses, 2);
	CU_ASSERT_TRUE(sa->parsed);
	CU_ASSERT_STRING_EQUAL(sa->normalized, "SELECT * FROM t WHERE id = $1");
	fingerprint_cache_destroy(c);
}

static void
test_unparsable_fallback(void)
{
	fingerprint_cache *c = fingerprint_cache_create();
	const char *t1 = "SELECT * FROM t WHERE a = 'cut off";
	const char *t2 = "SELEKT a FROM t WHERE b = 5";
	const char *t3 = "selekt a from t where b = 6";
	query_shape *s1 = fingerprint_lookup(c, t1, strlen(t1));
	query_shape *s2 = fingerprint_lookup(c, t2, strlen(t2));
	query_shape *s3 = fingerprint_lookup(c, t3, strlen(t3));

	CU_ASSERT_FALSE(s1->parsed);
	CU_ASSERT_PTR_NOT_NULL(s1->parse_error);
	CU_ASSERT_FALSE(s2->parsed);
	/* the fallback folds case, so these group */
	CU_ASSERT_EQUAL(s2->fingerprint, s3->fingerprint);
	CU_ASSERT_NOT_EQUAL(s1->fingerprint, s2->fingerprint);
	CU_ASSERT_STRING_EQUAL(s2->normalized, "SELEKT a FROM t WHERE b = ?");
	/* three shape keys were sent to libpg_query and failed */
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(c).parse_errors, 3);
	fingerprint_cache_destroy(c);
}

/* A statement of `size` bytes or more: template's "%s" filled with a literal body of that size. */
static char *
long_statement(const char *template, size_t size, char fill)
{
	char	   *body = malloc(size + 1);
	size_t		n = strlen(template) + size + 1;
	char	   *sql = malloc(n);

	const char *hole = strstr(template, "%s");
	size_t		head = (size_t) (hole - template);

	memset(body, fill, size);
	body[size] = '\0';
	memcpy(sql, template, head);
	memcpy(sql + head, body, size);
	strcpy(sql + head + size, hole + 2);
	free(body);
	return sql;
}

/*
 * Past LONG_STATEMENT bytes the cache hands libpg_query the statement with
 * its long literals emptied: the fingerprint, the parse status and the
 * normalized text must be what the whole statement gives, whatever quotes
 * the long literals use, and quotes inside comments and identifiers must
 * not be taken for literals.
 */
static void
test_long_literals(void)
{
	const char *templates[] = {
		"SELECT * FROM t WHERE a = '%s' AND b = 2",
		"SELECT * FROM t WHERE a = E'\\'%s' /* it's */ AND \"we'ird\" = 1",
		"INSERT INTO docs (body, n) VALUES ($body$%s$body$, 42) -- don't",
		"SELECT B'0101', X'%s', 'x'\n'y' FROM t",
		"SELECT 1 FROM t WHERE a = U&'%s' -- it's",
	};

	for (size_t k = 0; k < sizeof(templates) / sizeof(templates[0]); k++)
	{
		char	   *sql = long_statement(templates[k], 200 * 1024, k == 3 ? 'f' : 'x');
		fingerprint_cache *c = fingerprint_cache_create();
		query_shape *shape = fingerprint_lookup(c, sql, strlen(sql));
		PgQueryFingerprintResult fr = pg_query_fingerprint(sql);
		PgQueryNormalizeResult nr = pg_query_normalize(sql);

		CU_ASSERT_PTR_NULL(fr.error);
		CU_ASSERT_TRUE(shape->parsed);
		CU_ASSERT_EQUAL(shape->fingerprint, fr.fingerprint);
		if (nr.error == NULL)
			CU_ASSERT_STRING_EQUAL(shape->normalized, nr.normalized_query);
		/* the same statement with a short literal shares the shape */
		char	   *short_sql = long_statement(templates[k], 3, k == 3 ? 'f' : 'x');

		CU_ASSERT_PTR_EQUAL(fingerprint_lookup(c, short_sql, strlen(short_sql)), shape);
		CU_ASSERT_EQUAL(fingerprint_cache_get_stats(c).misses, 1);
		pg_query_free_fingerprint_result(fr);
		pg_query_free_normalize_result(nr);
		fingerprint_cache_destroy(c);
		free(sql);
		free(short_sql);
	}
}

/* Statements of a "worker": the same 40 shapes in a worker-specific order. */
typedef struct shared_worker
{
	fingerprint_cache *cache;
	int			offset;
	query_shape *shapes[40];
} shared_worker;

/* Statement i of 40: each of another fingerprint (table names differ in letters, not digits). */
static void
shared_statement(int i, char *buf, size_t size)
{
	char		table[3] = {(char) ('a' + i % 26), (char) ('a' + i / 26), '\0'};

	if (i % 4 == 0)
		snprintf(buf, size, "INSERT INTO t%s (a, b) VALUES (%d, 'x')", table, i);
	else if (i % 4 == 1)
		snprintf(buf, size, "SELECT a FROM t%s WHERE b IN (%d, %d)", table, i, i + 1);
	else if (i % 4 == 2)
		snprintf(buf, size, "SELEKT broken %d FROM t%s", i, table);
	else
		snprintf(buf, size, "SELECT now(), a FROM t%s WHERE b = %d", table, i);
}

static void *
shared_worker_main(void *arg)
{
	shared_worker *w = arg;
	char		sql[256];

	for (int round = 0; round < 3; round++)
		for (int k = 0; k < 40; k++)
		{
			int			i = (k + w->offset) % 40;

			shared_statement(i, sql, sizeof(sql));
			w->shapes[i] = fingerprint_lookup(w->cache, sql, strlen(sql));
		}
	return NULL;
}

/*
 * Caches sharing a resolver, on two threads at once: each shape is parsed
 * about once in all (a race may parse one twice, never more), each cache
 * still gives its own shapes, and both see what a lone cache sees:
 * fingerprint, parse status, normalized text and traits.
 */
static void
test_shared_resolver(void)
{
	shape_resolver *r = shape_resolver_create();
	shared_worker w[2] = {{fingerprint_cache_create(), 0, {0}}, {fingerprint_cache_create(), 17, {0}}};
	fingerprint_cache *alone = fingerprint_cache_create();
	pthread_t	threads[2];
	char		sql[256];

	for (int t = 0; t < 2; t++)
	{
		fingerprint_cache_want_traits(w[t].cache);
		fingerprint_cache_share(w[t].cache, r, (uint64_t) t);
		CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[t], NULL, shared_worker_main, &w[t]), 0);
	}
	for (int t = 0; t < 2; t++)
		pthread_join(threads[t], NULL);
	fingerprint_cache_want_traits(alone);
	for (int i = 0; i < 40; i++)
	{
		shared_statement(i, sql, sizeof(sql));

		query_shape *ref = fingerprint_lookup(alone, sql, strlen(sql));

		for (int t = 0; t < 2; t++)
		{
			query_shape *got = w[t].shapes[i];

			CU_ASSERT_PTR_NOT_NULL_FATAL(got);
			CU_ASSERT_EQUAL(got->fingerprint, ref->fingerprint);
			CU_ASSERT_EQUAL(got->parsed, ref->parsed);
			CU_ASSERT_STRING_EQUAL(got->normalized, ref->normalized);
			CU_ASSERT_EQUAL(got->kind, ref->kind);
			CU_ASSERT_EQUAL(got->values_width, ref->values_width);
			CU_ASSERT_EQUAL(got->parse_error == NULL, ref->parse_error == NULL);
		}
		CU_ASSERT_PTR_NOT_EQUAL(w[0].shapes[i], w[1].shapes[i]);
		if (i % 4 == 0)
			CU_ASSERT_EQUAL(ref->kind, SEQ_KIND_SINGLE_INSERT);
		if (i % 4 == 3)
			CU_ASSERT_EQUAL(ref->kind, SEQ_KIND_OTHER);	/* now() is volatile */
	}

	uint64_t	misses = fingerprint_cache_get_stats(w[0].cache).misses + fingerprint_cache_get_stats(w[1].cache).misses;

	CU_ASSERT(misses >= 40 && misses < 80);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(w[0].cache).lookups, 120);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(alone).misses, 40);
	for (int t = 0; t < 2; t++)
	{
		fingerprint_cache_share(w[t].cache, NULL, 0);
		fingerprint_cache_destroy(w[t].cache);
	}
	shape_resolver_destroy(r);
	fingerprint_cache_destroy(alone);
}

/*
 * fingerprint_cache_classify through a resolver: a later part takes the
 * traits an earlier part found for the very text it was given, parses a
 * text of its own, and answers as statement_traits_classify in each case;
 * a cache without a resolver parses every time.
 */
static void
test_classify_shared(void)
{
	const char *insert = "INSERT INTO t (a, b) VALUES ($1, $2)";
	const char *select = "SELECT a FROM t WHERE b = $1";
	shape_resolver *r = shape_resolver_create();
	fingerprint_cache *first = fingerprint_cache_create();
	fingerprint_cache *later = fingerprint_cache_create();
	fingerprint_cache *alone = fingerprint_cache_create();
	int			width = -1,
				ref_width = -1;
	seq_kind	ref = statement_traits_classify(insert, &ref_width);
	char	   *text;

	CU_ASSERT_EQUAL(ref, SEQ_KIND_SINGLE_INSERT);
	fingerprint_cache_share(first, r, 0);
	fingerprint_cache_share(later, r, 1);
	/* the first part normalizes and classifies; the later one is handed both */
	text = fingerprint_cache_normalize(first, 42, 1, insert, strlen(insert));
	CU_ASSERT_EQUAL(fingerprint_cache_classify(first, text, &width), ref);
	CU_ASSERT_EQUAL(width, ref_width);
	free(text);
	text = fingerprint_cache_normalize(later, 42, 1, insert, strlen(insert));
	width = -1;
	CU_ASSERT_EQUAL(fingerprint_cache_classify(later, text, &width), ref);
	CU_ASSERT_EQUAL(width, ref_width);
	free(text);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(first).classified, 1);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(later).classified, 0);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(later).traits_shared, 1);
	/* another text under that fingerprint is the later part's own to classify */
	CU_ASSERT_EQUAL(fingerprint_cache_classify(later, select, &width), SEQ_KIND_CACHEABLE);
	CU_ASSERT_EQUAL(width, 0);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(later).classified, 1);
	/* alone, nothing is shared */
	CU_ASSERT_EQUAL(fingerprint_cache_classify(alone, insert, &width), ref);
	CU_ASSERT_EQUAL(fingerprint_cache_classify(alone, insert, &width), ref);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(alone).classified, 2);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(alone).traits_shared, 0);
	fingerprint_cache_share(first, NULL, 0);
	fingerprint_cache_share(later, NULL, 0);
	fingerprint_cache_destroy(first);
	fingerprint_cache_destroy(later);
	fingerprint_cache_destroy(alone);
	shape_resolver_destroy(r);
}

/* Without want_traits a cache classifies nothing (pg_stat_statements' texts need no traits). */
static void
test_traits_only_when_wanted(void)
{
	fingerprint_cache *c = fingerprint_cache_create();
	const char *sql = "INSERT INTO t (a) VALUES (1)";

	CU_ASSERT_EQUAL(fingerprint_lookup(c, sql, strlen(sql))->kind, SEQ_KIND_UNKNOWN);
	fingerprint_cache_destroy(c);
}

/*
 * A lazy cache leaves a new fingerprint's text and kind to its owner,
 * which fingerprint_normalize gives as an eager cache would; statements
 * that may be transaction control, that do not parse or that are long
 * are done at once.
 */
static void
test_lazy(void)
{
	fingerprint_cache *lazy = fingerprint_cache_create(),
			   *eager = fingerprint_cache_create();
	const char *statements[] = {
		"SELECT name FROM users WHERE id = 42 AND kind IN ('a', 'b')",
		"begin", "COMMIT", "ROLLBACK", "START TRANSACTION", "SELEC oops", "INSERT INTO t VALUES (1, 'x')",
	};

	fingerprint_cache_want_traits(lazy);
	fingerprint_cache_want_traits(eager);
	fingerprint_cache_lazy(lazy, 0, 0);
	for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
	{
		const char *sql = statements[i];
		query_shape *l = fingerprint_lookup(lazy, sql, strlen(sql)),
				   *e = fingerprint_lookup(eager, sql, strlen(sql));
		char	   *normalized = fingerprint_normalize(sql, strlen(sql));
		int			at_once = i >= 1 && i <= 5;

		CU_ASSERT_EQUAL(l->fingerprint, e->fingerprint);
		CU_ASSERT_EQUAL(l->parsed, e->parsed);
		if (at_once)
		{
			ASSERT_STR(l->normalized, e->normalized);
			CU_ASSERT_EQUAL(l->kind, e->kind);
		}
		else
		{
			CU_ASSERT_PTR_NULL(l->normalized);
			CU_ASSERT_EQUAL(l->kind, SEQ_KIND_UNKNOWN);
			CU_ASSERT_STRING_EQUAL(normalized, e->normalized);
		}
		free(normalized);
	}
	CU_ASSERT_EQUAL(fingerprint_lookup(lazy, "begin", 5)->kind, SEQ_KIND_BEGIN);

	/* a long statement: normalized from its text without its long literals, as the eager cache does */
	strbuf		big;

	strbuf_init(&big);
	strbuf_append(&big, "SELECT * FROM docs WHERE body = '", 33);
	for (int i = 0; i < 70000; i++)
		strbuf_append(&big, "x", 1);
	strbuf_append(&big, "' AND id = 1", 12);

	query_shape *e = fingerprint_lookup(eager, big.data, big.len);
	char	   *normalized = fingerprint_normalize(big.data, big.len);

	CU_ASSERT_STRING_EQUAL(normalized, e->normalized);
	ASSERT_STR(fingerprint_lookup(lazy, big.data, big.len)->normalized, e->normalized);
	free(normalized);
	strbuf_free(&big);
	fingerprint_cache_destroy(lazy);
	fingerprint_cache_destroy(eager);
}

/*
 * A forgotten shape is taken back as it is, with what its owner taught
 * it; once more are forgotten than it keeps a purge frees them, and a
 * key met again costs no libpg_query call: its fingerprint and kind are
 * remembered.
 */
static void
test_forget(void)
{
	fingerprint_cache *c = fingerprint_cache_create();
	char		sql[128];
	uint64_t	fps[200];
	int			owner;

	fingerprint_cache_want_traits(c);
	fingerprint_cache_lazy(c, 100, 1 << 18);
	for (int i = 0; i < 200; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT v FROM t WHERE id = %d AND c%d = 'z'", i, i);

		query_shape *shape = fingerprint_lookup(c, sql, strlen(sql));

		shape->owner_data = &owner;
		fps[i] = shape->fingerprint;
	}
	CU_ASSERT_EQUAL(fingerprint_cache_count(c), 200);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(c).misses, 200);

	/* forgotten, then met again before a purge: the same shape, ownerless, taught */
	snprintf(sql, sizeof(sql), "SELECT v FROM t WHERE id = %d AND c%d = 'z'", 0, 0);

	query_shape *first = fingerprint_lookup(c, sql, strlen(sql));

	fingerprint_cache_forget(c, first, xstrdup("SELECT v FROM t WHERE id = $1 AND c0 = $2"), SEQ_KIND_CACHEABLE, 0);
	CU_ASSERT_PTR_NULL(first->owner_data);
	CU_ASSERT_EQUAL(fingerprint_cache_count(c), 199);
	fingerprint_cache_purge(c);	/* 1 forgotten, fewer than the 100 kept: nothing to free yet */
	CU_ASSERT_PTR_EQUAL(fingerprint_lookup(c, sql, strlen(sql)), first);
	ASSERT_STR(first->normalized, "SELECT v FROM t WHERE id = $1 AND c0 = $2");
	CU_ASSERT_EQUAL(first->kind, SEQ_KIND_CACHEABLE);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(c).recalled, 1);
	CU_ASSERT_EQUAL(fingerprint_cache_count(c), 200);

	/* 150 forgotten, more than the 100 kept: purged, freed, and their keys remembered */
	for (int i = 0; i < 150; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT v FROM t WHERE id = %d AND c%d = 'z'", i, i);
		fingerprint_cache_forget(c, fingerprint_lookup(c, sql, strlen(sql)), NULL, i % 2 ? SEQ_KIND_OTHER : SEQ_KIND_CACHEABLE, 0);
	}
	fingerprint_cache_purge(c);
	CU_ASSERT_EQUAL(fingerprint_cache_count(c), 50);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(c).purged, 150);
	for (int i = 0; i < 150; i++)
	{
		/* other literals: the same shape key */
		snprintf(sql, sizeof(sql), "SELECT v FROM t WHERE id = %d AND c%d = 'other'", i + 7, i);

		query_shape *shape = fingerprint_lookup(c, sql, strlen(sql));

		CU_ASSERT_EQUAL(shape->fingerprint, fps[i]);
		CU_ASSERT_PTR_NULL(shape->owner_data);
		CU_ASSERT_EQUAL(shape->kind, i % 2 ? SEQ_KIND_OTHER : SEQ_KIND_CACHEABLE);
	}
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(c).misses, 200);
	CU_ASSERT_EQUAL(fingerprint_cache_get_stats(c).remembered, 150);
	CU_ASSERT_EQUAL(fingerprint_cache_count(c), 200);
	fingerprint_cache_destroy(c);
}

static void
test_hex(void)
{
	char		buf[17];

	fingerprint_hex(0x0123456789abcdefULL, buf);
	CU_ASSERT_STRING_EQUAL(buf, "0123456789abcdef");
	fingerprint_hex(0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "0000000000000000");
}

PGSIFT_TEST_SUITE(fingerprint_suite)
{
	CU_pSuite	s = CU_add_suite("src/fingerprint", NULL, NULL);

	CU_add_test(s, "shape key replaces literals", test_key_literals);
	CU_add_test(s, "shape key keeps identifiers and parameters", test_key_not_literals);
	CU_add_test(s, "equal keys imply equal fingerprints", test_equal_keys_equal_fingerprints);
	CU_add_test(s, "cache hits and one shape per fingerprint", test_cache_hits_and_groups);
	CU_add_test(s, "unparsable statements use the fallback", test_unparsable_fallback);
	CU_add_test(s, "long statements are parsed without their long literals", test_long_literals);
	CU_add_test(s, "caches sharing a resolver on two threads", test_shared_resolver);
	CU_add_test(s, "a text's traits found once for the parts sharing a resolver", test_classify_shared);
	CU_add_test(s, "traits only when wanted", test_traits_only_when_wanted);
	CU_add_test(s, "lazy: text and traits left to the owner", test_lazy);
	CU_add_test(s, "forgotten shapes: taken back, purged, remembered", test_forget);
	CU_add_test(s, "fingerprint hex", test_hex);
}
