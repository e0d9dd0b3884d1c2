/*-------------------------------------------------------------------------
 * test_hashmap.c
 *    The byte-key hash map: insert and find, copied keys, colliding
 *    hashes, growth and iteration, dropping entries in a batch.
 *-------------------------------------------------------------------------
 */
#include "src/lib/hashmap.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_put_get(void)
{
	hashmap    *m = hashmap_create(4);
	char		key[16] = "alpha";
	int			inserted;
	int			v1 = 1,
				v2 = 2;

	*hashmap_put(m, key, 5, hash_bytes(key, 5), &inserted) = &v1;
	CU_ASSERT_TRUE(inserted);
	/* the key was copied: changing the caller's buffer changes nothing */
	strcpy(key, "omega");
	CU_ASSERT_PTR_EQUAL(hashmap_get(m, "alpha", 5, hash_bytes("alpha", 5)), &v1);
	CU_ASSERT_PTR_NULL(hashmap_get(m, "omega", 5, hash_bytes("omega", 5)));
	/* the same key again is found, not added */
	void	  **slot = hashmap_put(m, "alpha", 5, hash_bytes("alpha", 5), &inserted);

	CU_ASSERT_FALSE(inserted);
	CU_ASSERT_PTR_EQUAL(*slot, &v1);
	*slot = &v2;
	CU_ASSERT_PTR_EQUAL(hashmap_get(m, "alpha", 5, hash_bytes("alpha", 5)), &v2);
	/* a prefix is another key */
	CU_ASSERT_PTR_NULL(hashmap_get(m, "alph", 4, hash_bytes("alph", 4)));
	CU_ASSERT_EQUAL(hashmap_count(m), 1);
	hashmap_destroy(m);
}

/* Keys told apart by their bytes even when the caller gives them one hash. */
static void
test_colliding_hashes(void)
{
	hashmap    *m = hashmap_create(4);
	char		key[16];

	for (int i = 0; i < 100; i++)
	{
		snprintf(key, sizeof(key), "k%d", i);
		*hashmap_put(m, key, strlen(key), 42, NULL) = (void *) (intptr_t) (i + 1);
	}
	CU_ASSERT_EQUAL(hashmap_count(m), 100);
	for (int i = 0; i < 100; i++)
	{
		snprintf(key, sizeof(key), "k%d", i);
		CU_ASSERT_EQUAL((intptr_t) hashmap_get(m, key, strlen(key), 42), i + 1);
	}
	hashmap_destroy(m);
}

static void
test_growth_and_iteration(void)
{
	hashmap    *m = hashmap_create(1);
	char		key[16];
	int		   *seen = calloc(20000, sizeof(int));
	size_t		pos = 0;
	const char *k;
	size_t		klen;
	void	   *v;
	size_t		visited = 0;

	for (int i = 0; i < 20000; i++)
	{
		snprintf(key, sizeof(key), "key-%d", i);
		*hashmap_put(m, key, strlen(key), hash_bytes(key, strlen(key)), NULL) = (void *) (intptr_t) i;
	}
	CU_ASSERT_EQUAL(hashmap_count(m), 20000);
	while (hashmap_next(m, &pos, &k, &klen, &v))
	{
		int			i = (int) (intptr_t) v;

		CU_ASSERT(i >= 0 && i < 20000);
		snprintf(key, sizeof(key), "key-%d", i);
		CU_ASSERT(klen == strlen(key) && memcmp(k, key, klen) == 0);
		seen[i]++;
		visited++;
	}
	CU_ASSERT_EQUAL(visited, 20000);
	for (int i = 0; i < 20000; i++)
		CU_ASSERT_EQUAL(seen[i], 1);
	free(seen);
	hashmap_destroy(m);
	CU_ASSERT_EQUAL(hash_bytes("abc", 3), hash_bytes("abc", 3));
	CU_ASSERT_NOT_EQUAL(hash_bytes("abc", 3), hash_bytes("abd", 3));
	CU_ASSERT_NOT_EQUAL(hash_mix64(1), hash_mix64(2));
}

static int
keep_odd(void *ctx, const char *key, size_t keylen, void *value)
{
	(*(int *) ctx)++;
	/* the key is the entry's own */
	CU_ASSERT(keylen > 4 && memcmp(key, "key-", 4) == 0 && atoi(key + 4) == (int) (intptr_t) value);
	return ((intptr_t) value) % 2 == 1;
}

/* A batch drop keeps exactly the entries asked for, findable, and the map goes on growing. */
static void
test_retain(void)
{
	hashmap    *m = hashmap_create(8);
	char		key[16];
	int			asked = 0;

	for (int i = 0; i < 5000; i++)
	{
		snprintf(key, sizeof(key), "key-%d", i);
		/* colliding hashes for a tenth of them: probing must survive the rebuild */
		uint64_t	h = i % 10 == 0 ? 7 : hash_bytes(key, strlen(key));

		*hashmap_put(m, key, strlen(key), h, NULL) = (void *) (intptr_t) i;
	}
	CU_ASSERT_EQUAL(hashmap_retain(m, keep_odd, &asked), 2500);
	CU_ASSERT_EQUAL(asked, 5000);	/* once per entry */
	CU_ASSERT_EQUAL(hashmap_count(m), 2500);
	for (int i = 0; i < 5000; i++)
	{
		snprintf(key, sizeof(key), "key-%d", i);
		uint64_t	h = i % 10 == 0 ? 7 : hash_bytes(key, strlen(key));
		void	   *v = hashmap_get(m, key, strlen(key), h);

		CU_ASSERT_EQUAL((intptr_t) v, i % 2 ? i : 0);
	}
	/* nothing to drop: nothing changes */
	asked = 0;
	CU_ASSERT_EQUAL(hashmap_retain(m, keep_odd, &asked), 0);
	CU_ASSERT_EQUAL(hashmap_count(m), 2500);
	/* a dropped key can come back, and the rebuilt table grows as before */
	for (int i = 0; i < 5000; i += 2)
	{
		int			inserted;

		snprintf(key, sizeof(key), "key-%d", i);
		*hashmap_put(m, key, strlen(key), hash_bytes(key, strlen(key)), &inserted) = (void *) (intptr_t) i;
		CU_ASSERT_TRUE(inserted);
	}
	CU_ASSERT_EQUAL(hashmap_count(m), 5000);
	hashmap_destroy(m);
}

PGSIFT_TEST_SUITE(add_hashmap_suite)
{
	CU_pSuite	s = CU_add_suite("lib/hashmap", NULL, NULL);

	CU_add_test(s, "put, get, copied keys", test_put_get);
	CU_add_test(s, "colliding hashes", test_colliding_hashes);
	CU_add_test(s, "growth and iteration", test_growth_and_iteration);
	CU_add_test(s, "entries dropped in a batch", test_retain);
}
