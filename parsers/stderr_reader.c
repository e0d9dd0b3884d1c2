/*-------------------------------------------------------------------------
 * stderr_reader.c
 *    Readers for PostgreSQL's stderr log format and for RDS's variant of it.
 *
 * The log_line_prefix is compiled once (prefix.c); each line is matched
 * against it together with the severity word.  A primary severity starts
 * a record; DETAIL, HINT, CONTEXT, STATEMENT and QUERY lines of the same
 * process become parts of it; a line starting with a tab continues the
 * last part (PostgreSQL writes every newline inside a message as "\n\t").
 *
 * PostgreSQL sends one message in one write, so the lines of a message are
 * contiguous even with many backends; a part line of another process is
 * therefore counted malformed rather than attached to the wrong message.
 *
 * Two record slots alternate: a line is matched into the spare slot, and a
 * primary line makes the spare the open record after the old one went to
 * the sink, so the prefix fields are copied once and nothing is allocated
 * per line.  With log_error_verbosity = verbose the message starts with
 * its SQLSTATE ("LOG:  00000: ..."); that is moved into rec->sqlstate.
 *-------------------------------------------------------------------------
 */
#include "parsers/stderr_reader.h"
#include "src/lib/arena.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL's default '%m [%p] ' plus Debian's session part, which it accepts too. */
#define STDERR_DEFAULT_PREFIX	"%m [%p] %q%u@%d "
#define RDS_DEFAULT_PREFIX		"%t:%r:%u@%d:[%p]:"

/* Buffers grown past this by one huge message are given back after it. */
#define KEEP_BUFFER_BYTES		(4u * 1024 * 1024)

typedef struct record_slot
{
	log_record	rec;
	strbuf		store;			/* the prefix's string fields */
} record_slot;

struct msg_assembler
{
	reader_config cfg;
	log_prefix *prefix;
	char	   *nomatch_reason;

	record_slot slots[2];
	int			cur;			/* slots[cur] is the open record */
	bool		open;
	uint64_t	first_line;
	strbuf		parts[PART__COUNT];
	unsigned	parts_used;		/* bit (1 << part) per part present */
	int			last_part;		/* which part a tab line continues */
	bool		verbose;		/* a LOCATION part was seen */
};

msg_assembler *
msg_assembler_create(const reader_config *cfg, const char *default_prefix)
{
	const char *text = cfg->prefix ? cfg->prefix : default_prefix;
	char	   *err = NULL;
	log_prefix *prefix = prefix_compile(text, &err);

	if (prefix == NULL)
	{
		diag_detail("%s", err);
		diag_hint("Give the server's log_line_prefix setting with --prefix.");
		diag_error("invalid log_line_prefix \"%s\"", text);
		free(err);
		return NULL;
	}

	msg_assembler *a = xcalloc(1, sizeof(*a));
	strbuf		reason;

	a->cfg = *cfg;
	a->prefix = prefix;
	strbuf_init(&reason);
	strbuf_printf(&reason, "line does not match log_line_prefix '%s'", text);
	a->nomatch_reason = strbuf_detach(&reason);
	for (int i = 0; i < 2; i++)
		strbuf_init(&a->slots[i].store);
	for (int i = 0; i < PART__COUNT; i++)
		strbuf_init(&a->parts[i]);
	return a;
}

void
msg_assembler_destroy(msg_assembler *a)
{
	if (a == NULL)
		return;
	prefix_free(a->prefix);
	free(a->nomatch_reason);
	for (int i = 0; i < 2; i++)
		strbuf_free(&a->slots[i].store);
	for (int i = 0; i < PART__COUNT; i++)
		strbuf_free(&a->parts[i]);
	free(a);
}

static void
shrink(strbuf *sb)
{
	if (sb->cap > KEEP_BUFFER_BYTES)
	{
		strbuf_free(sb);
		strbuf_init(sb);
	}
}

/* "SSSSS: " at the start of a verbose message: move it into rec->sqlstate. */
static void
take_verbose_sqlstate(log_record *rec)
{
	const char *m = rec->message;

	if (rec->message_len < 7 || m[5] != ':' || m[6] != ' ')
		return;
	for (int i = 0; i < 5; i++)
		if (!((m[i] >= '0' && m[i] <= '9') || (m[i] >= 'A' && m[i] <= 'Z')))
			return;
	if (rec->sqlstate[0] == '\0')
	{
		memcpy(rec->sqlstate, m, 5);
		rec->sqlstate[5] = '\0';
	}
	rec->message += 7;
	rec->message_len -= 7;
}

static const char *
part_text(msg_assembler *a, int part)
{
	return (a->parts_used & (1u << part)) ? a->parts[part].data : NULL;
}

/* Hand the open record to the sink. */
static void
flush(msg_assembler *a)
{
	if (!a->open)
		return;

	log_record *rec = &a->slots[a->cur].rec;

	rec->file = a->cfg.file;
	rec->line = a->first_line;
	rec->message = a->parts[PART_PRIMARY].data;
	rec->message_len = a->parts[PART_PRIMARY].len;
	if (a->verbose)
		take_verbose_sqlstate(rec);
	rec->detail = part_text(a, PART_DETAIL);
	rec->hint = part_text(a, PART_HINT);
	rec->context = part_text(a, PART_CONTEXT);
	rec->statement = part_text(a, PART_STATEMENT);
	rec->internal_query = part_text(a, PART_QUERY);
	a->cfg.sink(a->cfg.sink_ctx, rec);
	a->open = false;

	for (int i = 0; i < PART__COUNT; i++)
		if (a->parts_used & (1u << i))
			shrink(&a->parts[i]);
	shrink(&a->slots[a->cur].store);
}

/* A primary line: the spare slot, already matched, becomes the open record. */
static void
start_record(msg_assembler *a, const char *text, size_t len, uint64_t lineno)
{
	flush(a);
	a->cur = 1 - a->cur;
	a->open = true;
	a->first_line = lineno;
	a->parts_used = 1u << PART_PRIMARY;
	a->last_part = PART_PRIMARY;
	a->verbose = false;
	strbuf_reset(&a->parts[PART_PRIMARY]);
	strbuf_append(&a->parts[PART_PRIMARY], text, len);
}

/* A DETAIL/HINT/... line of process pid (-1: unknown). */
static void
add_part(msg_assembler *a, int part, int32_t pid, const char *text, size_t len, uint64_t lineno)
{
	int32_t		open_pid = a->slots[a->cur].rec.pid;

	if (!a->open)
	{
		diag_malformed(a->cfg.tally, a->cfg.file, lineno,
					   "DETAIL, HINT, CONTEXT, STATEMENT or QUERY line without a message before it");
		return;
	}
	if (pid >= 0 && open_pid >= 0 && pid != open_pid)
	{
		diag_malformed(a->cfg.tally, a->cfg.file, lineno,
					   "DETAIL, HINT, CONTEXT, STATEMENT or QUERY line of another process than the message before it");
		return;
	}
	a->last_part = part;
	if (part == PART_LOCATION)
	{
		a->verbose = true;
		return;
	}

	strbuf	   *sb = &a->parts[part];

	if (a->parts_used & (1u << part))
		strbuf_putc(sb, '\n');	/* a part given twice: keep both */
	else
		strbuf_reset(sb);
	a->parts_used |= 1u << part;
	strbuf_append(sb, text, len);
}

/* A line starting with a tab: the next line of the last part. */
static void
continue_part(msg_assembler *a, const char *text, size_t len, uint64_t lineno)
{
	if (!a->open)
	{
		diag_malformed(a->cfg.tally, a->cfg.file, lineno, "continuation line without a message before it");
		return;
	}
	if (a->last_part == PART_LOCATION)
		return;

	strbuf	   *sb = &a->parts[a->last_part];

	strbuf_reserve(sb, len + 1);
	strbuf_putc(sb, '\n');
	strbuf_append(sb, text, len);
}

void
msg_assembler_line(msg_assembler *a, const char *line, size_t len, uint64_t lineno,
				   int32_t pid, int64_t ts_ms, int32_t utc_offset_min)
{
	if (len > 0 && line[0] == '\t')
	{
		continue_part(a, line + 1, len - 1, lineno);
		return;
	}

	record_slot *spare = &a->slots[1 - a->cur];
	size_t		msg;
	int			part;

	log_record_clear(&spare->rec);
	strbuf_reset(&spare->store);
	part = prefix_match(a->prefix, line, len, &spare->rec, &spare->store, &msg);
	if (part < 0)
	{
		/* not the prefix's: still a message when it has a severity marker, its names unknown */
		part = prefix_match_fallback(a->prefix, line, len, &spare->rec, &msg);
		if (part < 0)
		{
			diag_malformed(a->cfg.tally, a->cfg.file, lineno, a->nomatch_reason);
			return;
		}
		diag_fallback(a->cfg.tally, lineno);
	}
	if (spare->rec.pid < 0)
		spare->rec.pid = pid;
	if (spare->rec.ts_ms == LOG_TS_UNKNOWN)
	{
		spare->rec.ts_ms = ts_ms;
		spare->rec.utc_offset_min = utc_offset_min;
	}
	if (part == PART_PRIMARY)
		start_record(a, line + msg, len - msg, lineno);
	else
		add_part(a, part, spare->rec.pid, line + msg, len - msg, lineno);
}

void
msg_assembler_finish(msg_assembler *a)
{
	flush(a);
}

int
msg_assembler_classify(msg_assembler *a, const char *line, size_t len)
{
	size_t		msg;

	return prefix_match(a->prefix, line, len, NULL, NULL, &msg);
}

/* The stderr and RDS readers are an assembler fed physical lines. */
struct format_reader
{
	msg_assembler *as;
};

static format_reader *
make_reader(const reader_config *cfg, const char *default_prefix)
{
	msg_assembler *as = msg_assembler_create(cfg, default_prefix);

	if (as == NULL)
		return NULL;

	format_reader *r = xmalloc(sizeof(*r));

	r->as = as;
	return r;
}

/* Reader for stderr logs; cfg->prefix NULL reads '%m [%p] %q%u@%d '. */
static format_reader *
stderr_create(const reader_config *cfg)
{
	return make_reader(cfg, STDERR_DEFAULT_PREFIX);
}

/* Reader for RDS logs; cfg->prefix NULL reads RDS's '%t:%r:%u@%d:[%p]:'. */
static format_reader *
rds_create(const reader_config *cfg)
{
	return make_reader(cfg, RDS_DEFAULT_PREFIX);
}

static void
stderr_feed(format_reader *r, const char *line, size_t len, uint64_t lineno)
{
	msg_assembler_line(r->as, line, len, lineno, -1, LOG_TS_UNKNOWN, LOG_UTC_OFFSET_UNKNOWN);
}

static void
stderr_finish(format_reader *r)
{
	msg_assembler_finish(r->as);
}

static void
stderr_destroy(format_reader *r)
{
	if (r == NULL)
		return;
	msg_assembler_destroy(r->as);
	free(r);
}

static int
stderr_starts_record(format_reader *r, const char *line, size_t len)
{
	return msg_assembler_classify(r->as, line, len) == PART_PRIMARY;
}

const format_reader_ops stderr_reader_ops = {
	.format = LOG_FORMAT_STDERR,
	.create = stderr_create,
	.feed = stderr_feed,
	.finish = stderr_finish,
	.destroy = stderr_destroy,
	.starts_record = stderr_starts_record,
};

const format_reader_ops rds_reader_ops = {
	.format = LOG_FORMAT_RDS,
	.create = rds_create,
	.feed = stderr_feed,
	.finish = stderr_finish,
	.destroy = stderr_destroy,
	.starts_record = stderr_starts_record,
};
