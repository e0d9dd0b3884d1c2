/*-------------------------------------------------------------------------
 * test_arena.c
 *    The region allocator: alignment, zeroing, large requests, copies,
 *    and that allocations never overlap.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "tests/test_registry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
test_alignment_and_zeroing(void)
{
	arena	   *a = arena_create(256);

	for (size_t n = 1; n < 100; n += 7)
	{
		unsigned char *p = arena_zalloc(a, n);

		CU_ASSERT_EQUAL((uintptr_t) p % 16, 0);
		for (size_t i = 0; i < n; i++)
			CU_ASSERT_EQUAL(p[i], 0);
		memset(p, 0xAB, n);
	}
	/* a zero-byte request still gets its own aligned address */
	CU_ASSERT_PTR_NOT_NULL(arena_alloc(a, 0));
	arena_destroy(a);
}

/* Many allocations of many sizes, small blocks and big ones: each keeps what was written. */
static void
test_no_overlap(void)
{
	arena	   *a = arena_create(128);
	unsigned char *p[500];
	size_t		len[500];

	for (int i = 0; i < 500; i++)
	{
		len[i] = (size_t) (i % 7 == 0 ? 1000 + i : i % 50 + 1);	/* some larger than a block */
		p[i] = arena_alloc(a, len[i]);
		memset(p[i], i & 0xff, len[i]);
	}
	for (int i = 0; i < 500; i++)
		for (size_t k = 0; k < len[i]; k++)
			if (p[i][k] != (i & 0xff))
			{
				CU_FAIL("an allocation was overwritten by another");
				arena_destroy(a);
				return;
			}
	CU_PASS("500 allocations kept their bytes");
	arena_destroy(a);
}

static void
test_copies(void)
{
	arena	   *a = arena_create(0);
	const char	with_nul[] = {'a', '\0', 'b'};
	char	   *c = arena_strndup(a, with_nul, 3);

	CU_ASSERT_EQUAL(memcmp(c, with_nul, 3), 0);
	CU_ASSERT_EQUAL(c[3], '\0');
	CU_ASSERT_STRING_EQUAL(arena_strdup(a, "pgsift"), "pgsift");
	CU_ASSERT_PTR_NULL(arena_strdup(a, NULL));
	arena_destroy(a);
	arena_destroy(NULL);

	char	   *x = xstrndup("abcdef", 3);

	CU_ASSERT_STRING_EQUAL(x, "abc");
	free(x);
}

PGSIFT_TEST_SUITE(add_arena_suite)
{
	CU_pSuite	s = CU_add_suite("lib/arena", NULL, NULL);

	CU_add_test(s, "aligned and zeroed", test_alignment_and_zeroing);
	CU_add_test(s, "allocations never overlap", test_no_overlap);
	CU_add_test(s, "copies of strings and bytes", test_copies);
}
