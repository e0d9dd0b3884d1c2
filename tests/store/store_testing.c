/*-------------------------------------------------------------------------
 * store_testing.c
 *    Helpers shared by the store's tests; see store_testing.h.
 *-------------------------------------------------------------------------
 */
#include "tests/store/store_testing.h"
#include "tests/test_registry.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void
store_test_path(char *buf, size_t size, const char *stem)
{
	static int	seq = 0;

	snprintf(buf, size, "%s/store-%d-%s", test_tmpdir(), ++seq, stem);
}

void
store_test_save(const char *path, workload *w, const ingest_file *files, int nfiles)
{
	store	   *s = store_open(path, 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_save(s, w, files, nfiles), 0);
	store_close(s);
}

workload *
store_test_load(const char *path)
{
	store	   *s = store_open(path, 0);
	workload   *w;

	if (s == NULL)
		return NULL;
	w = workload_create(NULL);
	if (store_load(s, w) != 0)
	{
		workload_destroy(w);
		w = NULL;
	}
	store_close(s);
	return w;
}

int64_t
store_test_sql_int(const char *path, const char *sql)
{
	sqlite3    *db;
	sqlite3_stmt *st;
	int64_t		v = -12345;

	CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK)
	{
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

void
store_test_sql_exec(const char *path, const char *sql)
{
	sqlite3    *db;

	CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

void
store_test_write(const char *path, const char *mode, const char *text)
{
	FILE	   *f = fopen(path, mode);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

char *
store_test_log_lines(int from, int n)
{
	size_t		cap = (size_t) n * 100 + 1,
				len = 0;
	char	   *s = malloc(cap);

	s[0] = '\0';
	for (int i = from; i < from + n; i++)
		len += (size_t) snprintf(s + len, cap - len,
								 "2023-11-14 22:13:%02d.%03d UTC [%d] LOG:  duration: %d.5 ms  statement: SELECT %d\n",
								 i % 60, i % 1000, 4000 + i, i % 97, i);
	return s;
}

uint64_t
store_test_file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (uint64_t) sb.st_size : 0;
}

/* The query whose normalized text begins with prefix, or NULL. */
