/*-------------------------------------------------------------------------
 * events.c
 *    The event assembler: log records in, typed log_events out.
 *
 * Classification looks at the start of the message only: a switch on the
 * first byte, then memcmp against PostgreSQL 15's wordings (lc_messages=C),
 * so the common "duration: X ms  statement: ..." record costs a few
 * comparisons and one number parse and allocates nothing.  ERROR, FATAL
 * and PANIC records take a separate, rarer path (errors below).
 *
 * Pairing.  With log_statement=all, PostgreSQL logs "statement: q" (or
 * "execute <name>: q") when a statement starts and, with log_duration or
 * log_min_duration_statement, a bare "duration: X ms" when it ends.  Each
 * session -- keyed by the %c session id, else by the pid -- holds at most
 * one pending statement.  A bare duration in the same session completes
 * it into one EV_STATEMENT; whatever shows that it ended without a
 * duration (another statement or protocol phase, an error, a new
 * connection with the same key, the disconnection, end of input, or
 * eviction once MAX_PENDING sessions wait) delivers it as
 * EV_STATEMENT_UNTIMED.  A bare duration with nothing pending is
 * delivered as EV_OTHER with its duration set: log_duration=on also times
 * parse and bind messages, which log_statement never prints, so such
 * durations belong to no statement we saw.
 *
 * The statements waiting for a duration live in pending_stmts.c.
 *
 * pgBouncer's records (rec->source) are not PostgreSQL's messages: each
 * becomes one EV_POOLER event, classified by pooler_text.c, before any of
 * the above, so none of them pairs with, ends or opens a server session.
 *-------------------------------------------------------------------------
 */
#include "parsers/event_text.h"
#include "parsers/log_event.h"
#include "parsers/pending_stmts.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Sessions that may wait for a duration at once; the oldest is evicted. */
#define MAX_PENDING 100000

struct event_assembler
{
	log_event_sink sink;
	void	   *ctx;

	pending_stmts *pending;

	/* Reused per event so that strings handed to the sink are NUL-terminated. */
	strbuf		name;
	strbuf		portal;
	strbuf		query;
	strbuf		scratch;
	pooler_stats pooler_stats;	/* of the last "stats:" line delivered */
};

static const char *const kind_names[EV__COUNT] = {
	[EV_STATEMENT] = "statement",
	[EV_STATEMENT_UNTIMED] = "statement_untimed",
	[EV_PARSE] = "parse",
	[EV_BIND] = "bind",
	[EV_PLAN] = "plan",
	[EV_CONNECTION_RECEIVED] = "connection_received",
	[EV_CONNECTION_AUTHORIZED] = "connection_authorized",
	[EV_DISCONNECTION] = "disconnection",
	[EV_REFUSED] = "refused",
	[EV_ERROR] = "error",
	[EV_STATEMENT_TIMEOUT] = "statement_timeout",
	[EV_LOCK_WAIT] = "lock_wait",
	[EV_LOCK_ACQUIRED] = "lock_acquired",
	[EV_DEADLOCK] = "deadlock",
	[EV_TEMP_FILE] = "temp_file",
	[EV_CHECKPOINT_STARTING] = "checkpoint_starting",
	[EV_CHECKPOINT_COMPLETE] = "checkpoint_complete",
	[EV_AUTOVACUUM] = "autovacuum",
	[EV_AUTOANALYZE] = "autoanalyze",
	[EV_OTHER] = "other",
	[EV_POOLER] = "pooler",
};

const char *
log_event_kind_name(log_event_kind kind)
{
	if ((int) kind < 0 || kind >= EV__COUNT)
		return "unknown";
	return kind_names[kind];
}

event_assembler *
event_assembler_create(log_event_sink sink, void *ctx)
{
	event_assembler *ea = xcalloc(1, sizeof(event_assembler));

	ea->sink = sink;
	ea->ctx = ctx;
	ea->pending = pending_stmts_create();
	strbuf_init(&ea->name);
	strbuf_init(&ea->portal);
	strbuf_init(&ea->query);
	strbuf_init(&ea->scratch);
	return ea;
}

/* ---------------------------------------------------------------------
 * Delivery
 * ---------------------------------------------------------------------
 */

static void
event_init(log_event *ev, log_event_kind kind, const log_record *rec)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->rec = rec;
	ev->duration_ms = -1;
	ev->session_ms = -1;
	ev->wait_ms = -1;
	ev->temp_file_bytes = -1;
	ev->age_s = -1;
}

/* ev->query is the record's STATEMENT part, for kinds that are not statements. */
static void
set_statement_query(log_event *ev, const log_record *rec)
{
	if (rec->statement != NULL)
	{
		ev->query = rec->statement;
		ev->query_len = strlen(rec->statement);
	}
}

static void
deliver_simple(event_assembler *ea, log_event_kind kind, const log_record *rec)
{
	log_event	ev;

	event_init(&ev, kind, rec);
	set_statement_query(&ev, rec);
	ea->sink(ea->ctx, &ev);
}

static const char *
copy_to(strbuf *sb, const char *s, size_t len)
{
	strbuf_reset(sb);
	strbuf_append(sb, s, len);
	return sb->data;
}

static void
deliver_statement(event_assembler *ea, log_event_kind kind, const log_record *rec,
				  double duration_ms, const stmt_line *sl)
{
	log_event	ev;

	event_init(&ev, kind, rec);
	ev.duration_ms = duration_ms;
	ev.query = sl->query;
	ev.query_len = sl->query_len;
	if (sl->name != NULL)
		ev.stmt_name = copy_to(&ea->name, sl->name, sl->name_len);
	if (sl->portal != NULL)
		ev.portal = copy_to(&ea->portal, sl->portal, sl->portal_len);
	ev.is_fetch = sl->is_fetch;
	if (rec->detail != NULL && strncmp(rec->detail, "parameters: ", 12) == 0)
		ev.params = rec->detail + 12;
	ea->sink(ea->ctx, &ev);
}

/*
 * Fill the fields of copy that its record left empty from "key=value"
 * pairs of the message (keys[i] -> *fields[i]), for formats whose prefix
 * does not carry user, database, host...  Values live in ea->scratch.
 */
static void
fill_from_message(event_assembler *ea, const char *s, const char *end,
				  const char *const *keys, const char **const *fields, int n)
{
	size_t		offs[8];
	const char *val;
	size_t		len;

	strbuf_reset(&ea->scratch);
	for (int i = 0; i < n; i++)
	{
		int			to_end = strcmp(keys[i], "application_name") == 0;

		offs[i] = SIZE_MAX;
		if ((*fields[i] != NULL && (*fields[i])[0] != '\0') ||
			!evtext_find_kv(s, end, keys[i], to_end, &val, &len))
			continue;
		offs[i] = ea->scratch.len;
		strbuf_append(&ea->scratch, val, len);
		strbuf_putc(&ea->scratch, '\0');
	}
	for (int i = 0; i < n; i++)
		if (offs[i] != SIZE_MAX)
			*fields[i] = ea->scratch.data + offs[i];
}

/* ---------------------------------------------------------------------
 * Pending statements, one per session
 * ---------------------------------------------------------------------
 */

/* Deliver p as EV_STATEMENT_UNTIMED, or EV_STATEMENT if a duration came, and drop it. */
static void
pending_deliver(event_assembler *ea, pending_stmt *p, double duration_ms)
{
	stmt_line	sl;
	const log_record *rec = pending_stmt_record(p);

	/* It was recognised as a statement line when it was stored. */
	evtext_stmt_line(rec->message, rec->message + rec->message_len, &sl);
	deliver_statement(ea, duration_ms >= 0 ? EV_STATEMENT : EV_STATEMENT_UNTIMED,
					  rec, duration_ms, &sl);
	pending_stmts_remove(ea->pending, p);
}

/* rec shows that its session's pending statement, if any, got no duration. */
static void
end_pending(event_assembler *ea, const log_record *rec)
{
	session_key k;
	pending_stmt *p;

	if (pending_stmts_count(ea->pending) == 0)
		return;
	session_key_of(&k, rec);
	p = pending_stmts_find(ea->pending, &k);
	if (p != NULL)
		pending_deliver(ea, p, -1);
}

/* ---------------------------------------------------------------------
 * Classification of LOG (and lesser) records
 * ---------------------------------------------------------------------
 */

static log_event_kind
kind_of_phase(stmt_phase phase)
{
	switch (phase)
	{
		case STMT_PHASE_PARSE:
			return EV_PARSE;
		case STMT_PHASE_BIND:
			return EV_BIND;
		default:
			return EV_STATEMENT;
	}
}

static void
deliver_plan(event_assembler *ea, const log_record *rec, double ms,
			 const char *body, const char *end)
{
	log_event	ev;

	event_init(&ev, EV_PLAN, rec);
	ev.duration_ms = ms;
	strbuf_reset(&ea->query);
	if (evtext_plan(body, end, &ea->query, &ev.plan, &ev.plan_is_json))
	{
		ev.query = ea->query.data;
		ev.query_len = ea->query.len;
	}
	ea->sink(ea->ctx, &ev);
}

/* A bare "duration: X ms": completes the session's pending statement. */
static void
bare_duration(event_assembler *ea, const log_record *rec, double ms)
{
	session_key k;
	pending_stmt *p = NULL;
	log_event	ev;

	if (pending_stmts_count(ea->pending) > 0)
	{
		session_key_of(&k, rec);
		p = pending_stmts_find(ea->pending, &k);
	}
	if (p != NULL)
	{
		pending_deliver(ea, p, ms);
		return;
	}
	event_init(&ev, EV_OTHER, rec);
	ev.duration_ms = ms;
	ea->sink(ea->ctx, &ev);
}

/* "duration: X ms" with nothing, a statement line, or "plan:" after it. */
static int
on_duration(event_assembler *ea, const log_record *rec, const char *msg, const char *end)
{
	double		ms;
	const char *p = evtext_duration(msg, end, &ms);
	stmt_line	sl;

	if (p == NULL)
		return 0;
	if (p == end)
	{
		bare_duration(ea, rec, ms);
		return 1;
	}
	if (!EVTEXT_STARTS(p, end, "  "))
		return 0;
	p += 2;
	if (EVTEXT_STARTS(p, end, "plan:"))
	{
		/* auto_explain logs before the duration line: leave pending alone */
		deliver_plan(ea, rec, ms, p + 5, end);
		return 1;
	}
	if (!evtext_stmt_line(p, end, &sl))
		return 0;
	end_pending(ea, rec);
	deliver_statement(ea, kind_of_phase(sl.phase), rec, ms, &sl);
	return 1;
}

/* log_statement's "statement: q" / "execute name: q": wait for a duration. */
static int
on_logged_statement(event_assembler *ea, const log_record *rec,
					const char *msg, const char *end)
{
	stmt_line	sl;
	session_key k;
	pending_stmt *p;

	if (!evtext_stmt_line(msg, end, &sl) ||
		(sl.phase != STMT_PHASE_SIMPLE && sl.phase != STMT_PHASE_EXECUTE))
		return 0;
	session_key_of(&k, rec);
	p = pending_stmts_find(ea->pending, &k);
	if (p != NULL)
		pending_deliver(ea, p, -1);
	if (pending_stmts_count(ea->pending) >= MAX_PENDING)
		pending_deliver(ea, pending_stmts_oldest(ea->pending), -1);
	pending_stmts_add(ea->pending, &k, rec);
	return 1;
}

static int
on_connection(event_assembler *ea, const log_record *rec, const char *msg, const char *end)
{
	static const char *const recv_keys[] = {"host", "port"};
	static const char *const auth_keys[] = {"user", "database", "application_name"};
	log_record	copy = *rec;
	log_event_kind kind;

	if (EVTEXT_STARTS(msg, end, "connection received: "))
	{
		const char **const fields[] = {&copy.remote_host, &copy.remote_port};

		kind = EV_CONNECTION_RECEIVED;
		fill_from_message(ea, msg, end, recv_keys, fields, 2);
	}
	else if (EVTEXT_STARTS(msg, end, "connection authorized: ") ||
			 EVTEXT_STARTS(msg, end, "replication connection authorized: "))
	{
		const char **const fields[] = {&copy.user, &copy.dbname, &copy.app};

		kind = EV_CONNECTION_AUTHORIZED;
		fill_from_message(ea, msg, end, auth_keys, fields, 3);
	}
	else
		return 0;
	/* A new backend under a key (a reused pid) ends what the old one left. */
	end_pending(ea, rec);
	deliver_simple(ea, kind, &copy);
	return 1;
}

static int
on_disconnection(event_assembler *ea, const log_record *rec, const char *msg, const char *end)
{
	static const char *const keys[] = {"user", "database", "host", "port"};
	log_record	copy = *rec;
	const char **const fields[] = {&copy.user, &copy.dbname, &copy.remote_host, &copy.remote_port};
	log_event	ev;

	if (!EVTEXT_STARTS(msg, end, "disconnection: "))
		return 0;
	end_pending(ea, rec);
	fill_from_message(ea, msg, end, keys, fields, 4);
	event_init(&ev, EV_DISCONNECTION, &copy);
	evtext_session_time(msg, end, &ev.session_ms);
	ea->sink(ea->ctx, &ev);
	return 1;
}

/* log_lock_waits: "process N still waiting for ..." / "process N acquired ..." */
static int
on_process(event_assembler *ea, const log_record *rec, const char *msg, const char *end)
{
	const char *p = msg + 8;
	log_event	ev;
	log_event_kind kind;

	if (!EVTEXT_STARTS(msg, end, "process "))
		return 0;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (EVTEXT_STARTS(p, end, " still waiting for "))
		kind = EV_LOCK_WAIT;
	else if (EVTEXT_STARTS(p, end, " acquired "))
		kind = EV_LOCK_ACQUIRED;
	else
		return 0;
	event_init(&ev, kind, rec);
	set_statement_query(&ev, rec);
	evtext_after_ms(p, end, &ev.wait_ms);
	ea->sink(ea->ctx, &ev);
	return 1;
}

static int
on_temp_file(event_assembler *ea, const log_record *rec, const char *msg, const char *end)
{
	log_event	ev;

	if (!EVTEXT_STARTS(msg, end, "temporary file: "))
		return 0;
	event_init(&ev, EV_TEMP_FILE, rec);
	set_statement_query(&ev, rec);
	evtext_temp_file_size(msg, end, &ev.temp_file_bytes);
	ea->sink(ea->ctx, &ev);
	return 1;
}

/* Checkpoints, and restartpoints, which are a standby's checkpoints. */
static log_event_kind
checkpoint_kind(const char *msg, const char *end)
{
	const char *p;

	if (EVTEXT_STARTS(msg, end, "checkpoint "))
		p = msg + 11;
	else if (EVTEXT_STARTS(msg, end, "restartpoint "))
		p = msg + 13;
	else
		return EV_OTHER;
	if (EVTEXT_STARTS(p, end, "starting:"))
		return EV_CHECKPOINT_STARTING;
	if (EVTEXT_STARTS(p, end, "complete:"))
		return EV_CHECKPOINT_COMPLETE;
	return EV_OTHER;
}

/*
 * vacuumlazy.c: "automatic [aggressive ]vacuum [to prevent wraparound ]of
 * table ..."; analyze.c: "automatic analyze of table ...".
 */
static log_event_kind
autovacuum_kind(const char *msg, const char *end)
{
	const char *p = msg + 10;

	if (!EVTEXT_STARTS(msg, end, "automatic "))
		return EV_OTHER;
	if (EVTEXT_STARTS(p, end, "analyze of table "))
		return EV_AUTOANALYZE;
	if (EVTEXT_STARTS(p, end, "aggressive "))
		p += 11;
	if (EVTEXT_STARTS(p, end, "vacuum "))
		return EV_AUTOVACUUM;
	return EV_OTHER;
}

/* ---------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------
 */

/* What an error message is beyond a plain EV_ERROR, if anything. */
static log_event_kind
error_kind(const char *msg, const char *end, refused_reason *why)
{
	*why = REFUSED_NONE;
	if (EVTEXT_STARTS(msg, end, "sorry, too many clients already"))
		*why = REFUSED_TOO_MANY_CLIENTS;
	else if (EVTEXT_STARTS(msg, end, "remaining connection slots are reserved for "))
		*why = REFUSED_RESERVED_SLOTS;
	if (*why != REFUSED_NONE)
		return EV_REFUSED;
	if (EVTEXT_STARTS(msg, end, "canceling statement due to statement timeout"))
		return EV_STATEMENT_TIMEOUT;
	if (EVTEXT_STARTS(msg, end, "deadlock detected"))
		return EV_DEADLOCK;
	return EV_ERROR;
}

/*
 * rec, or *copy of it with the SQLSTATE inferred from a well-known message
 * when the log format does not carry one.
 */
static const log_record *
with_sqlstate(const log_record *rec, log_record *copy)
{
	if (rec->sqlstate[0] == '\0' && rec->message != NULL)
	{
		const char *code = evtext_infer_sqlstate(rec->message,
												 rec->message + rec->message_len);

		if (code != NULL)
		{
			*copy = *rec;
			memcpy(copy->sqlstate, code, sizeof(copy->sqlstate));
			return copy;
		}
	}
	return rec;
}

/* An error ends the session's pending statement: no duration follows. */
static void
deliver_error(event_assembler *ea, const log_record *rec, log_event_kind kind,
			  refused_reason why)
{
	log_record	copy;
	const log_record *r = with_sqlstate(rec, &copy);
	log_event	ev;

	end_pending(ea, rec);
	event_init(&ev, kind, r);
	ev.refused = why;
	set_statement_query(&ev, rec);
	ea->sink(ea->ctx, &ev);
}

/* ---------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------
 */

/* Classify a record below ERROR; 0 if it is none of the known messages. */
static int
classify_log(event_assembler *ea, const log_record *rec, const char *msg, const char *end)
{
	log_event_kind kind;

	switch (msg[0])
	{
		case 'd':
			return on_duration(ea, rec, msg, end) ||
				on_disconnection(ea, rec, msg, end);
		case 's':
		case 'e':
			return on_logged_statement(ea, rec, msg, end);
		case 'c':
		case 'r':
			if (on_connection(ea, rec, msg, end))
				return 1;
			kind = checkpoint_kind(msg, end);
			break;
		case 'p':
			return on_process(ea, rec, msg, end);
		case 't':
			return on_temp_file(ea, rec, msg, end);
		case 'a':
			kind = autovacuum_kind(msg, end);
			break;
		default:
			return 0;
	}
	if (kind == EV_OTHER)
		return 0;
	deliver_simple(ea, kind, rec);
	return 1;
}

void
event_assembler_record(void *assembler, const log_record *rec)
{
	event_assembler *ea = assembler;
	const char *msg = rec->message;
	const char *end;
	log_event_kind kind;
	refused_reason why;

	if (rec->source == LOG_SOURCE_PGBOUNCER)
	{
		/* the pooler's records stay out of the server's statements and sessions */
		log_event	ev;

		event_init(&ev, EV_POOLER, rec);
		pooler_classify(rec, &ev, &ea->pooler_stats);
		ea->sink(ea->ctx, &ev);
		return;
	}
	if (msg == NULL || rec->message_len == 0)
	{
		deliver_simple(ea, EV_OTHER, rec);
		return;
	}
	end = msg + rec->message_len;
	if (rec->severity >= SEV_ERROR)
	{
		kind = error_kind(msg, end, &why);
		deliver_error(ea, rec, kind, why);
		return;
	}
	if (classify_log(ea, rec, msg, end))
		return;

	/* A format without severities still shows refusals, timeouts, deadlocks. */
	kind = rec->severity == SEV_UNKNOWN ? error_kind(msg, end, &why) : EV_ERROR;
	if (kind != EV_ERROR)
		deliver_error(ea, rec, kind, why);
	else
	{
		/* warnings keep their SQLSTATE too (e.g. 25P01) */
		log_record	copy;

		deliver_simple(ea, EV_OTHER, rec->severity == SEV_WARNING ? with_sqlstate(rec, &copy) : rec);
	}
}

void
event_assembler_finish(event_assembler *ea)
{
	pending_stmt *p;

	while ((p = pending_stmts_oldest(ea->pending)) != NULL)
		pending_deliver(ea, p, -1);
}

void
event_assembler_destroy(event_assembler *ea)
{
	if (ea == NULL)
		return;
	pending_stmts_destroy(ea->pending);
	strbuf_free(&ea->name);
	strbuf_free(&ea->portal);
	strbuf_free(&ea->query);
	strbuf_free(&ea->scratch);
	free(ea);
}
