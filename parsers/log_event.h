/*-------------------------------------------------------------------------
 * log_event.h
 *    Typed events classified from log records.
 *
 * The event assembler (events.c) reads each record's message, recognises
 * what PostgreSQL logged (a timed statement, an extended-protocol phase, an
 * auto_explain plan, a connection, an error, a lock wait, ...), pairs
 * untimed "statement:" lines with the bare "duration:" that follows them
 * in the same session, and hands typed events to the workload model.
 *
 * Strings in an event are valid only during the sink callback.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_LOG_EVENT_H
#define PGSIFT_LOG_EVENT_H

#include "parsers/log_record.h"

typedef enum log_event_kind
{
	EV_STATEMENT = 0,			/* one timed execution: "duration: X ms  statement:" or
								 * "execute <name>:", or a paired log_statement line */
	EV_STATEMENT_UNTIMED,		/* "statement:"/"execute" never paired with a duration */
	EV_PARSE,					/* "duration: X ms  parse <name>: ..." */
	EV_BIND,					/* "duration: X ms  bind <name>: ..." */
	EV_PLAN,					/* auto_explain "duration: X ms  plan:" */
	EV_CONNECTION_RECEIVED,
	EV_CONNECTION_AUTHORIZED,
	EV_DISCONNECTION,
	EV_REFUSED,					/* too many clients, or reserved slots */
	EV_ERROR,					/* ERROR, FATAL or PANIC not classified below */
	EV_STATEMENT_TIMEOUT,		/* canceling statement due to statement timeout */
	EV_LOCK_WAIT,				/* "still waiting for ... Lock" */
	EV_LOCK_ACQUIRED,			/* "acquired ... Lock ... after X ms" */
	EV_DEADLOCK,
	EV_TEMP_FILE,
	EV_CHECKPOINT_STARTING,
	EV_CHECKPOINT_COMPLETE,
	EV_AUTOVACUUM,
	EV_AUTOANALYZE,
	EV_OTHER,					/* anything else (warnings, notices, server lifecycle) */
	EV_POOLER,					/* a pgBouncer record: see pooler_kind */
	EV__COUNT
} log_event_kind;

typedef enum refused_reason
{
	REFUSED_NONE = 0,
	REFUSED_TOO_MANY_CLIENTS,	/* 53300 "sorry, too many clients already" */
	REFUSED_RESERVED_SLOTS		/* "remaining connection slots are reserved ..." */
} refused_reason;

/* What a pgBouncer record says (parsers/pooler_text.c). */
typedef enum pooler_kind
{
	POOLER_NONE = 0,
	POOLER_LOGIN,				/* client "login attempt: db=... user=..." */
	POOLER_LOGIN_FAILED,		/* client "login failed: ..." */
	POOLER_CLIENT_CLOSE,		/* client "closing because: REASON (age=Ns)" */
	POOLER_SERVER_CONNECT,		/* "new connection to server (from ...)" */
	POOLER_SERVER_CLOSE,		/* server "closing because: REASON (age=Ns)" */
	POOLER_SERVER_LOGIN_FAILED, /* "server login failed: ..." */
	POOLER_ERROR,				/* "pooler error: REASON", as sent to the client */
	POOLER_STATS,				/* the periodic "stats: N xacts/s, ..." */
	POOLER_OTHER,				/* start-up, shutdown, anything else */
	POOLER__COUNT
} pooler_kind;

/* The figures of one "stats:" line (pgBouncer's averages over stats_period); < 0: absent. */
typedef struct pooler_stats
{
	double		xacts_per_s;
	double		queries_per_s;
	double		in_bytes_per_s;
	double		out_bytes_per_s;
	double		xact_us;		/* mean transaction time */
	double		query_us;		/* mean query time */
	double		wait_us;		/* mean time clients waited for a server */
} pooler_stats;

typedef struct log_event
{
	log_event_kind kind;
	/* The record the event stands for; for a paired statement, the record of
	 * the "statement:" line (its time is when the statement was logged). */
	const log_record *rec;

	/* Numbers are < 0 and pointers NULL when the kind does not carry them. */
	double		duration_ms;	/* < 0 when none (also set on a bare EV_OTHER
								 * "duration: X ms" that paired with nothing) */
	const char *query;			/* statement, plan's Query Text, or else the
								 * record's STATEMENT part; NUL-terminated */
	size_t		query_len;
	const char *stmt_name;		/* parse/bind/execute name ("<unnamed>"); else NULL */
	const char *params;			/* text after "parameters: " in DETAIL, or NULL */
	const char *plan;			/* auto_explain plan: the JSON object (with its
								 * "Query Text" and "Plan") or the text plan
								 * from its first node line */
	int			plan_is_json;
	double		session_ms;		/* disconnection: session time */
	int64_t		temp_file_bytes;	/* temp file: size */
	double		wait_ms;		/* lock wait / acquired: "after X ms" */
	refused_reason refused;
	const char *portal;			/* bind/execute "name/portal": the portal; else NULL */
	int			is_fetch;		/* "execute fetch from": more rows from a portal
								 * already executed, not a new execution */

	/* EV_POOLER only */
	pooler_kind pooler;
	const char *reason;			/* closing/pooler error/login failure: the reason
								 * (without "(age=...)"), in the record's message */
	size_t		reason_len;
	double		age_s;			/* closing: the connection's age; < 0 when none */
	const pooler_stats *stats;	/* POOLER_STATS: its figures; else NULL */
} log_event;

typedef void (*log_event_sink) (void *ctx, const log_event *ev);

/* Short stable name of a kind ("statement", "lock_wait", ...), used in JSON. */
const char *log_event_kind_name(log_event_kind kind);

typedef struct event_assembler event_assembler;

/* Create an assembler that delivers events to sink(ctx, ev). */
event_assembler *event_assembler_create(log_event_sink sink, void *ctx);

/*
 * Classify one record and deliver zero or more events.  Has the signature
 * of a log_record_sink (pass the assembler as ctx).
 */
void		event_assembler_record(void *assembler, const log_record *rec);

/* Deliver what is still pending (untimed statements) at end of input. */
void		event_assembler_finish(event_assembler *ea);

/* Free the assembler; statements still pending are dropped (finish first). */
void		event_assembler_destroy(event_assembler *ea);

/*
 * Parameters from a DETAIL "parameters: $1 = 'a', $2 = NULL" text.
 * values[i] is the unquoted value (quotes un-doubled) or NULL for NULL;
 * count is the number of parameters.  free with param_list_free.
 * Returns 0, or -1 if the text is not a parameter list.
 */
typedef struct param_list
{
	int			count;
	char	  **values;
} param_list;

int			param_list_parse(const char *text, param_list *out);
void		param_list_free(param_list *pl);

/*
 * Classify a pgBouncer record (rec->source LOG_SOURCE_PGBOUNCER) into ev,
 * an EV_POOLER event (every other field as event_init leaves it): its
 * reason points into rec's message, its stats (a "stats:" line) to *stats,
 * which the caller owns.  Never fails: what is not recognised is
 * POOLER_OTHER.
 */
void		pooler_classify(const log_record *rec, log_event *ev, pooler_stats *stats);

/* Short stable name of a pooler kind ("login", "stats", ...), used in JSON. */
const char *pooler_kind_name(pooler_kind kind);

#endif
