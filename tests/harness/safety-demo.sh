#!/usr/bin/env bash
# safety-demo.sh — `make demo-safety`: pgsift on a log full of side effects.
#
# Run inside with-postgres.sh.  Creates a database `safety` from
# tests/harness/safety-schema.sql, lets the server log the statements of
# tests/harness/safety-log.sql (pg_terminate_backend, the statistics
# resets, advisory locks, set_config, pg_notify, dblink, large objects, a
# replication slot, a WAL switch, a volatile user function, a view over a
# volatile function...), then connects a victim session and runs
# `pgsift analyze --dsn dbname=safety` on that log in every --measure mode.
# It prints what must not change before and after, and the text report of
# the last run: each of those statements explained, not executed.  The
# automated version of this, with more checks, is tests/cli/test_cli_safety.c.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
log="$PGSIFT_PG_LOGDIR/postgresql.log"
slice=$(dirname "$PGSIFT_PG_LOGDIR")/safety.log

state() {
	psql -X -At -d safety -c "
		SELECT 'pg_stat_statements reset  ' || (SELECT stats_reset FROM pg_stat_statements_info)
		UNION ALL SELECT 'pg_stat_database reset    ' || stats_reset FROM pg_stat_database WHERE datname = 'safety'
		UNION ALL SELECT 'pg_stat_bgwriter reset    ' || stats_reset FROM pg_stat_bgwriter
		UNION ALL SELECT 'configuration loaded      ' || pg_conf_load_time()
		UNION ALL SELECT 'replication slots         ' || count(*) FROM pg_replication_slots
		UNION ALL SELECT 'large objects             ' || count(*) FROM pg_largeobject_metadata
		UNION ALL SELECT 'rows written by dblink    ' || count(*) FROM side_effects
		UNION ALL SELECT 'notify_and_set() calls    ' || coalesce(sum(calls), 0) FROM pg_stat_user_functions
		             WHERE funcname IN ('notify_and_set', 'audit_note')
		UNION ALL SELECT 'victim sessions           ' || count(*) FROM pg_stat_activity
		             WHERE application_name = 'pgsift_victim'"
}

createdb safety
psql -X -q -c "ALTER DATABASE safety SET track_functions = 'all'"
psql -X -q -v ON_ERROR_STOP=1 -d safety -f tests/harness/safety-schema.sql >/dev/null
from=$(stat -c %s "$log")
psql -X -q -v ON_ERROR_STOP=1 -d safety -f tests/harness/safety-log.sql >/dev/null
psql -X -q -d safety -c "SET log_min_duration_statement = 0" -c "SELECT 'pgsift-safety-log-end'" >/dev/null
until tail -c +"$((from + 1))" "$log" | grep -q pgsift-safety-log-end; do sleep 0.1; done
tail -c +"$((from + 1))" "$log" >"$slice"
echo "==> the log: $(grep -c 'duration:' "$slice") statements the server logged"

PGAPPNAME=pgsift_victim psql -X -q -d safety -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
victim=$!
sleep 1
echo "==> before"
state | sed 's/^/    /'
for mode in off hypo real; do
	"$build/pgsift" analyze -q --explain-top 100 --measure "$mode" --dsn "dbname=safety" "$slice" \
		>"$slice.$mode.txt"
done
sleep 1
echo "==> after pgsift analyze --measure off, hypo and real"
state | sed 's/^/    /'
if kill -0 "$victim" 2>/dev/null; then
	echo "    the victim session is alive"
	kill "$victim"
fi
echo "==> the report of --measure real, its live part"
sed -n '/^Live database/,/^$/p' "$slice.real.txt"
