/*-------------------------------------------------------------------------
 * test_registry.h
 *    Self-registration of CUnit suites.
 *
 * Each test file declares its suites with PGSIFT_TEST_SUITE(fn); fn runs
 * after CU_initialize_registry and adds its suite and tests.  The runner
 * (tests/test_main.c) needs no list of files, so a new test file is just a
 * new file.  Helpers for tests that need paths or the test server live
 * here too.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_TEST_REGISTRY_H
#define PGSIFT_TEST_REGISTRY_H

#include <CUnit/CUnit.h>
#include <jansson.h>

typedef void (*test_suite_adder) (void);

/*
 * Register fn, which adds suites.  The suites of an adder that
 * needs_server are left inactive when there is no test server, and their
 * tests are counted as skipped (the runner prints the count after
 * CUnit's summary).  More adders than the runner holds is fatal.
 */
void		test_register_suite(test_suite_adder fn, int needs_server);

#define PGSIFT_TEST_SUITE(fn) \
	static void fn(void); \
	__attribute__((constructor)) static void fn##_register(void) { test_register_suite(fn, 0); } \
	static void fn(void)

/* An adder whose every suite needs the throwaway server (see test_register_suite). */
#define PGSIFT_SERVER_TEST_SUITE(fn) \
	static void fn(void); \
	__attribute__((constructor)) static void fn##_register(void) { test_register_suite(fn, 1); } \
	static void fn(void)

/*
 * Add a test that needs the throwaway server to a suite that runs without
 * it: without a server the test is inactive (CUnit's summary counts it)
 * and counted as skipped.
 */
CU_pTest	test_add_server_test(CU_pSuite s, const char *name, CU_TestFunc fn);

/*
 * Leave test t inactive and count it as skipped, by a deliberate choice
 * that why names (a static string, shown in the runner's "skipped:" line).
 */
void		test_skip_test(CU_pTest t, const char *why);

/* String equality that reports a NULL instead of crashing on it. */
#define ASSERT_STR(got, want) \
	do { \
		const char *g_ = (got); \
		CU_ASSERT_PTR_NOT_NULL(g_); \
		if (g_) CU_ASSERT_STRING_EQUAL(g_, (want)); \
	} while (0)

/* Absolute path of fixtures/NAME (static buffer, valid for the next 7 calls). */
const char *test_fixture(const char *name);

/* Absolute path of the built pgsift binary (build/pgsift). */
const char *test_pgsift_binary(void);

/* Whether the throwaway server is reachable (PGHOST/PGPORT set by make check). */
int			test_have_server(void);

/* A fresh temp directory for this test run (created once, removed by the harness). */
const char *test_tmpdir(void);

/*
 * Write text to test_tmpdir()/name (asserting it could); its path, in a
 * static buffer valid until the next call.
 */
const char *test_write_file(const char *name, const char *text);

/* The whole file at path as a malloc'd string, or NULL when it cannot be opened. */
char	   *test_read_file(const char *path);

/*
 * Run a shell command; capture stdout into *out (malloc'd, may be NULL) and
 * return its exit status (or -1).
 */
int			test_run(const char *cmd, char **out);

/*
 * Run `pgsift ARGS` (ARGS are shell words); stdout into *out and stderr
 * into *err (malloc'd; either may be NULL).  Returns the exit status.
 */
int			test_pgsift(const char *args, char **out, char **err);

/* test_pgsift with stdout parsed as JSON into *j (NULL if it is not JSON). */
int			test_pgsift_json(const char *args, json_t **j, char **err);

/* The value at a dotted path of j ("sessions.connections"), NULL when absent. */
json_t	   *test_json_at(json_t *j, const char *path);

#endif
