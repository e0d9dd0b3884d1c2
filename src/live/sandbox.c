/*-------------------------------------------------------------------------
 * sandbox.c
 *    The policy of a run, its connections and their guarded transactions:
 *    the one file that sends statements to a user's database.
 *
 * Each sandbox transaction opens with one round trip, BEGIN and the three
 * SET LOCALs in one string, so the limits are in force before anything
 * else runs and die with the transaction; it ends with ROLLBACK whatever
 * happened.  Prepared statements survive a rollback, so the names made
 * by sandbox_prepare are deallocated before it (DEALLOCATE is not undone
 * by the rollback) or, when an error aborted the transaction, after it.
 * Statements from logs and the side-effect screen are in
 * sandbox_foreign.c; pg_stat_statements and the report in
 * sandbox_account.c.
 *
 * Locks: stats_lock guards the policy's counters, caches and lists and is
 * never held while a statement is sent; catalog_lock serialises the one
 * load of the screen's catalog (whose queries take stats_lock).
 *-------------------------------------------------------------------------
 */
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/live/sandbox_private.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

void
sandbox_refuse(sandbox *s, const char *fmt,...)
{
	va_list		ap;

	clear_refusal(s);
	va_start(ap, fmt);
	s->refusal = strbuf_vformat(fmt, ap);
	va_end(ap);
	s->refused = 1;
}

PGresult *
sandbox_send(sandbox *s, const char *sql, int nparams, const char *const *params)
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
		sandbox_refuse(s, "statement sent outside a sandbox transaction");
		diag_hint("This is a bug in pgsift; please report it.");
		diag_error("%s", s->refusal);
		return NULL;
	}
	sandbox_charge_budget(s, sql, 0);
	return sandbox_send(s, sql, nparams, params);
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

int
sandbox_open_transaction(sandbox *s, const char *begin_sql, sandbox_access access)
{
	PGresult   *res;

	if (s->in_txn)
	{
		sandbox_refuse(s, "a sandbox transaction is already open");
		return -1;
	}
	if (PQtransactionStatus(pgc_raw(s->conn)) != PQTRANS_IDLE)
	{
		sandbox_refuse(s, "connection is not idle: a transaction is open");
		return -1;
	}
	sandbox_charge_budget(s, begin_sql, 0);
	res = sandbox_send(s, begin_sql, 0, NULL);
	if (res == NULL)
	{
		/* BEGIN may have opened the block before a SET LOCAL failed */
		if (PQtransactionStatus(pgc_raw(s->conn)) != PQTRANS_IDLE)
		{
			PGresult   *r = sandbox_send(s, "ROLLBACK", 0, NULL);

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
		sandbox_refuse(s, "a read-write transaction is opened only under --measure real");
		return -1;
	}
	return sandbox_open_transaction(s, s->policy->begin_sql[access], access);
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
	s->nsavepoints = 0;
	s->event_triggers_checked = 0;	/* each trace looks again */
	free(s->event_trigger);
	s->event_trigger = NULL;
	sandbox_charge_budget(s, "ROLLBACK", 0);
	res = sandbox_send(s, "ROLLBACK", 0, NULL);
	if (res == NULL)
		return -1;
	PQclear(res);
	deallocate_prepared(s);
	return 0;
}

int
sandbox_deallocate(sandbox *s, const char *name)
{
	int			k = -1;
	strbuf		sql;
	int			rc;

	for (int i = 0; i < s->nprepared; i++)
		if (strcmp(s->prepared[i], name) == 0)
			k = i;
	if (k < 0)
		return 0;
	strbuf_init(&sql);
	strbuf_printf(&sql, "DEALLOCATE %s", name);
	rc = sandbox_exec(s, sql.data);
	strbuf_free(&sql);
	if (rc != 0)
		return -1;
	free(s->prepared[k]);
	s->prepared[k] = s->prepared[--s->nprepared];
	return 0;
}

int
sandbox_savepoint(sandbox *s)
{
	if (!s->in_txn)
	{
		sandbox_refuse(s, "a savepoint needs an open sandbox transaction");
		return -1;
	}
	if (sandbox_exec(s, "SAVEPOINT pgsift_guard") != 0)
		return -1;
	s->nsavepoints++;
	return 0;
}

int
sandbox_release(sandbox *s, int roll_back)
{
	PGresult   *res;

	if (!s->in_txn || s->nsavepoints == 0)
	{
		sandbox_refuse(s, "no savepoint to release");
		return -1;
	}
	s->nsavepoints--;
	/* not sandbox_exec: the error being kept is the statement's, not this one's */
	res = sandbox_send(s, roll_back ? "ROLLBACK TO SAVEPOINT pgsift_guard; RELEASE SAVEPOINT pgsift_guard"
					   : "RELEASE SAVEPOINT pgsift_guard", 0, NULL);
	if (res == NULL)
		return -1;
	PQclear(res);
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
 * Connections
 * ---------------------------------------------------------------------------
 */

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
	sandbox_untrack_session(s);
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
	free(s->event_trigger);
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
