/*-------------------------------------------------------------------------
 * csvlog_reader.c
 *    Reader for PostgreSQL's csvlog format.
 *
 * A record is one CSV row: fields separated by commas, quoted with double
 * quotes, quotes doubled inside; a quoted field may hold newlines, so a
 * record can span physical lines.  Quoting follows COPY's CSV rules: every
 * quote character toggles "inside quotes" except that "" inside quotes is
 * a literal quote.  Whether a line ends inside quotes therefore depends on
 * the parity of its quotes alone, which the recovery below relies on.
 *
 * Each line is scanned once: field text is unescaped straight into one
 * reused buffer (fields NUL-separated), so a record costs no allocation.
 * The column set is told by the field count: 23 (PG 9.0-12), 24 (PG13:
 * + backend_type) or 26 (PG14+: + leader_pid, query_id).
 *
 * An unbalanced quote (a truncated line, say) flips the parity of every
 * line after it: single-line records are swallowed as one open field until
 * a line with an odd number of quotes (the first line of the next
 * multi-line record) closes it, or until the input ends.  So the physical
 * lines of a multi-line record are kept too, and when such a record turns
 * out malformed, passes CSV_MAX_RECORD_LINES lines or CSV_MAX_RECORD_BYTES
 * bytes, or is open at the end, it is reported at its first line and its
 * other lines are read again, those that start with a timestamp as
 * records.  Lines inside an open record have an even number of quotes
 * (else they would have closed it), and only its last line can have an odd
 * number, so read again from outside quotes, they give complete one-line
 * records and at most one open record at the very end.  Recovery thus
 * never recurses and loses only the bad record.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/reader.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_FIELDS			32	/* more than any PostgreSQL version writes */
#define CSV_MAX_RECORD_LINES	100000
#define CSV_MAX_RECORD_BYTES	(64u * 1024 * 1024)
/* Buffers grown past this by one huge record are given back after it. */
#define CSV_KEEP_BUFFER_BYTES	(4u * 1024 * 1024)

/* Column numbers, the same in every version up to application_name. */
enum csv_column
{
	COL_LOG_TIME = 0,
	COL_USER_NAME,
	COL_DATABASE_NAME,
	COL_PROCESS_ID,
	COL_CONNECTION_FROM,
	COL_SESSION_ID,
	COL_SESSION_LINE_NUM,
	COL_COMMAND_TAG,
	COL_SESSION_START_TIME,
	COL_VIRTUAL_TRANSACTION_ID,
	COL_TRANSACTION_ID,
	COL_ERROR_SEVERITY,
	COL_SQL_STATE_CODE,
	COL_MESSAGE,
	COL_DETAIL,
	COL_HINT,
	COL_INTERNAL_QUERY,
	COL_INTERNAL_QUERY_POS,
	COL_CONTEXT,
	COL_QUERY,
	COL_QUERY_POS,
	COL_LOCATION,
	COL_APPLICATION_NAME,		/* 23 columns up to PG12 */
	COL_BACKEND_TYPE,			/* 24 in PG13 */
	COL_LEADER_PID,				/* 26 from PG14 */
	COL_QUERY_ID
};

struct format_reader
{
	reader_config cfg;
	log_time_cache tcache;

	/* the record being read */
	strbuf		out;			/* unescaped fields, each NUL-terminated */
	size_t		field_off[CSV_MAX_FIELDS + 1];	/* start of each field in out */
	int			nfields;		/* fields ended so far (may pass CSV_MAX_FIELDS) */
	bool		in_quote;
	bool		open;			/* the last line ended inside quotes */
	uint64_t	first_line;
	uint64_t	nlines;

	/* recovery from a quote that never closes */
	strbuf		raw;			/* physical lines of a multi-line record, '\n'-joined */
	strbuf		replay;			/* raw of an abandoned record, being read again */
	bool		resync;			/* skip lines until one starts a record */

	char		reason[96];		/* why the last record is malformed */
	log_record	rec;
};

static void csv_feed(format_reader *r, const char *line, size_t len, uint64_t lineno);

/*
 * Create a reader delivering records to cfg->sink.  cfg->file must outlive
 * the reader.  Never fails (returns non-NULL).
 */
static format_reader *
csv_create(const reader_config *cfg)
{
	format_reader *r = xcalloc(1, sizeof(*r));

	r->cfg = *cfg;
	log_time_cache_init(&r->tcache);
	strbuf_init(&r->out);
	strbuf_init(&r->raw);
	strbuf_init(&r->replay);
	return r;
}

static void
csv_destroy(format_reader *r)
{
	if (r == NULL)
		return;
	strbuf_free(&r->out);
	strbuf_free(&r->raw);
	strbuf_free(&r->replay);
	free(r);
}

static int
csv_starts_record(format_reader *r, const char *line, size_t len)
{
	return log_time_at_start(line, len);
}

/* Close the current field: its text ends at out.len, where a NUL goes. */
static inline void
end_field(format_reader *r, char *o)
{
	*o = '\0';
	r->nfields++;
	if (r->nfields <= CSV_MAX_FIELDS)
		r->field_off[r->nfields] = (size_t) (o + 1 - r->out.data);
}

/*
 * Unescape one physical line into out, ending fields at commas outside
 * quotes.  Output never outgrows input, so one reserve covers the line;
 * the two extra bytes are for the NUL ending the record or the '\n' that
 * joins the next line, and the NUL that strbuf keeps.
 */
static void
scan_line(format_reader *r, const char *p, size_t len)
{
	const char *end = p + len;
	bool		in_quote = r->in_quote;
	char	   *o;

	strbuf_reserve(&r->out, len + 2);
	o = r->out.data + r->out.len;
	while (p < end)
	{
		if (in_quote)
		{
			const char *q = memchr(p, '"', (size_t) (end - p));

			if (q == NULL)
				q = end;
			memcpy(o, p, (size_t) (q - p));
			o += q - p;
			if (q == end)
				break;
			p = q + 1;
			if (p < end && *p == '"')
			{
				*o++ = '"';
				p++;
			}
			else
				in_quote = false;
		}
		else
		{
			char		c = *p++;

			if (c == ',')
				end_field(r, o++);
			else if (c == '"')
				in_quote = true;
			else
				*o++ = c;
		}
	}
	r->out.len = (size_t) (o - r->out.data);
	r->in_quote = in_quote;
}

/* Field i, or NULL when empty; *len gets its length. */
static inline char *
field(format_reader *r, int i, size_t *len)
{
	size_t		n = r->field_off[i + 1] - r->field_off[i] - 1;

	if (len)
		*len = n;
	return n == 0 ? NULL : r->out.data + r->field_off[i];
}

static inline int64_t
int_field(format_reader *r, int i, int64_t dflt)
{
	size_t		n;
	const char *s = field(r, i, &n);

	return log_field_int(s, n, dflt);
}

/* connection_from is "host:port" (host may be IPv6) or "[local]". */
static void
split_connection_from(format_reader *r)
{
	size_t		n;
	char	   *s = field(r, COL_CONNECTION_FROM, &n);
	char	   *colon;

	r->rec.remote_host = s;
	if (s == NULL || s[0] == '[')
		return;
	colon = memrchr(s, ':', n);
	if (colon == NULL || colon[1] == '\0' ||
		log_field_int(colon + 1, n - (size_t) (colon + 1 - s), -1) < 0)
		return;
	*colon = '\0';
	r->rec.remote_port = colon + 1;
}

/* Parse a timestamp field; see log_time_parse_field for unknown zones. */
static log_time_status
time_field(format_reader *r, int col, int64_t *ms)
{
	size_t		n;
	const char *s = field(r, col, &n);

	if (s == NULL)
		return LOG_TIME_INVALID;
	return log_time_parse_field(&r->tcache, s, n, ms, r->cfg.file);
}

/* Fill rec from the fields of a complete record; false if it is malformed. */
static bool
fill_record(format_reader *r, int nf, const char **reason)
{
	log_record *rec = &r->rec;
	size_t		n;
	const char *s;

	log_record_clear(rec);
	if (time_field(r, COL_LOG_TIME, &rec->ts_ms) == LOG_TIME_INVALID)
	{
		*reason = "csvlog record does not start with a valid log_time";
		return false;
	}
	rec->utc_offset_min = r->tcache.last_offset_min;
	rec->file = r->cfg.file;
	rec->line = r->first_line;
	rec->user = field(r, COL_USER_NAME, NULL);
	rec->dbname = field(r, COL_DATABASE_NAME, NULL);
	rec->pid = (int32_t) int_field(r, COL_PROCESS_ID, -1);
	split_connection_from(r);
	rec->session_id = field(r, COL_SESSION_ID, NULL);
	rec->session_line = int_field(r, COL_SESSION_LINE_NUM, -1);
	rec->command_tag = field(r, COL_COMMAND_TAG, NULL);
	if (time_field(r, COL_SESSION_START_TIME, &rec->session_start_ms) == LOG_TIME_INVALID)
		rec->session_start_ms = LOG_TS_UNKNOWN;
	rec->vxid = field(r, COL_VIRTUAL_TRANSACTION_ID, NULL);
	rec->xid = int_field(r, COL_TRANSACTION_ID, 0);
	s = field(r, COL_ERROR_SEVERITY, &n);
	rec->severity = s ? log_severity_from_name(s, n) : SEV_UNKNOWN;
	s = field(r, COL_SQL_STATE_CODE, &n);
	if (s && n == 5)
		memcpy(rec->sqlstate, s, 6);
	/* an empty message is still a message */
	rec->message = r->out.data + r->field_off[COL_MESSAGE];
	rec->message_len = r->field_off[COL_MESSAGE + 1] - r->field_off[COL_MESSAGE] - 1;
	rec->detail = field(r, COL_DETAIL, NULL);
	rec->hint = field(r, COL_HINT, NULL);
	rec->internal_query = field(r, COL_INTERNAL_QUERY, NULL);
	rec->context = field(r, COL_CONTEXT, NULL);
	rec->statement = field(r, COL_QUERY, NULL);
	rec->app = field(r, COL_APPLICATION_NAME, NULL);
	if (nf >= 24)
		rec->backend_type = field(r, COL_BACKEND_TYPE, NULL);
	if (nf >= 26)
	{
		rec->leader_pid = (int32_t) int_field(r, COL_LEADER_PID, -1);
		rec->query_id = int_field(r, COL_QUERY_ID, 0);
	}
	return true;
}

/* Give back a buffer that one huge record grew. */
static void
shrink(strbuf *sb)
{
	if (sb->cap > CSV_KEEP_BUFFER_BYTES)
	{
		strbuf_free(sb);
		strbuf_init(sb);
	}
}

/*
 * The record in out is complete: deliver it and return NULL, or return why
 * it is malformed (text in r->reason, or a constant).
 */
static const char *
finish_record(format_reader *r)
{
	int			nf = r->nfields;
	const char *reason = NULL;

	if (nf != 23 && nf != 24 && nf != 26)
	{
		snprintf(r->reason, sizeof(r->reason),
				 "csvlog record has %d fields; expected 23, 24 or 26", nf);
		return r->reason;
	}
	if (!fill_record(r, nf, &reason))
		return reason;
	r->cfg.sink(r->cfg.sink_ctx, &r->rec);
	return NULL;
}

/*
 * Give up on a record of several lines: report it, then read its lines
 * after the first again, skipping those that do not start with a
 * timestamp, and keep skipping such lines after it.  The file header says
 * why no record can end inside this replay, so it never recurses; only its
 * last line can open a record, which the following lines then continue.
 */
static void
abandon_record(format_reader *r, const char *reason)
{
	strbuf		tmp = r->replay;
	uint64_t	lineno = r->first_line;
	const char *p;
	const char *end;

	diag_malformed(r->cfg.tally, r->cfg.file, r->first_line, reason);
	r->replay = r->raw;
	r->raw = tmp;
	r->open = false;
	r->in_quote = false;

	p = r->replay.data;
	end = p + r->replay.len;
	p = memchr(p, '\n', (size_t) (end - p));	/* the first line is the bad one */
	while (p != NULL)
	{
		const char *line = p + 1;
		const char *nl = memchr(line, '\n', (size_t) (end - line));
		size_t		len = (size_t) ((nl ? nl : end) - line);

		lineno++;
		if (r->open || log_time_at_start(line, len))
			csv_feed(r, line, len, lineno);
		p = nl;
	}
	r->resync = true;
	strbuf_reset(&r->replay);
	shrink(&r->replay);
}

/* Keep the physical line of a record of several lines, for abandon_record. */
static void
keep_raw_line(format_reader *r, const char *line, size_t len)
{
	if (r->nlines > 1)
		strbuf_putc(&r->raw, '\n');
	else
		strbuf_reset(&r->raw);
	strbuf_append(&r->raw, line, len);
}

/*
 * Feed one physical line.  A line outside any record that does not start
 * with a timestamp is still read as a record (and then usually found
 * malformed), except after an abandoned record, until a line that does.
 */
static void
csv_feed(format_reader *r, const char *line, size_t len, uint64_t lineno)
{
	const char *reason;

	if (!r->open)
	{
		if (len == 0)
			return;
		if (r->resync)
		{
			if (!log_time_at_start(line, len))
				return;
			r->resync = false;
		}
		strbuf_reset(&r->out);
		r->field_off[0] = 0;
		r->nfields = 0;
		r->first_line = lineno;
		r->nlines = 0;
	}
	else
		r->out.data[r->out.len++] = '\n';	/* scan_line reserved room for it */

	r->nlines++;
	scan_line(r, line, len);
	if (r->in_quote || r->nlines > 1)
		keep_raw_line(r, line, len);
	if (r->in_quote)
	{
		r->open = true;
		if (r->nlines >= CSV_MAX_RECORD_LINES || r->out.len >= CSV_MAX_RECORD_BYTES)
			abandon_record(r, "unterminated quoted field in csvlog record (record too long)");
		return;
	}
	r->open = false;
	end_field(r, r->out.data + r->out.len);
	reason = finish_record(r);
	if (reason && r->nlines > 1)
		abandon_record(r, reason);
	else if (reason)
		diag_malformed(r->cfg.tally, r->cfg.file, r->first_line, reason);
	if (!r->open)
	{
		shrink(&r->out);
		shrink(&r->raw);
	}
}

static void
csv_finish(format_reader *r)
{
	if (r->open)
		abandon_record(r, "unterminated quoted field in csvlog record at end of input");
}

const format_reader_ops csvlog_reader_ops = {
	.format = LOG_FORMAT_CSVLOG,
	.create = csv_create,
	.feed = csv_feed,
	.finish = csv_finish,
	.destroy = csv_destroy,
	.starts_record = csv_starts_record,
};
