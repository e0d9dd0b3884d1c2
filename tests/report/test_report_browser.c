/*-------------------------------------------------------------------------
 * test_report_browser.c
 *    The HTML report in a real browser: headless Chromium, offline.
 *
 * `pgsift analyze --format html -o FILE` writes the report of a fixture
 * log, and tests/harness/browser-check.py opens it from file:// with the
 * network cut, and prints what the browser saw as JSON: console messages,
 * CSP violations (recorded before any page script runs), requests, the
 * sections, findings, query rows and chart labels, what a click on each
 * query header did, and a full-page screenshot (kept as
 * build/html-report.png).  The expected findings, query fingerprints and
 * optional sections come from the JSON report of the same log, never from
 * the HTML itself.
 *
 * The report is written and viewed twice, under TZ=UTC and TZ=Asia/Tokyo
 * (pgsift's and Chromium's environment, and CDP's time zone override):
 * the chart labels must not move.  A hostile log carries markup in its
 * statement, user and application names; nothing of it may run.
 *
 * Chromium or its driver missing is a failure (CI installs them with
 * tests/harness/install-deps.sh).  PGSIFT_BROWSER_TEST=skip leaves the
 * tests inactive and counted as skipped, for a developer's machine;
 * PGSIFT_BROWSER_TEST=off leaves the suite out (run-tests.sh sets it for
 * the sanitizer run, as the plain run has driven the browser already).
 *-------------------------------------------------------------------------
 */
#include "src/lib/strbuf.h"
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DRIVER		PGSIFT_SOURCE_DIR "/tests/harness/browser-check.py"
#define SCREENSHOT	PGSIFT_BUILD_DIR "/html-report.png"

#define HOSTILE_USER "</script><img src=x onerror=window.__pwned=1>"
#define HOSTILE_APP "\"'><svg onload=window.__pwned=1>"

/* Every section the report may have, in its order. */
static const char *const section_order[] = {
	"header", "summary", "findings", "figures", "over-time", "latency", "queries",
	"sessions", "errors", "locks", "temp-files", "checkpoints", "autovacuum", "pooler",
	"appendix", NULL
};

/* The sections every report has. */
static const char *const mandatory_sections[] = {
	"header", "summary", "findings", "figures", "over-time", "latency", "queries", "appendix", NULL
};

/* What one page gave: the browser's JSON, and the JSON report of its log. */
typedef struct page_run
{
	int			done;
	json_t	   *page;			/* browser-check.py's output; NULL if it failed */
	json_t	   *report;			/* pgsift --format json of the same log */
} page_run;

static page_run utc_run,
			tokyo_run,
			hostile_run;

/* Append s to sb as one shell word. */
static void
shell_word(strbuf *sb, const char *s)
{
	strbuf_putc(sb, '\'');
	for (; *s; s++)
	{
		if (*s == '\'')
			strbuf_puts(sb, "'\\''");
		else
			strbuf_putc(sb, *s);
	}
	strbuf_putc(sb, '\'');
}

/* The contents of path as a malloc'd string ("" when it cannot be read). */
static char *
slurp(const char *path)
{
	char	   *out = NULL;
	strbuf		cmd;

	strbuf_init(&cmd);
	strbuf_puts(&cmd, "cat ");
	shell_word(&cmd, path);
	strbuf_puts(&cmd, " 2>/dev/null");
	test_run(cmd.data, &out);
	strbuf_free(&cmd);
	return out ? out : strdup("");
}

/*
 * Write the report of log in format fmt (html or json) to
 * test_tmpdir()/name under TZ=zone.  Returns the malloc'd path, or NULL
 * after printing pgsift's stderr when it failed.
 */
static char *
write_report(const char *log, const char *fmt, const char *zone, const char *name)
{
	strbuf		cmd,
				path,
				errpath;
	int			st;

	strbuf_init(&cmd);
	strbuf_init(&path);
	strbuf_init(&errpath);
	strbuf_printf(&path, "%s/%s", test_tmpdir(), name);
	strbuf_printf(&errpath, "%s.stderr", path.data);
	strbuf_printf(&cmd, "TZ=%s ", zone);
	shell_word(&cmd, test_pgsift_binary());
	strbuf_printf(&cmd, " analyze -q --format %s -o ", fmt);
	shell_word(&cmd, path.data);
	strbuf_putc(&cmd, ' ');
	shell_word(&cmd, log);
	strbuf_puts(&cmd, " 2>");
	shell_word(&cmd, errpath.data);
	st = test_run(cmd.data, NULL);
	if (st != 0)
	{
		char	   *err = slurp(errpath.data);

		fprintf(stderr, "\n  pgsift analyze --format %s %s: exit %d\n%s", fmt, log, st, err);
		free(err);
		strbuf_free(&path);
	}
	strbuf_free(&cmd);
	strbuf_free(&errpath);
	return st == 0 ? strbuf_detach(&path) : NULL;
}

/*
 * Open html in Chromium under zone; texts (NULL-terminated, may be NULL)
 * are counted in the page's text.  Returns browser-check.py's JSON, or
 * NULL after printing why the run failed.
 */
static json_t *
browse(const char *html, const char *zone, const char *screenshot, const char *const *texts)
{
	strbuf		cmd,
				errpath;
	char	   *out = NULL;
	json_t	   *page = NULL;
	int			st;

	strbuf_init(&cmd);
	strbuf_init(&errpath);
	strbuf_printf(&errpath, "%s.browser-stderr", html);
	strbuf_printf(&cmd, "TZ=%s /usr/bin/python3 " DRIVER " --timezone %s", zone, zone);
	if (screenshot)
	{
		strbuf_puts(&cmd, " --screenshot ");
		shell_word(&cmd, screenshot);
	}
	for (; texts && *texts; texts++)
	{
		strbuf_puts(&cmd, " --text ");
		shell_word(&cmd, *texts);
	}
	strbuf_putc(&cmd, ' ');
	shell_word(&cmd, html);
	strbuf_puts(&cmd, " 2>");
	shell_word(&cmd, errpath.data);
	st = test_run(cmd.data, &out);
	if (st == 0)
		page = json_loads(out ? out : "", 0, NULL);
	if (page == NULL)
	{
		char	   *err = slurp(errpath.data);

		fprintf(stderr, "\n  the browser check of %s failed (exit %d):\n%s%s", html, st, err,
				st == 127 ? "HINT:  Install python3 (tests/harness/install-deps.sh).\n" : "");
		free(err);
	}
	free(out);
	strbuf_free(&cmd);
	strbuf_free(&errpath);
	return page;
}

/* Load the JSON report written at path (NULL when it does not parse). */
static json_t *
load_json(const char *path)
{
	return path ? json_load_file(path, 0, NULL) : NULL;
}

/* Write log's reports under zone and view the HTML one; once per run r. */
static page_run *
run_page(page_run *r, const char *log, const char *zone, const char *tag,
		 const char *screenshot, const char *const *texts)
{
	char		name[256];
	char	   *html,
			   *json;

	if (r->done)
		return r;
	r->done = 1;
	snprintf(name, sizeof(name), "browser-%s.json", tag);
	json = write_report(log, "json", zone, name);
	r->report = load_json(json);
	snprintf(name, sizeof(name), "browser-%s.html", tag);
	html = write_report(log, "html", zone, name);
	if (html)
		r->page = browse(html, zone, screenshot, texts);
	free(json);
	free(html);
	return r;
}

static page_run *
utc_page(void)
{
	return run_page(&utc_run, test_fixture("workload.log"), "UTC", "utc", SCREENSHOT, NULL);
}

static page_run *
tokyo_page(void)
{
	return run_page(&tokyo_run, test_fixture("workload.log"), "Asia/Tokyo", "tokyo", NULL, NULL);
}

/* The integer at path of j, 0 when absent. */
static json_int_t
jint(json_t *j, const char *path)
{
	json_t	   *v = test_json_at(j, path);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static const char *
jstr(json_t *j, const char *path)
{
	json_t	   *v = test_json_at(j, path);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/*
 * What a browser must never see of any report: an error or warning on the
 * console, a CSP violation, a request, an inline handler, a script that ran
 * from the log's text; and the checks must have been in place (the
 * violation recorder installed, the time zone applied).
 */
static void
assert_clean(json_t *page, const char *zone)
{
	json_t	   *v;
	size_t		i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	json_array_foreach(json_object_get(page, "console"), i, v)
	{
		const char *level = jstr(v, "level");

		if (level && (strcmp(level, "SEVERE") == 0 || strcmp(level, "WARNING") == 0))
		{
			fprintf(stderr, "\n  console %s (%s): %s", level, jstr(v, "source"), jstr(v, "message"));
			CU_FAIL("the browser console shows an error or a warning");
		}
	}
	json_array_foreach(json_object_get(page, "csp"), i, v)
	{
		char	   *s = json_dumps(v, JSON_COMPACT);

		fprintf(stderr, "\n  CSP violation: %s", s);
		free(s);
		CU_FAIL("the page violates its Content Security Policy");
	}
	json_array_foreach(json_object_get(page, "requests"), i, v)
	{
		fprintf(stderr, "\n  request: %s", json_string_value(v));
		CU_FAIL("the page made a request");
	}
	CU_ASSERT_TRUE(json_is_true(json_object_get(page, "recorder")));
	CU_ASSERT_EQUAL(jint(page, "handlers"), 0);
	ASSERT_STR(jstr(page, "pwned"), "undefined");
	ASSERT_STR(jstr(page, "pwned_after_clicks"), "undefined");
	ASSERT_STR(jstr(page, "timezone"), zone);
}

static void
test_loads_clean(void)
{
	assert_clean(utc_page()->page, "UTC");
}

/* The value of one directive of a policy ("'sha256-…'"), malloc'd, or NULL. */
static char *
csp_directive(const char *policy, const char *name)
{
	size_t		n = strlen(name);

	for (const char *p = policy; p && *p;)
	{
		const char *end = strchr(p, ';');
		size_t		len;

		p += strspn(p, " \t");
		len = end ? (size_t) (end - p) : strlen(p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len >= n && strncmp(p, name, n) == 0 && (len == n || p[n] == ' '))
			return strndup(p + n + (len > n), len - n - (len > n));
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

/* Whether every source of a directive's value is a hash. */
static int
only_hashes(const char *value)
{
	char	   *copy = strdup(value),
			   *save = NULL;
	int			n = 0,
				ok = 1;

	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), n++)
		if (strncmp(tok, "'sha256-", 8) != 0 && strncmp(tok, "'sha384-", 8) != 0 &&
			strncmp(tok, "'sha512-", 8) != 0)
			ok = 0;
	free(copy);
	return ok && n > 0;
}

static void
test_csp_meta(void)
{
	json_t	   *page = utc_page()->page;
	const char *policy;
	char	   *dflt,
			   *script,
			   *style;

	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	policy = jstr(page, "csp_meta");
	CU_ASSERT_PTR_NOT_NULL_FATAL(policy);
	dflt = csp_directive(policy, "default-src");
	script = csp_directive(policy, "script-src");
	style = csp_directive(policy, "style-src");
	ASSERT_STR(dflt, "'none'");
	CU_ASSERT_TRUE(script && only_hashes(script));
	CU_ASSERT_TRUE(style && only_hashes(style));
	if (!(script && only_hashes(script) && style && only_hashes(style)))
		fprintf(stderr, "\n  policy: %s", policy);
	free(dflt);
	free(script);
	free(style);
}

/* Whether the log of report has what optional section id shows. */
static int
log_has(json_t *report, const char *id)
{
	if (strcmp(id, "sessions") == 0)
		return jint(report, "sessions.connections_received") + jint(report, "sessions.connections_authorized") +
			jint(report, "sessions.disconnections") > 0;
	if (strcmp(id, "errors") == 0)
		return json_array_size(test_json_at(report, "events.sqlstates")) > 0;
	if (strcmp(id, "locks") == 0)
		return jint(report, "events.by_kind.lock_wait") + jint(report, "events.by_kind.lock_acquired") +
			jint(report, "events.by_kind.deadlock") > 0;
	if (strcmp(id, "temp-files") == 0)
		return jint(report, "events.by_kind.temp_file") > 0;
	if (strcmp(id, "checkpoints") == 0)
		return jint(report, "events.by_kind.checkpoint_starting") +
			jint(report, "events.by_kind.checkpoint_complete") > 0;
	if (strcmp(id, "autovacuum") == 0)
		return jint(report, "events.by_kind.autovacuum") + jint(report, "events.by_kind.autoanalyze") > 0;
	if (strcmp(id, "pooler") == 0)
		return json_is_object(test_json_at(report, "pooler"));
	return 1;
}

static int
in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* The sections of page are those its log has, in section_order. */
static void
assert_sections(json_t *page, json_t *report)
{
	json_t	   *ids = json_object_get(page, "sections");
	strbuf		want,
				got;

	strbuf_init(&want);
	strbuf_init(&got);
	for (const char *const *s = section_order; *s; s++)
		if (in_list(mandatory_sections, *s) || log_has(report, *s))
			strbuf_printf(&want, "%s ", *s);
	for (size_t i = 0; i < json_array_size(ids); i++)
		strbuf_printf(&got, "%s ", json_string_value(json_array_get(ids, i)));
	if (strcmp(want.data, got.data) != 0)
		fprintf(stderr, "\n  sections: want %s\n            got  %s", want.data, got.data);
	CU_ASSERT_STRING_EQUAL(got.data, want.data);
	strbuf_free(&want);
	strbuf_free(&got);
}

static void
test_sections(void)
{
	page_run   *r = utc_page();

	CU_ASSERT_PTR_NOT_NULL_FATAL(r->page);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->report);
	/* the fixture has sessions, errors, locks, temp files and checkpoints */
	CU_ASSERT_TRUE(log_has(r->report, "sessions") && log_has(r->report, "locks"));
	CU_ASSERT_FALSE(log_has(r->report, "pooler"));
	assert_sections(r->page, r->report);
	CU_ASSERT_TRUE(json_is_true(json_object_get(r->page, "toc")));
}

/* The page's article.finding ids are f-<id> of the JSON report's findings. */
static void
assert_findings(json_t *page, json_t *report)
{
	json_t	   *findings = json_object_get(report, "findings");
	json_t	   *ids = json_object_get(page, "finding_ids");
	json_t	   *f;
	size_t		i;

	CU_ASSERT_EQUAL(jint(page, "findings"), (json_int_t) json_array_size(findings));
	CU_ASSERT_EQUAL(json_array_size(ids), json_array_size(findings));
	json_array_foreach(findings, i, f)
	{
		char		want[512];
		int			found = 0;

		snprintf(want, sizeof(want), "f-%s", jstr(f, "id") ? jstr(f, "id") : "?");
		for (size_t k = 0; k < json_array_size(ids); k++)
			found += strcmp(json_string_value(json_array_get(ids, k)), want) == 0;
		if (found != 1)
			fprintf(stderr, "\n  article.finding#%s: %d on the page", want, found);
		CU_ASSERT_EQUAL(found, 1);
	}
}

static void
test_findings(void)
{
	page_run   *r = utc_page();

	CU_ASSERT_PTR_NOT_NULL_FATAL(r->page);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->report);
	CU_ASSERT_TRUE(json_array_size(json_object_get(r->report, "findings")) > 0);
	assert_findings(r->page, r->report);
}

/* Whether id is "q-" and a fingerprint of the JSON report's queries. */
static int
known_query_row(const char *id, json_t *report)
{
	json_t	   *q;
	size_t		i;

	if (strncmp(id, "q-", 2) != 0 || strlen(id) != 18 || strspn(id + 2, "0123456789abcdef") != 16)
		return 0;
	json_array_foreach(json_object_get(report, "queries"), i, q)
		if (jstr(q, "fingerprint") && strcmp(jstr(q, "fingerprint"), id + 2) == 0)
		return 1;
	return 0;
}

static void
test_queries_sort(void)
{
	page_run   *r = utc_page();
	json_t	   *rows,
			   *cols,
			   *c;
	size_t		i;
	int			sorted = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r->page);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->report);
	rows = json_object_get(r->page, "query_row_ids");
	CU_ASSERT_TRUE(json_array_size(rows) >= 2);
	CU_ASSERT_TRUE(json_array_size(rows) <= json_array_size(json_object_get(r->report, "queries")));
	for (i = 0; i < json_array_size(rows); i++)
	{
		const char *id = json_string_value(json_array_get(rows, i));

		if (!known_query_row(id, r->report))
			fprintf(stderr, "\n  query row %s: no such fingerprint in the JSON report", id);
		CU_ASSERT_TRUE(known_query_row(id, r->report));
		for (size_t k = 0; k < i; k++)
			CU_ASSERT_STRING_NOT_EQUAL(json_string_value(json_array_get(rows, k)), id);
	}
	CU_ASSERT_TRUE(json_is_true(test_json_at(r->page, "sort.table")));
	cols = test_json_at(r->page, "sort.columns");
	json_array_foreach(cols, i, c)
	{
		/* a click reorders the rows, never drops or adds one */
		CU_ASSERT_TRUE(json_is_true(json_object_get(c, "same_rows")));
		/* a column of figures is in order by value after its click (text may collate) */
		if (json_is_true(json_object_get(c, "numeric")) && !json_is_true(json_object_get(c, "ordered")))
		{
			fprintf(stderr, "\n  a click on \"%s\" left it out of order", jstr(c, "header"));
			CU_FAIL("a click on a column of figures did not sort it");
		}
		sorted += json_is_true(json_object_get(c, "changed")) && json_is_true(json_object_get(c, "ordered"));
	}
	if (sorted == 0)
	{
		char	   *s = json_dumps(cols, JSON_COMPACT);

		fprintf(stderr, "\n  no header click sorted the query rows: %s", s ? s : "null");
		free(s);
	}
	CU_ASSERT_TRUE(sorted > 0);
}

/* The tick labels of page, as one string ("a|b|c|"). */
static char *
ticks_of(json_t *page)
{
	strbuf		sb;
	json_t	   *t;
	size_t		i;

	strbuf_init(&sb);
	json_array_foreach(json_object_get(page, "ticks"), i, t)
		strbuf_printf(&sb, "%s|", json_string_value(t));
	return strbuf_detach(&sb);
}

static void
test_charts_time_zones(void)
{
	page_run   *utc = utc_page();
	page_run   *tokyo = tokyo_page();
	json_t	   *t;
	size_t		i;
	char	   *a,
			   *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(utc->page);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tokyo->page);
	assert_clean(tokyo->page, "Asia/Tokyo");
	CU_ASSERT_TRUE(jint(utc->page, "charts") >= 1);
	CU_ASSERT_TRUE(json_array_size(json_object_get(utc->page, "ticks")) >= 1);
	json_array_foreach(json_object_get(utc->page, "ticks"), i, t)
		CU_ASSERT_TRUE(json_string_length(t) > 0);
	a = ticks_of(utc->page);
	b = ticks_of(tokyo->page);
	if (strcmp(a, b) != 0)
		fprintf(stderr, "\n  tick labels under UTC:        %s\n  tick labels under Asia/Tokyo: %s", a, b);
	CU_ASSERT_STRING_EQUAL(a, b);
	free(a);
	free(b);
}

/*
 * A csvlog (every field quoted, so any text fits) whose user, application
 * and statements carry markup, over twelve short sessions: each pages
 * deep with OFFSET (a large-offset finding that quotes the statement) and
 * fails once on a relation named like the user.
 */
#define HOSTILE_HEAD "2026-11-22 06:05:%02d.%d00 UTC,\"%s\",\"shop\",%d,\"127.0.0.1:%d\",6b0284ae.%x,%d,"

static const char *
write_hostile_log(void)
{
	strbuf		log,
				user,
				app,
				stmt;

	strbuf_init(&log);
	strbuf_init(&user);
	strbuf_init(&app);
	strbuf_init(&stmt);
	/* CSV doubles a quote; so does SQL inside a quoted identifier */
	strbuf_puts(&user, "</script><img src=x onerror=window.__pwned=1>");
	strbuf_puts(&app, "\"\"'><svg onload=window.__pwned=1>");
	strbuf_printf(&stmt, "SELECT * FROM orders AS \"\"%s\"\" WHERE \"\"\"\"\"\"%s\"\" = 1 ORDER BY id LIMIT 10 OFFSET",
				  user.data, app.data + 2);
	for (int i = 1; i <= 12; i++)
	{
		strbuf_printf(&log, HOSTILE_HEAD, i, 1, user.data, 20000 + i, 50000 + i, i, 1);
		strbuf_printf(&log, "\"authentication\",2026-11-22 06:05:%02d UTC,3/%d,0,LOG,00000,"
					  "\"connection authorized: user=%s database=shop application_name=%s\",,,,,,,,,\"%s\","
					  "\"client backend\",,0\n", i, i, user.data, app.data, app.data);
		strbuf_printf(&log, HOSTILE_HEAD, i, 2, user.data, 20000 + i, 50000 + i, i, 2);
		strbuf_printf(&log, "\"SELECT\",2026-11-22 06:05:%02d UTC,3/%d,0,LOG,00000,"
					  "\"duration: %d.5 ms  statement: %s %d\",,,,,,,,,\"%s\",\"client backend\",,0\n",
					  i, i, 100 + 10 * i, stmt.data, 50000 + i, app.data);
		strbuf_printf(&log, HOSTILE_HEAD, i, 3, user.data, 20000 + i, 50000 + i, i, 3);
		strbuf_printf(&log, "\"SELECT\",2026-11-22 06:05:%02d UTC,3/%d,0,ERROR,42P01,"
					  "\"relation \"\"%s\"\" does not exist\",,,,,,\"SELECT 1 FROM \"\"%s\"\"\",,,\"%s\","
					  "\"client backend\",,0\n", i, i, user.data, user.data, app.data);
		strbuf_printf(&log, HOSTILE_HEAD, i, 9, user.data, 20000 + i, 50000 + i, i, 4);
		strbuf_printf(&log, "\"idle\",2026-11-22 06:05:%02d UTC,,0,LOG,00000,"
					  "\"disconnection: session time: 0:00:00.800 user=%s database=shop host=127.0.0.1 "
					  "port=%d\",,,,,,,,,\"%s\",\"client backend\",,0\n", i, user.data, 50000 + i, app.data);
	}
	const char *path = test_write_file("browser-hostile.csv", log.data);

	strbuf_free(&log);
	strbuf_free(&user);
	strbuf_free(&app);
	strbuf_free(&stmt);
	return path;
}

static void
test_hostile_log(void)
{
	static const char *const texts[] = {HOSTILE_USER, HOSTILE_APP, NULL};
	char		log[4096];
	page_run   *r;
	char	   *findings;

	snprintf(log, sizeof(log), "%s", write_hostile_log());
	r = run_page(&hostile_run, log, "UTC", "hostile", NULL, texts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->report);
	/* the log is read as meant: its markup reaches the statement and a finding */
	CU_ASSERT_EQUAL(jint(r->report, "summary.statements"), 12);
	findings = json_dumps(json_object_get(r->report, "findings"), JSON_COMPACT);
	CU_ASSERT_PTR_NOT_NULL(findings && strstr(findings, HOSTILE_USER));
	CU_ASSERT_PTR_NOT_NULL(findings && strstr(findings, HOSTILE_APP));
	free(findings);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->page);
	assert_clean(r->page, "UTC");
	assert_findings(r->page, r->report);
	/* shown as text, not dropped */
	for (const char *const *t = texts; *t; t++)
	{
		json_int_t	n = json_integer_value(json_object_get(json_object_get(r->page, "texts"), *t));

		if (n < 1)
			fprintf(stderr, "\n  %s: not in the page's text", *t);
		CU_ASSERT_TRUE(n >= 1);
	}
}

/* The big-endian 32-bit number at p. */
static unsigned long
be32(const unsigned char *p)
{
	return (unsigned long) p[0] << 24 | (unsigned long) p[1] << 16 | (unsigned long) p[2] << 8 | p[3];
}

static void
test_screenshot(void)
{
	json_t	   *page = utc_page()->page;
	struct stat st;
	unsigned char head[24] = {0};
	json_int_t	height;
	FILE	   *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	ASSERT_STR(jstr(page, "screenshot.path"), SCREENSHOT);
	/* the whole page, not the first screen: the report is longer than one */
	height = jint(page, "screenshot.document_height");
	CU_ASSERT_TRUE(height > jint(page, "screenshot.viewport_height"));
	CU_ASSERT_EQUAL(jint(page, "screenshot.height"), height < 16384 ? height : 16384);
	CU_ASSERT_EQUAL(jint(page, "screenshot.width"), 1280);
	CU_ASSERT_EQUAL_FATAL(stat(SCREENSHOT, &st), 0);
	/* a page of text and charts, not a blank image */
	CU_ASSERT_TRUE(st.st_size > 20000);
	f = fopen(SCREENSHOT, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	/* a PNG whose header (IHDR) gives the size the browser reported */
	CU_ASSERT_EQUAL(memcmp(head, "\x89PNG\r\n\x1a\n", 8), 0);
	CU_ASSERT_EQUAL(memcmp(head + 12, "IHDR", 4), 0);
	CU_ASSERT_EQUAL(be32(head + 16), (unsigned long) jint(page, "screenshot.width"));
	CU_ASSERT_EQUAL(be32(head + 20), (unsigned long) jint(page, "screenshot.height"));
}

static int
browser_cleanup(void)
{
	page_run   *runs[] = {&utc_run, &tokyo_run, &hostile_run};

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
	{
		json_decref(runs[i]->page);
		json_decref(runs[i]->report);
		memset(runs[i], 0, sizeof(*runs[i]));
	}
	return 0;
}

PGSIFT_TEST_SUITE(add_report_browser_suite)
{
	const char *mode = getenv("PGSIFT_BROWSER_TEST");
	CU_pSuite	s;
	CU_pTest	tests[8];
	int			n = 0;

	if (mode && strcmp(mode, "off") == 0)
		return;
	s = CU_add_suite("report/browser", NULL, browser_cleanup);
	tests[n++] = CU_add_test(s, "no console error, CSP violation or request, offline", test_loads_clean);
	tests[n++] = CU_add_test(s, "a CSP of default-src 'none' and hashed script and style", test_csp_meta);
	tests[n++] = CU_add_test(s, "the sections the log has, in order, and the table of contents", test_sections);
	tests[n++] = CU_add_test(s, "one article per finding of the JSON report", test_findings);
	tests[n++] = CU_add_test(s, "query rows by fingerprint; a header click sorts them", test_queries_sort);
	tests[n++] = CU_add_test(s, "chart labels identical under UTC and Asia/Tokyo", test_charts_time_zones);
	tests[n++] = CU_add_test(s, "a hostile log's markup shows as text and never runs", test_hostile_log);
	tests[n++] = CU_add_test(s, "a full-page screenshot in build/html-report.png", test_screenshot);
	if (mode && strcmp(mode, "skip") == 0)
		for (int i = 0; i < n; i++)
			test_skip_test(tests[i], "PGSIFT_BROWSER_TEST=skip");
}
