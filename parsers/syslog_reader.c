/*-------------------------------------------------------------------------
 * syslog_reader.c
 *    Readers for PostgreSQL logs written through syslog.
 *
 *     Jan  2 03:04:05 host postgres[123]: [7-1] user@db LOG:  text    (syslog)
 *     2024-01-02T03:04:05.123+01:00 host postgres[123]: [7-1] ...     (syslog2)
 *     2019-03-14T00:22:56+00:00 app[postgres.4882]: [GREEN] [15-1]  sql_error_code = 00000 LOG:  ...
 *     <134>1 2019-03-14T00:22:56+00:00 host app postgres.4882 - [GREEN] [15-1] ...   (logplex)
 *
 * Heroku Postgres sends its server's syslog lines through logplex: the
 * header is Heroku's ("heroku logs" output, or RFC 5424 through a syslog
 * drain, maybe with its octet-count framing), the dyno "postgres.N" names
 * the backend's pid, and "[COLOR] " the database attachment; the rest is
 * PostgreSQL's syslog message with its part numbers, read as below.
 *
 * PostgreSQL's write_syslog() numbers each message ([7] is the seventh of
 * that process) and sends each line of it, and each 900-byte piece of a
 * longer line, as its own syslog message: [7-1], [7-2], ...  A part that
 * starts with a tab (written "#011" by most syslog daemons) or with the
 * prefix and a severity begins a new line of the message; any other part
 * is the rest of a line that was cut, and is appended to it.  The lines so
 * rebuilt go through the same message assembly as stderr (stderr_reader.h).
 * One line is rebuilt at a time: when the parts of two processes' long
 * messages interleave, a part whose line belongs to the other process is
 * counted malformed.
 *
 * Classic syslog times carry no year and no zone: parsers/syslog_parts.h
 * says how they are read (a reader given a chunk from the middle of a file
 * starts again from cfg->syslog_year).  The prefix's own time, when it has
 * one, is used instead.
 *
 * Shared syslog files hold other programs' messages too: a line without a
 * part number that matches nothing is skipped silently when its program
 * name differs from PostgreSQL's (learned from the first line that has a
 * part number; until then, names starting with "postgres"), and counted
 * malformed otherwise.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/stderr_reader.h"
#include "parsers/syslog_parts.h"
#include "src/lib/arena.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Used when cfg->prefix is NULL: reads '%u@%d ' and '' payloads alike. */
#define SYSLOG_DEFAULT_PREFIX	"%q%u@%d "
/* Heroku Postgres's log_line_prefix */
#define LOGPLEX_DEFAULT_PREFIX	" sql_error_code = %e "
#define IDENT_MAX				64
#define KEEP_BUFFER_BYTES		(4u * 1024 * 1024)

/* The header of one syslog line. */
typedef struct syslog_line
{
	int64_t		ts_ms;
	int32_t		utc_offset_min; /* of an ISO time; classic times have no zone */
	const char *ident;
	size_t		ident_len;
	int32_t		pid;
	bool		numbered;		/* had "[N-M] " or "[N] " */
	bool		two_numbers;	/* "[N-M] " */
	uint64_t	seq;			/* N */
	uint64_t	chunk;			/* M, or N of "[N] " */
	const char *payload;
	size_t		payload_len;
} syslog_line;

struct format_reader
{
	reader_config cfg;
	msg_assembler *as;
	bool		iso;			/* syslog2 */
	bool		logplex;		/* Heroku's envelope (ISO times too) */

	syslog_clock clock;			/* classic timestamps and their year */
	log_time_cache iso_cache;

	/* the logical line being rebuilt */
	strbuf		line;
	strbuf		part;			/* the part just read, decoded */
	bool		have_line;
	uint64_t	line_no;
	int32_t		line_pid;
	int64_t		line_ts;
	int32_t		line_utc_offset_min;
	bool		line_two_numbers;
	uint64_t	line_seq;
	uint64_t	line_chunk;

	char		pg_ident[IDENT_MAX];	/* PostgreSQL's syslog_ident, once seen */
	size_t		pg_ident_len;
};

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "2024-01-02T03:04:05[.ffffff](Z|+HH:MM)" at s, up to the next space, into h. */
static bool
iso_time(format_reader *r, const char *s, size_t len, syslog_line *h, size_t *end)
{
	const char *sp = memchr(s, ' ', len);
	size_t		n = sp ? (size_t) (sp - s) : len;

	if (n < 20 || s[10] != 'T' || log_time_parse(&r->iso_cache, s, n, &h->ts_ms) == LOG_TIME_INVALID)
		return false;
	h->utc_offset_min = r->iso_cache.last_offset_min;
	*end = n;
	return true;
}

/* "host ident[pid]: " (host optional) at s[i..]; fills h's ident, pid, payload. */
static bool
parse_envelope(const char *s, size_t len, size_t i, syslog_line *h)
{
	syslog_envelope e;

	if (!syslog_read_envelope(s, len, i, &e))
		return false;
	h->ident = e.ident;
	h->ident_len = e.ident_len;
	h->pid = e.pid;
	h->payload = s + e.payload_at;
	h->payload_len = len - e.payload_at;
	return true;
}

/* "[N-M] " or "[N] " at the payload's start: take it off. */
static void
parse_part_number(syslog_line *h)
{
	const char *s = h->payload;
	size_t		len = h->payload_len;
	size_t		i = 1;
	int64_t		a,
				b = -1;

	h->numbered = false;
	if (len < 3 || s[0] != '[' || (a = syslog_read_digits(s, len, &i, 18)) < 0)
		return;
	if (i < len && s[i] == '-')
	{
		i++;
		if ((b = syslog_read_digits(s, len, &i, 18)) < 0)
			return;
	}
	if (i >= len || s[i] != ']')
		return;
	i++;
	if (i < len && s[i] == ' ')
		i++;
	h->numbered = true;
	h->two_numbers = b >= 0;
	h->seq = (uint64_t) a;
	h->chunk = b >= 0 ? (uint64_t) b : (uint64_t) a;
	h->payload = s + i;
	h->payload_len = len - i;
}

/* The pid of Heroku's dyno name "postgres.N" (tok[0..n)), 0 for "postgres"; -1 for another dyno. */
static int64_t
dyno_pid(const char *tok, size_t n)
{
	size_t		i = 9;
	int64_t		pid;

	if (n == 8 && memcmp(tok, "postgres", 8) == 0)
		return 0;
	if (n < 10 || memcmp(tok, "postgres.", 9) != 0)
		return -1;
	pid = syslog_read_digits(tok, n, &i, 10);
	return i == n ? pid : -1;
}

/* The token of s[i..len) up to the next space, its length in *n. */
static const char *
token_at(const char *s, size_t len, size_t i, size_t *n)
{
	const char *sp = i < len ? memchr(s + i, ' ', len - i) : NULL;

	*n = sp ? (size_t) (sp - s) - i : (i < len ? len - i : 0);
	return s + i;
}

/*
 * Heroku's envelope: "TIME app[postgres.N]: " or, through a syslog drain,
 * "[LEN ]<PRI>1 TIME HOST APP postgres.N MSGID "; then "[COLOR] ".
 */
static bool
parse_logplex_line(format_reader *r, const char *s, size_t len, syslog_line *h)
{
	size_t		i = 0,
				end = 0,
				n;
	bool		rfc5424 = false;
	const char *tok,
			   *dyno = NULL;
	size_t		dyno_len = 0;
	int64_t		pid = -1;

	while (i < len && is_digit(s[i]))
		i++;
	if (i > 0 && i + 1 < len && s[i] == ' ' && s[i + 1] == '<')
		i++;					/* octet-count framing */
	else
		i = 0;
	if (i < len && s[i] == '<')
	{
		const char *gt = memchr(s + i, '>', len - i < 6 ? len - i : 6);

		if (gt == NULL || (size_t) (gt - s) + 2 >= len || gt[1] != '1' || gt[2] != ' ')
			return false;
		i = (size_t) (gt - s) + 3;
		rfc5424 = true;
	}
	if (!iso_time(r, s + i, len - i, h, &end))
		return false;
	i += end + 1;
	if (rfc5424)
	{
		/* HOST APP PROCID MSGID */
		for (int t = 0; t < 4; t++)
		{
			tok = token_at(s, len, i, &n);
			if (n == 0)
				return false;
			if (t == 2)
				dyno = tok, dyno_len = n;
			i += n + 1;
		}
	}
	else
	{
		tok = token_at(s, len, i, &n);
		const char *br = memchr(tok, '[', n);

		/* "app[postgres.4882]:", and other sources' "heroku[router]:" */
		if (br == NULL || n < 4 || tok[n - 1] != ':' || tok[n - 2] != ']')
			return false;
		dyno = br + 1;
		dyno_len = (size_t) (tok + n - 2 - dyno);
		i += n + 1;
	}
	/* another dyno's line (web.1, router): its own name, skipped as another program's */
	pid = dyno_pid(dyno, dyno_len);
	h->ident = pid >= 0 ? "postgres" : dyno;
	h->ident_len = pid >= 0 ? 8 : dyno_len;
	h->pid = pid > 0 ? (int32_t) pid : -1;
	if (i > len)
		i = len;
	/* "[GREEN] ": the attachment's color */
	if (i < len && s[i] == '[')
	{
		size_t		k = i + 1;

		while (k < len && ((s[k] >= 'A' && s[k] <= 'Z') || is_digit(s[k]) || s[k] == '_'))
			k++;
		if (k > i + 1 && k + 1 < len && s[k] == ']' && s[k + 1] == ' ')
			i = k + 2;
	}
	h->payload = s + i;
	h->payload_len = len - i;
	return true;
}

/* Parse a whole syslog line into h; false if it is not one. */
static bool
parse_syslog_line(format_reader *r, const char *s, size_t len, syslog_line *h)
{
	size_t		end = 0;

	memset(h, 0, sizeof(*h));
	h->utc_offset_min = LOG_UTC_OFFSET_UNKNOWN;
	if (r->logplex)
	{
		if (!parse_logplex_line(r, s, len, h))
			return false;
	}
	else if (!(r->iso ? iso_time(r, s, len, h, &end) : syslog_clock_read(&r->clock, s, len, &h->ts_ms, &end)) ||
			 !parse_envelope(s, len, end, h))
		return false;
	parse_part_number(h);
	return true;
}

/* Copy the payload into r->part, "#011" (the daemon's escape of a tab) decoded. */
static void
decode_part(format_reader *r, const char *s, size_t len)
{
	const char *end = s + len;
	const char *hash;

	strbuf_reset(&r->part);
	while ((hash = memchr(s, '#', (size_t) (end - s))) != NULL)
	{
		strbuf_append(&r->part, s, (size_t) (hash - s));
		if (end - hash >= 4 && memcmp(hash, "#011", 4) == 0)
		{
			strbuf_putc(&r->part, '\t');
			s = hash + 4;
		}
		else
		{
			strbuf_putc(&r->part, '#');
			s = hash + 1;
		}
	}
	strbuf_append(&r->part, s, (size_t) (end - s));
}

/* Hand the rebuilt logical line to the assembler. */
static void
emit_line(format_reader *r)
{
	if (r->have_line)
		msg_assembler_line(r->as, r->line.data, r->line.len, r->line_no, r->line_pid, r->line_ts,
						   r->line_utc_offset_min);
	r->have_line = false;
}

/* r->part begins a new logical line. */
static void
begin_line(format_reader *r, const syslog_line *h, uint64_t lineno)
{
	strbuf		tmp;

	emit_line(r);
	tmp = r->line;
	r->line = r->part;
	r->part = tmp;
	if (r->part.cap > KEEP_BUFFER_BYTES)
	{
		/* give back what one huge line took */
		strbuf_free(&r->part);
		strbuf_init(&r->part);
	}
	r->have_line = true;
	r->line_no = lineno;
	r->line_pid = h->pid;
	r->line_ts = h->ts_ms;
	r->line_utc_offset_min = h->utc_offset_min;
	r->line_two_numbers = h->two_numbers;
	r->line_seq = h->seq;
	r->line_chunk = h->chunk;
}

static bool
is_pg_ident(format_reader *r, const syslog_line *h)
{
	if (r->pg_ident_len == 0)
		return h->ident_len >= 8 && memcmp(h->ident, "postgres", 8) == 0;
	return h->ident_len == r->pg_ident_len && memcmp(h->ident, r->pg_ident, h->ident_len) == 0;
}

/* Whether the decoded part begins a logical line: a tab, or prefix and severity. */
static bool
part_starts_line(format_reader *r)
{
	return (r->part.len > 0 && r->part.data[0] == '\t') ||
		msg_assembler_classify(r->as, r->part.data, r->part.len) >= 0;
}

/* Place one part: a new logical line, the rest of the current one, or nothing. */
static void
place_part(format_reader *r, const syslog_line *h, uint64_t lineno)
{
	bool		same = r->have_line && r->line_pid == h->pid;
	bool		maybe_rest;

	if (h->two_numbers)
		maybe_rest = h->chunk > 1;
	else
		maybe_rest = h->numbered && same && !r->line_two_numbers && h->chunk == r->line_chunk + 1;

	if (h->numbered && r->pg_ident_len == 0 && h->ident_len < IDENT_MAX)
	{
		memcpy(r->pg_ident, h->ident, h->ident_len);
		r->pg_ident_len = h->ident_len;
	}
	if (!maybe_rest)
	{
		if (!h->numbered && !is_pg_ident(r, h) && !part_starts_line(r))
			return;				/* another program's message */
		begin_line(r, h, lineno);
	}
	else if (part_starts_line(r))
		begin_line(r, h, lineno);
	else if (same && (!h->two_numbers || h->seq == r->line_seq))
	{
		strbuf_append(&r->line, r->part.data, r->part.len);
		r->line_chunk = h->chunk;
	}
	else
		diag_malformed(r->cfg.tally, r->cfg.file, lineno,
					   "syslog message part whose first part is missing");
}

static void
syslog_feed(format_reader *r, const char *line, size_t len, uint64_t lineno)
{
	syslog_line h;

	if (!parse_syslog_line(r, line, len, &h))
	{
		diag_malformed(r->cfg.tally, r->cfg.file, lineno,
					   r->logplex ? "line is not a Heroku logplex line of a postgres dyno" :
					   r->iso ? "line is not a syslog message with an ISO 8601 time"
					   : "line is not a syslog message");
		return;
	}
	decode_part(r, h.payload, h.payload_len);
	place_part(r, &h, lineno);
}

static void
syslog_finish(format_reader *r)
{
	emit_line(r);
	msg_assembler_finish(r->as);
}

static format_reader *
make_reader(const reader_config *cfg, bool iso, bool logplex)
{
	msg_assembler *as = msg_assembler_create(cfg, logplex ? LOGPLEX_DEFAULT_PREFIX : SYSLOG_DEFAULT_PREFIX);

	if (as == NULL)
		return NULL;

	format_reader *r = xcalloc(1, sizeof(*r));

	r->cfg = *cfg;
	r->as = as;
	r->iso = iso || logplex;
	r->logplex = logplex;
	syslog_clock_init(&r->clock, cfg->syslog_year);
	log_time_cache_init(&r->iso_cache);
	strbuf_init(&r->line);
	strbuf_init(&r->part);
	return r;
}

/* Reader for "Mon DD HH:MM:SS host ident[pid]: [N-M] ..." lines. */
static format_reader *
syslog_create(const reader_config *cfg)
{
	return make_reader(cfg, false, false);
}

/* Reader for "YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM) host ident[pid]: [N-M] ..." lines. */
static format_reader *
syslog2_create(const reader_config *cfg)
{
	return make_reader(cfg, true, false);
}

/* Reader for Heroku's logplex lines of a postgres dyno. */
static format_reader *
logplex_create(const reader_config *cfg)
{
	return make_reader(cfg, true, true);
}

static void
syslog_destroy(format_reader *r)
{
	if (r == NULL)
		return;
	msg_assembler_destroy(r->as);
	strbuf_free(&r->line);
	strbuf_free(&r->part);
	free(r);
}

/*
 * A record starts at a first part ("[N-1]", "[N]" or none) whose text is
 * a primary line.  Year tracking is not disturbed: only the envelope and
 * the prefix are looked at.
 */
static int
syslog_starts_record(format_reader *r, const char *line, size_t len)
{
	syslog_line h;
	syslog_clock saved = r->clock;
	bool		ok = parse_syslog_line(r, line, len, &h);

	r->clock = saved;
	if (!ok || (h.two_numbers && h.chunk != 1))
		return 0;
	return msg_assembler_classify(r->as, h.payload, h.payload_len) == PART_PRIMARY;
}

const format_reader_ops syslog_reader_ops = {
	.format = LOG_FORMAT_SYSLOG,
	.create = syslog_create,
	.feed = syslog_feed,
	.finish = syslog_finish,
	.destroy = syslog_destroy,
	.starts_record = syslog_starts_record,
};

const format_reader_ops syslog2_reader_ops = {
	.format = LOG_FORMAT_SYSLOG2,
	.create = syslog2_create,
	.feed = syslog_feed,
	.finish = syslog_finish,
	.destroy = syslog_destroy,
	.starts_record = syslog_starts_record,
};

const format_reader_ops logplex_reader_ops = {
	.format = LOG_FORMAT_LOGPLEX,
	.create = logplex_create,
	.feed = syslog_feed,
	.finish = syslog_finish,
	.destroy = syslog_destroy,
	.starts_record = syslog_starts_record,
};

int
syslog_line_payload(int kind, const char *line, size_t len, const char **payload, size_t *payload_len)
{
	format_reader tmp;
	syslog_line h;

	/* a fixed year: detection needs the shape, not the time */
	memset(&tmp, 0, sizeof(tmp));
	tmp.iso = kind != 0;
	tmp.logplex = kind == 2;
	syslog_clock_init(&tmp.clock, 2000);
	if (!parse_syslog_line(&tmp, line, len, &h))
		return 0;
	*payload = h.payload;
	*payload_len = h.payload_len;
	return 1;
}
