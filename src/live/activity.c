/*-------------------------------------------------------------------------
 * activity.c
 *    Reading pg_stat_activity in one query.
 *
 * The server groups the client backends by (state, application, wait
 * event, own) so the result stays small however many sessions there are;
 * here the groups are folded into the per-state totals, the per-
 * application groups and the wait-event counts.  The settings come back
 * on every row (the same values), which saves a second round trip: there
 * is always at least one row, pgsift's own backend.
 *-------------------------------------------------------------------------
 */
#include "src/live/activity.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"

#include <stdlib.h>
#include <string.h>

/*
 * Hidden rows (another role's, without pg_read_all_stats) have a NULL
 * state and wait event; their backend_type may be NULL too, so those rows
 * are kept as well.
 */
static const char activity_sql[] =
	"SELECT coalesce(state, ''), coalesce(application_name, ''), coalesce(wait_event_type, ''),"
	" coalesce(wait_event, ''), count(*),"
	" max(extract(epoch FROM now() - state_change)) FILTER (WHERE state LIKE 'idle in transaction%'),"
	" coalesce(application_name = 'pgsift', false),"
	" current_setting('max_connections')::bigint,"
	" current_setting('superuser_reserved_connections')::bigint,"
	" (SELECT setting::bigint FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout')"
	" FROM pg_stat_activity"
	" WHERE backend_type = 'client backend' OR backend_type IS NULL"
	" GROUP BY 1, 2, 3, 4, 7";

enum
{
	COL_STATE, COL_APP, COL_WAIT_TYPE, COL_WAIT_EVENT, COL_COUNT, COL_IDLE_AGE, COL_OWN,
	COL_MAX_CONNECTIONS, COL_RESERVED, COL_IDLE_TIMEOUT
};

/* Add n sessions of (state, app) to the groups, merging equal pairs. */
static void
add_group(activity_snapshot *s, const char *state, const char *app, int64_t n)
{
	for (int i = 0; i < s->ngroups; i++)
		if (strcmp(s->groups[i].state, state) == 0 && strcmp(s->groups[i].application, app) == 0)
		{
			s->groups[i].count += n;
			return;
		}
	s->groups = xrealloc(s->groups, (size_t) (s->ngroups + 1) * sizeof(activity_group));
	s->groups[s->ngroups++] = (activity_group) {xstrdup(state), xstrdup(app), n};
}

static void
add_wait(activity_snapshot *s, const char *type, const char *event, int64_t n)
{
	for (int i = 0; i < s->nwaits; i++)
		if (strcmp(s->waits[i].type, type) == 0 && strcmp(s->waits[i].event, event) == 0)
		{
			s->waits[i].count += n;
			return;
		}
	s->waits = xrealloc(s->waits, (size_t) (s->nwaits + 1) * sizeof(activity_wait));
	s->waits[s->nwaits++] = (activity_wait) {xstrdup(type), xstrdup(event), n};
}

/* Fold one result row (not pgsift's own) into the totals. */
static void
add_row(activity_snapshot *s, PGresult *res, int row)
{
	const char *state = PQgetvalue(res, row, COL_STATE);
	const char *app = PQgetvalue(res, row, COL_APP);
	int64_t		n = atoll(PQgetvalue(res, row, COL_COUNT));

	s->sessions += n;
	if (state[0] == '\0')
		s->hidden += n;
	else if (strcmp(state, "active") == 0)
		s->active += n;
	else if (strcmp(state, "idle") == 0)
		s->idle += n;
	else if (strncmp(state, "idle in transaction", 19) == 0)
	{
		double		age = atof(PQgetvalue(res, row, COL_IDLE_AGE));

		s->idle_in_transaction += n;
		if (!PQgetisnull(res, row, COL_IDLE_AGE) && age > s->oldest_idle_in_transaction_s)
		{
			s->oldest_idle_in_transaction_s = age;
			free(s->oldest_idle_in_transaction_app);
			s->oldest_idle_in_transaction_app = xstrdup(app);
		}
	}
	add_group(s, state, app, n);
	if (PQgetvalue(res, row, COL_WAIT_TYPE)[0])
		add_wait(s, PQgetvalue(res, row, COL_WAIT_TYPE), PQgetvalue(res, row, COL_WAIT_EVENT), n);
}

static int
cmp_group(const void *a, const void *b)
{
	const activity_group *x = a,
			   *y = b;

	return (x->count < y->count) - (x->count > y->count);
}

static int
cmp_wait(const void *a, const void *b)
{
	const activity_wait *x = a,
			   *y = b;

	return (x->count < y->count) - (x->count > y->count);
}

static void
warn_hidden(const activity_snapshot *s)
{
	diag_detail("%lld of %lld sessions belong to other roles and show no state or wait event; "
				"they are counted as hidden.", (long long) s->hidden, (long long) s->sessions);
	diag_hint("GRANT pg_read_all_stats (or pg_monitor) to the role pgsift connects as.");
	diag_warning("permission denied to see other sessions in pg_stat_activity");
}

activity_snapshot *
activity_take(sandbox *c)
{
	PGresult   *res = sandbox_read(c, activity_sql, 0, NULL);
	activity_snapshot *s;

	if (res == NULL)
	{
		diag_detail("%s", sandbox_last_error(c));
		diag_hint("Connection figures are left out of the report.");
		diag_warning("could not read pg_stat_activity");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->oldest_idle_in_transaction_s = -1;
	for (int row = 0; row < PQntuples(res); row++)
	{
		s->slots_used += atoll(PQgetvalue(res, row, COL_COUNT));
		s->max_connections = atoll(PQgetvalue(res, row, COL_MAX_CONNECTIONS));
		s->reserved_connections = atoll(PQgetvalue(res, row, COL_RESERVED));
		s->idle_in_transaction_timeout_ms = atoll(PQgetvalue(res, row, COL_IDLE_TIMEOUT));
		if (strcmp(PQgetvalue(res, row, COL_OWN), "t") != 0)
			add_row(s, res, row);
	}
	PQclear(res);
	if (s->ngroups > 1)
		qsort(s->groups, (size_t) s->ngroups, sizeof(activity_group), cmp_group);
	if (s->nwaits > 1)
		qsort(s->waits, (size_t) s->nwaits, sizeof(activity_wait), cmp_wait);
	if (s->hidden > 0)
		warn_hidden(s);
	return s;
}

void
activity_free(activity_snapshot *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->ngroups; i++)
	{
		free(s->groups[i].state);
		free(s->groups[i].application);
	}
	for (int i = 0; i < s->nwaits; i++)
	{
		free(s->waits[i].type);
		free(s->waits[i].event);
	}
	free(s->groups);
	free(s->waits);
	free(s->oldest_idle_in_transaction_app);
	free(s);
}
