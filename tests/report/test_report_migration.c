/*-------------------------------------------------------------------------
 * test_report_migration.c
 *    pgsift migration's reports: SARIF against the SARIF 2.1.0 schema's
 *    required fields, GitHub workflow commands and their escaping, the
 *    Markdown comment and its size limit, JSON fields, and a terminal
 *    that control characters never reach.
 *
 * The migrations are hostile on purpose: statements and comments come
 * from a pull request.
 *-------------------------------------------------------------------------
 */
#include "src/lib/strbuf.h"
#include "src/report/report_migration.h"
#include "tests/rules/migration_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A name with every character GitHub's properties and URIs must escape. */
#define HOSTILE_FILE "db/mig rations/001,a:b%c.sql"
#define HOSTILE_SQL \
	"-- ::error file=x::pwned %0A\n" \
	"CREATE INDEX \"i::x,y%z\" ON \"We, the ::people\" (a);\n" \
	"ALTER TABLE \"t```\n<script>alert(1)</script>\" ADD COLUMN \"c\x1b[31m\" int;\n"

static migration_gate_result result;
static int	have_result;

static const migration_gate_result *
lint_named(const char *name, const char *sql)
{
	if (have_result)
		migration_gate_result_free(&result);
	migration_gate_run_text(name, sql, NULL, &result);
	have_result = 1;
	return &result;
}

static char *
render(migration_format fmt, int fail_on, const char *summary_path)
{
	migration_report_input in = {.result = &result, .fail_on = fail_on, .summary_path = summary_path};
	char	   *text = NULL;
	size_t		len = 0;
	FILE	   *out = open_memstream(&text, &len);

	CU_ASSERT_EQUAL(migration_report_write(out, fmt, &in), 0);
	fclose(out);
	return text;
}

/* obj has key, of JSON type type. */
static int
has(json_t *obj, const char *key, json_type type)
{
	json_t	   *v = json_object_get(obj, key);

	return v != NULL && json_typeof(v) == type;
}

/* Every key of obj is one of allowed (the schema's additionalProperties: false). */
static int
only_keys(json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t	   *v;

	json_object_foreach(obj, key, v)
	{
		int			ok = 0;

		for (const char *const *a = allowed; *a; a++)
			ok |= strcmp(*a, key) == 0;
		if (!ok)
		{
			fprintf(stderr, "\n  unexpected SARIF key \"%s\"", key);
			return 0;
		}
	}
	return 1;
}

static int
valid_level(json_t *v)
{
	const char *s = json_string_value(v);

	return s && (strcmp(s, "none") == 0 || strcmp(s, "note") == 0 || strcmp(s, "warning") == 0 ||
				 strcmp(s, "error") == 0);
}

static void
check_sarif_rule(json_t *r)
{
	static const char *const keys[] = {"id", "name", "shortDescription", "fullDescription", "help",
	"defaultConfiguration", "properties", NULL};

	CU_ASSERT_TRUE(has(r, "id", JSON_STRING));
	CU_ASSERT_TRUE(only_keys(r, keys));
	CU_ASSERT_TRUE(has(json_object_get(r, "shortDescription"), "text", JSON_STRING));
	CU_ASSERT_TRUE(has(json_object_get(r, "fullDescription"), "text", JSON_STRING));
	CU_ASSERT_TRUE(has(json_object_get(r, "help"), "text", JSON_STRING));
	CU_ASSERT_TRUE(valid_level(json_object_get(json_object_get(r, "defaultConfiguration"), "level")));
}

static void
check_sarif_result(json_t *res, json_t *rules)
{
	static const char *const keys[] = {"ruleId", "ruleIndex", "level", "message", "locations",
	"partialFingerprints", "properties", NULL};
	json_t	   *loc,
			   *phys,
			   *region,
			   *rule;
	const char *key;
	json_t	   *v;

	CU_ASSERT_TRUE(only_keys(res, keys));
	CU_ASSERT_TRUE(has(json_object_get(res, "message"), "text", JSON_STRING));	/* message: text or id */
	CU_ASSERT_TRUE(valid_level(json_object_get(res, "level")));
	rule = json_array_get(rules, (size_t) json_integer_value(json_object_get(res, "ruleIndex")));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rule);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(rule, "id")),
						   json_string_value(json_object_get(res, "ruleId")));
	loc = json_array_get(json_object_get(res, "locations"), 0);
	phys = json_object_get(loc, "physicalLocation");
	CU_ASSERT_TRUE(has(json_object_get(phys, "artifactLocation"), "uri", JSON_STRING));
	region = json_object_get(phys, "region");
	CU_ASSERT_TRUE(has(region, "startLine", JSON_INTEGER));
	CU_ASSERT_TRUE(json_integer_value(json_object_get(region, "startLine")) >= 1);
	CU_ASSERT_TRUE(has(res, "partialFingerprints", JSON_OBJECT));
	json_object_foreach(json_object_get(res, "partialFingerprints"), key, v)
		CU_ASSERT_EQUAL(json_typeof(v), JSON_STRING);
}

static void
test_sarif(void)
{
	static const char *const log_keys[] = {"$schema", "version", "runs", NULL};
	static const char *const run_keys[] = {"tool", "results", "columnKind", NULL};
	char	   *text;
	json_t	   *log,
			   *run,
			   *driver,
			   *results;
	json_error_t err;
	int			rules_seen = 0;

	lint_named(HOSTILE_FILE, HOSTILE_SQL);
	CU_ASSERT_TRUE_FATAL(result.findings.count >= 3);
	text = render(MIGRATION_FORMAT_SARIF, -1, NULL);
	log = json_loads(text, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT_TRUE(only_keys(log, log_keys));
	ASSERT_STR(json_string_value(json_object_get(log, "version")), "2.1.0");
	CU_ASSERT_EQUAL_FATAL(json_array_size(json_object_get(log, "runs")), 1);
	run = json_array_get(json_object_get(log, "runs"), 0);
	CU_ASSERT_TRUE(only_keys(run, run_keys));
	driver = json_object_get(json_object_get(run, "tool"), "driver");
	CU_ASSERT_TRUE(has(driver, "name", JSON_STRING));
	for (size_t i = 0; i < json_array_size(json_object_get(driver, "rules")); i++, rules_seen++)
		check_sarif_rule(json_array_get(json_object_get(driver, "rules"), i));
	CU_ASSERT_TRUE(rules_seen >= 5);
	results = json_object_get(run, "results");
	CU_ASSERT_EQUAL(json_array_size(results), (size_t) result.findings.count);
	for (size_t i = 0; i < json_array_size(results); i++)
		check_sarif_result(json_array_get(results, i), json_object_get(driver, "rules"));
	/* the URI is a relative reference with every unsafe character percent-encoded */
	ASSERT_STR(json_string_value(json_object_get(json_object_get(json_object_get(json_array_get(
			   json_object_get(json_array_get(results, 0), "locations"), 0), "physicalLocation"),
			   "artifactLocation"), "uri")), "db/mig%20rations/001%2Ca%3Ab%25c.sql");
	/* the names from the pull request are kept as they are, JSON-escaped only */
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(json_object_get(json_array_get(results, 0),
																		  "message"), "text")), "\"We, the ::people\""));
	json_decref(log);
	free(text);
}

static void
test_github(void)
{
	char		path[] = "/tmp/pgsift-summary-XXXXXX";
	int			fd = mkstemp(path);
	char	   *text;
	int			lines = 0;
	FILE	   *fp;
	char		buf[256];

	CU_ASSERT_TRUE_FATAL(fd >= 0);
	lint_named(HOSTILE_FILE, HOSTILE_SQL);
	text = render(MIGRATION_FORMAT_GITHUB, FINDING_HIGH, path);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
	{
		char	   *props,
				   *sep;

		if (strncmp(line, "pgsift migration:", 17) == 0)
			continue;
		lines++;
		CU_ASSERT_TRUE(strncmp(line, "::error file=", 13) == 0 || strncmp(line, "::warning file=", 15) == 0 ||
					   strncmp(line, "::notice file=", 14) == 0);
		/* the properties end at the first "::" after the command: no raw ':' inside them */
		props = strchr(line + 2, ' ');
		sep = props ? strstr(props, "::") : NULL;
		CU_ASSERT_PTR_NOT_NULL_FATAL(sep);
		*sep = '\0';
		CU_ASSERT_PTR_NOT_NULL(strstr(props, "file=db/mig rations/001%2Ca%3Ab%25c.sql,line="));
		CU_ASSERT_PTR_NULL(strchr(strstr(props, "title=") + 6, ','));
		CU_ASSERT_PTR_NULL(strchr(props, '\r'));
	}
	CU_ASSERT_EQUAL(lines, result.findings.count);
	free(text);
	/* the job summary got the Markdown report */
	fp = fdopen(fd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_PTR_NOT_NULL(fgets(buf, sizeof(buf), fp));
	CU_ASSERT_EQUAL(strncmp(buf, MIGRATION_MARKDOWN_MARKER, strlen(MIGRATION_MARKDOWN_MARKER)), 0);
	fclose(fp);
	unlink(path);
	{
		strbuf		sb;

		strbuf_init(&sb);
		github_escape(&sb, "a%b\r\nc:d,e", 0);
		ASSERT_STR(sb.data, "a%25b%0D%0Ac:d,e");
		strbuf_reset(&sb);
		github_escape(&sb, "a%b\r\nc:d,e", 1);
		ASSERT_STR(sb.data, "a%25b%0D%0Ac%3Ad%2Ce");
		strbuf_free(&sb);
	}
}

static void
test_markdown(void)
{
	char	   *text;
	strbuf		big;
	migration_report_input in = {.result = &result, .fail_on = FINDING_HIGH};

	lint_named(HOSTILE_FILE, HOSTILE_SQL);
	text = render(MIGRATION_FORMAT_MARKDOWN, FINDING_HIGH, NULL);
	CU_ASSERT_EQUAL(strncmp(text, MIGRATION_MARKDOWN_MARKER "\n", strlen(MIGRATION_MARKDOWN_MARKER) + 1), 0);
	/* raw HTML only inside the statement's fenced block; escaped everywhere else */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "&lt;script&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "````sql\nALTER TABLE \"t```\n<script>"));
	CU_ASSERT_PTR_NULL(strstr(strstr(text, "<script>") + 1, "<script>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "Gate: **failed**"));
	/* the statement with ``` in it is fenced by four backticks, so it cannot close the block */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "````sql\nALTER TABLE \"t```"));
	free(text);

	/* 3,000 index builds: 6,000 findings, cut to fit GitHub's limit */
	strbuf_init(&big);
	for (int i = 0; i < 3000; i++)
		strbuf_printf(&big, "CREATE INDEX i%d ON t (c%d);\n", i, i);
	lint_named("big.sql", big.data);
	strbuf_free(&big);
	CU_ASSERT_TRUE(result.findings.count >= 6000);	/* at least the index build and the lock wait */
	strbuf_init(&big);
	migration_report_markdown(&big, &in);
	CU_ASSERT_TRUE(big.len < MIGRATION_MARKDOWN_LIMIT);
	CU_ASSERT_TRUE(big.len > MIGRATION_MARKDOWN_LIMIT / 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(big.data, "more findings not shown here"));
	{
		char		more[64];

		snprintf(more, sizeof(more), "| | | | and %d more |", result.findings.count - 100);
		CU_ASSERT_PTR_NOT_NULL(strstr(big.data, more));
	}
	strbuf_free(&big);
}

static void
test_json(void)
{
	char	   *text;
	json_t	   *o,
			   *f;
	static const char *const fields[] = {"rule", "severity", "file", "line", "statement", "table", "lock",
	"rewrite", "detail", "hint", "fix", NULL};

	lint_named("m.sql", "SELECT 1;\nCREATE INDEX i ON app.orders (a);\n");
	text = render(MIGRATION_FORMAT_JSON, FINDING_MEDIUM, NULL);
	o = json_loads(text, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	ASSERT_STR(json_string_value(json_object_get(o, "command")), "migration");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "statements")), 2);
	CU_ASSERT_TRUE(json_is_true(json_object_get(json_object_get(o, "summary"), "failed")));
	f = json_array_get(json_object_get(o, "findings"), 0);
	for (const char *const *k = fields; *k; k++)
		CU_ASSERT_PTR_NOT_NULL(json_object_get(f, *k));
	ASSERT_STR(json_string_value(json_object_get(f, "rule")), "index-without-concurrently");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(f, "line")), 2);
	ASSERT_STR(json_string_value(json_object_get(f, "table")), "app.orders");
	ASSERT_STR(json_string_value(json_object_get(f, "lock")), "SHARE");
	CU_ASSERT_TRUE(json_is_false(json_object_get(f, "rewrite")));
	json_decref(o);
	free(text);
}

static void
test_text(void)
{
	char	   *text;

	lint_named(HOSTILE_FILE, HOSTILE_SQL);
	text = render(MIGRATION_FORMAT_TEXT, FINDING_CRITICAL, NULL);
	CU_ASSERT_PTR_NULL(strchr(text, '\x1b'));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, HOSTILE_FILE ":2: high: index-without-concurrently"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "gate: passed (--fail-on critical)"));
	free(text);
}

static int
cleanup(void)
{
	if (have_result)
		migration_gate_result_free(&result);
	have_result = 0;
	return 0;
}

PGSIFT_TEST_SUITE(add_report_migration_suite)
{
	CU_pSuite	s = CU_add_suite("report/migration", NULL, cleanup);

	CU_add_test(s, "SARIF 2.1.0: required fields, levels, rule indexes, encoded URIs", test_sarif);
	CU_add_test(s, "github: one escaped workflow command per finding, and the job summary", test_github);
	CU_add_test(s, "Markdown: marker, escaping, fences, GitHub's size limit", test_markdown);
	CU_add_test(s, "JSON: the fields of each finding and the verdict", test_json);
	CU_add_test(s, "text: file:line headers, no control characters", test_text);
}
