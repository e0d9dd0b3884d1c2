/*-------------------------------------------------------------------------
 * sandbox_private.h
 *    What the three files of the sandbox share: the policy and the
 *    connection, and the few helpers each needs of the others.
 *
 * sandbox.c owns the policy, the connections and the transactions (and
 * is the one file that sends: sandbox_send); sandbox_foreign.c the
 * statements taken from logs and the side-effect screen;
 * sandbox_account.c what pg_stat_statements sees of pgsift and what the
 * report says of the run.  Nothing outside them includes this header.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SANDBOX_PRIVATE_H
#define PGSIFT_SANDBOX_PRIVATE_H

#include "src/lib/hashmap.h"
#include "src/live/sandbox.h"
#include "src/live/screen.h"
#include "src/sql/statement_kind.h"

#include <pthread.h>

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
	int			nsavepoints;	/* open sandbox_savepoint levels */
	int			event_triggers_checked; /* sandbox_migration looked */
	char	   *event_trigger;	/* an enabled one, which stops the trace (malloc'd) */
};

/* The screen's catalog queries, through s (ctx): a screen_fetch_fn. */
PGresult   *sandbox_screen_fetch(void *ctx, const char *sql, int nparams, const char *const *params);

/* The policy's screen catalog, loaded when it is not (NULL when that failed). */
screen_catalog *sandbox_fresh_screen_catalog(sandbox *s);

/*
 * Drop the screen's catalog and every cached verdict of p: the catalog
 * changed (a migration statement ran), so they are stale.
 */
void		sandbox_forget_screen(sandbox_policy *p);

/* Send one text, tagged (sandbox.c; the one place that does). */
PGresult   *sandbox_send(sandbox *s, const char *sql, int nparams, const char *const *params);

/* Decline a statement: nothing is sent, the message is the last error. */
void		sandbox_refuse(sandbox *s, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/* Open a transaction with begin_sql (BEGIN and its SET LOCALs); 0 or -1. */
int			sandbox_open_transaction(sandbox *s, const char *begin_sql, sandbox_access access);

/*
 * Count text among the distinct statements pg_stat_statements may keep;
 * with enforce, refuse a new one once the budget is spent (0 or -1).
 */
int			sandbox_charge_budget(sandbox *s, const char *text, int enforce);

/* Set up a new session: stop pg_stat_statements counting it where allowed. */
void		sandbox_untrack_session(sandbox *s);

/* Keep stmt and why the screen kept it from running, once, for the report. */
void		sandbox_record_not_executed(sandbox_policy *p, const char *stmt, const char *reason);

#endif
