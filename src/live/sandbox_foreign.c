/*-------------------------------------------------------------------------
 * sandbox_foreign.c
 *    Statements taken from logs: the gate, and the side-effect screen at
 *    it.
 *
 * A foreign statement is classified and screened once per text: the
 * verdicts are kept in the policy for the run, so the pool sweep, which
 * runs the same few statements thousands of times, pays for the parse and
 * the catalog queries once.  The screen's catalog is loaded by the first
 * connection that needs it; its queries go through the sandbox like any
 * other (screen_fetch).
 *-------------------------------------------------------------------------
 */
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/live/sandbox_private.h"

#include <stdlib.h>
#include <string.h>

/* The screen's catalog queries go through the sandbox like any other. */
PGresult *
sandbox_screen_fetch(void *ctx, const char *sql, int nparams, const char *const *params)
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
		p->catalog = screen_catalog_load(sandbox_screen_fetch, s);
	cat = p->catalog;
	if (cat == NULL)
		*error = xstrdup(sandbox_last_error(s));
	pthread_mutex_unlock(&p->catalog_lock);
	return cat;
}

screen_catalog *
sandbox_fresh_screen_catalog(sandbox *s)
{
	char	   *error = NULL;
	screen_catalog *cat = policy_catalog(s, &error);

	free(error);
	return cat;
}

void
sandbox_forget_screen(sandbox_policy *p)
{
	size_t		pos = 0;
	void	   *v;

	pthread_mutex_lock(&p->catalog_lock);
	screen_catalog_free(p->catalog);
	p->catalog = NULL;
	pthread_mutex_unlock(&p->catalog_lock);
	pthread_mutex_lock(&p->stats_lock);
	while (hashmap_next(p->verdicts, &pos, NULL, NULL, &v))
	{
		text_verdict *tv = v;

		for (int rw = 0; rw < 2; rw++)
		{
			free(tv->reason[rw]);
			tv->reason[rw] = NULL;
			tv->ok[rw] = -1;
		}
	}
	pthread_mutex_unlock(&p->stats_lock);
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
	return screen_statement(cat, text, read_write, sandbox_screen_fetch, s, reason);
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
		if (sandbox_open_transaction(s, p->screen_begin_sql, SANDBOX_READ_ONLY) != 0)
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
		diag_detail("%s", why);
		diag_hint("--execute-volatile was given: the statement runs as it is.");
		diag_warning("executing a statement that fails the side-effect screen");
		free(why);
		return 1;
	}
	if (!ok)
		sandbox_record_not_executed(p, stmt, why);
	*reason = why;
	return ok;
}

/* Whether a foreign text may be sent for use: 1, or 0 refused (the last error says why). */
static int
foreign_allowed(sandbox *s, sandbox_use use, const char *stmt)
{
	text_verdict *tv = verdict_for(s->policy, stmt);
	char	   *why = NULL;

	if (tv->kind != STMT_SELECT && tv->kind != STMT_DML)
	{
		sandbox_refuse(s, "%s statement is not run: %s", statement_kind_name(tv->kind),
			   tv->kind_reason ? tv->kind_reason : "");
		return 0;
	}
	if (use == SANDBOX_PLAN)
		return 1;
	if (tv->kind == STMT_DML && s->access != SANDBOX_READ_WRITE)
	{
		sandbox_refuse(s, "DML is executed only under --measure real");
		return 0;
	}
	if (!sandbox_screen(s, stmt, s->access, &why))
	{
		sandbox_refuse(s, "%s: explained, not executed", why ? why : "failed the side-effect screen");
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
		res = sandbox_send(s, sql.data, nparams, params);
	}
	else if (sandbox_charge_budget(s, sql.data, 1) != 0)
		res = NULL;
	else
		res = sandbox_send(s, sql.data, nparams, params);
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
		sandbox_refuse(s, "too many prepared statements in one transaction");
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
