/*-------------------------------------------------------------------------
 * store_testing.h
 *    Helpers shared by the store's tests (test_store.c, test_store_files.c).
 *
 * Files are made in the run's test directory; the store file is also read
 * and changed through SQLite directly, to check what is on disk and to
 * forge files the store must refuse.  Failures are CUnit assertions.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STORE_TESTING_H
#define PGSIFT_STORE_TESTING_H

#include "src/store/store.h"

#include <stddef.h>
#include <stdint.h>

/* A new file name in the test directory, ending in stem, into buf. */
void		store_test_path(char *buf, size_t size, const char *stem);

/* Open (creating) the store at path and save w and files to it; asserts success. */
void		store_test_save(const char *path, workload *w, const ingest_file *files, int nfiles);

/* A new model loaded from the store at path; NULL if it could not be. */
workload   *store_test_load(const char *path);

/* The first column of the first row of sql run on path (-12345 if none). */
int64_t		store_test_sql_int(const char *path, const char *sql);

/* Run sql on the SQLite file path; asserts success. */
void		store_test_sql_exec(const char *path, const char *sql);

/* Write (mode "w") or append ("a") text to path. */
void		store_test_write(const char *path, const char *mode, const char *text);

/* Log lines from..from+n-1, about 80 bytes each, as one malloc'd string. */
char	   *store_test_log_lines(int from, int n);

/* Size of path in bytes, 0 if it does not exist. */
uint64_t	store_test_file_size(const char *path);

#endif
