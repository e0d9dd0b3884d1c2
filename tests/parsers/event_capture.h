/*-------------------------------------------------------------------------
 * event_capture.h
 *    Test helpers for the event assembler: hand-built records, and a sink
 *    that keeps copies of the events it receives.
 *
 * Events' strings live only during the sink callback, so the sink copies
 * everything a test may look at; it also checks the contract that every
 * query is NUL-terminated at query_len.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_TEST_EVENT_CAPTURE_H
#define PGSIFT_TEST_EVENT_CAPTURE_H

#include "parsers/log_event.h"

/* The copy of one delivered event. */
typedef struct captured_event
{
	log_event_kind kind;
	uint64_t	line;			/* rec->line: which record it stands for */
	char		sqlstate[6];
	double		duration_ms;
	double		session_ms;
	double		wait_ms;
	int64_t		temp_file_bytes;
	refused_reason refused;
	int			plan_is_json;
	int			is_fetch;
	size_t		query_len;
	char	   *query;			/* NULL when the event had none */
	char	   *stmt_name;
	char	   *portal;
	char	   *params;
	char	   *plan;
	char	   *user;
	char	   *dbname;
	char	   *app;
	char	   *remote_host;
	char	   *remote_port;
	char	   *message;
} captured_event;

/* Events kept in detail; later ones are only counted. */
#define CAPTURE_MAX 64

typedef struct event_capture
{
	int			total;			/* every event delivered */
	int			kinds[EV__COUNT];	/* events per kind */
	int			n;				/* events kept in ev[] */
	captured_event ev[CAPTURE_MAX];
} event_capture;

/* A sink (ctx: event_capture *). */
void		capture_sink(void *ctx, const log_event *ev);

/* Free the copies and zero the counts. */
void		capture_reset(event_capture *c);

/*
 * A record as a reader would deliver it: severity, pid, session id (may
 * be NULL), first line number, and message; every other field unknown.
 */
log_record	make_record(log_severity sev, int32_t pid, const char *session_id,
						uint64_t line, const char *message);

#endif
