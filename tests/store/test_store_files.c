/*-------------------------------------------------------------------------
 * test_store_files.c
 *    Tests of the store's file identities and resume offsets, of its
 *    schema, and of refusing files that are not pgsift stores.
 *
 * Log files are written by the tests (compressed copies with zlib), and
 * the store file is inspected and forged through SQLite directly.
 *-------------------------------------------------------------------------
 */
#include "tests/store/store_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static void
test_identity(void)
{
	char		plain[4096],
				gz[4096],
				other[4096],
				tail[4096];
	char		id_plain[STORE_IDENTITY_LEN + 1],
				id_gz[STORE_IDENTITY_LEN + 1],
				id_other[STORE_IDENTITY_LEN + 1],
				id_tail[STORE_IDENTITY_LEN + 1];
	char	   *text = store_test_log_lines(0, 200);
	char		saved;
	gzFile		g;

	store_test_path(plain, sizeof(plain), "pg.log");
	store_test_path(gz, sizeof(gz), "pg.log.1.gz");
	store_test_path(other, sizeof(other), "other.log");
	store_test_path(tail, sizeof(tail), "tail.log");
	CU_ASSERT_FATAL(strlen(text) > 2 * STORE_IDENTITY_BYTES);
	store_test_write(plain, "w", text);
	g = gzopen(gz, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(gzwrite(g, text, (unsigned) strlen(text)), (int) strlen(text));
	gzclose(g);
	/* one byte changed inside the first 4096: another file */
	saved = text[100];
	text[100] = saved == '1' ? '2' : '1';
	store_test_write(other, "w", text);
	/* one byte changed after the first 4096 only: the same file, grown differently */
	text[100] = saved;
	text[STORE_IDENTITY_BYTES + 10] = text[STORE_IDENTITY_BYTES + 10] == '1' ? '2' : '1';
	store_test_write(tail, "w", text);

	CU_ASSERT_EQUAL_FATAL(store_file_identity(plain, id_plain), 0);
	CU_ASSERT_EQUAL_FATAL(store_file_identity(gz, id_gz), 0);
	CU_ASSERT_EQUAL_FATAL(store_file_identity(other, id_other), 0);
	CU_ASSERT_EQUAL_FATAL(store_file_identity(tail, id_tail), 0);
	CU_ASSERT_EQUAL(strlen(id_plain), STORE_IDENTITY_LEN);
	CU_ASSERT_STRING_EQUAL(id_plain, id_gz);
	CU_ASSERT_STRING_NOT_EQUAL(id_plain, id_other);
	CU_ASSERT_STRING_EQUAL(id_plain, id_tail);
	CU_ASSERT_EQUAL(store_file_identity("-", id_plain), -1);
	CU_ASSERT_EQUAL(store_file_identity(test_tmpdir(), id_plain), -1);
	free(text);
}

static ingest_file
read_file_result(const char *path, uint64_t start, uint64_t end, uint64_t lines, uint64_t records)
{
	ingest_file f;

	memset(&f, 0, sizeof(f));
	f.path = path;
	f.opened = 1;
	f.format = LOG_FORMAT_STDERR;
	f.prefix = "%m [%p] ";
	f.start_offset = start;
	f.end_offset = end;
	f.lines = lines;
	f.records = records;
	return f;
}

static void
test_ingested_offset(void)
{
	char		path[4096],
				logpath[4096],
				gz[4096],
				id[STORE_IDENTITY_LEN + 1];
	char	   *text = store_test_log_lines(0, 100);
	workload   *w = workload_create(NULL);
	ingest_file files[3];
	store	   *s;
	uint64_t	offset = 99;
	gzFile		g;

	store_test_path(path, sizeof(path), "offsets.db");
	store_test_path(logpath, sizeof(logpath), "postgresql.log");
	store_test_path(gz, sizeof(gz), "postgresql.log.gz");
	store_test_write(logpath, "w", text);
	files[0] = read_file_result(logpath, 0, 5000, 60, 60);
	files[1] = read_file_result("-", 0, 777, 3, 3);
	files[2] = read_file_result("/nonexistent/x.log", 0, 0, 0, 0);
	files[2].opened = 0;
	store_test_save(path, w, files, 3);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM files"), 1);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT head_len FROM files"), STORE_IDENTITY_BYTES);

	s = store_open(path, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_file_identity(logpath, id), 0);
	CU_ASSERT_EQUAL(store_ingested_offset(s, id), 5000);
	CU_ASSERT_EQUAL(store_ingested_offset(s, "00000000000000000000000000000000"), 0);
	CU_ASSERT_EQUAL(store_resume_offset(s, logpath, &offset), 0);
	CU_ASSERT_EQUAL(offset, 5000);
	/* rotated and compressed: still known */
	g = gzopen(gz, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	gzwrite(g, text, (unsigned) strlen(text));
	gzclose(g);
	CU_ASSERT_EQUAL(store_resume_offset(s, gz, &offset), 0);
	CU_ASSERT_EQUAL(offset, 5000);
	CU_ASSERT_EQUAL(store_resume_offset(s, "-", &offset), 0);
	CU_ASSERT_EQUAL(offset, 0);

	/* the next run resumes at 5000 and reads to the end: records add up */
	files[0] = read_file_result(gz, 5000, strlen(text), 100, 40);
	CU_ASSERT_EQUAL(store_save(s, w, files, 1), 0);
	CU_ASSERT_EQUAL(store_ingested_offset(s, id), strlen(text));
	store_close(s);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT records FROM files"), 100);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT lines FROM files"), 100);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM files WHERE path LIKE '%.gz' AND compression IS NOT NULL"), 1);
	free(text);
	workload_destroy(w);
}

/* A log shorter than 4096 bytes when read, grown since: found by prefix. */
static void
test_growing_file(void)
{
	char		path[4096],
				logpath[4096],
				otherpath[4096],
				id_small[STORE_IDENTITY_LEN + 1],
				id_grown[STORE_IDENTITY_LEN + 1];
	char	   *head = store_test_log_lines(0, 3);
	char	   *more = store_test_log_lines(3, 100);
	workload   *w = workload_create(NULL);
	ingest_file f;
	store	   *s;
	uint64_t	small,
				offset = 0;

	store_test_path(path, sizeof(path), "grow.db");
	store_test_path(logpath, sizeof(logpath), "growing.log");
	store_test_path(otherpath, sizeof(otherpath), "different.log");
	store_test_write(logpath, "w", head);
	small = store_test_file_size(logpath);
	CU_ASSERT_EQUAL_FATAL(store_file_identity(logpath, id_small), 0);
	f = read_file_result(logpath, 0, small, 3, 3);
	store_test_save(path, w, &f, 1);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT head_len FROM files"), (int64_t) small - 1);

	store_test_write(logpath, "a", more);
	store_test_write(otherpath, "w", more);
	CU_ASSERT_EQUAL_FATAL(store_file_identity(logpath, id_grown), 0);
	CU_ASSERT_STRING_NOT_EQUAL(id_small, id_grown);

	s = store_open(path, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_ingested_offset(s, id_grown), 0);
	CU_ASSERT_EQUAL(store_resume_offset(s, logpath, &offset), 0);
	CU_ASSERT_EQUAL(offset, small);
	CU_ASSERT_EQUAL(store_resume_offset(s, otherpath, &offset), 0);
	CU_ASSERT_EQUAL(offset, 0);

	f = read_file_result(logpath, small, store_test_file_size(logpath), 103, 100);
	CU_ASSERT_EQUAL(store_save(s, w, &f, 1), 0);
	CU_ASSERT_EQUAL(store_ingested_offset(s, id_grown), store_test_file_size(logpath));
	CU_ASSERT_EQUAL(store_ingested_offset(s, id_small), 0);
	store_close(s);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM files"), 1);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT records FROM files"), 103);
	free(head);
	free(more);
	workload_destroy(w);
}

/* Looked up, then rotated away before the save: the file that was read is recorded. */
static void
test_rotated_during_run(void)
{
	char		path[4096],
				logpath[4096],
				id_read[STORE_IDENTITY_LEN + 1],
				id_new[STORE_IDENTITY_LEN + 1];
	char	   *read_text = store_test_log_lines(0, 100);
	char	   *new_text = store_test_log_lines(500, 100);
	workload   *w = workload_create(NULL);
	ingest_file f;
	store	   *s;
	uint64_t	offset = 1;

	store_test_path(path, sizeof(path), "rotated.db");
	store_test_path(logpath, sizeof(logpath), "current.log");
	store_test_write(logpath, "w", read_text);
	CU_ASSERT_EQUAL_FATAL(store_file_identity(logpath, id_read), 0);
	s = store_open(path, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_resume_offset(s, logpath, &offset), 0);
	CU_ASSERT_EQUAL(offset, 0);
	/* logrotate moved it away and a new log began under the same name */
	store_test_write(logpath, "w", new_text);
	CU_ASSERT_EQUAL_FATAL(store_file_identity(logpath, id_new), 0);
	f = read_file_result(logpath, 0, strlen(read_text), 100, 100);
	CU_ASSERT_EQUAL(store_save(s, w, &f, 1), 0);
	CU_ASSERT_EQUAL(store_ingested_offset(s, id_read), strlen(read_text));
	CU_ASSERT_EQUAL(store_ingested_offset(s, id_new), 0);
	CU_ASSERT_EQUAL(store_resume_offset(s, logpath, &offset), 0);
	CU_ASSERT_EQUAL(offset, 0);
	store_close(s);
	free(read_text);
	free(new_text);
	workload_destroy(w);
}

/* The session-sequence tables of schema version 2, the error bounds of version 3. */
#define ERROR_COLUMNS_SQL "SELECT count(*) FROM pragma_table_info('queries') WHERE name IN ('error_ms', 'error_calls')"
#define DROP_V3_SQL "ALTER TABLE queries DROP COLUMN error_ms; ALTER TABLE queries DROP COLUMN error_calls;" \
	" DELETE FROM model_state WHERE key LIKE 'other.%';"
#define SEQ_TABLES_SQL "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN" \
	" ('seq_fingerprints', 'seq_loops', 'seq_example_values')"

static void
test_schema(void)
{
	char		path[4096];
	store	   *s;

	store_test_path(path, sizeof(path), "schema.db");
	s = store_open(path, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	store_close(s);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "PRAGMA user_version"), 3);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT value FROM meta WHERE key = 'schema_version'"), 3);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM meta WHERE key = 'pgsift_version' AND value = '" PGSIFT_VERSION "'"), 1);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM meta WHERE key IN ('created_at', 'updated_at') AND value LIKE '20%Z'"), 2);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
							" ('meta', 'files', 'queries', 'query_names', 'samples', 'minutes', 'sqlstates', 'model_state')"), 8);
	CU_ASSERT_EQUAL(store_test_sql_int(path, SEQ_TABLES_SQL), 3);
	CU_ASSERT_EQUAL(store_test_sql_int(path, ERROR_COLUMNS_SQL), 2);
	/* opening again neither fails nor migrates twice */
	s = store_open(path, 1);
	CU_ASSERT_PTR_NOT_NULL(s);
	store_close(s);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM meta"), 5);
}

/*
 * A store written by a pgsift of schema version 1 (forged from a current
 * one: the version 2 tables dropped) is migrated when opened, keeps its
 * model, and starts the session-sequence tables empty.
 */
static void
test_migrates_version_1(void)
{
	char		path[4096];
	workload   *w = workload_create(NULL);
	store	   *s;

	store_test_path(path, sizeof(path), "v1.db");
	workload_summary_mut(w)->statements = 77;
	store_test_save(path, w, NULL, 0);
	workload_destroy(w);
	store_test_sql_exec(path, DROP_V3_SQL "DROP TABLE seq_example_values; DROP TABLE seq_loops; DROP TABLE seq_fingerprints;"
						" DELETE FROM model_state WHERE key LIKE 'sequences.%';"
						" UPDATE meta SET value = 1 WHERE key = 'schema_version'; PRAGMA user_version = 1;");
	CU_ASSERT_EQUAL(store_test_sql_int(path, SEQ_TABLES_SQL), 0);
	s = store_open(path, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	store_close(s);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "PRAGMA user_version"), 3);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT value FROM meta WHERE key = 'schema_version'"), 3);
	CU_ASSERT_EQUAL(store_test_sql_int(path, SEQ_TABLES_SQL), 3);
	w = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(workload_get_summary(w)->statements, 77);

	size_t		nloops;

	session_patterns_loops(workload_patterns(w), &nloops);
	CU_ASSERT_EQUAL(nloops, 0);
	workload_destroy(w);
}

/*
 * A store of schema version 2 (forged: the version 3 columns and keys
 * dropped), kept without a bound, is migrated with exact figures: every
 * query's error bound 0 and nothing in the other row.
 */
static void
test_migrates_version_2(void)
{
	char		path[4096];
	workload   *w = workload_create(NULL);
	query_stats *q;
	store	   *s;
	size_t		n;

	store_test_path(path, sizeof(path), "v2.db");
	q = workload_query_for(w, 0xabc, "SELECT 1", 1);
	q->calls = 3;
	q->total_ms = 7.5;
	store_test_save(path, w, NULL, 0);
	workload_destroy(w);
	store_test_sql_exec(path, DROP_V3_SQL " UPDATE meta SET value = 2 WHERE key = 'schema_version'; PRAGMA user_version = 2;");
	CU_ASSERT_EQUAL(store_test_sql_int(path, ERROR_COLUMNS_SQL), 0);
	s = store_open(path, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	store_close(s);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "PRAGMA user_version"), 3);
	CU_ASSERT_EQUAL(store_test_sql_int(path, ERROR_COLUMNS_SQL), 2);
	w = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);

	query_stats **qs = workload_queries(w, &n);

	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(qs[0]->calls, 3);
	CU_ASSERT_DOUBLE_EQUAL(qs[0]->total_ms, 7.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(qs[0]->error_ms, 0, 0);
	CU_ASSERT_EQUAL(qs[0]->error_calls, 0);
	CU_ASSERT_EQUAL(workload_other_row(w)->fingerprints_evicted, 0);
	workload_destroy(w);
}

static void
test_refuses_other_files(void)
{
	char		text_path[4096],
				other_db[4096],
				newer[4096],
				missing[4096],
				empty[4096];
	char	   *text = store_test_log_lines(0, 60);
	store	   *s;
	FILE	   *f;
	char	   *back;
	size_t		len = strlen(text);

	store_test_path(text_path, sizeof(text_path), "not-a-db.log");
	store_test_path(other_db, sizeof(other_db), "other.db");
	store_test_path(newer, sizeof(newer), "newer.db");
	store_test_path(missing, sizeof(missing), "missing.db");
	store_test_path(empty, sizeof(empty), "empty.db");

	/* not SQLite at all: refused, and left byte for byte as it was */
	store_test_write(text_path, "w", text);
	CU_ASSERT_PTR_NULL(store_open(text_path, 1));
	CU_ASSERT_PTR_NULL(store_open(text_path, 0));
	back = calloc(1, len + 16);
	f = fopen(text_path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fread(back, 1, len + 16, f), len);
	fclose(f);
	CU_ASSERT(memcmp(back, text, len) == 0);

	/* another application's SQLite database */
	store_test_sql_exec(other_db, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
	CU_ASSERT_PTR_NULL(store_open(other_db, 1));
	CU_ASSERT_EQUAL(store_test_sql_int(other_db, "SELECT count(*) FROM sqlite_master"), 1);
	store_test_sql_exec(other_db, "DROP TABLE t; PRAGMA application_id = 42;");
	CU_ASSERT_PTR_NULL(store_open(other_db, 1));

	/* a store from a newer pgsift */
	store_close(store_open(newer, 1));
	store_test_sql_exec(newer, "PRAGMA user_version = 99");
	CU_ASSERT_PTR_NULL(store_open(newer, 1));

	/* missing or empty, and not to be created (pgsift report) */
	CU_ASSERT_PTR_NULL(store_open(missing, 0));
	CU_ASSERT_EQUAL(store_test_file_size(missing), 0);
	CU_ASSERT_NOT_EQUAL(access(missing, F_OK), 0);
	store_test_write(empty, "w", "");
	CU_ASSERT_PTR_NULL(store_open(empty, 0));
	/* a store whose run stopped before its first save: a schema, no run; analyze may go on with it */
	store_test_write(empty, "w", "");
	store_close(store_open(empty, 1));
	CU_ASSERT_NOT_EQUAL(store_test_file_size(empty), 0);
	CU_ASSERT_PTR_NULL(store_open(empty, 0));
	s = store_open(empty, 1);
	CU_ASSERT_PTR_NOT_NULL(s);
	store_close(s);
	CU_ASSERT_EQUAL(store_test_sql_int(empty, "SELECT value FROM meta WHERE key = 'generation'"), 0);
	free(back);
	free(text);
}

/* Two runs that loaded the same store: the second save must not erase the first's. */
PGSIFT_TEST_SUITE(store_files_suite)
{
	CU_pSuite	s = CU_add_suite("src/store_files", NULL, NULL);

	CU_add_test(s, "file identity follows content, not compression", test_identity);
	CU_add_test(s, "ingested offsets are recorded and found", test_ingested_offset);
	CU_add_test(s, "a short log that grew is still recognised", test_growing_file);
	CU_add_test(s, "a log rotated during the run is recorded as read", test_rotated_during_run);
	CU_add_test(s, "schema version 3 and its meta rows", test_schema);
	CU_add_test(s, "a version 1 store is migrated and keeps its model", test_migrates_version_1);
	CU_add_test(s, "a version 2 store is migrated with exact bounds", test_migrates_version_2);
	CU_add_test(s, "files that are not pgsift stores are refused", test_refuses_other_files);
}
