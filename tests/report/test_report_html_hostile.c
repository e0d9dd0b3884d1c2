/*-------------------------------------------------------------------------
 * test_report_html_hostile.c
 *    The HTML report on a log written to attack it: statements, users,
 *    databases, application names, error messages, a plan and a file name
 *    carrying markup that would end the data block ("</script>"), open
 *    elements and handlers ("<img src=x onerror=...>", "\"'><svg onload=...>"),
 *    end a comment ("-->"), end a JavaScript line (U+2028), control
 *    characters and invalid UTF-8.
 *
 * The log is csvlog, as PostgreSQL 15 writes it (26 columns, fields
 * quoted), so every name can hold anything a client can send; a finding
 * built by hand carries the same text in every field a finding has.  The
 * page is then read as a browser would tokenize it: outside the one style
 * sheet, the one script and the data block, every tag must be one pgsift
 * writes with no event-handler attribute; the text that names "onerror="
 * is there, escaped, as text.
 *-------------------------------------------------------------------------
 */
#include "src/report/html_assets.h"
#include "src/report/html_escape.h"
#include "tests/report/html_testing.h"
#include "tests/report/report_testing.h"
#include "tests/test_registry.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define H_SCRIPT	"</script><img src=x onerror=alert(1)>"
#define H_ATTR		"\"'><svg onload=alert(1)>"
#define H_COMMENT	"-->"
#define H_LS		"\xE2\x80\xA8"
#define H_CTRL		"\x01\x1B[2J"
#define H_BAD		"\xFF\xC0\xAF"
#define HOSTILE		H_SCRIPT H_ATTR H_COMMENT H_LS H_CTRL H_BAD

#define TS			"2026-11-22 05:59:1"	/* + a digit and ".123 UTC" */

/* s as one quoted csvlog field, quotes doubled. */
static void
csv_field(strbuf *out, const char *s)
{
	strbuf_putc(out, '"');
	for (; *s; s++)
	{
		if (*s == '"')
			strbuf_putc(out, '"');
		strbuf_putc(out, *s);
	}
	strbuf_putc(out, '"');
}

/* One csvlog record at second sec: severity, SQLSTATE, message, and the query field. */
static void
csv_record(strbuf *out, int sec, const char *severity, const char *sqlstate, const char *message,
		   const char *query)
{
	strbuf_printf(out, TS "%d.123 UTC,", sec);
	csv_field(out, HOSTILE);	/* user */
	strbuf_putc(out, ',');
	csv_field(out, HOSTILE);	/* database */
	strbuf_printf(out, ",4242,\"127.0.0.1:5000\",6b0284ae.1092,%d,\"SELECT\"," TS "0 UTC,3/1,0,%s,%s,",
				  sec, severity, sqlstate);
	csv_field(out, message);
	strbuf_puts(out, ",,,,,,");
	if (query)
		csv_field(out, query);
	strbuf_puts(out, ",,,");
	csv_field(out, HOSTILE);	/* application_name */
	strbuf_puts(out, ",\"client backend\",,0\n");
}

/* The statement: hostile identifiers stay in its normalized text, the literal in its samples. */
#define STATEMENT	"SELECT \"" H_SCRIPT "\" AS x FROM \"" H_COMMENT "\" WHERE note = '" \
	H_ATTR H_LS H_CTRL H_BAD "'"

/* An auto_explain plan of the statement, its names hostile (JSON-escaped by hand). */
#define PLAN_JSON	"{\"Query Text\": \"SELECT \\\"</script><img src=x onerror=alert(1)>\\\" AS x FROM \\\"-->\\\" " \
	"WHERE note = 'x'\", \"Plan\": {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"<img src=x onerror=alert(1)>\", " \
	"\"Alias\": \"\\\"'><svg onload=alert(1)>\", \"Filter\": \"(note = '-->')\", \"Startup Cost\": 0.0, " \
	"\"Total Cost\": 1.5, \"Plan Rows\": 1, \"Plan Width\": 4, \"Actual Startup Time\": 0.010, " \
	"\"Actual Total Time\": 2.500, \"Actual Rows\": 3, \"Actual Loops\": 1}}"

static const char *
hostile_log(void)
{
	strbuf		sb;
	const char *path;

	strbuf_init(&sb);
	for (int i = 0; i < 4; i++)
	{
		char		msg[1024];

		snprintf(msg, sizeof(msg), "duration: %d.250 ms  statement: %s", 10 + i, STATEMENT);
		csv_record(&sb, i, "LOG", "00000", msg, NULL);
	}
	csv_record(&sb, 5, "ERROR", "42P01", "relation \"" HOSTILE "\" does not exist", STATEMENT);
	csv_record(&sb, 6, "LOG", "00000", "duration: 3.000 ms  plan:\n" PLAN_JSON, NULL);
	path = test_write_file("hostile-\"'><b>.csv", sb.data);
	strbuf_free(&sb);
	return path;
}

/* A finding carrying the hostile text in every field it has. */
static finding *
hostile_finding(void)
{
	finding    *f = report_test_finding("missing-index", 5000, HOSTILE, "CREATE INDEX ON t (\"" H_SCRIPT "\");");

	finding_set_detail(f, "%s", HOSTILE);
	finding_set_hint(f, "%s", HOSTILE);
	finding_set_query(f, STATEMENT);
	finding_add_table(f, "public.\"" H_ATTR "\"");
	finding_add_metric(f, HOSTILE, 3, 1, HOSTILE);
	finding_add_related(f, HOSTILE);
	f->fingerprints = realloc(f->fingerprints, sizeof(char *));
	f->fingerprints[f->nfingerprints++] = strdup(H_SCRIPT);
	f->measurement.method = MEASURE_MEASURED;
	f->measurement.before_ms = 4;
	f->measurement.after_ms = 1;
	f->measurement.before_plan = strdup("[{\"Plan\": " "{\"Node Type\": \"Seq Scan\", \"Relation Name\": \"<img src=x onerror=alert(1)>\"}}]");
	f->measurement.after_plan = strdup(HOSTILE);
	return f;
}

static int
valid_utf8_without_controls(const char *s)
{
	size_t		len = strlen(s);

	for (size_t i = 0; i < len;)
	{
		unsigned	c;
		size_t		n = html_utf8_char(s + i, len - i, &c);

		if (n == 0 || (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c <= 0x9F))
		{
			fprintf(stderr, "\nbad byte at %zu: \"%.40s\"\n", i, s + i);
			return 0;
		}
		i += n;
	}
	return 1;
}

/* The elements pgsift writes. */
static int
known_element(const char *name)
{
	static const char *const names[] = {
		"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "div", "nav", "main", "section",
		"article", "figure", "figcaption", "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "dl", "dt", "dd",
		"a", "span", "code", "pre", "strong", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
		"details", "summary", "input", "button", "script", "svg", "title", "text", "line", "rect", "path",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/*
 * Read html's tags as a tokenizer would, the style sheet's and the
 * scripts' contents skipped: each must be a known element without an
 * on... attribute.  Returns the number of tags.
 */
static int
check_tags(const char *html)
{
	int			tags = 0;

	for (const char *p = strchr(html, '<'); p; p = strchr(p, '<'))
	{
		const char *end = strchr(p, '>');
		int			closing = p[1] == '/';
		const char *q = p + 1 + closing;
		char		name[32];
		size_t		n = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		while (n < sizeof(name) - 1 && q < end && !isspace((unsigned char) *q) && *q != '/')
			name[n++] = *q++;
		name[n] = '\0';
		if (!known_element(name))
			fprintf(stderr, "\nunknown element <%s> in \"%.60s\"\n", name, p);
		CU_ASSERT_TRUE(known_element(name));
		for (const char *a = p; a < end; a++)
		{
			/* an attribute on...= is an event handler; inside a quoted value it is text */
			if (isspace((unsigned char) a[0]) && tolower((unsigned char) a[1]) == 'o' &&
				tolower((unsigned char) a[2]) == 'n' && isalpha((unsigned char) a[3]))
			{
				const char *eq = a + 3;
				int			quotes = 0;

				while (isalpha((unsigned char) *eq))
					eq++;
				for (const char *b = p; b < a; b++)
					quotes += *b == '"';
				CU_ASSERT_FALSE(*eq == '=' && quotes % 2 == 0);
			}
		}
		tags++;
		p = end + 1;
		if (!closing && (strcmp(name, "style") == 0 || strcmp(name, "script") == 0))
		{
			/* raw text up to its end tag */
			p = strstr(p, strcmp(name, "style") == 0 ? "</style>" : "</script>");
			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		}
	}
	return tags;
}

static void
test_hostile_page(void)
{
	html_run	r;
	char	   *html,
			   *data,
			   *js;
	json_t	   *j;

	html_run_open(&r, hostile_log());
	finding_list_add(&r.findings, hostile_finding());
	html = html_run_render(&r);

	CU_ASSERT_TRUE(valid_utf8_without_controls(html));
	CU_ASSERT_PTR_NULL(strstr(html, "<img"));
	CU_ASSERT_PTR_NULL(strstr(html, "<svg onload"));
	CU_ASSERT_PTR_NULL(strstr(html, "<b>"));
	CU_ASSERT_PTR_NULL(strstr(html, "<!--"));
	CU_ASSERT_PTR_NULL(strstr(html, "style="));
	CU_ASSERT(check_tags(html) > 100);
	/* the text is there, as text: it was escaped, not dropped */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&gt;&lt;svg onload=alert(1)&gt;--&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "hostile-&quot;&#39;&gt;&lt;b&gt;.csv"));
	CU_ASSERT(html_test_count(html, "&lt;img src=x onerror=alert(1)&gt;") >= 10);
	/* the plan tree's relation and alias */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<span class=\"rel\">&lt;img src=x onerror=alert(1)&gt;</span> &quot;&#39;&gt;&lt;svg"));

	/* one style sheet and one script, the fixed ones; the data block parses, without <, >, & or U+2028 */
	CU_ASSERT_EQUAL(html_test_count(html, "<style>"), 1);
	CU_ASSERT_EQUAL(html_test_count(html, "<script"), 2);
	data = html_test_between(html, "<script type=\"application/json\" id=\"report-data\">", "</script>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_PTR_NULL(strpbrk(data, "<>&"));
	CU_ASSERT_PTR_NULL(strstr(data, H_LS));
	CU_ASSERT_PTR_NULL(strstr(data, "\xE2\x80\xA9"));
	j = json_loads(data, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(json_array_get(json_object_get(j, "findings"), 0), "title")),
								  H_SCRIPT H_ATTR H_COMMENT H_LS));
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(json_array_get(json_object_get(j, "queries"), 0), "query")),
								  H_SCRIPT));
	js = html_test_between(strstr(html, "id=\"report-data\""), "<script>", "</script>");
	CU_ASSERT_PTR_NOT_NULL(js);
	CU_ASSERT_STRING_EQUAL(js ? js : "", html_assets_js());
	json_decref(j);
	free(js);
	free(data);
	free(html);
	html_run_close(&r);
}

PGSIFT_TEST_SUITE(report_html_hostile_suite)
{
	CU_pSuite	s = CU_add_suite("report/report_html_hostile", NULL, NULL);

	CU_add_test(s, "a log written to attack the page", test_hostile_page);
}
