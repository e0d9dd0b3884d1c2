/*-------------------------------------------------------------------------
 * pooler_text.c
 *    What pgBouncer's log messages say: connections, errors, stats.
 *
 * pgBouncer logs no statements.  Per connection it logs, after the socket
 * ("C-0x...: db/user@host:port ", taken off by the reader):
 *
 *     login attempt: db=shop user=app tls=no                (client)
 *     login failed: db=nowhere user=app                     (client)
 *     closing because: client close request (age=0s)        (client or server)
 *     new connection to server (from 127.0.0.1:40000)       (server)
 *     pooler error: no more connections allowed (max_client_conn)
 *
 * and on its own "server login failed: FATAL ..." and, every stats_period,
 * "stats: 213 xacts/s, 1367 queries/s, in 1672474 B/s, out 37038 B/s,
 * xact 3904 us, query 542 us, wait 264901 us" (1.21 adds "client parses/s"
 * and the like, which are skipped; before 1.8 it was "Stats: N req/s, in N
 * b/s, out N b/s,query N us").  The wordings are pgBouncer 1.18's.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_event.h"

#include <stddef.h>
#include <string.h>

static const char *const pooler_kind_names[POOLER__COUNT] = {
	[POOLER_NONE] = "none",
	[POOLER_LOGIN] = "login",
	[POOLER_LOGIN_FAILED] = "login_failed",
	[POOLER_CLIENT_CLOSE] = "client_close",
	[POOLER_SERVER_CONNECT] = "server_connect",
	[POOLER_SERVER_CLOSE] = "server_close",
	[POOLER_SERVER_LOGIN_FAILED] = "server_login_failed",
	[POOLER_ERROR] = "pooler_error",
	[POOLER_STATS] = "stats",
	[POOLER_OTHER] = "other",
};

const char *
pooler_kind_name(pooler_kind kind)
{
	if ((int) kind < 0 || kind >= POOLER__COUNT)
		return "unknown";
	return pooler_kind_names[kind];
}

static int
starts_with(const char *s, const char *end, const char *word)
{
	size_t		n = strlen(word);

	return (size_t) (end - s) >= n && memcmp(s, word, n) == 0;
}

/* A non-negative decimal number at s[0..len) exactly (digits, one '.'); -1 if not one. */
static double
read_figure(const char *s, size_t len)
{
	double		v = 0,
				scale = 0;

	if (len == 0 || len > 24)
		return -1;
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '.' && scale == 0)
			scale = 1;
		else if (s[i] >= '0' && s[i] <= '9')
		{
			v = v * 10 + (s[i] - '0');
			if (scale > 0)
				scale *= 10;
		}
		else
			return -1;
	}
	return scale > 1 ? v / scale : v;
}

/* The reason of "closing because: REASON (age=Ns)": REASON, and N into ev->age_s. */
static void
take_reason_and_age(const char *s, const char *end, log_event *ev)
{
	const char *age = NULL;

	for (const char *p = s; p + 6 <= end; p++)
		if (memcmp(p, " (age=", 6) == 0)
			age = p;			/* the last one: a reason may hold parentheses */
	if (age != NULL && end - age > 8 && end[-1] == ')' && end[-2] == 's')
	{
		double		v = read_figure(age + 6, (size_t) (end - 2 - (age + 6)));

		if (v >= 0)
		{
			ev->age_s = v;
			end = age;
		}
	}
	ev->reason = s;
	ev->reason_len = (size_t) (end - s);
}

/* One ", "-separated item of a stats line: "N xacts/s", "in N B/s", "xact N us", ... */
static void
stats_item(const char *s, const char *end, pooler_stats *st)
{
	static const struct
	{
		const char *before;		/* word before the number, or "" */
		const char *after;		/* unit after it */
		size_t		field;
	}			items[] = {
		{"", "xacts/s", offsetof(pooler_stats, xacts_per_s)},
		{"", "queries/s", offsetof(pooler_stats, queries_per_s)},
		{"", "req/s", offsetof(pooler_stats, queries_per_s)},
		{"in", "B/s", offsetof(pooler_stats, in_bytes_per_s)},
		{"in", "b/s", offsetof(pooler_stats, in_bytes_per_s)},
		{"out", "B/s", offsetof(pooler_stats, out_bytes_per_s)},
		{"out", "b/s", offsetof(pooler_stats, out_bytes_per_s)},
		{"xact", "us", offsetof(pooler_stats, xact_us)},
		{"query", "us", offsetof(pooler_stats, query_us)},
		{"wait", "us", offsetof(pooler_stats, wait_us)},
	};

	while (s < end && *s == ' ')
		s++;
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
	{
		size_t		nb = strlen(items[i].before),
					na = strlen(items[i].after);
		const char *num = s + nb + (nb > 0);

		if ((nb > 0 && (!starts_with(s, end, items[i].before) || num > end || num[-1] != ' ')) ||
			end - num < (ptrdiff_t) (na + 2) || memcmp(end - na, items[i].after, na) != 0 ||
			end[-(ptrdiff_t) na - 1] != ' ')
			continue;

		double		v = read_figure(num, (size_t) (end - na - 1 - num));

		if (v >= 0)
		{
			*(double *) ((char *) st + items[i].field) = v;
			return;
		}
	}
}

static void
parse_stats(const char *s, const char *end, pooler_stats *st)
{
	st->xacts_per_s = st->queries_per_s = st->in_bytes_per_s = st->out_bytes_per_s = -1;
	st->xact_us = st->query_us = st->wait_us = -1;
	while (s < end)
	{
		const char *comma = memchr(s, ',', (size_t) (end - s));
		const char *item_end = comma ? comma : end;

		stats_item(s, item_end, st);
		s = comma ? comma + 1 : end;
	}
}

void
pooler_classify(const log_record *rec, log_event *ev, pooler_stats *stats)
{
	const char *s = rec->message ? rec->message : "";
	const char *end = s + (rec->message ? rec->message_len : 0);
	const char *side = rec->backend_type;
	int			server = side != NULL && strcmp(side, "server") == 0;

	ev->pooler = POOLER_OTHER;
	if (starts_with(s, end, "closing because: ") && side != NULL)
	{
		ev->pooler = server ? POOLER_SERVER_CLOSE : POOLER_CLIENT_CLOSE;
		take_reason_and_age(s + 17, end, ev);
	}
	else if (starts_with(s, end, "login attempt: "))
		ev->pooler = POOLER_LOGIN;
	else if (starts_with(s, end, "login failed: "))
	{
		ev->pooler = POOLER_LOGIN_FAILED;
		ev->reason = s + 14;
		ev->reason_len = (size_t) (end - ev->reason);
	}
	else if (starts_with(s, end, "pooler error: "))
	{
		ev->pooler = POOLER_ERROR;
		ev->reason = s + 14;
		ev->reason_len = (size_t) (end - ev->reason);
	}
	else if (starts_with(s, end, "new connection to server"))
		ev->pooler = POOLER_SERVER_CONNECT;
	else if (starts_with(s, end, "server login failed: "))
	{
		ev->pooler = POOLER_SERVER_LOGIN_FAILED;
		ev->reason = s + 21;
		ev->reason_len = (size_t) (end - ev->reason);
	}
	else if (side == NULL && (starts_with(s, end, "stats: ") || starts_with(s, end, "Stats: ")))
	{
		ev->pooler = POOLER_STATS;
		parse_stats(s + 7, end, stats);
		ev->stats = stats;
	}
}
