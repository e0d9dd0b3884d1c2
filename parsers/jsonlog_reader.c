/*-------------------------------------------------------------------------
 * jsonlog_reader.c
 *    Reader for PostgreSQL's jsonlog format (PG15+).
 *
 * Every line is one flat JSON object whose keys are fixed (timestamp, user,
 * dbname, pid, ...; empty values left out).  jansson builds a tree of
 * malloc'd values per line: about 65 MB/s on a real PG15 jsonlog here,
 * short of the pipeline's budget.  So this file has its own scanner, about
 * 600 MB/s on the same log.  It is a complete JSON validator (every string
 * escape, \uXXXX with surrogate pairs, numbers, literals, nested values
 * skipped up to JSON_MAX_DEPTH), so a line that is not JSON is still
 * counted as malformed.  Unescaped values go into one reused buffer,
 * NUL-ended; a record costs no allocation.  Bytes >= 0x80 pass through
 * without UTF-8 validation, as a server in SQL_ASCII may write anything;
 * "\u0000" is kept and so cuts a C string short (PostgreSQL never writes
 * it: text cannot hold NUL).  Keys are compared after unescaping.
 *
 * CloudNativePG writes the server's log to stdout as JSON lines in its own
 * envelope: {"level", "ts", "logger": "postgres", "msg": "record",
 * "logging_pod", "record": {csvlog's columns by name: log_time, user_name,
 * database_name, process_id, ...}}.  The same reader reads them (format
 * cnpg): the members of "record" are read as the line's own, under their
 * csvlog names, and lines of the operator's other loggers (instance
 * manager, pg_controldata, pgaudit) are skipped.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/reader.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64
#define JSON_KEEP_BUFFER_BYTES (4u * 1024 * 1024)

/* The keys that become log_record fields; others are read and dropped. */
typedef enum json_key
{
	JK_TIMESTAMP,
	JK_USER,
	JK_DBNAME,
	JK_PID,
	JK_REMOTE_HOST,
	JK_REMOTE_PORT,
	JK_SESSION_ID,
	JK_LINE_NUM,
	JK_PS,
	JK_SESSION_START,
	JK_VXID,
	JK_TXID,
	JK_ERROR_SEVERITY,
	JK_STATE_CODE,
	JK_MESSAGE,
	JK_DETAIL,
	JK_HINT,
	JK_INTERNAL_QUERY,
	JK_CONTEXT,
	JK_STATEMENT,
	JK_APPLICATION_NAME,
	JK_BACKEND_TYPE,
	JK_LEADER_PID,
	JK_QUERY_ID,
	JK_LOGGER,					/* CloudNativePG's envelope */
	JK_COUNT
} json_key;

static const char *const key_names[JK_COUNT] = {
	"timestamp", "user", "dbname", "pid", "remote_host", "remote_port",
	"session_id", "line_num", "ps", "session_start", "vxid", "txid",
	"error_severity", "state_code", "message", "detail", "hint",
	"internal_query", "context", "statement", "application_name",
	"backend_type", "leader_pid", "query_id", "logger"
};

/* csvlog's column names, as CloudNativePG's "record" has them. */
static const struct
{
	const char *name;
	json_key	key;
}			csv_names[] = {
	{"log_time", JK_TIMESTAMP}, {"user_name", JK_USER}, {"database_name", JK_DBNAME},
	{"process_id", JK_PID}, {"connection_from", JK_REMOTE_HOST}, {"session_line_num", JK_LINE_NUM},
	{"command_tag", JK_PS}, {"session_start_time", JK_SESSION_START},
	{"virtual_transaction_id", JK_VXID}, {"transaction_id", JK_TXID}, {"sql_state_code", JK_STATE_CODE},
	{"query", JK_STATEMENT},
};

#define NO_VALUE SIZE_MAX

struct format_reader
{
	reader_config cfg;
	log_time_cache tcache;
	strbuf		out;			/* unescaped values of the line, NUL-ended */
	size_t		val_off[JK_COUNT];	/* offset in out, or NO_VALUE */
	size_t		val_len[JK_COUNT];
	bool		enveloped;		/* the line had a "record" object */
	log_record	rec;
};

/* Scanner state over one line; o writes into the reader's out buffer. */
typedef struct json_cursor
{
	const char *p;
	const char *end;
	char	   *o;
	const char *error;			/* first error, a malformed-line reason */
} json_cursor;

/* Bytes copied verbatim inside a string: not '"', '\\' or a control char. */
static inline bool
json_plain(unsigned char ch)
{
	return ch >= 0x20 && ch != '"' && ch != '\\';
}

static format_reader *
json_create(const reader_config *cfg)
{
	format_reader *r = xcalloc(1, sizeof(*r));

	r->cfg = *cfg;
	log_time_cache_init(&r->tcache);
	strbuf_init(&r->out);
	return r;
}

static void
json_destroy(format_reader *r)
{
	if (r == NULL)
		return;
	strbuf_free(&r->out);
	free(r);
}

static int
json_starts_record(format_reader *r, const char *line, size_t len)
{
	return len > 0 && line[0] == '{';
}

static void
json_finish(format_reader *r)
{
	/* every record is a single line: nothing is ever pending */
}

static inline bool
fail(json_cursor *c, const char *reason)
{
	if (c->error == NULL)
		c->error = reason;
	return false;
}

static inline void
skip_ws(json_cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static int
hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Four hex digits at c->p (after "\u"), or -1. */
static int32_t
read_hex4(json_cursor *c)
{
	int32_t		v = 0;

	if (c->end - c->p < 4)
		return -1;
	for (int i = 0; i < 4; i++)
	{
		int			h = hex_value(c->p[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	c->p += 4;
	return v;
}

static void
put_utf8(json_cursor *c, uint32_t cp)
{
	if (cp < 0x80)
		*c->o++ = (char) cp;
	else if (cp < 0x800)
	{
		*c->o++ = (char) (0xC0 | (cp >> 6));
		*c->o++ = (char) (0x80 | (cp & 0x3F));
	}
	else if (cp < 0x10000)
	{
		*c->o++ = (char) (0xE0 | (cp >> 12));
		*c->o++ = (char) (0x80 | ((cp >> 6) & 0x3F));
		*c->o++ = (char) (0x80 | (cp & 0x3F));
	}
	else
	{
		*c->o++ = (char) (0xF0 | (cp >> 18));
		*c->o++ = (char) (0x80 | ((cp >> 12) & 0x3F));
		*c->o++ = (char) (0x80 | ((cp >> 6) & 0x3F));
		*c->o++ = (char) (0x80 | (cp & 0x3F));
	}
}

/*
 * "\uXXXX" (c->p after the 'u'), with a surrogate pair as one code point.
 * Its UTF-8 is never longer than the escape, so output stays within input.
 */
static bool
read_unicode_escape(json_cursor *c)
{
	int32_t		cp = read_hex4(c);

	if (cp < 0)
		return fail(c, "invalid \\u escape in JSON string");
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(c, "unpaired surrogate in JSON string");
	if (cp >= 0xD800 && cp <= 0xDBFF)
	{
		int32_t		lo;

		if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
			return fail(c, "unpaired surrogate in JSON string");
		c->p += 2;
		lo = read_hex4(c);
		if (lo < 0xDC00 || lo > 0xDFFF)
			return fail(c, "unpaired surrogate in JSON string");
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	put_utf8(c, (uint32_t) cp);
	return true;
}

/* A string (c->p after the opening quote) unescaped to c->o, no NUL added. */
static bool
read_string(json_cursor *c)
{
	for (;;)
	{
		const char *s = c->p;

		while (c->p < c->end && json_plain((unsigned char) *c->p))
			c->p++;
		memcpy(c->o, s, (size_t) (c->p - s));
		c->o += c->p - s;
		if (c->p >= c->end)
			return fail(c, "unterminated JSON string");

		char		ch = *c->p++;

		if (ch == '"')
			return true;
		if (ch != '\\')
			return fail(c, "control character in JSON string");
		if (c->p >= c->end)
			return fail(c, "unterminated JSON string");
		switch (*c->p++)
		{
			case '"': *c->o++ = '"'; break;
			case '\\': *c->o++ = '\\'; break;
			case '/': *c->o++ = '/'; break;
			case 'b': *c->o++ = '\b'; break;
			case 'f': *c->o++ = '\f'; break;
			case 'n': *c->o++ = '\n'; break;
			case 'r': *c->o++ = '\r'; break;
			case 't': *c->o++ = '\t'; break;
			case 'u':
				if (!read_unicode_escape(c))
					return false;
				break;
			default:
				return fail(c, "invalid escape in JSON string");
		}
	}
}

static inline bool
skip_digits(json_cursor *c)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s;
}

/* A number per the JSON grammar, copied to c->o as written. */
static bool
read_number(json_cursor *c)
{
	const char *s = c->p;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!skip_digits(c))
		return fail(c, "invalid JSON number");
	if (c->p < c->end && *c->p == '.')
	{
		c->p++;
		if (!skip_digits(c))
			return fail(c, "invalid JSON number");
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E'))
	{
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!skip_digits(c))
			return fail(c, "invalid JSON number");
	}
	memcpy(c->o, s, (size_t) (c->p - s));
	c->o += c->p - s;
	return true;
}

static bool
read_literal(json_cursor *c, const char *word, size_t n)
{
	if ((size_t) (c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return fail(c, "invalid JSON value");
	c->p += n;
	return true;
}

static bool read_value(json_cursor *c, int depth);

/* An array or object (c->p at '[' or '{'); its contents are validated and dropped. */
static bool
skip_container(json_cursor *c, int depth)
{
	char		close = *c->p == '{' ? '}' : ']';
	bool		object = close == '}';
	char	   *mark = c->o;

	if (depth >= JSON_MAX_DEPTH)
		return fail(c, "JSON nested too deeply");
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == close)
	{
		c->p++;
		return true;
	}
	for (;;)
	{
		skip_ws(c);
		if (object)
		{
			if (c->p >= c->end || *c->p != '"')
				return fail(c, "expected a string key in JSON object");
			c->p++;
			if (!read_string(c))
				return false;
			skip_ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				return fail(c, "expected ':' in JSON object");
			skip_ws(c);
		}
		if (!read_value(c, depth + 1))
			return false;
		c->o = mark;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',')
			c->p++;
		else if (c->p < c->end && *c->p == close)
		{
			c->p++;
			return true;
		}
		else
			return fail(c, "expected ',' or end of JSON array or object");
	}
}

/*
 * Any JSON value at c->p.  Strings and numbers leave their text at c->o;
 * literals and containers leave nothing.
 */
static bool
read_value(json_cursor *c, int depth)
{
	if (c->p >= c->end)
		return fail(c, "missing JSON value");
	switch (*c->p)
	{
		case '"':
			c->p++;
			return read_string(c);
		case '{':
		case '[':
			return skip_container(c, depth);
		case 't':
			return read_literal(c, "true", 4);
		case 'f':
			return read_literal(c, "false", 5);
		case 'n':
			return read_literal(c, "null", 4);
		default:
			if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
				return read_number(c);
			return fail(c, "invalid JSON value");
	}
}

/* Which field a key names, or JK_COUNT for one we do not keep; csv_names too inside a record. */
static json_key
lookup_key(const char *k, size_t n, bool in_record)
{
	for (int i = 0; i < JK_COUNT; i++)
	{
		if (key_names[i][0] == k[0] && strlen(key_names[i]) == n &&
			memcmp(key_names[i], k, n) == 0)
			return (json_key) i;
	}
	for (size_t i = 0; in_record && i < sizeof(csv_names) / sizeof(csv_names[0]); i++)
		if (strlen(csv_names[i].name) == n && memcmp(csv_names[i].name, k, n) == 0)
			return csv_names[i].key;
	return JK_COUNT;
}

static bool parse_members(format_reader *r, json_cursor *c, bool in_record);

/*
 * One "key": value member; a kept value is recorded in val_off/val_len.
 * At the top level, an object under "record" (CloudNativePG) is read as
 * more members of the line.
 */
static bool
read_member(format_reader *r, json_cursor *c, bool in_record)
{
	char	   *key = c->o;
	json_key	k;
	bool		is_null;
	bool		record;

	if (c->p >= c->end || *c->p != '"')
		return fail(c, "expected a string key in JSON object");
	c->p++;
	if (!read_string(c))
		return false;
	record = !in_record && c->o - key == 6 && memcmp(key, "record", 6) == 0;
	k = key == c->o ? JK_COUNT : lookup_key(key, (size_t) (c->o - key), in_record);
	c->o = key;					/* the key text is not kept */
	skip_ws(c);
	if (c->p >= c->end || *c->p++ != ':')
		return fail(c, "expected ':' in JSON object");
	skip_ws(c);
	if (record && c->p < c->end && *c->p == '{')
	{
		r->enveloped = true;
		return parse_members(r, c, true);
	}
	is_null = c->p < c->end && *c->p == 'n';
	if (!read_value(c, 1))
		return false;
	if (k == JK_COUNT || is_null)
	{
		c->o = key;
		return true;
	}
	r->val_off[k] = (size_t) (key - r->out.data);
	r->val_len[k] = (size_t) (c->o - key);
	*c->o++ = '\0';
	return true;
}

/* The members of the object at c->p ('{'), into val_off/val_len. */
static bool
parse_members(format_reader *r, json_cursor *c, bool in_record)
{
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == '}')
	{
		c->p++;
		return true;
	}
	for (;;)
	{
		skip_ws(c);
		if (!read_member(r, c, in_record))
			return false;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',')
			c->p++;
		else if (c->p < c->end && *c->p == '}')
		{
			c->p++;
			return true;
		}
		else
			return fail(c, "expected ',' or '}' in JSON object");
	}
}

/*
 * Parse the object on one line into val_off/val_len.  Output never needs
 * more room than the line: values shrink when unescaped, and each NUL
 * takes the place of a quote or of the ':' before a number.
 */
static bool
parse_object(format_reader *r, json_cursor *c)
{
	for (int i = 0; i < JK_COUNT; i++)
		r->val_off[i] = NO_VALUE;
	r->enveloped = false;
	skip_ws(c);
	if (c->p >= c->end || *c->p != '{')
		return fail(c, "jsonlog line is not a JSON object");
	if (!parse_members(r, c, false))
		return false;
	skip_ws(c);
	if (c->p != c->end)
		return fail(c, "text after the JSON object");
	return true;
}

/* The text of a kept value, or NULL when absent or empty. */
static inline char *
value(format_reader *r, json_key k, size_t *len)
{
	if (r->val_off[k] == NO_VALUE || r->val_len[k] == 0)
		return NULL;
	if (len)
		*len = r->val_len[k];
	return r->out.data + r->val_off[k];
}

/* A value that must be a decimal integer (number or string), or dflt. */
static inline int64_t
int_value(format_reader *r, json_key k, int64_t dflt)
{
	size_t		n = 0;
	const char *s = value(r, k, &n);

	return log_field_int(s, n, dflt);
}

/* Parse a timestamp value; see log_time_parse_field for unknown zones. */
static log_time_status
time_value(format_reader *r, json_key k, int64_t *ms)
{
	size_t		n = 0;
	const char *s = value(r, k, &n);

	if (s == NULL)
		return LOG_TIME_INVALID;
	return log_time_parse_field(&r->tcache, s, n, ms, r->cfg.file);
}

/* Fill rec from the kept values; false (with *reason) if unusable. */
static bool
fill_record(format_reader *r, uint64_t lineno, const char **reason)
{
	log_record *rec = &r->rec;
	size_t		n = 0;
	const char *s;

	log_record_clear(rec);
	s = value(r, JK_LOGGER, &n);
	if (s != NULL && !(n == 8 && memcmp(s, "postgres", 8) == 0))
		return false;			/* the operator's own loggers: not the server's log */
	if (s != NULL && !r->enveloped)
		return false;			/* a "msg" line of the server's logger, not a record */
	if (time_value(r, JK_TIMESTAMP, &rec->ts_ms) == LOG_TIME_INVALID)
	{
		*reason = r->val_off[JK_TIMESTAMP] == NO_VALUE ?
			"jsonlog record has no timestamp" : "jsonlog record has an invalid timestamp";
		return false;
	}
	rec->utc_offset_min = r->tcache.last_offset_min;
	rec->file = r->cfg.file;
	rec->line = lineno;
	rec->user = value(r, JK_USER, NULL);
	rec->dbname = value(r, JK_DBNAME, NULL);
	rec->pid = (int32_t) int_value(r, JK_PID, -1);
	rec->remote_host = value(r, JK_REMOTE_HOST, NULL);
	rec->remote_port = value(r, JK_REMOTE_PORT, NULL);
	if (r->enveloped && rec->remote_host && rec->remote_port == NULL)
	{
		/* csvlog's connection_from is "host:port" */
		char	   *colon = strrchr((char *) rec->remote_host, ':');

		if (colon && colon[1] >= '0' && colon[1] <= '9' && strchr(rec->remote_host, ':') == colon)
		{
			*colon = '\0';
			rec->remote_port = colon + 1;
		}
	}
	rec->session_id = value(r, JK_SESSION_ID, NULL);
	rec->session_line = int_value(r, JK_LINE_NUM, -1);
	rec->command_tag = value(r, JK_PS, NULL);
	if (time_value(r, JK_SESSION_START, &rec->session_start_ms) == LOG_TIME_INVALID)
		rec->session_start_ms = LOG_TS_UNKNOWN;
	rec->vxid = value(r, JK_VXID, NULL);
	rec->xid = int_value(r, JK_TXID, 0);
	s = value(r, JK_ERROR_SEVERITY, &n);
	rec->severity = s ? log_severity_from_name(s, n) : SEV_UNKNOWN;
	/* the server leaves state_code out when it is 00000 (sqlerrcode 0) */
	s = value(r, JK_STATE_CODE, &n);
	if (s == NULL)
		memcpy(rec->sqlstate, "00000", 6);
	else if (n == 5)
		memcpy(rec->sqlstate, s, 6);
	s = value(r, JK_MESSAGE, &n);
	rec->message = s ? s : "";
	rec->message_len = s ? n : 0;
	rec->detail = value(r, JK_DETAIL, NULL);
	rec->hint = value(r, JK_HINT, NULL);
	rec->internal_query = value(r, JK_INTERNAL_QUERY, NULL);
	rec->context = value(r, JK_CONTEXT, NULL);
	rec->statement = value(r, JK_STATEMENT, NULL);
	rec->app = value(r, JK_APPLICATION_NAME, NULL);
	rec->backend_type = value(r, JK_BACKEND_TYPE, NULL);
	rec->leader_pid = (int32_t) int_value(r, JK_LEADER_PID, -1);
	rec->query_id = int_value(r, JK_QUERY_ID, 0);
	return true;
}

/*
 * Feed one line: one record, or one malformed line counted in the tally.
 * Empty lines are skipped silently.
 */
static void
json_feed(format_reader *r, const char *line, size_t len, uint64_t lineno)
{
	json_cursor c;
	const char *reason = NULL;

	if (len == 0)
		return;
	strbuf_reset(&r->out);
	strbuf_reserve(&r->out, len + 1);
	c.p = line;
	c.end = line + len;
	c.o = r->out.data;
	c.error = NULL;
	if (!parse_object(r, &c))
		reason = c.error;
	else if (fill_record(r, lineno, &reason))
		r->cfg.sink(r->cfg.sink_ctx, &r->rec);
	if (reason)
		diag_malformed(r->cfg.tally, r->cfg.file, lineno, reason);
	if (r->out.cap > JSON_KEEP_BUFFER_BYTES)
	{
		strbuf_free(&r->out);
		strbuf_init(&r->out);
	}
}

/* CloudNativePG's JSON lines: the same reader, named for what the user has. */
const format_reader_ops cnpg_reader_ops = {
	.format = LOG_FORMAT_CNPG,
	.create = json_create,
	.feed = json_feed,
	.finish = json_finish,
	.destroy = json_destroy,
	.starts_record = json_starts_record,
};

const format_reader_ops jsonlog_reader_ops = {
	.format = LOG_FORMAT_JSONLOG,
	.create = json_create,
	.feed = json_feed,
	.finish = json_finish,
	.destroy = json_destroy,
	.starts_record = json_starts_record,
};
