/*-------------------------------------------------------------------------
 * test_report_markdown.c
 *    The Markdown report: its sections, and that log text cannot escape
 *    from a table cell or a code block, or inject HTML.
 *
 * The hostile text is what a client could send as its query: pipes,
 * backtick runs longer than a fence, <script>, newlines.  The output is
 * read line by line the way a CommonMark renderer would split it.
 *-------------------------------------------------------------------------
 */
#include "tests/report/report_testing.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>

#define HOSTILE "SELECT '|' || \"x`y\" FROM t -- ```` ``` <script>alert(1)</script>\nWHERE a = 1 & b > 2"

typedef struct md_fixture
{
	workload   *w;
	finding_list l;
	report_input in;
	char	   *text;
} md_fixture;

static void
md_build(md_fixture *x)
{
	finding    *f = report_test_finding("missing-index", 1000, HOSTILE, "CREATE INDEX CONCURRENTLY ON t (a); -- ``` <b>");
	query_stats *q;

	memset(x, 0, sizeof(*x));
	x->w = report_test_workload();
	q = workload_query_for(x->w, 0x1234, HOSTILE, 1);
	q->calls = 1;
	q->total_ms = 1e12;			/* the top query */
	finding_set_detail(f, "%s", HOSTILE);
	finding_set_hint(f, "| hint <img src=x onerror=alert(1)>");
	finding_set_query(f, HOSTILE);
	finding_add_table(f, "public.\"t|<i>\"");
	finding_add_metric(f, "a|b<i>\n", 3, 1, "x|y");
	f->measurement.method = MEASURE_MEASURED;
	f->measurement.before_ms = 4;
	f->measurement.after_ms = 1;
	finding_list_add(&x->l, f);
	finding_list_add(&x->l, report_test_finding("n-plus-one", 10, "many <small> queries", NULL));
	findings_rank(&x->l);
	x->in = (report_input) {.model = x->w, .findings = &x->l, .top = 3};
	x->text = report_test_render(REPORT_MARKDOWN, &x->in);
}

static void
md_free(md_fixture *x)
{
	free(x->text);
	finding_list_free(&x->l);
	workload_destroy(x->w);
}

/* Backticks at the start of line (the fence length), 0 if it opens no fence. */
static size_t
fence_length(const char *line)
{
	size_t		n = strspn(line, "`");

	return n >= 3 ? n : 0;
}

static size_t
longest_run(const char *s)
{
	size_t		run = 0,
				longest = 0;

	for (; *s; s++)
		if ((run = *s == '`' ? run + 1 : 0) > longest)
			longest = run;
	return longest;
}

/* Pipes that delimit cells: those not escaped by a backslash. */
static int
cell_pipes(const char *line, size_t len)
{
	int			n = 0;

	for (size_t i = 0; i < len; i++)
	{
		if (line[i] == '\\')
			i++;
		else if (line[i] == '|')
			n++;
	}
	return n;
}

/*
 * Walk the lines: inside fences, collect the blocks' text; outside, check
 * that no '<' is left and that every row of a table has its header's
 * number of cells.  Returns the number of fenced blocks that hold HOSTILE.
 */
static int
check_lines(const char *text)
{
	size_t		fence = 0;
	int			header_pipes = -1;
	int			hostile_blocks = 0;
	strbuf		block;

	strbuf_init(&block);
	for (const char *p = text; *p;)
	{
		const char *nl = strchr(p, '\n');
		size_t		len = nl ? (size_t) (nl - p) : strlen(p);
		size_t		f = fence_length(p);

		if (fence && f == len && f >= fence)
		{
			/* the closing fence: longer than any backtick run inside */
			CU_ASSERT(longest_run(block.data) < fence);
			if (strstr(block.data, HOSTILE))
				hostile_blocks++;
			fence = 0;
		}
		else if (fence)
		{
			strbuf_append(&block, p, len);
			strbuf_putc(&block, '\n');
		}
		else if (f)
		{
			fence = f;
			strbuf_reset(&block);
		}
		else
		{
			CU_ASSERT(memchr(p, '<', len) == NULL);
			if (len > 0 && p[0] == '|')
			{
				if (header_pipes < 0)
					header_pipes = cell_pipes(p, len);
				CU_ASSERT_EQUAL(cell_pipes(p, len), header_pipes);
			}
			else
				header_pipes = -1;
		}
		p = nl ? nl + 1 : p + len;
	}
	CU_ASSERT_EQUAL(fence, 0);	/* every block closed */
	strbuf_free(&block);
	return hostile_blocks;
}

static void
test_hostile_text(void)
{
	md_fixture	x;

	md_build(&x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x.text);
	/* the query in its own block; the fence beats the 4-backtick run */
	CU_ASSERT_EQUAL(check_lines(x.text), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.text, "\n`````sql\n" HOSTILE "\n`````\n"));
	/* escaped in prose and cells: entities, backslashes, one line */
	CU_ASSERT_PTR_NOT_NULL(strstr(x.text, "&lt;script&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.text, "&lt;img src=x onerror=alert\\(1\\)&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.text, "SELECT '\\|' \\|\\| \"x\\`y\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.text, "&lt;/script&gt; WHERE a = 1 &amp; b &gt; 2"));
	/* the heading holds the whole title on one line */
	const char *h = strstr(x.text, "### 1\\. [medium] SELECT");

	CU_ASSERT_PTR_NOT_NULL(h);
	CU_ASSERT(h && strchr(h, '\n') > strstr(h, "WHERE a = 1"));
	/* the fix's SQL in a fence longer than its ``` */
	CU_ASSERT_PTR_NOT_NULL(strstr(x.text, "````sql\nCREATE INDEX CONCURRENTLY ON t (a); -- ``` <b>\n````\n"));
	md_free(&x);
}

static void
test_sections(void)
{
	md_fixture	x;
	const char *sections[] = {"# pgsift report\n", "## Executive summary\n", "| finding | metric | before | after | Δ |",
		"## Bottlenecks (2, by time saved)\n", "## Recommendations\n", "### Immediate\n", "### Next\n",
	"### Long term\n", "## Top queries (3 of "};
	const char *prev;

	md_build(&x);
	prev = x.text;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
	{
		const char *at = strstr(prev, sections[i]);

		CU_ASSERT_PTR_NOT_NULL(at);
		if (at)
			prev = at;
	}
	/* the measured fix: 4 -> 1 ms; its rule's metric 3 -> 1 */
	CU_ASSERT_PTR_NOT_NULL(strstr(x.text, "**measured:** 4.000 ms → 1.000 ms"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.text, "| 3 x\\|y | 1 x\\|y | \\-66\\.7% |"));
	/* the N+1 is an application change */
	const char *next = strstr(x.text, "### Next\n");

	CU_ASSERT(next && strstr(next, "`n-plus-one`: many &lt;small&gt; queries") != NULL);
	md_free(&x);
}

/* pgsift analyze --format markdown on a fixture prints every section. */
static void
test_cli_markdown(void)
{
	char		args[4096];
	char	   *out = NULL;
	const char *sections[] = {"# pgsift report", "## Executive summary", "## Bottlenecks", "## Recommendations",
	"### Immediate", "### Next", "### Long term", "## Top queries"};

	snprintf(args, sizeof(args), "analyze --format markdown '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(out, sections[i]));
	CU_ASSERT_PTR_NULL(strstr(out, "<script"));
	free(out);
}

PGSIFT_TEST_SUITE(report_markdown_suite)
{
	CU_pSuite	s = CU_add_suite("report_markdown", NULL, NULL);

	CU_add_test(s, "hostile text", test_hostile_text);
	CU_add_test(s, "sections", test_sections);
	CU_add_test(s, "cli markdown", test_cli_markdown);
}
