/*-------------------------------------------------------------------------
 * test_statement_kind.c
 *    Tests for statement_classify: what may run under EXPLAIN.
 *-------------------------------------------------------------------------
 */
#include "src/sql/statement_kind.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>

static void
expect(const char *sql, statement_kind want)
{
	char	   *reason = NULL;
	statement_kind got = statement_classify(sql, &reason);

	if (got != want)
		CU_FAIL_FATAL(sql);
	/* refused kinds say why; runnable kinds have nothing to say */
	CU_ASSERT_EQUAL(reason == NULL, want == STMT_SELECT || want == STMT_DML);
	free(reason);
}

static void
test_selects(void)
{
	expect("SELECT * FROM t WHERE a = 1", STMT_SELECT);
	expect("select 1;", STMT_SELECT);
	expect("VALUES (1), (2)", STMT_SELECT);
	expect("TABLE t", STMT_SELECT);
	expect("SELECT 1 UNION ALL SELECT 2", STMT_SELECT);
	expect("WITH a AS (SELECT 1), b AS (SELECT * FROM a) SELECT * FROM b", STMT_SELECT);
	expect("SELECT * FROM t WHERE id = $1 LIMIT $2", STMT_SELECT);
	expect("SELECT * FROM t FOR UPDATE", STMT_SELECT);
	expect("SELECT 'DELETE FROM t; INSERT' AS s", STMT_SELECT);
	expect("/* a comment */ SELECT 1 -- trailing", STMT_SELECT);
}

static void
test_dml(void)
{
	expect("INSERT INTO t VALUES (1)", STMT_DML);
	expect("UPDATE t SET a = 2 WHERE id = $1", STMT_DML);
	expect("DELETE FROM t WHERE id < 10", STMT_DML);
	expect("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", STMT_DML);
	expect("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", STMT_DML);
	expect("WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", STMT_DML);
	/* a data-modifying CTE nested inside another CTE is still DML */
	expect("WITH x AS (WITH y AS (UPDATE t SET a = 1 RETURNING 1) SELECT * FROM y) SELECT * FROM x",
		   STMT_DML);
}

static void
test_utility(void)
{
	expect("CREATE TABLE x (a int)", STMT_UTILITY);
	expect("DROP TABLE t", STMT_UTILITY);
	expect("CREATE TABLE x AS SELECT 1", STMT_UTILITY);
	expect("SELECT 1 AS a INTO x", STMT_UTILITY);
	expect("SELECT * INTO TEMP x FROM t UNION SELECT * FROM t", STMT_UTILITY);
	expect("COPY t TO STDOUT", STMT_UTILITY);
	expect("SET work_mem = '1GB'", STMT_UTILITY);
	expect("VACUUM t", STMT_UTILITY);
	expect("CALL p()", STMT_UTILITY);
	expect("DO $$ BEGIN END $$", STMT_UTILITY);
	expect("EXPLAIN ANALYZE DELETE FROM t", STMT_UTILITY);
	expect("PREPARE p AS SELECT 1", STMT_UTILITY);
	expect("EXECUTE p", STMT_UTILITY);
	expect("LOCK TABLE t", STMT_UTILITY);
	expect("TRUNCATE t", STMT_UTILITY);
	expect("BEGIN", STMT_UTILITY);
	expect("REFRESH MATERIALIZED VIEW m", STMT_UTILITY);
}

static void
test_reason_names_the_statement(void)
{
	char	   *reason = NULL;

	CU_ASSERT_EQUAL(statement_classify("VACUUM t", &reason), STMT_UTILITY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reason);
	CU_ASSERT_PTR_NOT_NULL(strstr(reason, "VacuumStmt"));
	free(reason);
	/* reason may be NULL when the caller does not want it */
	CU_ASSERT_EQUAL(statement_classify("SELECT 1 INTO x", NULL), STMT_UTILITY);
}

static void
test_multiple_and_unparsable(void)
{
	char	   *reason = NULL;

	expect("SELECT 1; SELECT 2", STMT_MULTIPLE);
	expect("SELECT 1; DROP TABLE t", STMT_MULTIPLE);
	expect("SELECT (", STMT_UNPARSABLE);
	expect("", STMT_UNPARSABLE);
	expect("-- only a comment", STMT_UNPARSABLE);
	CU_ASSERT_EQUAL(statement_classify(NULL, NULL), STMT_UNPARSABLE);
	CU_ASSERT_EQUAL(statement_classify("SELEC 1", &reason), STMT_UNPARSABLE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reason);
	CU_ASSERT_PTR_NOT_NULL(strstr(reason, "syntax error"));
	free(reason);
}

static void
test_has_params(void)
{
	CU_ASSERT_TRUE(statement_has_params("SELECT * FROM t WHERE a = $1"));
	CU_ASSERT_TRUE(statement_has_params("UPDATE t SET a = $2 WHERE id = $1"));
	CU_ASSERT_FALSE(statement_has_params("SELECT '$1' FROM t"));
	CU_ASSERT_FALSE(statement_has_params("SELECT 1"));
	CU_ASSERT_FALSE(statement_has_params("SELECT ("));
}

PGSIFT_TEST_SUITE(statement_kind_suite)
{
	CU_pSuite	s = CU_add_suite("src/statement_kind", NULL, NULL);

	CU_add_test(s, "queries classify as SELECT", test_selects);
	CU_add_test(s, "INSERT/UPDATE/DELETE/MERGE and DML CTEs classify as DML", test_dml);
	CU_add_test(s, "DDL, SELECT INTO and other commands are utility", test_utility);
	CU_add_test(s, "the reason names the statement type", test_reason_names_the_statement);
	CU_add_test(s, "several statements and bad syntax are refused", test_multiple_and_unparsable);
	CU_add_test(s, "$n placeholders are found in the tree, not the text", test_has_params);
}
