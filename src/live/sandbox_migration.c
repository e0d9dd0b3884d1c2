/*-------------------------------------------------------------------------
 * sandbox_migration.c
 *    A migration's own statements, traced in a transaction that is
 *    always rolled back (pgsift migration --measure plan|real).
 *
 * The trace runs what a migration does to learn what it really does
 * (the locks, the rewrites), so this is the one place where pgsift sends
 * DDL.  What may be sent is an allowlist of statement kinds: tables,
 * indexes, constraints, columns, views, sequences, types, functions in
 * SQL or PL/pgSQL, triggers, rules, policies, comments, grants, DROP and
 * RENAME, LOCK, and the migration's DML.  Never DO, CALL, COPY, CREATE
 * EXTENSION, LOAD, event triggers, foreign servers and tables,
 * subscriptions, roles, databases, tablespaces, ALTER SYSTEM, NOTIFY,
 * VACUUM, REFRESH MATERIALIZED VIEW, TRUNCATE or anything not listed:
 * their effects outlive a rollback, reach another server, or run code
 * the screen cannot see.  Nothing is traced at all when the database has
 * an enabled event trigger, which would run on every DDL statement.
 *
 * A statement that may be sent is screened first (screen.h,
 * screen_migration_statement): the expressions it evaluates, and for DML
 * the triggers and defaults it fires.  Since the migration changes the
 * catalog as it goes (a function created, a trigger added), the screen's
 * catalog and every cached verdict are dropped after each statement that
 * ran, and reloaded for the next screen.
 *
 * Each statement runs inside a savepoint, so that one that fails (a
 * column with NULLs under SET NOT NULL) is recorded and the trace goes
 * on.  Transaction control and SET are not sent: the trace is one
 * transaction under the sandbox's own limits.  CONCURRENTLY cannot run
 * in a transaction block, so such a statement is sent without it, and
 * the result says so.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/live/sandbox_private.h"
#include "src/sql/sql_tree.h"
#include "src/sql/statement_kind.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* How the trace treats a kind of statement. */
typedef enum step_kind
{
	STEP_REFUSE,				/* never sent */
	STEP_SKIP,					/* not sent: the trace keeps its own transaction and settings */
	STEP_PLAIN,					/* sent as it is: it evaluates nothing */
	STEP_SCREEN					/* sent once the screen passes what it evaluates */
} step_kind;

static step_kind
step_kind_of(const PgQuery__Node *stmt)
{
	switch (stmt->node_case)
	{
		case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
		case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
		case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
			return STEP_SKIP;
		case PG_QUERY__NODE__NODE_SELECT_STMT:
		case PG_QUERY__NODE__NODE_INSERT_STMT:
		case PG_QUERY__NODE__NODE_UPDATE_STMT:
		case PG_QUERY__NODE__NODE_DELETE_STMT:
		case PG_QUERY__NODE__NODE_MERGE_STMT:
		case PG_QUERY__NODE__NODE_CREATE_STMT:
		case PG_QUERY__NODE__NODE_INDEX_STMT:
		case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
		case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT:
		case PG_QUERY__NODE__NODE_REINDEX_STMT:
		case PG_QUERY__NODE__NODE_CLUSTER_STMT:
			return STEP_SCREEN;
		case PG_QUERY__NODE__NODE_VIEW_STMT:
		case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
		case PG_QUERY__NODE__NODE_RULE_STMT:
		case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
		case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
		case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
		case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
		case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
		case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
		case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
		case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
		case PG_QUERY__NODE__NODE_DROP_STMT:
		case PG_QUERY__NODE__NODE_RENAME_STMT:
		case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT:
		case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT:
		case PG_QUERY__NODE__NODE_COMMENT_STMT:
		case PG_QUERY__NODE__NODE_GRANT_STMT:
		case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
		case PG_QUERY__NODE__NODE_LOCK_STMT:
		case PG_QUERY__NODE__NODE_CREATE_STATS_STMT:
		case PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT:
			return STEP_PLAIN;
		case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
			return STEP_PLAIN;	/* its language is checked by refusal() */
		default:
			return STEP_REFUSE;
	}
}

/* The LANGUAGE of a CREATE FUNCTION, lower case as written, or "sql" by default. */
static const char *
function_language(const PgQuery__CreateFunctionStmt *f)
{
	for (size_t i = 0; i < f->n_options; i++)
	{
		const PgQuery__Node *o = f->options[i];

		if (o->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && o->def_elem->defname &&
			strcmp(o->def_elem->defname, "language") == 0 && o->def_elem->arg &&
			o->def_elem->arg->node_case == PG_QUERY__NODE__NODE_STRING)
			return o->def_elem->arg->string->sval;
	}
	return "sql";
}

/* Why stmt is never sent (a static phrase), or NULL. */
static const char *
refusal(const PgQuery__Node *stmt)
{
	if (step_kind_of(stmt) == STEP_REFUSE)
		return "the trace never runs this kind of statement: its effects may outlive the rollback";
	if (stmt->node_case == PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT)
	{
		const char *lang = function_language(stmt->create_function_stmt);

		if (strcmp(lang, "sql") != 0 && strcmp(lang, "plpgsql") != 0)
			return "the trace creates functions in SQL and PL/pgSQL only: another language may load code";
	}
	return NULL;
}

/* Take CONCURRENTLY out of stmt; whether there was one. */
static int
drop_concurrently(PgQuery__Node *stmt)
{
	int			had = 0;

	switch (stmt->node_case)
	{
		case PG_QUERY__NODE__NODE_INDEX_STMT:
			had = stmt->index_stmt->concurrent;
			stmt->index_stmt->concurrent = 0;
			break;
		case PG_QUERY__NODE__NODE_DROP_STMT:
			had = stmt->drop_stmt->concurrent;
			stmt->drop_stmt->concurrent = 0;
			break;
		case PG_QUERY__NODE__NODE_REINDEX_STMT:
			{
				PgQuery__ReindexStmt *r = stmt->reindex_stmt;
				size_t		kept = 0;

				for (size_t i = 0; i < r->n_params; i++)
				{
					const PgQuery__DefElem *d = r->params[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM
						? r->params[i]->def_elem : NULL;

					if (d && d->defname && strcmp(d->defname, "concurrently") == 0)
					{
						had = 1;
						protobuf_c_message_free_unpacked(&r->params[i]->base, NULL);
					}
					else
						r->params[kept++] = r->params[i];
				}
				r->n_params = kept;
				break;
			}
		case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
			for (size_t i = 0; i < stmt->alter_table_stmt->n_cmds; i++)
			{
				PgQuery__AlterTableCmd *c = stmt->alter_table_stmt->cmds[i]->alter_table_cmd;

				if (c && c->def && c->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
					c->def->partition_cmd->concurrent)
				{
					had = 1;
					c->def->partition_cmd->concurrent = 0;
				}
			}
			break;
		default:
			break;
	}
	return had;
}

static void
step_note(sandbox_step_result *out, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
step_note(sandbox_step_result *out, const char *fmt,...)
{
	strbuf		sb;
	va_list		ap;

	strbuf_init(&sb);
	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	free(out->note);
	out->note = strbuf_detach(&sb);
}

static sandbox_step
refused(sandbox *s, sandbox_step_result *out, const char *why)
{
	step_note(out, "%s", why);
	sandbox_refuse(s, "not traced: %s", why);
	return out->step = SANDBOX_STEP_REFUSED;
}

/* An enabled event trigger of the database, whose name (malloc'd) stops every trace; NULL when none. */
static char *
event_trigger(sandbox *s)
{
	PGresult   *res = sandbox_query(s, "SELECT evtname FROM pg_catalog.pg_event_trigger"
									" WHERE evtenabled <> 'D' ORDER BY evtname LIMIT 1", 0, NULL);
	char	   *name = NULL;

	if (res == NULL)
		return xstrdup("(pg_event_trigger could not be read)");
	if (PQntuples(res) == 1)
		name = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return name;
}

/* Run sql (pgsift's edit of the statement) inside a savepoint; RAN or FAILED. */
static sandbox_step
run_guarded(sandbox *s, const char *sql, sandbox_step_result *out)
{
	PGresult   *res;

	if (sandbox_savepoint(s) != 0)
	{
		out->error = xstrdup(sandbox_last_error(s));
		out->sqlstate = xstrdup(sandbox_last_sqlstate(s));
		return out->step = SANDBOX_STEP_FAILED;
	}
	res = sandbox_send(s, sql, 0, NULL);
	if (res == NULL)
	{
		out->error = xstrdup(sandbox_last_error(s));
		out->sqlstate = xstrdup(sandbox_last_sqlstate(s));
		sandbox_release(s, 1);
		return out->step = SANDBOX_STEP_FAILED;
	}
	PQclear(res);
	if (sandbox_release(s, 0) != 0)
	{
		out->error = xstrdup(sandbox_last_error(s));
		out->sqlstate = xstrdup(sandbox_last_sqlstate(s));
		return out->step = SANDBOX_STEP_FAILED;
	}
	return out->step = SANDBOX_STEP_RAN;
}

sandbox_step
sandbox_migration(sandbox *s, const char *stmt, sandbox_step_result *out)
{
	sandbox_policy *p = s->policy;
	PgQuery__ParseResult *tree;
	PgQuery__Node *node;
	const char *why;
	char	   *edited = NULL,
			   *reason = NULL;
	step_kind	kind;
	sandbox_step step;
	int			changes_catalog;

	memset(out, 0, sizeof(*out));
	if (!s->in_txn || s->access != SANDBOX_READ_WRITE)
		return refused(s, out, "a migration is traced only in a READ WRITE sandbox transaction (--measure plan or real)");
	if (!s->event_triggers_checked)
	{
		s->event_trigger = event_trigger(s);
		s->event_triggers_checked = 1;
		/* the migration's NOTICEs (drop cascades to ...) are not pgsift's to print */
		sandbox_exec(s, "SET LOCAL client_min_messages = warning");
	}
	if (s->event_trigger)
	{
		step_note(out, "the database has event trigger %s, which would run on DDL", s->event_trigger);
		sandbox_refuse(s, "not traced: %s", out->note);
		return out->step = SANDBOX_STEP_REFUSED;
	}
	if ((tree = sql_tree_parse(stmt, NULL)) == NULL || tree->n_stmts != 1 || tree->stmts[0]->stmt == NULL)
	{
		sql_tree_free(tree);
		return refused(s, out, "it is not one statement that parses");
	}
	node = tree->stmts[0]->stmt;
	kind = step_kind_of(node);
	changes_catalog = !statement_node_is_query_or_dml(node);
	if ((why = refusal(node)) != NULL)
	{
		sql_tree_free(tree);
		return refused(s, out, why);
	}
	if (node->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT && node->variable_set_stmt->name &&
		strcmp(node->variable_set_stmt->name, "search_path") == 0 &&
		node->variable_set_stmt->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE)
	{
		/* later statements name objects by it; SET LOCAL keeps it to the trace's transaction */
		node->variable_set_stmt->is_local = 1;
		edited = sql_tree_deparse(tree);
		sql_tree_free(tree);
		if (edited == NULL)
			return refused(s, out, "the SET could not be made LOCAL");
		out->sent = edited;
		step_note(out, "sent as SET LOCAL: it lasts for the trace's transaction");
		step = run_guarded(s, edited, out);
		return step;
	}
	if (kind == STEP_SKIP)
	{
		sql_tree_free(tree);
		step_note(out, "not run: the trace is one transaction under pgsift's own limits");
		return out->step = SANDBOX_STEP_SKIPPED;
	}
	if (drop_concurrently(node))
	{
		edited = sql_tree_deparse(tree);
		if (edited == NULL)
		{
			sql_tree_free(tree);
			return refused(s, out, "CONCURRENTLY cannot run in the trace's transaction, and the statement could not be rewritten without it");
		}
		out->sent = xstrdup(edited);
		step_note(out, "traced without CONCURRENTLY, which cannot run in a transaction block: "
				  "the locks are those of the plain form");
	}
	sql_tree_free(tree);
	if (kind == STEP_SCREEN)
	{
		screen_catalog *cat = sandbox_fresh_screen_catalog(s);
		screen_verdict v = cat ? screen_migration_statement(cat, edited ? edited : stmt, sandbox_screen_fetch, s, &reason)
			: SCREEN_UNKNOWN;

		if (v != SCREEN_SAFE)
		{
			strbuf		sb;

			strbuf_init(&sb);
			strbuf_printf(&sb, "%s", reason ? reason : "the screen's catalog could not be read");
			free(reason);
			free(edited);
			free(out->sent);
			out->sent = NULL;
			step = refused(s, out, sb.data);
			sandbox_record_not_executed(p, stmt, sb.data);
			strbuf_free(&sb);
			return step;
		}
	}
	step = run_guarded(s, edited ? edited : stmt, out);
	free(edited);
	/* the catalog changed under the screen: what it knows is stale */
	if (step == SANDBOX_STEP_RAN && changes_catalog)
		sandbox_forget_screen(p);
	return step;
}

void
sandbox_step_result_free(sandbox_step_result *r)
{
	if (r == NULL)
		return;
	free(r->sent);
	free(r->note);
	free(r->error);
	free(r->sqlstate);
	memset(r, 0, sizeof(*r));
}
