/*-------------------------------------------------------------------------
 * arena.c
 *    Region allocator, plus the checked malloc wrappers used everywhere.
 *
 * Blocks are chained; a request larger than the block size gets a block of
 * its own so that big statements never waste the rest of a normal block.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARENA_ALIGN 16

/* xcalloc prefaults a table this big (glibc's least mmap threshold) */
#define PREFAULT_BYTES (128 * 1024)

typedef struct arena_block
{
	struct arena_block *next;
	size_t		size;
	size_t		used;
	/* payload follows, aligned */
	_Alignas(ARENA_ALIGN) unsigned char data[];
} arena_block;

struct arena
{
	arena_block *head;
	size_t		block_size;
};

void *
xcheck_alloc(void *p)
{
	if (p == NULL)
	{
		fputs("pgsift: out of memory\n", stderr);
		abort();
	}
	return p;
}

/*
 * Map the whole pages of [p, p + bytes) writable now, in one call.
 *
 * Fresh zeroed memory is mapped to the kernel's shared zero page when it is
 * first read; a table that is probed before it is written (a hash table
 * is) then takes a second fault per page to copy it, and that fault must
 * flush the page from every other CPU running one of the process's threads:
 * an interrupt to the other core, each time.  Populating writable at once
 * takes neither.  Kernels before 5.14 refuse the advice; then nothing changes.
 */
static void
prefault_written(void *p, size_t bytes)
{
	uintptr_t	page = (uintptr_t) sysconf(_SC_PAGESIZE);
	uintptr_t	start = ((uintptr_t) p + page - 1) & ~(page - 1),
				end = ((uintptr_t) p + bytes) & ~(page - 1);

	if (end > start)
		(void) madvise((void *) start, end - start, MADV_POPULATE_WRITE);
}

void *
xmalloc(size_t n)
{
	return xcheck_alloc(malloc(n ? n : 1));
}

void *
xcalloc(size_t n, size_t size)
{
	void	   *p = xcheck_alloc(calloc(n ? n : 1, size ? size : 1));
	size_t		bytes = n * size;	/* calloc refused an overflowing product */

	if (bytes >= PREFAULT_BYTES)
		prefault_written(p, bytes);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	return xcheck_alloc(realloc(p, n ? n : 1));
}

char *
xstrdup(const char *s)
{
	return xcheck_alloc(strdup(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	   *r = xmalloc(n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static arena_block *
block_new(size_t size, arena_block *next)
{
	arena_block *b = xmalloc(sizeof(arena_block) + size);

	b->next = next;
	b->size = size;
	b->used = 0;
	return b;
}

arena *
arena_create(size_t block_size)
{
	arena	   *a = xcalloc(1, sizeof(arena));

	a->block_size = block_size ? block_size : 64 * 1024;
	a->head = block_new(a->block_size, NULL);
	return a;
}

void *
arena_alloc(arena *a, size_t n)
{
	size_t		need = (n + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
	arena_block *b = a->head;

	if (need == 0)
		need = ARENA_ALIGN;
	if (b->size - b->used < need)
	{
		if (need > a->block_size / 4)
		{
			/* big request: own block, placed behind the current one */
			arena_block *big = block_new(need, b->next);

			b->next = big;
			big->used = need;
			return big->data;
		}
		b = block_new(a->block_size, b);
		a->head = b;
	}
	void	   *p = b->data + b->used;

	b->used += need;
	return p;
}

void *
arena_zalloc(arena *a, size_t n)
{
	void	   *p = arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

char *
arena_strndup(arena *a, const char *s, size_t n)
{
	char	   *r = arena_alloc(a, n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *
arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void
arena_destroy(arena *a)
{
	if (a == NULL)
		return;
	arena_block *b = a->head;

	while (b)
	{
		arena_block *next = b->next;

		free(b);
		b = next;
	}
	free(a);
}
