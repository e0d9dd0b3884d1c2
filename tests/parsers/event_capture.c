/*-------------------------------------------------------------------------
 * event_capture.c
 *    Test helpers for the event assembler (see event_capture.h).
 *-------------------------------------------------------------------------
 */
#include "tests/parsers/event_capture.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void
capture_sink(void *ctx, const log_event *ev)
{
	event_capture *c = ctx;
	captured_event *e;

	c->total++;
	if ((int) ev->kind >= 0 && ev->kind < EV__COUNT)
		c->kinds[ev->kind]++;
	if (ev->query != NULL)
		CU_ASSERT_EQUAL(strlen(ev->query), ev->query_len);
	if (c->n >= CAPTURE_MAX)
		return;
	e = &c->ev[c->n++];
	memset(e, 0, sizeof(*e));
	e->kind = ev->kind;
	e->line = ev->rec->line;
	memcpy(e->sqlstate, ev->rec->sqlstate, sizeof(e->sqlstate));
	e->duration_ms = ev->duration_ms;
	e->session_ms = ev->session_ms;
	e->wait_ms = ev->wait_ms;
	e->temp_file_bytes = ev->temp_file_bytes;
	e->refused = ev->refused;
	e->plan_is_json = ev->plan_is_json;
	e->is_fetch = ev->is_fetch;
	e->query_len = ev->query_len;
	e->query = ev->query ? strndup(ev->query, ev->query_len) : NULL;
	e->stmt_name = dup_or_null(ev->stmt_name);
	e->portal = dup_or_null(ev->portal);
	e->params = dup_or_null(ev->params);
	e->plan = dup_or_null(ev->plan);
	e->user = dup_or_null(ev->rec->user);
	e->dbname = dup_or_null(ev->rec->dbname);
	e->app = dup_or_null(ev->rec->app);
	e->remote_host = dup_or_null(ev->rec->remote_host);
	e->remote_port = dup_or_null(ev->rec->remote_port);
	e->message = ev->rec->message ? strndup(ev->rec->message, ev->rec->message_len) : NULL;
}

void
capture_reset(event_capture *c)
{
	for (int i = 0; i < c->n; i++)
	{
		captured_event *e = &c->ev[i];

		free(e->query);
		free(e->stmt_name);
		free(e->portal);
		free(e->params);
		free(e->plan);
		free(e->user);
		free(e->dbname);
		free(e->app);
		free(e->remote_host);
		free(e->remote_port);
		free(e->message);
	}
	memset(c, 0, sizeof(*c));
}

log_record
make_record(log_severity sev, int32_t pid, const char *session_id,
			uint64_t line, const char *message)
{
	log_record	r;

	log_record_clear(&r);
	r.file = "test.log";
	r.line = line;
	r.severity = sev;
	r.pid = pid;
	r.session_id = session_id;
	r.message = message;
	r.message_len = message ? strlen(message) : 0;
	return r;
}
