/*-------------------------------------------------------------------------
 * pgbouncer_reader.c
 *    Reader for pgBouncer's own log, from its logfile or through syslog.
 *
 *     2026-12-03 08:06:06.734 UTC [17667] LOG C-0x5581446518e0: bench/postgres@127.0.0.1:57466 login attempt: ...
 *     2026-12-03 08:06:07.711 UTC [17667] LOG stats: 213 xacts/s, 1367 queries/s, ...
 *     Dec  3 08:06:34 host pgbouncer[18065]: C-0x55898a8f74e0: x/a@127.0.0.1:38102 login attempt: ...
 *
 * The logfile's line is "TIME [PID] LEVEL message" (pgBouncer before 1.10
 * wrote the pid without brackets), LEVEL one of libusual's FATAL, ERROR,
 * WARNING, LOG, DEBUG, NOISE, followed by a space where PostgreSQL writes a
 * colon -- which is what tells the two apart.  Through syslog (syslog=1)
 * the daemon's header replaces time and pid and the level is only in the
 * priority, which the file does not keep: a "pooler error:" or "server
 * login failed:" is read as a WARNING (the level pgBouncer gives them),
 * anything else as a LOG.  Lines of other programs in a shared syslog file
 * are skipped; classic syslog times have no year, which is taken as for
 * PostgreSQL's syslog lines (parsers/syslog_parts.h).
 *
 * A message about a connection starts with its socket, "C-0x...: " for a
 * client or "S-0x...: " for a server, then "db/user@host:port " ("(nodb)"
 * and "(nouser)" when not known yet); the record gets those and the rest
 * of the text as its message (log_record.h).  Each line is one record,
 * delivered at once; what it says is read by pooler_text.c.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/stderr_reader.h"
#include "parsers/syslog_parts.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* One line taken apart; pointers into the line. */
typedef struct bouncer_line
{
	int64_t		ts_ms;
	int32_t		pid;
	log_severity severity;		/* SEV_UNKNOWN: through syslog, from the text */
	const char *text;			/* after the level (or the syslog header) */
	size_t		text_len;
} bouncer_line;

struct format_reader
{
	reader_config cfg;
	log_time_cache cache;
	syslog_clock clock;			/* classic syslog times and their year */
	strbuf		fields;			/* NUL-terminated copies of the record's strings */
};

/* libusual's level tags, at s[0..len) exactly. */
static log_severity
level_of(const char *s, size_t len)
{
	if (len == 5 && memcmp(s, "NOISE", 5) == 0)
		return SEV_DEBUG;
	return log_severity_from_name(s, len);
}

/*
 * "TIME [PID] LEVEL text" or "TIME PID LEVEL text".  With a file name, an
 * unknown zone is warned about once (log_time_parse_field); detection
 * passes NULL and stays quiet.
 */
static bool
parse_file_line(log_time_cache *cache, const char *file, const char *s, size_t len, bouncer_line *b)
{
	int			frac,
				zone;
	size_t		i = log_time_span(s, len, &frac, &zone);
	int64_t		pid;
	bool		bracket;

	if (i == 0 || i >= len || s[i] != ' ' ||
		(file ? log_time_parse_field(cache, s, i, &b->ts_ms, file)
		 : log_time_parse(cache, s, i, &b->ts_ms)) == LOG_TIME_INVALID)
		return false;
	i++;
	bracket = i < len && s[i] == '[';
	i += bracket;
	if ((pid = syslog_read_digits(s, len, &i, 10)) < 0 || pid > INT32_MAX)
		return false;
	if (bracket && (i >= len || s[i++] != ']'))
		return false;
	if (i >= len || s[i++] != ' ')
		return false;

	const char *level = s + i;
	const char *sp = memchr(level, ' ', len - i);
	size_t		n = sp ? (size_t) (sp - level) : len - i;

	if ((b->severity = level_of(level, n)) == SEV_UNKNOWN)
		return false;
	b->pid = (int32_t) pid;
	i += n + (sp != NULL);
	b->text = s + i;
	b->text_len = len - i;
	return true;
}

/* "TIME host pgbouncer[PID]: text", TIME classic or ISO 8601; false for another program's line. */
static bool
parse_syslog_line(format_reader *r, log_time_cache *cache, const char *s, size_t len,
				  bouncer_line *b)
{
	size_t		i = 0;

	if (len > 20 && s[10] == 'T' && log_time_at_start(s, len))
	{
		const char *sp = memchr(s, ' ', len);

		i = sp ? (size_t) (sp - s) : len;
		if (log_time_parse(cache, s, i, &b->ts_ms) == LOG_TIME_INVALID)
			return false;
	}
	else if (r == NULL || !syslog_clock_read(&r->clock, s, len, &b->ts_ms, &i))
		return false;
	syslog_envelope e;

	if (!syslog_read_envelope(s, len, i, &e) || e.ident_len < 9 || memcmp(e.ident, "pgbouncer", 9) != 0)
		return false;
	b->pid = e.pid;
	b->severity = SEV_UNKNOWN;
	b->text = s + e.payload_at;
	b->text_len = len - e.payload_at;
	return true;
}

/* Whether a line starts like a syslog file's ("Mon DD HH:MM:SS " or an ISO 8601 time with a 'T'). */
static bool
starts_with_syslog_time(format_reader *r, const char *s, size_t len)
{
	int64_t		ts;
	size_t		end;
	const char *sp;

	if (len > 20 && s[10] == 'T' && log_time_at_start(s, len) && (sp = memchr(s, ' ', len)) != NULL)
		return log_time_parse(NULL, s, (size_t) (sp - s), &ts) != LOG_TIME_INVALID;
	return syslog_clock_read(&r->clock, s, len, &ts, &end) && end < len && s[end] == ' ';
}

int
pgbouncer_line_shape(const char *line, size_t len)
{
	bouncer_line b;
	format_reader fixed = {.cfg.syslog_year = 2000};

	syslog_clock_init(&fixed.clock, 2000);

	if (parse_file_line(NULL, NULL, line, len, &b))
		return 1;
	return parse_syslog_line(&fixed, NULL, line, len, &b) ? 2 : 0;
}

/* Append s[0..n) and a NUL to r->fields; returns its offset. */
static size_t
keep(format_reader *r, const char *s, size_t n)
{
	size_t		off = r->fields.len;

	strbuf_append(&r->fields, s, n);
	strbuf_putc(&r->fields, '\0');
	return off;
}

/* A known name of the socket ("(nodb)" and "(nouser)" are not): its offset, or SIZE_MAX. */
static size_t
keep_name(format_reader *r, const char *s, size_t n)
{
	if (n == 0 || (n >= 2 && s[0] == '(' && s[n - 1] == ')'))
		return SIZE_MAX;
	return keep(r, s, n);
}

typedef struct socket_offsets
{
	size_t		db,
				user,
				host,
				port;
} socket_offsets;

/*
 * "C-0x...: db/user@host:port " at *text: take it off, note the side, and
 * keep its names.  False (text untouched) when the message has no socket.
 */
static bool
take_socket(format_reader *r, const char **text, size_t *len, const char **side, socket_offsets *o)
{
	const char *s = *text,
			   *end = s + *len;
	const char *p = s + 4;

	if (*len < 8 || (s[0] != 'C' && s[0] != 'S') || memcmp(s + 1, "-0x", 3) != 0)
		return false;
	while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
		p++;
	if (p == s + 4 || end - p < 2 || p[0] != ':' || p[1] != ' ')
		return false;
	p += 2;

	const char *sp = memchr(p, ' ', (size_t) (end - p));
	const char *sock_end = sp ? sp : end;
	const char *slash = memchr(p, '/', (size_t) (sock_end - p));
	const char *at = slash ? memchr(slash, '@', (size_t) (sock_end - slash)) : NULL;
	const char *colon = NULL;

	if (at == NULL)
		return false;
	for (const char *c = at; c < sock_end; c++)
		if (*c == ':')
			colon = c;
	*side = s[0] == 'C' ? "client" : "server";
	o->db = keep_name(r, p, (size_t) (slash - p));
	o->user = keep_name(r, slash + 1, (size_t) (at - slash - 1));
	o->host = keep(r, at + 1, (size_t) ((colon ? colon : sock_end) - at - 1));
	o->port = colon ? keep(r, colon + 1, (size_t) (sock_end - colon - 1)) : SIZE_MAX;
	*text = sp ? sp + 1 : end;
	*len = (size_t) (end - *text);
	return true;
}

static const char *
field_at(const format_reader *r, size_t off)
{
	return off == SIZE_MAX ? NULL : r->fields.data + off;
}

/* The level syslog's file lost: pgBouncer logs these two as warnings. */
static log_severity
syslog_severity(const char *text, size_t len)
{
	if ((len >= 14 && memcmp(text, "pooler error: ", 14) == 0) ||
		(len >= 21 && memcmp(text, "server login failed: ", 21) == 0))
		return SEV_WARNING;
	return SEV_LOG;
}

static void
pgbouncer_feed(format_reader *r, const char *line, size_t len, uint64_t lineno)
{
	bouncer_line b;
	log_record	rec;
	socket_offsets o = {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX};
	const char *side = NULL;

	if (len == 0)
		return;
	if (!parse_file_line(&r->cache, r->cfg.file ? r->cfg.file : "-", line, len, &b) &&
		!parse_syslog_line(r, &r->cache, line, len, &b))
	{
		/* in a shared syslog file, another program's line is not ours to count */
		if (!starts_with_syslog_time(r, line, len))
			diag_malformed(r->cfg.tally, r->cfg.file, lineno, "line is not a pgBouncer log line");
		return;
	}
	strbuf_reset(&r->fields);
	take_socket(r, &b.text, &b.text_len, &side, &o);

	size_t		msg = keep(r, b.text, b.text_len);

	log_record_clear(&rec);
	rec.source = LOG_SOURCE_PGBOUNCER;
	rec.file = r->cfg.file;
	rec.line = lineno;
	rec.ts_ms = b.ts_ms;
	rec.pid = b.pid;
	rec.severity = b.severity != SEV_UNKNOWN ? b.severity : syslog_severity(b.text, b.text_len);
	rec.backend_type = side;
	rec.dbname = field_at(r, o.db);
	rec.user = field_at(r, o.user);
	rec.remote_host = field_at(r, o.host);
	rec.remote_port = field_at(r, o.port);
	rec.message = r->fields.data + msg;
	rec.message_len = b.text_len;
	r->cfg.sink(r->cfg.sink_ctx, &rec);
}

static void
pgbouncer_finish(format_reader *r)
{
	(void) r;					/* every line was delivered as it came */
}

/* Reader for pgBouncer's log; never fails. */
static format_reader *
pgbouncer_create(const reader_config *cfg)
{
	format_reader *r = xcalloc(1, sizeof(*r));
	r->cfg = *cfg;
	syslog_clock_init(&r->clock, cfg->syslog_year);
	log_time_cache_init(&r->cache);
	strbuf_init(&r->fields);
	return r;
}

static void
pgbouncer_destroy(format_reader *r)
{
	if (r == NULL)
		return;
	strbuf_free(&r->fields);
	free(r);
}

/* Every pgBouncer line is a record of its own. */
static int
pgbouncer_starts_record(format_reader *r, const char *line, size_t len)
{
	(void) r;
	return pgbouncer_line_shape(line, len) != 0;
}

const format_reader_ops pgbouncer_reader_ops = {
	.format = LOG_FORMAT_PGBOUNCER,
	.create = pgbouncer_create,
	.feed = pgbouncer_feed,
	.finish = pgbouncer_finish,
	.destroy = pgbouncer_destroy,
	.starts_record = pgbouncer_starts_record,
};
