/*-------------------------------------------------------------------------
 * test_arena.c
 *    The region allocator: alignment, zeroing, large requests, copies,
 *    and that allocations never overlap; a large xcalloc mapped at once.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "tests/test_registry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* Pages of [p, p + bytes) that are not mapped in (mincore), or -1 when it cannot tell. */
static long
pages_not_resident(const void *p, size_t bytes)
{
	size_t		page = (size_t) sysconf(_SC_PAGESIZE);
	uintptr_t	start = ((uintptr_t) p + page - 1) & ~(uintptr_t) (page - 1),
				end = ((uintptr_t) p + bytes) & ~(uintptr_t) (page - 1);
	size_t		n = (end - start) / page;
	unsigned char *vec = xmalloc(n);
	long		missing = 0;

	if (mincore((void *) start, end - start, vec) != 0)
		missing = -1;
	for (size_t i = 0; missing >= 0 && i < n; i++)
		missing += !(vec[i] & 1);
	free(vec);
	return missing;
}

/*
 * A large table from xcalloc is zeroed and already mapped in, writable,
 * before anything touches it (so that probing it first does not map the
 * zero page, whose copy on the first write interrupts every other core
 * running the process).  Kernels without MADV_POPULATE_WRITE (before
 * 5.14) only get the zeroing checked.
 */
static void
test_large_xcalloc_mapped_at_once(void)
{
	/* 40 MiB: above glibc's largest mmap threshold, so fresh pages whatever ran before */
	size_t		n = 40,
				size = 1024 * 1024;
	unsigned char *t = xcalloc(n, size);
	unsigned char *probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int			can_populate;

	CU_ASSERT_FATAL(probe != MAP_FAILED);
	can_populate = madvise(probe, 4096, MADV_POPULATE_WRITE) == 0;
	munmap(probe, 4096);
	if (can_populate)
		CU_ASSERT_EQUAL(pages_not_resident(t, n * size), 0);
	for (size_t i = 0; i < n * size; i += 4093)
		CU_ASSERT_EQUAL_FATAL(t[i], 0);
	t[n * size - 1] = 1;
	free(t);
}

PGSIFT_TEST_SUITE(add_arena_suite)
{
	CU_pSuite	s = CU_add_suite("lib/arena", NULL, NULL);

	CU_add_test(s, "aligned and zeroed", test_alignment_and_zeroing);
	CU_add_test(s, "allocations never overlap", test_no_overlap);
	CU_add_test(s, "copies of strings and bytes", test_copies);
	CU_add_test(s, "a large xcalloc: zeroed and mapped in at once", test_large_xcalloc_mapped_at_once);
}
