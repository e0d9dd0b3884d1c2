/*-------------------------------------------------------------------------
 * detect.c
 *    Guess a log file's format, and its log_line_prefix, from its first lines.
 *
 * Each line votes for the format its start fits: jsonlog ('{' and a
 * "timestamp" key), csvlog (a timestamp and then a comma), syslog ("Mon DD
 * HH:MM:SS host ident[pid]: ") or syslog2 (an ISO 8601 time instead),
 * pgBouncer ("TIME [PID] LEVEL " with no colon after the level, or a
 * "pgbouncer[pid]: " syslog line), and the hosted envelopes.  Lines
 * of stderr logs vote for none of them, nor do continuation lines, so the
 * format with the most votes wins and no votes at all means stderr.
 *
 * For stderr (and for the text syslog carries) the prefix is the known one
 * that matches the most lines having a "SEVERITY:  " marker; ties go to the
 * one listed first, which is why wider prefixes (Debian's, whose %q part
 * PostgreSQL's default lines lack) come before narrower ones: a log that
 * starts with server start-up lines only must not pick a prefix its
 * session lines will not match.  When no known prefix matches nine lines
 * in ten, one is learned (prefix_learn) and kept if it matches more.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/prefix.h"
#include "parsers/reader.h"
#include "parsers/stderr_reader.h"
#include "src/lib/arena.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RDS_PREFIX			"%t:%r:%u@%d:[%p]:"

/* Known prefixes of stderr logs, widest first within each family. */
static const char *const stderr_prefixes[] = {
	"%m [%p] %q%u@%d ",			/* Debian and Ubuntu packages */
	"%m [%p] ",					/* PostgreSQL's default */
	RDS_PREFIX,					/* Amazon RDS and Aurora */
	"%t-%c-",					/* Azure Database for PostgreSQL */
	"%m [%p] %q%u@%d %a ",
	"%t [%p-%l] %q%u@%d ",		/* older Debian packages */
	/* prefixes pgBadger's documentation recommends */
	"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%t [%p]: user=%u,db=%d,app=%a,client=%h ",
	"%m [%p]: user=%u,db=%d,app=%a,client=%h ",
	"%t [%p]: [%l-1] user=%u,db=%d ",
	"%t [%p]: [%l-1] ",
	"%m [%p]: [%l-1] ",
	"%t [%p]: ",
	"%m [%p]: ",
	"%t [%p] ",
	"%t ",
	"%m ",
	NULL
};

/* Known prefixes of the text after syslog's "[N-M] "; then the stderr ones. */
static const char *const syslog_prefixes[] = {
	"%u@%d ",
	"",
	"%q%u@%d ",
	NULL
};

/* Heroku Postgres's prefixes: the classic one, and the one with every field (2022). */
static const char *const logplex_prefixes[] = {
	" sql_error_code = %e ",
	" sql_error_code = %e time_ms = \"%m\" pid=\"%p\" proc_start_time=\"%s\" session_id=\"%c\" "
	"vtid=\"%v\" tid=\"%x\" log_line=\"%l\" %qdatabase=\"%d\" connection_source=\"%r\" "
	"user=\"%u\" application_name=\"%a\" ",
	NULL
};

/* Cloud SQL for PostgreSQL's prefix. */
static const char *const cloudsql_prefixes[] = {
	"%m [%p]: [%l-1] db=%d,user=%u ",
	NULL
};

typedef enum vote
{
	VOTE_NONE = 0,
	VOTE_JSONLOG,
	VOTE_CSVLOG,
	VOTE_SYSLOG,
	VOTE_SYSLOG2,
	VOTE_LOGPLEX,
	VOTE_CNPG,
	VOTE_CLOUDSQL,
	VOTE_PGBOUNCER,
	VOTE__COUNT
} vote;

/* "YYYY-MM-DD HH:MM:SS[.fff] ZONE," at the start of s. */
static int
starts_csv_record(const char *s, size_t len)
{
	if (!log_time_at_start(s, len))
		return 0;

	const char *comma = memchr(s + 19, ',', (len < 48 ? len : 48) - 19);
	int64_t		ms;

	return comma != NULL && log_time_parse(NULL, s, (size_t) (comma - s), &ms) != LOG_TIME_INVALID;
}

static vote
vote_of(const char *s, size_t len)
{
	const char *payload;
	size_t		plen;

	if (len > 0 && s[0] == '{')
	{
		if (memmem(s, len, "\"record\":{", 10) && memmem(s, len, "\"logger\":", 9))
			return VOTE_CNPG;
		if (memmem(s, len, "\"logger\":", 9) && memmem(s, len, "\"logging_pod", 12))
			return VOTE_CNPG;	/* the operator's own lines around the records */
		if (memmem(s, len, "\"textPayload\":", 14))
			return VOTE_CLOUDSQL;
		return memmem(s, len, "\"timestamp\"", 11) ? VOTE_JSONLOG : VOTE_NONE;
	}
	if (pgbouncer_line_shape(s, len) != 0)
		return VOTE_PGBOUNCER;	/* before syslog: a "pgbouncer[pid]:" line is one too */
	if (starts_csv_record(s, len))
		return VOTE_CSVLOG;
	if (syslog_line_payload(0, s, len, &payload, &plen))
		return VOTE_SYSLOG;
	if (syslog_line_payload(2, s, len, &payload, &plen))
		return VOTE_LOGPLEX;
	if (syslog_line_payload(1, s, len, &payload, &plen))
		return VOTE_SYSLOG2;
	return VOTE_NONE;
}

/* Lines with a severity marker: the ones a prefix must account for. */
static int
count_marked(const char *const *lines, const size_t *lens, int n)
{
	int			count = 0;

	for (int i = 0; i < n; i++)
		if (prefix_find_severity(lines[i], lens[i], PREFIX_MAX_BYTES) >= 0)
			count++;
	return count;
}

/* Lines matched by the prefix text; 0 if it does not compile. */
static int
score(const char *prefix, const char *const *lines, const size_t *lens, int n)
{
	log_prefix *p = prefix_compile(prefix, NULL);
	int			count;

	if (p == NULL)
		return 0;
	count = prefix_count_matches(p, lines, lens, n);
	prefix_free(p);
	return count;
}

/* Best of a NULL-terminated list into *best (kept on ties); returns its count. */
static int
best_of(const char *const *list, const char *const *lines, const size_t *lens, int n,
		const char **best, int best_count)
{
	for (int i = 0; list[i] != NULL; i++)
	{
		int			c = score(list[i], lines, lens, n);

		if (c > best_count)
		{
			best_count = c;
			*best = list[i];
		}
	}
	return best_count;
}

/* Whether some line is plainly from a client session (so would show %q's part). */
static bool
has_session_lines(const char *const *lines, const size_t *lens, int n)
{
	static const char *const markers[] = {
		"connection authorized: ", "  statement: ", "STATEMENT:  ", "disconnection: ",
	};

	for (int i = 0; i < n; i++)
		for (size_t m = 0; m < sizeof(markers) / sizeof(markers[0]); m++)
			if (memmem(lines[i], lens[i], markers[m], strlen(markers[m])) != NULL)
				return true;
	return false;
}

/*
 * A prefix with %q matches everything the part before %q matches.  When its
 * %q part matched no line although session lines are there, the server's
 * prefix is the shorter one: return that (malloc'd), else NULL.
 */
static char *
without_unused_q(const char *best, int best_count, const char *const *lines, const size_t *lens, int n)
{
	const char *q = strstr(best, "%q");
	char	   *head;

	if (q == NULL || !has_session_lines(lines, lens, n))
		return NULL;
	head = xstrndup(best, (size_t) (q - best));
	if (score(head, lines, lens, n) == best_count)
		return head;
	free(head);
	return NULL;
}

/*
 * The log_line_prefix that best accounts for lines (malloc'd), trying the
 * extra list first (may be NULL), then the stderr list, then learning;
 * *matched gets its count.  NULL when no line has a marker or nothing
 * matches half of them.
 */
static char *
choose_prefix(const char *const *extra, const char *const *lines, const size_t *lens, int n,
			  int *matched)
{
	int			total = count_marked(lines, lens, n);
	const char *best = NULL;
	int			best_count = 0;

	*matched = 0;
	if (total == 0)
		return NULL;
	if (extra != NULL)
		best_count = best_of(extra, lines, lens, n, &best, best_count);
	best_count = best_of(stderr_prefixes, lines, lens, n, &best, best_count);
	if (best_count * 10 < total * 9)
	{
		int			learned_count = 0;
		char	   *learned = prefix_learn(lines, lens, n, &learned_count);

		/*
		 * Any reading beats none: the lines it misses are still read from
		 * their time, pid and severity (prefix_match_fallback), with a warning.
		 */
		if (learned != NULL && (learned_count > best_count || best == NULL))
		{
			*matched = learned_count;
			return learned;
		}
		free(learned);
	}
	if (best == NULL)
		return NULL;
	*matched = best_count;

	char	   *shorter = without_unused_q(best, best_count, lines, lens, n);

	return shorter ? shorter : xstrdup(best);
}

/*
 * The text a line of an envelope carries (syslog's and logplex's after
 * their headers, Cloud Logging's textPayload): *text, borrowed from the
 * line or (when the envelope's escapes had to be decoded) *owned,
 * malloc'd.  0 when the line carries none.
 */
typedef int (*payload_fn) (int kind, const char *line, size_t len, const char **text, size_t *tlen,
						   char **owned);

static int
syslog_payload(int kind, const char *line, size_t len, const char **text, size_t *tlen, char **owned)
{
	*owned = NULL;
	return syslog_line_payload(kind, line, len, text, tlen);
}

static int
cloudsql_payload(int kind, const char *line, size_t len, const char **text, size_t *tlen, char **owned)
{
	(void) kind;
	if (!cloudsql_line_payload(line, len, owned))
		return 0;
	*text = *owned;
	*tlen = strlen(*owned);
	return 1;
}

/* The prefix of the text the lines' envelopes carry, the extra list first. */
static char *
choose_payload_prefix(const char *const *extra, payload_fn payload, int kind, const char *const *lines,
					  const size_t *lens, int n)
{
	const char **texts = xcalloc((size_t) n + 1, sizeof(char *));
	size_t	   *tlens = xcalloc((size_t) n + 1, sizeof(size_t));
	char	  **owned = xcalloc((size_t) n + 1, sizeof(char *));
	int			nt = 0;
	int			matched;
	char	   *prefix;

	for (int i = 0; i < n; i++)
		if (payload(kind, lines[i], lens[i], &texts[nt], &tlens[nt], &owned[nt]))
			nt++;
	prefix = choose_prefix(extra, texts, tlens, nt, &matched);
	for (int i = 0; i < nt; i++)
		free(owned[i]);
	free(owned);
	free(texts);
	free(tlens);
	return prefix;
}

log_format
detect_log_format(const char *const *lines, const size_t *lens, int n, char **prefix_out)
{
	int			votes[VOTE__COUNT] = {0};
	int			nonempty = 0;
	vote		top = VOTE_NONE;

	*prefix_out = NULL;
	for (int i = 0; i < n; i++)
	{
		votes[vote_of(lines[i], lens[i])]++;
		nonempty += lens[i] > 0;
	}
	for (int v = VOTE_NONE + 1; v < VOTE__COUNT; v++)
		if (votes[v] > (top == VOTE_NONE ? 0 : votes[top]))
			top = (vote) v;

	/* a few stray votes in a stderr log do not outweigh its prefix */
	int			rival = top == VOTE_NONE ? 0 : votes[top];

	if (rival * 4 < nonempty)
	{
		int			matched;
		char	   *prefix = choose_prefix(NULL, lines, lens, n, &matched);

		if (prefix != NULL && matched >= rival)
		{
			*prefix_out = prefix;
			return strcmp(prefix, RDS_PREFIX) == 0 ? LOG_FORMAT_RDS : LOG_FORMAT_STDERR;
		}
		free(prefix);
	}
	switch (top)
	{
		case VOTE_JSONLOG:
			return LOG_FORMAT_JSONLOG;
		case VOTE_CNPG:
			return LOG_FORMAT_CNPG;
		case VOTE_CLOUDSQL:
			*prefix_out = choose_payload_prefix(cloudsql_prefixes, cloudsql_payload, 0, lines, lens, n);
			return LOG_FORMAT_CLOUDSQL;
		case VOTE_CSVLOG:
			return LOG_FORMAT_CSVLOG;
		case VOTE_PGBOUNCER:
			return LOG_FORMAT_PGBOUNCER;
		case VOTE_SYSLOG:
		case VOTE_SYSLOG2:
			*prefix_out = choose_payload_prefix(syslog_prefixes, syslog_payload, top == VOTE_SYSLOG2, lines,
												lens, n);
			return top == VOTE_SYSLOG2 ? LOG_FORMAT_SYSLOG2 : LOG_FORMAT_SYSLOG;
		case VOTE_LOGPLEX:
			*prefix_out = choose_payload_prefix(logplex_prefixes, syslog_payload, 2, lines, lens, n);
			return LOG_FORMAT_LOGPLEX;
		default:
			return LOG_FORMAT_AUTO;
	}
}
