/*-------------------------------------------------------------------------
 * prefix_testing.c
 *    Comparing two log_line_prefix readings line by line (prefix_testing.h).
 *-------------------------------------------------------------------------
 */
#include "tests/parsers/prefix_testing.h"
#include "parsers/prefix.h"
#include "tests/test_registry.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether two records read from one line hold the same prefix fields. */
static bool
same_fields(const log_record *a, const log_record *b)
{
	return a->ts_ms == b->ts_ms && a->session_start_ms == b->session_start_ms && a->pid == b->pid &&
		a->leader_pid == b->leader_pid && a->session_line == b->session_line && a->xid == b->xid &&
		a->query_id == b->query_id && a->severity == b->severity && strcmp(a->sqlstate, b->sqlstate) == 0 &&
		same_text(a->session_id, b->session_id) && same_text(a->user, b->user) &&
		same_text(a->dbname, b->dbname) && same_text(a->app, b->app) &&
		same_text(a->remote_host, b->remote_host) && same_text(a->remote_port, b->remote_port) &&
		same_text(a->backend_type, b->backend_type) && same_text(a->command_tag, b->command_tag) &&
		same_text(a->vxid, b->vxid);
}

int
prefix_test_different_readings(const char *setting, const char *learned, const char *const *lines,
							   const size_t *lens, int n, int unmatched_differs)
{
	log_prefix *want = prefix_compile(setting, NULL),
			   *got = prefix_compile(learned, NULL);
	strbuf		sw,
				sg;
	int			bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	strbuf_init(&sw);
	strbuf_init(&sg);
	for (int i = 0; i < n; i++)
	{
		log_record	rw,
					rg;
		size_t		mw = 0,
					mg = 0;
		int			pw,
					pg;

		log_record_clear(&rw);
		log_record_clear(&rg);
		strbuf_reset(&sw);
		strbuf_reset(&sg);
		pw = prefix_match(want, lines[i], lens[i], &rw, &sw, &mw);
		pg = prefix_match(got, lines[i], lens[i], &rg, &sg, &mg);
		if ((unmatched_differs && pw < 0) || pw != pg || mw != mg || (pw >= 0 && !same_fields(&rw, &rg)))
		{
			fprintf(stderr, "\n  '%s' and '%s' read differently: %s\n", setting, learned, lines[i]);
			bad++;
		}
	}
	strbuf_free(&sw);
	strbuf_free(&sg);
	prefix_free(want);
	prefix_free(got);
	return bad;
}
