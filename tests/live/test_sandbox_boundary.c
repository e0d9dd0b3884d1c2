/*-------------------------------------------------------------------------
 * test_sandbox_boundary.c
 *    Nothing sends a statement to a user's database but the sandbox.
 *
 * The sandbox (src/live/sandbox.c) is the only caller of pgc_query, and the
 * connection module (src/live/pg_conn.c) the only caller of libpq's functions
 * that send statements.  This test reads every source file of src/,
 * parsers/ and rules/ and fails, naming the file and line, when any other
 * file calls one of them: a new code path cannot reach the server
 * without the transaction, the limits and the side-effect screen.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A function that sends something, and the one file allowed to call it. */
typedef struct sender
{
	const char *name;			/* followed by '(' at a call */
	const char *allowed;		/* path relative to the source root */
} sender;

static const sender senders[] = {
	{"pgc_query", "src/live/sandbox.c"},
	{"PQexec", "src/live/pg_conn.c"},
	{"PQexecParams", "src/live/pg_conn.c"},
	{"PQexecPrepared", "src/live/pg_conn.c"},
	{"PQprepare", NULL},
	{"PQsendQuery", NULL},
	{"PQsendQueryParams", NULL},
	{"PQsendPrepare", NULL},
	{"PQsendQueryPrepared", NULL},
	{"PQputCopyData", NULL},
	{"PQfn", NULL},
	{"PQpipelineSync", NULL},
};

/* Whether line calls name: the name, not part of a longer one, then '('. */
static int
calls(const char *line, const char *name)
{
	size_t		n = strlen(name);

	for (const char *p = strstr(line, name); p; p = strstr(p + 1, name))
	{
		int			starts = p == line || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
										  (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9'));
		const char *q = p + n;

		while (*q == ' ' || *q == '\t')
			q++;
		if (starts && *q == '(')
			return 1;
	}
	return 0;
}

/* Check one file; returns the number of offending lines (printed). */
static int
check_file(const char *root, const char *rel)
{
	char		path[8192],
				line[8192];
	FILE	   *f;
	int			bad = 0,
				lineno = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f))
	{
		lineno++;
		for (size_t i = 0; i < sizeof(senders) / sizeof(senders[0]); i++)
		{
			const sender *s = &senders[i];
			int			own = s->allowed && strcmp(rel, s->allowed) == 0;
			/* a header may declare what its own .c defines */
			int			declared = strcmp(s->name, "pgc_query") == 0 && strcmp(rel, "src/live/pg_conn.h") == 0;

			if (!own && !declared && strcmp(rel, "src/live/pg_conn.c") != 0 && calls(line, s->name))
			{
				fprintf(stderr, "\n  %s:%d calls %s outside %s", rel, lineno, s->name,
						s->allowed ? s->allowed : "(nowhere)");
				bad++;
			}
			else if (strcmp(rel, "src/live/pg_conn.c") == 0 && s->allowed == NULL && calls(line, s->name))
			{
				fprintf(stderr, "\n  %s:%d calls %s", rel, lineno, s->name);
				bad++;
			}
		}
	}
	fclose(f);
	return bad;
}

/* Check every .c and .h under root/dir, recursively; files seen into *nfiles. */
static int
check_dir(const char *root, const char *dir, int *nfiles)
{
	char		path[8192];
	DIR		   *d;
	struct dirent *e;
	int			bad = 0;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	d = opendir(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL)
	{
		char		rel[2048];
		size_t		n = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			bad += check_dir(root, rel, nfiles);
		else if (n > 2 && e->d_name[n - 2] == '.' && (e->d_name[n - 1] == 'c' || e->d_name[n - 1] == 'h'))
		{
			bad += check_file(root, rel);
			(*nfiles)++;
		}
	}
	closedir(d);
	return bad;
}

static void
test_only_the_sandbox_sends(void)
{
	int			nfiles = 0;
	int			bad = check_dir(PGSIFT_SOURCE_DIR, "src", &nfiles) +
		check_dir(PGSIFT_SOURCE_DIR, "parsers", &nfiles) +
		check_dir(PGSIFT_SOURCE_DIR, "rules", &nfiles);

	CU_ASSERT_EQUAL(bad, 0);
	/* the walk saw the tree, not an empty directory */
	CU_ASSERT(nfiles > 100);
}

/* The checker itself: calls are found, longer names and mentions are not. */
static void
test_call_detection(void)
{
	CU_ASSERT_TRUE(calls("\tres = PQexec(conn, sql);", "PQexec"));
	CU_ASSERT_TRUE(calls("x = pgc_query (c, s, 0, NULL);", "pgc_query"));
	CU_ASSERT_FALSE(calls("res = PQexecParams(conn, ...);", "PQexec"));
	CU_ASSERT_FALSE(calls(" * Only the sandbox calls pgc_query: it owns", "pgc_query"));
	CU_ASSERT_FALSE(calls("my_pgc_query(c)", "pgc_query"));
}

PGSIFT_TEST_SUITE(add_sandbox_boundary_suite)
{
	CU_pSuite	s = CU_add_suite("sandbox boundary", NULL, NULL);

	CU_add_test(s, "the checker finds calls", test_call_detection);
	CU_add_test(s, "only the sandbox sends statements", test_only_the_sandbox_sends);
}
