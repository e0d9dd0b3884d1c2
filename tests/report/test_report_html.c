/*-------------------------------------------------------------------------
 * test_report_html.c
 *    The HTML report (src/report/report_html*.c): the golden page of a
 *    fixture, its sections and anchors, its Content-Security-Policy
 *    hashes recomputed with openssl(1), the weight of its fixed assets,
 *    its labels in the log's zone, the size bound, and the command line.
 *
 * The golden page is fixtures/workload.log read from the source tree
 * with a fixed clock and version (html_testing.h); `make golden` writes
 * it again (PGSIFT_UPDATE_GOLDEN=1), for a change that is meant.  Other
 * expectations come from the fixture's lines or from the JSON report of
 * the same input, not from the HTML writer.
 *-------------------------------------------------------------------------
 */
#include "src/report/html_assets.h"
#include "tests/pg_testing.h"
#include "tests/report/html_testing.h"
#include "tests/test_registry.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN PGSIFT_SOURCE_DIR "/tests/report/golden/workload.html"

static char *
render(const char *path)
{
	html_run	r;
	char	   *html;

	html_run_open(&r, path);
	html = html_run_render(&r);
	html_run_close(&r);
	return html;
}

static void
test_golden(void)
{
	char	   *html = render("fixtures/workload.log");
	char	   *again = render("fixtures/workload.log");
	char	   *golden;

	/* the same log twice: the same bytes */
	CU_ASSERT_STRING_EQUAL(html, again);
	if (getenv("PGSIFT_UPDATE_GOLDEN"))
	{
		FILE	   *f = fopen(GOLDEN, "wb");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs(html, f);
		fclose(f);
		fprintf(stderr, "\nwrote %s\n", GOLDEN);
	}
	golden = test_read_file(GOLDEN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(golden);
	if (strcmp(html, golden) != 0)
	{
		size_t		i = 0;

		while (html[i] && html[i] == golden[i])
			i++;
		fprintf(stderr, "\n%s differs at byte %zu: \"%.80s\" (golden: \"%.80s\"); `make golden` writes it again\n",
				GOLDEN, i, html + i, golden + i);
	}
	CU_ASSERT_STRING_EQUAL(html, golden);
	free(golden);
	free(again);
	free(html);
}

/* Every href="#x" of html names an id="x" of the page; returns how many links there are. */
static int
check_anchors(const char *html)
{
	int			links = 0;

	for (const char *p = html; (p = strstr(p, "href=\"#")) != NULL; p++)
	{
		const char *end = strchr(p + 7, '"');
		char		id[256];

		CU_ASSERT_FATAL(end != NULL && end - p - 7 < 200);
		snprintf(id, sizeof(id), "id=\"%.*s\"", (int) (end - p - 7), p + 7);
		if (strstr(html, id) == NULL)
			fprintf(stderr, "\nlink to a missing anchor: %s\n", id);
		CU_ASSERT_PTR_NOT_NULL(strstr(html, id));
		links++;
	}
	return links;
}

static void
test_sections(void)
{
	static const char *const present[] = {
		"header", "summary", "findings", "figures", "over-time", "latency", "queries", "sessions",
		"errors", "locks", "temp-files", "checkpoints", "appendix"
	};
	html_run	r;
	char	   *html,
			   *toc,
			   *json_text;
	json_t	   *json;
	const char *last = NULL;

	html_run_open(&r, "fixtures/workload.log");
	html = html_run_render(&r);
	json = report_build_json(&r.in);
	/* in this order, each once, each in the table of contents */
	toc = html_test_between(html, "<nav id=\"toc\"", "</nav>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(toc);
	for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++)
	{
		char		open[64],
					link[64];
		const char *at;

		snprintf(open, sizeof(open), "<section id=\"%s\">", present[i]);
		snprintf(link, sizeof(link), "href=\"#%s\"", present[i]);
		at = strstr(html, open);
		CU_ASSERT_PTR_NOT_NULL(at);
		CU_ASSERT_EQUAL(html_test_count(html, open), 1);
		CU_ASSERT(at == NULL || last == NULL || at > last);
		last = at ? at : last;
		CU_ASSERT_PTR_NOT_NULL(strstr(toc, link));
	}
	/* the fixture has no autovacuum (autovacuum=off) and no pgBouncer log: no such sections, no link */
	CU_ASSERT_PTR_NULL(strstr(html, "<section id=\"autovacuum\">"));
	CU_ASSERT_PTR_NULL(strstr(html, "<section id=\"pooler\">"));
	CU_ASSERT_PTR_NULL(strstr(toc, "#pooler"));
	/* as many findings as the JSON report of the same input, in its order */
	CU_ASSERT_EQUAL((size_t) html_test_count(html, "<article class=\"finding "), json_array_size(json_object_get(json, "findings")));
	for (size_t i = 0; i < json_array_size(json_object_get(json, "findings")); i++)
	{
		char		id[128];

		snprintf(id, sizeof(id), "id=\"f-%s\"",
				 json_string_value(json_object_get(json_array_get(json_object_get(json, "findings"), i), "id")));
		CU_ASSERT_PTR_NOT_NULL(strstr(html, id));
	}
	/* a row per fingerprint (39 in this log, all under --top 50), no rest row */
	CU_ASSERT_EQUAL((size_t) html_test_count(html, "<tr id=\"q-"), json_array_size(json_object_get(json, "queries")));
	CU_ASSERT_PTR_NULL(strstr(html, "class=\"rest\""));
	CU_ASSERT(check_anchors(html) > 3);
	/* charts with axis labels, in the log's zone (UTC: the fixture's server logs in UTC) */
	CU_ASSERT(html_test_count(html, "<svg class=\"chart\"") >= 4);
	CU_ASSERT(html_test_count(html, "<text class=\"tick\"") > 10);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "Times are in <span class=\"zone\">UTC</span>, the log's zone"));
	/* the data block says what the page shows */
	json_text = html_test_between(html, "<script type=\"application/json\" id=\"report-data\">", "</script>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(json_text);
	{
		json_t	   *data = json_loads(json_text, 0, NULL);

		CU_ASSERT_PTR_NOT_NULL(data);
		CU_ASSERT_EQUAL(json_array_size(json_object_get(data, "findings")),
						json_array_size(json_object_get(json, "findings")));
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(data, "utc_offset_minutes")), 0);
		json_decref(data);
	}
	free(json_text);
	free(toc);
	json_decref(json);
	free(html);
	html_run_close(&r);
}

/* The base64 SHA-256 of text as openssl(1) computes it, "sha256-" first (malloc'd). */
static char *
openssl_hash(const char *name, const char *text)
{
	const char *path = test_write_file(name, text);
	char		cmd[4300];
	char	   *out = NULL;
	char	   *h;

	snprintf(cmd, sizeof(cmd), "openssl dgst -sha256 -binary '%s' | base64 -w0", path);
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	h = malloc(strlen(out) + 8);
	snprintf(h, strlen(out) + 8, "sha256-%s", out);
	free(out);
	return h;
}

static void
test_csp(void)
{
	char	   *html = render("fixtures/workload.log");
	char	   *csp = html_test_between(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"", "\"");
	char	   *css = html_test_between(html, "<style>", "</style>");
	char	   *json_end = strstr(html, "<script type=\"application/json\"");
	char	   *js = json_end ? html_test_between(json_end + 1, "<script>", "</script>") : NULL;
	char	   *css_hash,
			   *js_hash;
	char		want[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(csp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(css);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	/* one style sheet, one script and the data block; nothing else may run or load */
	CU_ASSERT_EQUAL(html_test_count(html, "<style"), 1);
	CU_ASSERT_EQUAL(html_test_count(html, "<script"), 2);
	CU_ASSERT_PTR_NULL(strstr(html, "style="));
	CU_ASSERT_PTR_NULL(strstr(html, "src="));
	CU_ASSERT_PTR_NULL(strstr(html, "<link"));
	CU_ASSERT_PTR_NULL(strstr(html, "http://"));
	CU_ASSERT_PTR_NULL(strstr(html, "https://"));
	css_hash = openssl_hash("page.css", css);
	js_hash = openssl_hash("page.js", js);
	snprintf(want, sizeof(want), "default-src 'none'; style-src '%s'; script-src '%s';", css_hash, js_hash);
	if (strncmp(csp, want, strlen(want)) != 0)
		fprintf(stderr, "\nCSP \"%s\", want it to start with \"%s\"\n", csp, want);
	CU_ASSERT_EQUAL(strncmp(csp, want, strlen(want)), 0);
	CU_ASSERT_STRING_EQUAL(css, html_assets_css());
	CU_ASSERT_STRING_EQUAL(js, html_assets_js());
	CU_ASSERT_STRING_EQUAL(css_hash, html_assets_css_hash());
	CU_ASSERT_STRING_EQUAL(js_hash, html_assets_js_hash());
	free(css_hash);
	free(js_hash);
	free(js);
	free(css);
	free(csp);
	free(html);
}

static void
test_assets(void)
{
	size_t		css = strlen(html_assets_css()),
				js = strlen(html_assets_js());

	CU_ASSERT_EQUAL(html_assets_size(), css + js);
	CU_ASSERT(css + js <= HTML_ASSETS_MAX_BYTES);
	/* the controls are attached by the script, never by attributes */
	CU_ASSERT_PTR_NOT_NULL(strstr(html_assets_js(), "addEventListener('click'"));
	CU_ASSERT_PTR_NULL(strstr(html_assets_js(), ".style"));
	CU_ASSERT_PTR_NULL(strstr(html_assets_js(), "innerHTML"));
	CU_ASSERT_PTR_NULL(strstr(html_assets_js(), "Date"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html_assets_css(), "prefers-color-scheme:dark"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html_assets_css(), "@media print"));
}

/*
 * fixtures/workload.log with every line's time written in UTC+01:00
 * ("05:59:10.063 UTC" as "06:59:10.063 +01": the same instants): its path.
 */
static const char *
shifted_log(void)
{
	char	   *text = test_read_file(test_fixture("workload.log"));
	int			changed = 0,
				timed = 0;
	const char *path;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
	{
		timed += strncmp(line, "2026-", 5) == 0;
		if (strncmp(line, "2026-11-22 05:", 14) != 0 || strncmp(line + 23, " UTC ", 5) != 0)
			continue;
		line[12] = '6';
		memcpy(line + 23, " +01", 4);
		changed++;
	}
	/* every line with a time (the others continue a message) */
	CU_ASSERT(changed > 200);
	CU_ASSERT_EQUAL(changed, timed);
	path = test_write_file("workload-plus01.log", text);
	free(text);
	return path;
}

static void
test_zone(void)
{
	char	   *utc = render("fixtures/workload.log");
	char	   *plus = render(shifted_log());
	char	   *chart_utc = html_test_section(utc, "over-time");
	char	   *chart_plus = html_test_section(plus, "over-time");
	char	   *lat_utc = html_test_section(utc, "latency");
	char	   *lat_plus = html_test_section(plus, "latency");

	CU_ASSERT_PTR_NOT_NULL_FATAL(chart_utc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(chart_plus);
	/* the same instants, labelled in each log's own zone */
	CU_ASSERT_PTR_NOT_NULL(strstr(chart_utc, ">05:59</text>"));
	CU_ASSERT_PTR_NULL(strstr(chart_utc, ">06:59</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(chart_plus, ">06:59</text>"));
	CU_ASSERT_PTR_NULL(strstr(chart_plus, ">05:59</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(chart_plus, "time (UTC+01:00)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(plus, "Times are in <span class=\"zone\">UTC+01:00</span>, the log's zone"));
	CU_ASSERT_PTR_NOT_NULL(strstr(plus, "2026-11-22 06:59:10.063 to 2026-11-22 06:59:17.565"));
	CU_ASSERT_PTR_NOT_NULL(strstr(utc, "2026-11-22 05:59:10.063 to 2026-11-22 05:59:17.565"));
	/* the durations are the same */
	CU_ASSERT_STRING_EQUAL(lat_utc, lat_plus);
	free(lat_utc);
	free(lat_plus);
	free(chart_utc);
	free(chart_plus);
	free(utc);
	free(plus);
}

static size_t
render_size(html_run *r, size_t max, char **html)
{
	r->in.html_max_bytes = max;
	*html = html_run_render(r);
	return strlen(*html);
}

static void
test_size_bound(void)
{
	html_run	r;
	char	   *full,
			   *less,
			   *least,
			   *err;
	size_t		n;

	html_run_open(&r, "fixtures/workload.log");
	n = render_size(&r, 0, &full);
	CU_ASSERT_PTR_NOT_NULL(strstr(full, "Slowest executions"));
	CU_ASSERT_PTR_NOT_NULL(strstr(full, "<ul class=\"plan\">"));
	diag_quiet = 0;
	pg_test_capture_begin();
	render_size(&r, n - 1, &less);
	render_size(&r, 1024, &least);
	err = pg_test_capture_end();
	/* samples go first, then plans; the page stays whole and says so */
	CU_ASSERT(strlen(less) <= n - 1);
	CU_ASSERT_PTR_NULL(strstr(less, "Slowest executions"));
	CU_ASSERT_PTR_NOT_NULL(strstr(less, "<ul class=\"plan\">"));
	CU_ASSERT_PTR_NULL(strstr(least, "<ul class=\"plan\">"));
	CU_ASSERT_PTR_NULL(strstr(least, "Slowest executions"));
	CU_ASSERT_PTR_NOT_NULL(strstr(least, "leaves out the queries' samples and every plan"));
	CU_ASSERT_PTR_NOT_NULL(strstr(least, "</html>\n"));
	pg_test_assert_has(err, "warning: the HTML report leaves out the queries' samples\n", 1);
	pg_test_assert_has(err, "warning: the HTML report leaves out the queries' samples and the plans", 1);
	pg_test_assert_has(err, "over --html-max-bytes even so", 1);
	free(err);
	free(full);
	free(less);
	free(least);
	html_run_close(&r);
}

/* A live run's DSN is named in the header, its password never. */
static void
test_dsn(void)
{
	html_run	r;
	char	   *header;
	char	   *html;

	html_run_open(&r, "fixtures/workload.log");
	r.in.dsn = "postgresql://app:s3cr3t-pw@db.example:5433/shop?sslpassword=k3y-pw&application_name=x";
	html = html_run_render(&r);
	header = html_test_section(html, "header");
	CU_ASSERT_PTR_NOT_NULL_FATAL(header);
	CU_ASSERT_PTR_NOT_NULL(strstr(header, "<th>Database</th>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(header, "db.example:5433/shop"));
	CU_ASSERT_PTR_NULL(strstr(html, "s3cr3t-pw"));
	CU_ASSERT_PTR_NULL(strstr(html, "k3y-pw"));
	free(header);
	free(html);
	html_run_close(&r);
}

static void
test_cli(void)
{
	char		args[12288],
				store[4200];
	char	   *out = NULL,
			   *err = NULL,
			   *html,
			   *direct,
			   *stored;
	json_t	   *json = NULL;

	snprintf(args, sizeof(args), "analyze -q --format html '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, &html, NULL), 0);
	CU_ASSERT_EQUAL(strncmp(html, "<!DOCTYPE html>\n", 16), 0);
	snprintf(args, sizeof(args), "analyze -q --format json '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &json, NULL), 0);
	CU_ASSERT_EQUAL((size_t) html_test_count(html, "<article class=\"finding "),
					json_array_size(json_object_get(json, "findings")));
	json_decref(json);
	free(html);

	/* a store keeps the zone and the durations: its report is the direct one's */
	snprintf(store, sizeof(store), "%s/html-zone.db", test_tmpdir());
	remove(store);
	snprintf(args, sizeof(args), "analyze -q -j 2 --store '%s' --format html '%s'", store,
			 test_fixture("prefixes/21.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	snprintf(args, sizeof(args), "report -q --store '%s' --format html", store);
	CU_ASSERT_EQUAL(test_pgsift(args, &html, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<span class=\"zone\">UTC+01:00</span>"));
	direct = html_test_section(out, "latency");
	stored = html_test_section(html, "latency");
	CU_ASSERT_PTR_NOT_NULL(direct);
	CU_ASSERT_STRING_EQUAL(direct ? direct : "", stored ? stored : "-");
	free(direct);
	free(stored);
	free(out);
	free(html);

	/* bad values are refused with the names that work */
	CU_ASSERT_EQUAL(test_pgsift("analyze --format htm x.log", NULL, &err), 2);
	pg_test_assert_has(err, "Use text, json, markdown or html.", 1);
	free(err);
	CU_ASSERT_EQUAL(test_pgsift("analyze --format html --html-max-bytes 10 x.log", NULL, &err), 2);
	pg_test_assert_has(err, "invalid value \"10\" for --html-max-bytes", 1);
	free(err);
}

PGSIFT_TEST_SUITE(report_html_suite)
{
	CU_pSuite	s = CU_add_suite("report/report_html", NULL, NULL);

	CU_add_test(s, "golden page of fixtures/workload.log", test_golden);
	CU_add_test(s, "sections, anchors and findings", test_sections);
	CU_add_test(s, "Content-Security-Policy hashes", test_csp);
	CU_add_test(s, "fixed assets", test_assets);
	CU_add_test(s, "labels in the log's zone", test_zone);
	CU_add_test(s, "size bound", test_size_bound);
	CU_add_test(s, "the DSN without its password", test_dsn);
	CU_add_test(s, "command line", test_cli);
}
