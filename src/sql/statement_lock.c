/*-------------------------------------------------------------------------
 * statement_lock.c
 *    The table lock a DDL statement takes, read from its parse tree.
 *
 * The modes follow PostgreSQL 15's documentation; the two that changed
 * in the releases pgsift supports are ATTACH PARTITION (SHARE UPDATE
 * EXCLUSIVE on the parent from 12, ACCESS EXCLUSIVE before) and ALTER
 * INDEX ... RENAME (SHARE UPDATE EXCLUSIVE from 12).
 *-------------------------------------------------------------------------
 */
#include "src/sql/statement_lock.h"

#include <string.h>
#include <strings.h>

static const char *const lock_names[] = {
	"", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
	"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"
};

/* pg_locks.mode, in the same order. */
static const char *const pg_locks_names[] = {
	"", "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
	"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"
};

const char *
lock_mode_name(lock_mode mode)
{
	if (mode < LOCK_NONE || mode > LOCK_ACCESS_EXCLUSIVE)
		return "";
	return lock_names[mode];
}

lock_mode
lock_mode_parse(const char *name)
{
	if (name == NULL || *name == '\0')
		return LOCK_NONE;
	for (int m = LOCK_ACCESS_SHARE; m <= LOCK_ACCESS_EXCLUSIVE; m++)
		if (strcmp(name, pg_locks_names[m]) == 0 || strcasecmp(name, lock_names[m]) == 0)
			return (lock_mode) m;
	return LOCK_NONE;
}

int
lock_mode_blocks_writes(lock_mode mode)
{
	return mode >= LOCK_SHARE;
}

int
lock_mode_blocks_reads(lock_mode mode)
{
	return mode == LOCK_ACCESS_EXCLUSIVE;
}

int
statement_option_set(size_t n, PgQuery__Node *const *options, const char *name)
{
	for (size_t i = 0; i < n; i++)
	{
		const PgQuery__DefElem *d = options[i]->def_elem;

		if (options[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || d->defname == NULL)
			continue;
		if (strcmp(d->defname, name) != 0)
			continue;
		/* "(FULL false)" names the option and turns it off */
		if (d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
			return d->arg->boolean->boolval;
		if (d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_STRING)
			return strcasecmp(d->arg->string->sval, "false") != 0 && strcasecmp(d->arg->string->sval, "off") != 0;
		return 1;
	}
	return 0;
}

const PgQuery__Constraint *
alter_table_cmd_constraint(const PgQuery__AlterTableCmd *cmd)
{
	if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint &&
		cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse)
		return NULL;
	if (cmd->def == NULL || cmd->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
		return NULL;
	return cmd->def->constraint;
}

lock_mode
alter_table_cmd_lock(const PgQuery__AlterTableCmd *cmd, int pg_version)
{
	const PgQuery__Constraint *con = alter_table_cmd_constraint(cmd);

	if (con && con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
		return LOCK_SHARE_ROW_EXCLUSIVE;
	switch (cmd->subtype)
	{
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
			return LOCK_SHARE_UPDATE_EXCLUSIVE;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
			return pg_version >= 12 ? LOCK_SHARE_UPDATE_EXCLUSIVE : LOCK_ACCESS_EXCLUSIVE;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
			if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
				cmd->def->partition_cmd->concurrent)
				return LOCK_SHARE_UPDATE_EXCLUSIVE;
			return LOCK_ACCESS_EXCLUSIVE;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
			return LOCK_SHARE_ROW_EXCLUSIVE;
		default:
			return LOCK_ACCESS_EXCLUSIVE;
	}
}

static void
alter_table_lock(const PgQuery__AlterTableStmt *s, int pg_version, statement_lock *out)
{
	out->relation = s->relation;
	for (size_t i = 0; i < s->n_cmds; i++)
	{
		const PgQuery__AlterTableCmd *cmd;
		const PgQuery__Constraint *con;
		lock_mode	m;

		if (s->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			continue;
		cmd = s->cmds[i]->alter_table_cmd;
		m = alter_table_cmd_lock(cmd, pg_version);
		if (m > out->mode)
			out->mode = m;
		con = alter_table_cmd_constraint(cmd);
		if (con && con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN && con->pktable)
		{
			out->other = con->pktable;
			out->other_mode = LOCK_SHARE_ROW_EXCLUSIVE;
		}
	}
}

static void
drop_lock(const PgQuery__DropStmt *s, statement_lock *out)
{
	switch (s->remove_type)
	{
		case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
			out->mode = s->concurrent ? LOCK_SHARE_UPDATE_EXCLUSIVE : LOCK_ACCESS_EXCLUSIVE;
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
		case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
		case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
		case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
		case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
			out->mode = LOCK_ACCESS_EXCLUSIVE;
			break;
		default:
			break;
	}
}

/* The relation of the first RangeVar in a node list, or NULL. */
static const PgQuery__RangeVar *
first_range_var(size_t n, PgQuery__Node *const *items)
{
	for (size_t i = 0; i < n; i++)
	{
		if (items[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
			return items[i]->range_var;
		if (items[i]->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION)
			return items[i]->vacuum_relation->relation;
	}
	return NULL;
}

/* The statements of rarer kinds; the common DDL is in statement_lock_of. */
static void
other_lock(const PgQuery__Node *stmt, int pg_version, statement_lock *out)
{
	switch (stmt->node_case)
	{
		case PG_QUERY__NODE__NODE_RENAME_STMT:
			out->relation = stmt->rename_stmt->relation;
			if (stmt->rename_stmt->relation == NULL)
				break;
			out->mode = stmt->rename_stmt->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX && pg_version >= 12
				? LOCK_SHARE_UPDATE_EXCLUSIVE : LOCK_ACCESS_EXCLUSIVE;
			break;
		case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
			out->relation = first_range_var(stmt->truncate_stmt->n_relations, stmt->truncate_stmt->relations);
			out->mode = LOCK_ACCESS_EXCLUSIVE;
			break;
		case PG_QUERY__NODE__NODE_VACUUM_STMT:
			out->relation = first_range_var(stmt->vacuum_stmt->n_rels, stmt->vacuum_stmt->rels);
			out->mode = stmt->vacuum_stmt->is_vacuumcmd &&
				statement_option_set(stmt->vacuum_stmt->n_options, stmt->vacuum_stmt->options, "full")
				? LOCK_ACCESS_EXCLUSIVE : LOCK_SHARE_UPDATE_EXCLUSIVE;
			break;
		case PG_QUERY__NODE__NODE_CLUSTER_STMT:
			out->relation = stmt->cluster_stmt->relation;
			out->mode = LOCK_ACCESS_EXCLUSIVE;
			break;
		case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
			out->relation = stmt->create_trig_stmt->relation;
			out->mode = LOCK_SHARE_ROW_EXCLUSIVE;
			break;
		case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
			out->relation = stmt->refresh_mat_view_stmt->relation;
			out->mode = stmt->refresh_mat_view_stmt->concurrent ? LOCK_EXCLUSIVE : LOCK_ACCESS_EXCLUSIVE;
			break;
		case PG_QUERY__NODE__NODE_LOCK_STMT:
			out->relation = first_range_var(stmt->lock_stmt->n_relations, stmt->lock_stmt->relations);
			if (stmt->lock_stmt->mode >= LOCK_ACCESS_SHARE && stmt->lock_stmt->mode <= LOCK_ACCESS_EXCLUSIVE)
				out->mode = (lock_mode) stmt->lock_stmt->mode;
			break;
		case PG_QUERY__NODE__NODE_CREATE_STMT:
			/* CREATE TABLE ... PARTITION OF locks its parent */
			if (stmt->create_stmt->partbound)
			{
				out->relation = first_range_var(stmt->create_stmt->n_inh_relations,
												stmt->create_stmt->inh_relations);
				out->mode = LOCK_ACCESS_EXCLUSIVE;
			}
			break;
		case PG_QUERY__NODE__NODE_INSERT_STMT:
			out->relation = stmt->insert_stmt->relation;
			out->mode = LOCK_ROW_EXCLUSIVE;
			break;
		case PG_QUERY__NODE__NODE_UPDATE_STMT:
			out->relation = stmt->update_stmt->relation;
			out->mode = LOCK_ROW_EXCLUSIVE;
			break;
		case PG_QUERY__NODE__NODE_DELETE_STMT:
			out->relation = stmt->delete_stmt->relation;
			out->mode = LOCK_ROW_EXCLUSIVE;
			break;
		case PG_QUERY__NODE__NODE_SELECT_STMT:
			out->mode = LOCK_ACCESS_SHARE;
			break;
		default:
			break;
	}
}

void
statement_lock_of(const PgQuery__Node *stmt, int pg_version, statement_lock *out)
{
	memset(out, 0, sizeof(*out));
	if (stmt == NULL)
		return;
	switch (stmt->node_case)
	{
		case PG_QUERY__NODE__NODE_INDEX_STMT:
			out->relation = stmt->index_stmt->relation;
			out->mode = stmt->index_stmt->concurrent ? LOCK_SHARE_UPDATE_EXCLUSIVE : LOCK_SHARE;
			break;
		case PG_QUERY__NODE__NODE_DROP_STMT:
			drop_lock(stmt->drop_stmt, out);
			break;
		case PG_QUERY__NODE__NODE_REINDEX_STMT:
			out->relation = stmt->reindex_stmt->relation;
			out->mode = statement_option_set(stmt->reindex_stmt->n_params, stmt->reindex_stmt->params,
											 "concurrently")
				? LOCK_SHARE_UPDATE_EXCLUSIVE : LOCK_SHARE;
			break;
		case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
			alter_table_lock(stmt->alter_table_stmt, pg_version, out);
			break;
		default:
			other_lock(stmt, pg_version, out);
			break;
	}
}
