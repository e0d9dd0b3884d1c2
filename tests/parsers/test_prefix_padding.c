/*-------------------------------------------------------------------------
 * test_prefix_padding.c
 *    Learning padded log_line_prefix fields (parsers/prefix_padding.c).
 *
 * Each case is a log_line_prefix with padding (%-10u, %5p, ...); its
 * lines are written here the way PostgreSQL's log_line_prefix() writes
 * them (values padded with "%*s", a value longer than its width written
 * whole, "[unknown]" before authentication, blanks of the field's width
 * for processes without a session, %q stopping them), for a server's
 * start, sessions of users, databases and applications of several
 * lengths, pids of 3 to 6 digits, and its shutdown.  The prefix learned
 * from those lines must read every line as the setting does (user,
 * database, application, pid, host, time, severity); where every width
 * shows in the lines it must be the setting itself.
 *-------------------------------------------------------------------------
 */
#include "parsers/prefix.h"
#include "tests/parsers/prefix_testing.h"
#include "tests/test_registry.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES	64

/* One line's values; host NULL for a process without a session (the postmaster). */
typedef struct line_values
{
	int			pid;
	const char *user,
			   *db,
			   *app,
			   *host;
	const char *msg;
} line_values;

/* "%*s" for a session's name ("" is "[unknown]"), blanks without a session. */
static void
write_name(strbuf *out, const char *name, int pad, bool session)
{
	if (session)
		strbuf_printf(out, "%*s", pad, name[0] ? name : "[unknown]");
	else
		strbuf_printf(out, "%*s", pad, "");
}

/* Line number i of a log with prefix, as PostgreSQL 15 writes it. */
static void
write_line(strbuf *out, const char *prefix, const line_values *v, int i)
{
	bool		session = v->host != NULL;

	for (const char *s = prefix; *s; s++)
	{
		int			pad = 0,
					sign = 1;

		if (*s != '%' || s[1] == '\0')
		{
			strbuf_putc(out, *s);
			continue;
		}
		s++;
		if (*s == '-')
			sign = -1, s++;
		while (*s >= '0' && *s <= '9')
			pad = pad * 10 + (*s++ - '0');
		pad *= sign;
		switch (*s)
		{
			case 'm':
				strbuf_printf(out, "2024-03-05 10:%02d:%02d.%03d UTC", i / 60, i % 60, i * 7 % 1000);
				break;
			case 't':
				strbuf_printf(out, "2024-03-05 10:%02d:%02d UTC", i / 60, i % 60);
				break;
			case 'p':
				strbuf_printf(out, "%*d", pad, v->pid);
				break;
			case 'u':
				write_name(out, v->user, pad, session);
				break;
			case 'd':
				write_name(out, v->db, pad, session);
				break;
			case 'a':
				write_name(out, v->app, pad, session);
				break;
			case 'h':
				strbuf_printf(out, "%*s", pad, session ? v->host : "");
				break;
			case 'q':
				if (!session)
					goto done;
				break;
			case '%':
				strbuf_putc(out, '%');
				break;
		}
	}
done:
	strbuf_printf(out, "LOG:  %s", v->msg);
}

/* A server's start, four sessions and its shutdown: lines[] point into store. */
static int
write_log(const char *prefix, strbuf *store, const char **lines, size_t *lens)
{
	static const struct
	{
		int			pid;
		const char *user,
				   *db,
				   *app,
				   *host;
	}			sessions[] = {
		{31337, "postgres", "postgres", "psql", "127.0.0.1"},
		{4242, "bob", "shop", "my-app.v2", "10.0.0.17"},
		{987, "a_very_long_user_name", "analytics_db", "app with space", "[local]"},
		{123456, "alice", "shop", "pgbench", "10.0.0.9"},
	};
	line_values v[MAX_LINES];
	size_t		offs[MAX_LINES];
	int			n = 0;

	v[n++] = (line_values) {31300, "", "", "", NULL, "starting PostgreSQL 15.18"};
	v[n++] = (line_values) {31302, "", "", "", NULL, "database system was shut down"};
	v[n++] = (line_values) {31300, "", "", "", NULL, "database system is ready to accept connections"};
	for (size_t k = 0; k < sizeof(sessions) / sizeof(sessions[0]); k++)
	{
		int			pid = sessions[k].pid;
		const char *u = sessions[k].user,
				   *d = sessions[k].db,
				   *a = sessions[k].app,
				   *h = sessions[k].host;

		v[n++] = (line_values) {pid, "", "", "", h, "connection received: host=10.0.0.1 port=5555"};
		v[n++] = (line_values) {pid, u, d, "", h, NULL};
		v[n++] = (line_values) {pid, u, d, a, h, "duration: 0.120 ms  statement: select 1"};
		v[n++] = (line_values) {pid, u, d, a, h, "duration: 1.500 ms  statement: select 2"};
		v[n++] = (line_values) {pid, u, d, a, h, NULL};
	}
	v[n++] = (line_values) {31300, "", "", "", NULL, "received fast shutdown request"};
	v[n++] = (line_values) {31301, "", "", "", NULL, "database system is shut down"};

	strbuf_reset(store);
	for (int i = 0; i < n; i++)
	{
		char		msg[256];
		line_values w = v[i];

		if (w.msg == NULL && strcmp(v[i - 1].msg, "connection received: host=10.0.0.1 port=5555") == 0)
			snprintf(msg, sizeof(msg), "connection authorized: user=%s database=%s application_name=%s",
					 w.user, w.db, v[i + 1].app);
		else if (w.msg == NULL)
			snprintf(msg, sizeof(msg), "disconnection: session time: 0:00:00.010 user=%s database=%s host=%s port=5555",
					 w.user, w.db, w.host);
		w.msg = w.msg ? w.msg : msg;
		offs[i] = store->len;
		write_line(store, prefix, &w, i);
		lens[i] = store->len - offs[i];
		strbuf_putc(store, '\0');
	}
	for (int i = 0; i < n; i++)
		lines[i] = store->data + offs[i];
	return n;
}

static const struct
{
	const char *setting;
	const char *learned;		/* NULL: the setting itself */
}			padded_cases[] = {
	{"%m [%5p] %-10u %-8d ", NULL},
	{"%t [%-6p] user=%-12u,db=%-10d,app=%-15a ", NULL},
	{"%m %10p %u@%d ", NULL},
	{"%m %-10u %5p ", NULL},
	{"%-10u|%10p|%-12a|%5d|%q%h ", NULL},
	{"%m [%p] %q%-12u %-10d ", NULL},
	{"%t %-16a [%p] ", NULL},
	{"%m [%7p] %12u@%-14d %a ", NULL},
	{"%m %-7p|%-10u|%d ", NULL},
	/* two spaces of the prefix's own: a user longer than 10 shows them */
	{"%m [%p] %-10u  %d ", NULL},
};

static void
test_learn_padded(void)
{
	strbuf		store;
	const char *lines[MAX_LINES];
	size_t		lens[MAX_LINES];

	strbuf_init(&store);
	for (size_t k = 0; k < sizeof(padded_cases) / sizeof(padded_cases[0]); k++)
	{
		const char *setting = padded_cases[k].setting;
		const char *want = padded_cases[k].learned ? padded_cases[k].learned : setting;
		int			n = write_log(setting, &store, lines, lens),
					matched = 0;
		char	   *learned = prefix_learn(lines, lens, n, &matched);

		CU_ASSERT_PTR_NOT_NULL_FATAL(learned);
		if (strcmp(learned, want) != 0 || matched != n)
			fprintf(stderr, "\n  '%s' learned as '%s' (%d of %d lines), expected '%s'\n", setting, learned,
					matched, n, want);
		CU_ASSERT_STRING_EQUAL(learned, want);
		CU_ASSERT_EQUAL(matched, n);
		CU_ASSERT_EQUAL(prefix_test_different_readings(setting, learned, lines, lens, n, 1), 0);
		free(learned);
	}
	strbuf_free(&store);
}

/* Widths no line shows are not learned, and the plain field reads those lines the same. */
static void
test_invisible_padding(void)
{
	const char *lines[] = {
		"2024-03-05 10:00:01.100 UTC [31337] postgres   shop LOG:  connection authorized: user=postgres database=shop",
		"2024-03-05 10:00:01.200 UTC [31337] postgres   shop LOG:  duration: 1.000 ms  statement: select 1",
		"2024-03-05 10:00:02.100 UTC [31338] bob        shop LOG:  duration: 2.000 ms  statement: select 2",
		"2024-03-05 10:00:03.100 UTC [31339]                 LOG:  checkpoint starting: time",
	};
	size_t		lens[4];
	int			matched = 0;
	char	   *learned;

	for (int i = 0; i < 4; i++)
		lens[i] = strlen(lines[i]);
	/* pids all of five digits: %5p cannot show, %-10u does */
	learned = prefix_learn(lines, lens, 4, &matched);
	CU_ASSERT_PTR_NOT_NULL_FATAL(learned);
	CU_ASSERT_STRING_EQUAL(learned, "%m [%p] %-10u %-4d ");
	CU_ASSERT_EQUAL(matched, 4);
	CU_ASSERT_EQUAL(prefix_test_different_readings("%m [%5p] %-10u %-4d ", learned, lines, lens, 4, 1), 0);
	free(learned);
}

/* Fields that only happen to line up are not padding: plain prefixes stay as they are. */
static void
test_no_padding(void)
{
	static const char *const settings[] = {
		"%m [%p] %q%u@%d ", "%t [%p] %u %d %a ", "< %m %u %d > ", "%m [%p] user=%u,db=%d ",
	};
	strbuf		store;
	const char *lines[MAX_LINES];
	size_t		lens[MAX_LINES];

	strbuf_init(&store);
	for (size_t k = 0; k < sizeof(settings) / sizeof(settings[0]); k++)
	{
		int			n = write_log(settings[k], &store, lines, lens),
					matched = 0;
		char	   *learned = prefix_learn(lines, lens, n, &matched);

		CU_ASSERT_PTR_NOT_NULL_FATAL(learned);
		if (strcmp(learned, settings[k]) != 0)
			fprintf(stderr, "\n  '%s' learned as '%s'\n", settings[k], learned);
		CU_ASSERT_STRING_EQUAL(learned, settings[k]);
		CU_ASSERT_EQUAL(matched, n);
		free(learned);
	}
	strbuf_free(&store);
}

PGSIFT_TEST_SUITE(prefix_padding_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/prefix_padding", NULL, NULL);

	CU_add_test(s, "padded prefixes are learned", test_learn_padded);
	CU_add_test(s, "padding no line shows", test_invisible_padding);
	CU_add_test(s, "no padding where there is none", test_no_padding);
}
