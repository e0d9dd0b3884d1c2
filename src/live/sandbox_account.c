/*-------------------------------------------------------------------------
 * sandbox_account.c
 *    What pg_stat_statements sees of pgsift, and the sandbox's account of
 *    the run for the report.
 *
 * pg_stat_statements.track and track_utility are PGC_SUSET settings: a
 * superuser, or (PostgreSQL 15) a role granted SET on them, may switch
 * them off for its own session.  That SET is the one statement pgsift
 * runs outside a sandbox transaction, since a rollback would undo it; it
 * changes nothing but pgsift's own session.  Where it is not allowed,
 * every distinct text pgsift sends may become an entry of the view, so
 * each is counted, and statements from logs stop being sent once the
 * budget (SANDBOX_BUDGET_SHARE of pg_stat_statements.max) is spent.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/lib/json_out.h"
#include "src/lib/strbuf.h"
#include "src/live/sandbox_private.h"

#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/*
 * Count text among the distinct statements sent while this session is
 * tracked; with enforce (statements from logs), refuse a new one once the
 * budget is spent.  pg_stat_statements keeps each statement of a
 * multi-statement string apart, so pgsift's own "BEGIN ...; SET LOCAL
 * ..." counts as its parts.  0 to send, -1 refused.
 */
int
sandbox_charge_budget(sandbox *s, const char *text, int enforce)
{
	sandbox_policy *p = s->policy;
	int			rc = 0;

	if (!s->tracked)
		return 0;
	pthread_mutex_lock(&p->stats_lock);
	for (const char *part = text; part && rc == 0;)
	{
		const char *end = enforce ? NULL : strstr(part, "; ");
		size_t		len = end ? (size_t) (end - part) : strlen(part);
		uint64_t	h = hash_bytes(part, len);

		if (hashmap_get(p->sent, part, len, h) == NULL)
		{
			if (enforce && p->budget > 0 && (int) hashmap_count(p->sent) >= p->budget)
			{
				p->budget_refused++;
				rc = -1;
			}
			else
				*hashmap_put(p->sent, part, len, h, NULL) = (void *) 1;
		}
		part = end ? end + 2 : NULL;
	}
	pthread_mutex_unlock(&p->stats_lock);
	if (rc != 0)
		sandbox_refuse(s, "pgsift's budget of %d distinct statements in pg_stat_statements is spent", p->budget);
	return rc;
}

/* One sentence on pg_stat_statements for the report. */
static char *
pgss_note(const sandbox_policy *p)
{
	strbuf		sb;

	strbuf_init(&sb);
	if (!p->pgss_checked || !p->pgss_loaded)
		strbuf_puts(&sb, "pg_stat_statements is not loaded: pgsift's statements are counted nowhere.");
	else if (p->pgss_can_stop)
		strbuf_puts(&sb, "pg_stat_statements.track = none in pgsift's sessions: its statements are not counted.");
	else
		strbuf_printf(&sb, "pg_stat_statements counts pgsift's statements (the role may not SET "
					  "pg_stat_statements.track): pgsift sent %zu distinct statements, within its budget of "
					  "%d (%.0f%% of pg_stat_statements.max = %d)%s%s.",
					  hashmap_count(p->sent), p->budget, 100 * SANDBOX_BUDGET_SHARE, p->pgss_max,
					  p->budget_refused ? "; statements left unexplained for the budget: " : "",
					  p->budget_refused ? "see refused_over_budget" : "");
	return strbuf_detach(&sb);
}

json_t *
sandbox_policy_report(sandbox_policy *p)
{
	json_t	   *o;
	char	   *note;

	pthread_mutex_lock(&p->stats_lock);
	note = pgss_note(p);
	o = json_pack("{s:b, s:{s:i, s:i, s:i}, s:{s:b, s:b, s:o, s:I, s:i, s:I, s:o}, s:O}",
				  "writes_allowed", p->settings.allow_writes,
				  "limits", "statement_timeout_ms", p->settings.statement_timeout_ms,
				  "lock_timeout_ms", p->settings.lock_timeout_ms,
				  "idle_in_transaction_session_timeout_ms", p->settings.idle_timeout_ms,
				  "pg_stat_statements",
				  "loaded", p->pgss_loaded, "tracking_off", p->pgss_loaded && p->pgss_can_stop,
				  "budget", p->budget > 0 ? json_integer(p->budget) : json_null(),
				  "distinct_sent", (json_int_t) hashmap_count(p->sent),
				  "refused_over_budget", p->budget_refused,
				  "foreign_executions", (json_int_t) p->foreign_executions,
				  "note", json_text(note),
				  "not_executed", p->not_executed);
	pthread_mutex_unlock(&p->stats_lock);
	free(note);
	return o;
}

/* Keep stmt and why it was not executed, once per text, for the report. */
void
sandbox_record_not_executed(sandbox_policy *p, const char *stmt, const char *reason)
{
	size_t		len = strlen(stmt);
	uint64_t	h = hash_bytes(stmt, len);
	int			inserted;
	PgQueryFingerprintResult fp = pg_query_fingerprint(stmt);
	char	   *shown = xstrndup(stmt, len > REPORTED_QUERY_CHARS ? REPORTED_QUERY_CHARS : len);

	pthread_mutex_lock(&p->stats_lock);
	hashmap_put(p->not_executed_seen, stmt, len, h, &inserted);
	if (inserted)
		json_array_append_new(p->not_executed,
							  json_pack("{s:o, s:o, s:o}",
										"fingerprint", json_text_or_null(fp.error ? NULL : fp.fingerprint_str),
										"query", json_text(shown), "reason", json_text(reason)));
	pthread_mutex_unlock(&p->stats_lock);
	pg_query_free_fingerprint_result(fp);
	free(shown);
}

/*
 * Whether pg_stat_statements is loaded, its max, and whether the role may
 * switch its tracking off; learnt once per policy, by the first session.
 */
static void
learn_pgss(sandbox *s)
{
	sandbox_policy *p = s->policy;
	const char *sql = pgc_server_version(s->conn) >= 150000
		? "SELECT current_setting('pg_stat_statements.max', true), "
		"(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) OR "
		"(current_setting('pg_stat_statements.max', true) IS NOT NULL AND "
		"pg_catalog.has_parameter_privilege('pg_stat_statements.track', 'SET') AND "
		"pg_catalog.has_parameter_privilege('pg_stat_statements.track_utility', 'SET'))"
		: "SELECT current_setting('pg_stat_statements.max', true), "
		"(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)";
	PGresult   *res = sandbox_read(s, sql, 0, NULL);

	pthread_mutex_lock(&p->stats_lock);
	if (!p->pgss_checked && res && PQntuples(res) == 1)
	{
		p->pgss_checked = 1;
		p->pgss_loaded = !PQgetisnull(res, 0, 0);
		p->pgss_max = p->pgss_loaded ? atoi(PQgetvalue(res, 0, 0)) : 0;
		p->pgss_can_stop = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
		if (p->pgss_loaded && !p->pgss_can_stop)
		{
			p->budget = (int) (SANDBOX_BUDGET_SHARE * p->pgss_max);
			if (p->budget < SANDBOX_BUDGET_MIN)
				p->budget = SANDBOX_BUDGET_MIN;
		}
	}
	pthread_mutex_unlock(&p->stats_lock);
	PQclear(res);
}

/* Stop pg_stat_statements from counting this session, where allowed. */
void
sandbox_untrack_session(sandbox *s)
{
	sandbox_policy *p = s->policy;
	PGresult   *res;

	/* counted until known otherwise: the first statements may be */
	s->tracked = 1;
	if (!p->pgss_checked)
		learn_pgss(s);
	if (!p->pgss_loaded)
	{
		s->tracked = 0;
		return;
	}
	if (!p->pgss_can_stop)
		return;
	/* outside any transaction: a rollback would undo it (see the file header) */
	sandbox_charge_budget(s, "SET pg_stat_statements.track = 'none'", 0);
	res = sandbox_send(s, "SET pg_stat_statements.track = 'none'; "
					"SET pg_stat_statements.track_utility = off", 0, NULL);
	if (res)
		s->tracked = 0;
	PQclear(res);
}
