/*-------------------------------------------------------------------------
 * test_hashmap.c
 *    The byte-key hash map: insert and find, copied keys, colliding
 *    hashes, growth and iteration.
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

PGSIFT_TEST_SUITE(add_hashmap_suite)
{
	CU_pSuite	s = CU_add_suite("lib/hashmap", NULL, NULL);

	CU_add_test(s, "put, get, copied keys", test_put_get);
	CU_add_test(s, "colliding hashes", test_colliding_hashes);
	CU_add_test(s, "growth and iteration", test_growth_and_iteration);
}
