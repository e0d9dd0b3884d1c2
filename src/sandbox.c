/*-------------------------------------------------------------------------
 * sandbox.c
 *    Guarded transactions, the side-effect screen at the door, and
 *    pg_stat_statements left as it was.
 *
 * Each sandbox transaction opens with one round trip, BEGIN and the three
 * SET LOCALs in one string, so the limits are in force before anything
 * else runs and die with the transaction; it ends with ROLLBACK whatever
 * happened.  Prepared statements survive a rollback, so the names made
 * by sandbox_prepare are deallocated before it (DEALLOCATE is not undone
 * by the rollback) or, when an error aborted the transaction, after it.
 *
 * Foreign statements (taken from logs) are classified and screened once
 * per text: the verdicts are kept in the policy for the run, so the pool
 * sweep, which runs the same few statements thousands of times, pays for
 * the parse and the catalog queries once.
 *
 * pg_stat_statements.track and track_utility are PGC_SUSET settings: a
 * superuser, or (PostgreSQL 15) a role granted SET on them, may switch
 * them off for its own session.  That SET is the one statement pgsift
 * runs outside a sandbox transaction, since a rollback would undo it; it
 * changes nothing but pgsift's own session.  Where it is not allowed,
 * every distinct text pgsift sends may become an entry of the view, and
 * the policy stops sending new foreign texts once its budget is spent.
 *
 * Locks: stats_lock guards the policy's counters, caches and lists and is
 * never held while a statement is sent; catalog_lock serialises the one
 * load of the screen's catalog (whose queries take stats_lock).
 *-------------------------------------------------------------------------
 */
#include "sandbox.h"
#include "arena.h"
#include "diag.h"
#include "hashmap.h"
#include "json_out.h"
#include "screen.h"
#include "statement_kind.h"
#include "strbuf.h"

#include <pg_query.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PREPARED 4
#define REPORTED_QUERY_CHARS 2000

/* A foreign text's kind and verdicts, cached in the policy. */
typedef struct text_verdict
{
	statement_kind kind;
	char	   *kind_reason;	/* why it is not SELECT/DML (malloc'd), or NULL */
	int			ok[2];			/* [read_write]: 1 pass, 0 fail, -1 not screened yet */
	char	   *reason[2];		/* why not (malloc'd) */
} text_verdict;

struct sandbox_policy
{
	sandbox_settings settings;
	char	   *begin_sql[3];	/* per sandbox_access */
	char	   *screen_begin_sql;	/* READ ONLY, with time for the catalog */
	pthread_mutex_t stats_lock;
	pthread_mutex_t catalog_lock;

	screen_catalog *catalog;	/* loaded by the first screen */

	hashmap    *verdicts;		/* foreign text -> text_verdict */

	/* pg_stat_statements */
	int			pgss_checked;
	int			pgss_loaded;	/* the server has the library */
	int			pgss_can_stop;	/* the role may SET track = none */
	int			pgss_max;
	int			budget;			/* 0: no bound (not tracked) */
	hashmap    *sent;			/* distinct texts sent while tracked */
	int			budget_refused;
	long long	foreign_executions; /* foreign statements executed as they are */

	json_t	   *not_executed;	/* [{fingerprint, query, reason}] */
	hashmap    *not_executed_seen;
};

struct sandbox
{
	sandbox_policy *policy;
	pg_conn    *conn;
	int			in_txn;
	sandbox_access access;
	int			nprepared;
	char	   *prepared[MAX_PREPARED];
	int			refused;		/* the last failure was the sandbox's own */
	char	   *refusal;		/* its message (malloc'd) */
	int			tracked;		/* pg_stat_statements sees this session */
};

/* ---------------------------------------------------------------------------
 * The policy
 * ---------------------------------------------------------------------------
 */

static int
or_default(int v, int dflt)
{
	return v > 0 ? v : dflt;
}

sandbox_policy *
sandbox_policy_create(const sandbox_settings *settings)
{
	static const char *const begins[] = {
		[SANDBOX_READ_ONLY] = "BEGIN READ ONLY",
		[SANDBOX_SNAPSHOT] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		[SANDBOX_READ_WRITE] = "BEGIN READ WRITE",
	};
	sandbox_policy *p = xcalloc(1, sizeof(*p));
	sandbox_settings *s = &p->settings;

	*s = *settings;
	s->dsn = settings->dsn ? xstrdup(settings->dsn) : NULL;
	s->statement_timeout_ms = or_default(s->statement_timeout_ms, SANDBOX_STATEMENT_TIMEOUT_MS);
	s->lock_timeout_ms = or_default(s->lock_timeout_ms, SANDBOX_LOCK_TIMEOUT_MS);
	s->idle_timeout_ms = or_default(s->idle_timeout_ms, SANDBOX_IDLE_TIMEOUT_MS);
	for (int a = 0; a < 3; a++)
	{
		strbuf		sb;

		strbuf_init(&sb);
		strbuf_printf(&sb, "%s; SET LOCAL statement_timeout = %d; SET LOCAL lock_timeout = %d; "
					  "SET LOCAL idle_in_transaction_session_timeout = %d", begins[a],
					  s->statement_timeout_ms, s->lock_timeout_ms, s->idle_timeout_ms);
		p->begin_sql[a] = strbuf_detach(&sb);
	}
	{
		strbuf		sb;

		strbuf_init(&sb);
		strbuf_printf(&sb, "BEGIN READ ONLY; SET LOCAL statement_timeout = %d; SET LOCAL lock_timeout = %d; "
					  "SET LOCAL idle_in_transaction_session_timeout = %d",
					  s->statement_timeout_ms > SANDBOX_SCREEN_TIMEOUT_MS ? s->statement_timeout_ms
					  : SANDBOX_SCREEN_TIMEOUT_MS, s->lock_timeout_ms, s->idle_timeout_ms);
		p->screen_begin_sql = strbuf_detach(&sb);
	}
	pthread_mutex_init(&p->stats_lock, NULL);
	pthread_mutex_init(&p->catalog_lock, NULL);
	p->verdicts = hashmap_create(64);
	p->sent = hashmap_create(64);
	p->not_executed = json_array();
	p->not_executed_seen = hashmap_create(16);
	return p;
}

void
sandbox_policy_free(sandbox_policy *p)
{
	size_t		pos = 0;
	void	   *v;

	if (p == NULL)
		return;
	while (hashmap_next(p->verdicts, &pos, NULL, NULL, &v))
	{
		text_verdict *tv = v;

		free(tv->kind_reason);
		free(tv->reason[0]);
		free(tv->reason[1]);
		free(tv);
	}
	hashmap_destroy(p->verdicts);
	hashmap_destroy(p->sent);
	hashmap_destroy(p->not_executed_seen);
	json_decref(p->not_executed);
	screen_catalog_free(p->catalog);
	free(p->screen_begin_sql);
	for (int a = 0; a < 3; a++)
		free(p->begin_sql[a]);
	free((char *) p->settings.dsn);
	pthread_mutex_destroy(&p->stats_lock);
	pthread_mutex_destroy(&p->catalog_lock);
	free(p);
}

const sandbox_settings *
sandbox_policy_settings(const sandbox_policy *p)
{
	return &p->settings;
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
static void
record_not_executed(sandbox_policy *p, const char *stmt, const char *reason)
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

/* ---------------------------------------------------------------------------
 * Sending
 * ---------------------------------------------------------------------------
 */

static void
clear_refusal(sandbox *s)
{
	s->refused = 0;
	free(s->refusal);
	s->refusal = NULL;
}

static void refuse(sandbox *s, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/* The sandbox declines: nothing is sent; the message is the last error. */
static void
refuse(sandbox *s, const char *fmt,...)
{
	va_list		ap;

	clear_refusal(s);
	va_start(ap, fmt);
	s->refusal = strbuf_vformat(fmt, ap);
	va_end(ap);
	s->refused = 1;
}

/*
 * Count text among the distinct statements sent while this session is
 * tracked; with enforce (statements from logs), refuse a new one once the
 * budget is spent.  pg_stat_statements keeps each statement of a
 * multi-statement string apart, so pgsift's own "BEGIN ...; SET LOCAL
 * ..." counts as its parts.  0 to send, -1 refused.
 */
static int
charge_budget(sandbox *s, const char *text, int enforce)
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
		refuse(s, "pgsift's budget of %d distinct statements in pg_stat_statements is spent", p->budget);
	return rc;
}

/* Send one text (tagged by pgc_query); the one place that does. */
static PGresult *
send_text(sandbox *s, const char *sql, int nparams, const char *const *params)
{
	clear_refusal(s);
	return pgc_query(s->conn, sql, nparams, params);
}

PGresult *
sandbox_query(sandbox *s, const char *sql, int nparams, const char *const *params)
{
	if (!s->in_txn)
	{
		/* a bug in the caller, never the user's doing: say so loudly */
		refuse(s, "statement sent outside a sandbox transaction");
		diag_error(NULL, "This is a bug in pgsift; please report it.", "%s", s->refusal);
		return NULL;
	}
	charge_budget(s, sql, 0);
	return send_text(s, sql, nparams, params);
}

int
sandbox_exec(sandbox *s, const char *sql)
{
	PGresult   *res = sandbox_query(s, sql, 0, NULL);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

PGresult *
sandbox_read(sandbox *s, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res;

	if (s->in_txn)
		return sandbox_query(s, sql, nparams, params);
	if (sandbox_begin(s, SANDBOX_READ_ONLY) != 0)
		return NULL;
	res = sandbox_query(s, sql, nparams, params);
	if (sandbox_end(s) != 0)
	{
		PQclear(res);
		return NULL;
	}
	return res;
}

/* ---------------------------------------------------------------------------
 * Transactions
 * ---------------------------------------------------------------------------
 */

/* Open a transaction with begin_sql (BEGIN and its SET LOCALs); 0 or -1. */
static int
open_transaction(sandbox *s, const char *begin_sql, sandbox_access access)
{
	PGresult   *res;

	if (s->in_txn)
	{
		refuse(s, "a sandbox transaction is already open");
		return -1;
	}
	if (PQtransactionStatus(pgc_raw(s->conn)) != PQTRANS_IDLE)
	{
		refuse(s, "connection is not idle: a transaction is open");
		return -1;
	}
	charge_budget(s, begin_sql, 0);
	res = send_text(s, begin_sql, 0, NULL);
	if (res == NULL)
	{
		/* BEGIN may have opened the block before a SET LOCAL failed */
		if (PQtransactionStatus(pgc_raw(s->conn)) != PQTRANS_IDLE)
		{
			PGresult   *r = send_text(s, "ROLLBACK", 0, NULL);

			PQclear(r);
		}
		return -1;
	}
	PQclear(res);
	s->in_txn = 1;
	s->access = access;
	return 0;
}

int
sandbox_begin(sandbox *s, sandbox_access access)
{
	if (access == SANDBOX_READ_WRITE && !s->policy->settings.allow_writes)
	{
		refuse(s, "a read-write transaction is opened only under --measure real");
		return -1;
	}
	return open_transaction(s, s->policy->begin_sql[access], access);
}

/* Deallocate what sandbox_prepare made, in a transaction of its own. */
static void
deallocate_prepared(sandbox *s)
{
	int			n = s->nprepared;

	s->nprepared = 0;
	if (n > 0 && sandbox_begin(s, SANDBOX_READ_ONLY) == 0)
	{
		for (int i = 0; i < n; i++)
		{
			strbuf		sql;

			strbuf_init(&sql);
			strbuf_printf(&sql, "DEALLOCATE %s", s->prepared[i]);
			sandbox_exec(s, sql.data);
			strbuf_free(&sql);
		}
		sandbox_end(s);
	}
	for (int i = 0; i < n; i++)
		free(s->prepared[i]);
}

int
sandbox_end(sandbox *s)
{
	PGresult   *res;

	if (!s->in_txn)
		return 0;
	/* a healthy transaction can deallocate before its rollback: one round trip less */
	if (s->nprepared > 0 && PQtransactionStatus(pgc_raw(s->conn)) == PQTRANS_INTRANS)
	{
		strbuf		sql;

		strbuf_init(&sql);
		for (int i = 0; i < s->nprepared; i++)
			strbuf_printf(&sql, "%sDEALLOCATE %s", i ? "; " : "", s->prepared[i]);
		if (sandbox_exec(s, sql.data) == 0)
		{
			for (int i = 0; i < s->nprepared; i++)
				free(s->prepared[i]);
			s->nprepared = 0;
		}
		strbuf_free(&sql);
	}
	s->in_txn = 0;
	charge_budget(s, "ROLLBACK", 0);
	res = send_text(s, "ROLLBACK", 0, NULL);
	if (res == NULL)
		return -1;
	PQclear(res);
	deallocate_prepared(s);
	return 0;
}

int
sandbox_make_read_only(sandbox *s)
{
	if (sandbox_exec(s, "SET TRANSACTION READ ONLY") != 0)
		return -1;
	s->access = SANDBOX_READ_ONLY;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Foreign statements and the screen
 * ---------------------------------------------------------------------------
 */

/* The screen's catalog queries go through the sandbox like any other. */
static PGresult *
screen_fetch(void *ctx, const char *sql, int nparams, const char *const *params)
{
	return sandbox_query(ctx, sql, nparams, params);
}

/*
 * The screen's catalog, loaded once per policy by whoever needs it first.
 * A failed load (a timeout, a lost connection) is not remembered: the
 * next screen tries again.
 */
static screen_catalog *
policy_catalog(sandbox *s, char **error)
{
	sandbox_policy *p = s->policy;
	screen_catalog *cat;

	pthread_mutex_lock(&p->catalog_lock);
	if (p->catalog == NULL)
		p->catalog = screen_catalog_load(screen_fetch, s);
	cat = p->catalog;
	if (cat == NULL)
		*error = xstrdup(sandbox_last_error(s));
	pthread_mutex_unlock(&p->catalog_lock);
	return cat;
}

/* The cached entry of text, made (classified) when new. */
static text_verdict *
verdict_for(sandbox_policy *p, const char *text)
{
	size_t		len = strlen(text);
	uint64_t	h = hash_bytes(text, len);
	text_verdict *tv;

	pthread_mutex_lock(&p->stats_lock);
	tv = hashmap_get(p->verdicts, text, len, h);
	pthread_mutex_unlock(&p->stats_lock);
	if (tv)
		return tv;

	text_verdict *made = xcalloc(1, sizeof(*made));

	made->kind = statement_classify(text, &made->kind_reason);
	made->ok[0] = made->ok[1] = -1;
	pthread_mutex_lock(&p->stats_lock);
	void	  **slot = hashmap_put(p->verdicts, text, len, h, NULL);

	if (*slot == NULL)
		*slot = made, made = NULL;
	tv = *slot;
	pthread_mutex_unlock(&p->stats_lock);
	if (made)
	{
		free(made->kind_reason);
		free(made);
	}
	return tv;
}

/* Screen text in the open transaction; the reason (malloc'd) unless it passes. */
static screen_verdict
screen_now(sandbox *s, const char *text, int read_write, char **reason)
{
	char	   *error = NULL;
	screen_catalog *cat = policy_catalog(s, &error);

	if (cat == NULL)
	{
		strbuf		sb;

		strbuf_init(&sb);
		strbuf_printf(&sb, "could not read the catalog to screen it: %s", error);
		free(error);
		*reason = strbuf_detach(&sb);
		return SCREEN_UNKNOWN;
	}
	return screen_statement(cat, text, read_write, screen_fetch, s, reason);
}

int
sandbox_screen(sandbox *s, const char *stmt, sandbox_access access, char **reason)
{
	sandbox_policy *p = s->policy;
	int			rw = access == SANDBOX_READ_WRITE;
	text_verdict *tv = verdict_for(p, stmt);
	int			ok,
				own_txn = 0;
	screen_verdict verdict;
	char	   *why = NULL;

	*reason = NULL;
	pthread_mutex_lock(&p->stats_lock);
	ok = tv->ok[rw];
	if (ok == 0)
		*reason = xstrdup(tv->reason[rw]);
	pthread_mutex_unlock(&p->stats_lock);
	if (ok >= 0 && p->settings.execute_volatile)
	{
		free(*reason);
		*reason = NULL;
		return 1;
	}
	if (ok >= 0)
		return ok;

	if (!s->in_txn)
	{
		/* the screen's own catalog reads, with time for them whatever the limit of the statements */
		if (open_transaction(s, p->screen_begin_sql, SANDBOX_READ_ONLY) != 0)
		{
			strbuf		sb;

			strbuf_init(&sb);
			strbuf_printf(&sb, "could not screen it: %s", sandbox_last_error(s));
			*reason = strbuf_detach(&sb);
			return p->settings.execute_volatile;
		}
		own_txn = 1;
	}
	verdict = screen_now(s, stmt, rw, &why);
	ok = verdict == SCREEN_SAFE;
	if (own_txn)
		sandbox_end(s);
	/* a verdict that could not be reached is not kept: the next try may reach it */
	if (verdict != SCREEN_UNKNOWN)
	{
		pthread_mutex_lock(&p->stats_lock);
		if (tv->ok[rw] < 0)
		{
			tv->ok[rw] = ok;
			tv->reason[rw] = why ? xstrdup(why) : NULL;
		}
		pthread_mutex_unlock(&p->stats_lock);
	}
	if (!ok && p->settings.execute_volatile)
	{
		diag_warning(why, "--execute-volatile was given: the statement runs as it is.",
					 "executing a statement that fails the side-effect screen");
		free(why);
		return 1;
	}
	if (!ok)
		record_not_executed(p, stmt, why);
	*reason = why;
	return ok;
}

/* Why a foreign text may not be sent for use, or NULL (then it may). */
static int
foreign_allowed(sandbox *s, sandbox_use use, const char *stmt)
{
	text_verdict *tv = verdict_for(s->policy, stmt);
	char	   *why = NULL;

	if (tv->kind != STMT_SELECT && tv->kind != STMT_DML)
	{
		refuse(s, "%s statement is not run: %s", statement_kind_name(tv->kind),
			   tv->kind_reason ? tv->kind_reason : "");
		return 0;
	}
	if (use == SANDBOX_PLAN)
		return 1;
	if (tv->kind == STMT_DML && s->access != SANDBOX_READ_WRITE)
	{
		refuse(s, "DML is executed only under --measure real");
		return 0;
	}
	if (!sandbox_screen(s, stmt, s->access, &why))
	{
		refuse(s, "%s: explained, not executed", why ? why : "failed the side-effect screen");
		free(why);
		return 0;
	}
	free(why);
	return 1;
}

PGresult *
sandbox_foreign(sandbox *s, sandbox_use use, const char *prefix, const char *stmt,
				int nparams, const char *const *params)
{
	strbuf		sql;
	PGresult   *res;

	if (!s->in_txn)
		return sandbox_query(s, stmt, 0, NULL);	/* refused, loudly */
	if (!foreign_allowed(s, use, stmt))
		return NULL;
	strbuf_init(&sql);
	strbuf_puts(&sql, prefix ? prefix : "");
	strbuf_puts(&sql, stmt);
	/* a statement run as it is joins the application's own entry of the view */
	if (sql.len == strlen(stmt))
	{
		pthread_mutex_lock(&s->policy->stats_lock);
		s->policy->foreign_executions++;
		pthread_mutex_unlock(&s->policy->stats_lock);
		res = send_text(s, sql.data, nparams, params);
	}
	else if (charge_budget(s, sql.data, 1) != 0)
		res = NULL;
	else
		res = send_text(s, sql.data, nparams, params);
	strbuf_free(&sql);
	return res;
}

int
sandbox_prepare(sandbox *s, const char *name, const char *stmt)
{
	strbuf		prefix;
	PGresult   *res;

	if (s->nprepared == MAX_PREPARED)
	{
		refuse(s, "too many prepared statements in one transaction");
		return -1;
	}
	strbuf_init(&prefix);
	strbuf_printf(&prefix, "PREPARE %s AS ", name);
	res = sandbox_foreign(s, SANDBOX_PLAN, prefix.data, stmt, 0, NULL);
	strbuf_free(&prefix);
	if (res == NULL)
		return -1;
	PQclear(res);
	s->prepared[s->nprepared++] = xstrdup(name);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Connections
 * ---------------------------------------------------------------------------
 */

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
static void
untrack_session(sandbox *s)
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
	charge_budget(s, "SET pg_stat_statements.track = 'none'", 0);
	res = send_text(s, "SET pg_stat_statements.track = 'none'; "
					"SET pg_stat_statements.track_utility = off", 0, NULL);
	if (res)
		s->tracked = 0;
	PQclear(res);
}

sandbox *
sandbox_connect(sandbox_policy *p)
{
	pg_conn    *c = pgc_connect(p->settings.dsn);
	sandbox    *s;

	if (c == NULL)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->policy = p;
	s->conn = c;
	untrack_session(s);
	return s;
}

void
sandbox_close(sandbox *s)
{
	if (s == NULL)
		return;
	if (s->in_txn)
		sandbox_end(s);
	for (int i = 0; i < s->nprepared; i++)
		free(s->prepared[i]);
	clear_refusal(s);
	pgc_close(s->conn);
	free(s);
}

sandbox_policy *
sandbox_get_policy(sandbox *s)
{
	return s->policy;
}

pg_conn *
sandbox_conn(sandbox *s)
{
	return s->conn;
}

int
sandbox_alive(sandbox *s)
{
	return s != NULL && pgc_alive(s->conn);
}

const char *
sandbox_last_error(sandbox *s)
{
	return s->refused ? s->refusal : pgc_last_error(s->conn);
}

const char *
sandbox_last_sqlstate(sandbox *s)
{
	return s->refused ? "" : pgc_last_sqlstate(s->conn);
}

int
sandbox_last_refused(sandbox *s)
{
	return s->refused;
}

int
sandbox_writes_allowed(const sandbox *s)
{
	return s->policy->settings.allow_writes;
}

/* Whether a one-row boolean query with one parameter says 't'. */
static int
read_true(sandbox *s, const char *sql, const char *param)
{
	PGresult   *res = sandbox_read(s, sql, 1, &param);
	int			yes;

	if (res == NULL)
		return 0;
	yes = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return yes;
}

int
sandbox_has_extension(sandbox *s, const char *name)
{
	return read_true(s, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = $1)", name);
}

int
sandbox_has_role(sandbox *s, const char *role)
{
	return read_true(s,
					 "SELECT r.rolsuper OR coalesce((SELECT pg_catalog.pg_has_role(current_user, g.oid, 'MEMBER') "
					 "FROM pg_catalog.pg_roles g WHERE g.rolname = $1), false) "
					 "FROM pg_catalog.pg_roles r WHERE r.rolname = current_user", role);
}
