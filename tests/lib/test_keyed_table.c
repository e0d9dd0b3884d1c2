/*-------------------------------------------------------------------------
 * test_keyed_table.c
 *    The intrusive keyed table: find, insert, remove, and the age list
 *    that evictions read (oldest first, touch makes newest).
 *-------------------------------------------------------------------------
 */
#include "src/lib/hashmap.h"
#include "src/lib/keyed_table.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <string.h>

typedef struct item
{
	char		name[16];
	int			value;
	keyed_entry entry;
} item;

static void
add(keyed_table *t, item *it, const char *name, int value)
{
	snprintf(it->name, sizeof(it->name), "%s", name);
	it->value = value;
	it->entry.key = it->name;
	it->entry.keylen = strlen(it->name);
	it->entry.hash = hash_bytes(it->name, it->entry.keylen);
	keyed_table_insert(t, &it->entry);
}

static item *
find(const keyed_table *t, const char *name)
{
	keyed_entry *e = keyed_table_find(t, name, strlen(name), hash_bytes(name, strlen(name)));

	return e ? keyed_container(e, item, entry) : NULL;
}

/* The names from oldest to newest, joined by commas, into buf. */
static const char *
ages(const keyed_table *t, char *buf, size_t size)
{
	buf[0] = '\0';
	for (keyed_entry *e = t->oldest; e; e = e->newer)
	{
		strncat(buf, keyed_container(e, item, entry)->name, size - strlen(buf) - 1);
		if (e->newer)
			strncat(buf, ",", size - strlen(buf) - 1);
	}
	return buf;
}

static void
test_find_remove_age(void)
{
	keyed_table t;
	item		it[4];
	char		buf[128];

	keyed_table_init(&t);
	add(&t, &it[0], "a", 1);
	add(&t, &it[1], "b", 2);
	add(&t, &it[2], "c", 3);
	CU_ASSERT_EQUAL(t.count, 3);
	CU_ASSERT_EQUAL(find(&t, "b")->value, 2);
	CU_ASSERT_PTR_NULL(find(&t, "d"));
	ASSERT_STR(ages(&t, buf, sizeof(buf)), "a,b,c");
	keyed_table_touch(&t, &it[0].entry);
	ASSERT_STR(ages(&t, buf, sizeof(buf)), "b,c,a");
	keyed_table_remove(&t, &it[2].entry);
	ASSERT_STR(ages(&t, buf, sizeof(buf)), "b,a");
	CU_ASSERT_PTR_NULL(find(&t, "c"));
	CU_ASSERT_EQUAL(t.count, 2);
	keyed_table_remove(&t, &it[1].entry);
	keyed_table_remove(&t, &it[0].entry);
	CU_ASSERT_EQUAL(t.count, 0);
	CU_ASSERT_PTR_NULL(t.oldest);
	CU_ASSERT_PTR_NULL(t.newest);
	keyed_table_free(&t);
}

/* Thousands of entries: the buckets grow and every entry is still found. */
static void
test_growth(void)
{
	static item it[5000];
	keyed_table t;
	char		name[16];
	int			missing = 0;

	keyed_table_init(&t);
	for (int i = 0; i < 5000; i++)
	{
		snprintf(name, sizeof(name), "n%d", i);
		add(&t, &it[i], name, i);
	}
	CU_ASSERT(t.nbuckets >= t.count);
	for (int i = 0; i < 5000; i += 2)
		keyed_table_remove(&t, &it[i].entry);
	for (int i = 0; i < 5000; i++)
	{
		snprintf(name, sizeof(name), "n%d", i);
		missing += (find(&t, name) == NULL) != (i % 2 == 0);
	}
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_EQUAL(t.count, 2500);
	CU_ASSERT_PTR_EQUAL(t.oldest, &it[1].entry);
	CU_ASSERT_PTR_EQUAL(t.newest, &it[4999].entry);
	keyed_table_free(&t);
}

PGSIFT_TEST_SUITE(add_keyed_table_suite)
{
	CU_pSuite	s = CU_add_suite("lib/keyed_table", NULL, NULL);

	CU_add_test(s, "find, remove and the age list", test_find_remove_age);
	CU_add_test(s, "growth keeps every entry findable", test_growth);
}
