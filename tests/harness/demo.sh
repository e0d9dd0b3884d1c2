#!/usr/bin/env bash
# demo.sh — `make demo`: pgsift's main job on a bundled shop, live.
#
# Starts a throwaway PostgreSQL 15 (tests/harness/with-postgres.sh); creates
# a database `shop` and loads tests/harness/demo-schema.sql into it (50k
# customers, 500k orders, 1M order lines, with the indexes an application
# would need left out); creates HypoPG there when it is installed; then turns
# on logging of every statement, connection, lock wait and temporary file
# and plays the shop's application (tests/harness/demo-app.c: N+1 queries,
# unbatched inserts, a settings row read hundreds of times, connection
# churn, queries that need the missing indexes, deep OFFSET pagination,
# SELECT *); last, runs `pgsift analyze --dsn "dbname=shop" --measure real`
# on the log the server just wrote, so that candidate indexes are built and
# measured inside transactions that are rolled back; the same run writes
# its report to the terminal and as an HTML page, $BUILD/demo-report.html.
#
# Logging is turned on (ALTER SYSTEM and a reload) only once the shop is
# loaded, and the log and pg_stat_statements start afresh then, so neither
# holds anything but the application: connection lines cannot be silenced
# per session, as statement logging can.  Everything lives in the
# server's temporary directory, which is removed at the end; the demo writes
# no other file but the HTML report in the build directory.  BUILD names
# the build directory (default build, as for make).
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/../.."
build=${BUILD:-build}

# What the server logs while the application plays.
logging=(
	"log_min_duration_statement = 0" "log_connections = on" "log_disconnections = on"
	"log_lock_waits = on" "log_temp_files = 0"
)

# Load the shop into a new database shop; the server logs no statement yet.
load_shop() {
	createdb shop
	psql -X -q -v ON_ERROR_STOP=1 -d shop -f tests/harness/demo-schema.sql
	psql -X -q -At -d shop -c "
		SELECT '   ' || relname || ': ' || to_char(reltuples, 'FM9,999,999') || ' rows, '
		       || pg_size_pretty(pg_relation_size(oid))
		  FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
		 ORDER BY relname"
	if [ "$(psql -X -At -d shop -c \
		"SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'")" = 1 ]; then
		psql -X -q -d shop -c "CREATE EXTENSION hypopg"
		echo "   HypoPG is installed: created the extension in shop"
	else
		echo "   HypoPG is not installed (tests/harness/install-deps.sh installs it);" \
			"--measure real builds indexes without it"
	fi
}

# Turn the logging on and start the log and the statistics afresh, so that
# the period of the report, and its rates per hour, are the application's.
# The logging collector appends, so the emptied file just grows again.  The
# session's own options keep it out of the log and out of
# pg_stat_statements, and the connection settings apply to sessions that
# start after the reload: the postmaster handles the signal before it
# accepts the next connection.
start_logging() {
	local s args=()

	: >"$PGSIFT_PG_LOGDIR/postgresql.log"
	for s in "${logging[@]}"; do
		args+=(-c "ALTER SYSTEM SET $s")
	done
	PGOPTIONS='-c log_min_duration_statement=-1 -c pg_stat_statements.track=none' \
		psql -X -q -At -d shop "${args[@]}" \
		-c "SELECT pg_stat_statements_reset()" -c "SELECT pg_reload_conf()" >/dev/null
}

# A digest of the shop's catalog: relations and their files, columns, constraints.
catalog_digest() {
	psql -X -q -At -d shop -c "
		SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
		  SELECT format('r %s %s %s', oid, relname, relfilenode) AS x FROM pg_class
		   WHERE relnamespace = 'public'::regnamespace
		  UNION ALL SELECT format('a %s %s %s %s', attrelid, attname, atttypid, attnotnull)
		   FROM pg_attribute WHERE attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
		  UNION ALL SELECT format('k %s %s', conname, convalidated) FROM pg_constraint
		   WHERE connamespace = 'public'::regnamespace) s"
}

# The part that runs inside with-postgres.sh, against the throwaway server.
play() {
	local log=$PGSIFT_PG_LOGDIR/postgresql.log t
	local tmp=${PGSIFT_PG_LOGDIR%/log}
	local report

	case $build in
	/*) report=$build/demo-report.html ;;
	*) report=$PWD/$build/demo-report.html ;;
	esac

	echo "   server on 127.0.0.1:$PGPORT; its data, socket and log are under $tmp"
	echo
	echo "== 2/6 creating database shop and loading tests/harness/demo-schema.sql"
	t=$SECONDS
	load_shop
	echo "   loaded in $((SECONDS - t)) s"
	echo
	echo "== 3/6 logging every statement and connection from now on, and playing the"
	echo "   shop's application ($build/demo-app)"
	start_logging
	t=$SECONDS
	PGDATABASE=shop "$build/demo-app"
	echo "   played in $((SECONDS - t)) s; the server log has $(wc -l <"$log") lines"
	echo
	echo "== 4/6 pgsift analyze --dsn \"dbname=shop\" --measure real --top 10 -o - -o $report <the server log>"
	echo "   reads the log, explains the costliest queries with their logged values and"
	echo "   builds candidate indexes inside transactions that are rolled back; writes the"
	echo "   report here and, from the same run, as one HTML page (charts, plan trees)"
	echo
	t=$SECONDS
	"$build/pgsift" analyze --dsn "dbname=shop" --measure real --top 10 -o - -o "$report" "$log"
	echo
	echo "   analysed in $((SECONDS - t)) s; the HTML report: $report (open it in a browser)"
	echo
	echo "== 5/6 pgsift migration --dsn \"dbname=shop\" --measure plan --workload <the server log>"
	echo "   tests/harness/demo-migration.sql: the migration gate on a pull request's risky"
	echo "   migration to the same shop. The static rules say what each statement locks and"
	echo "   rewrites; then the migration runs on the shop in one transaction that is rolled"
	echo "   back, each statement traced (its locks, on how many rows, its rewrites), and the"
	echo "   application's queries from the log are planned before and after it"
	echo "   (--fail-on none: in CI its exit status, 1 here, fails the job)"
	echo
	local before after
	before=$(catalog_digest)
	t=$SECONDS
	"$build/pgsift" migration --dsn "dbname=shop" --measure plan --workload "$log" --fail-on none \
		tests/harness/demo-migration.sql
	after=$(catalog_digest)
	echo
	echo "   gated in $((SECONDS - t)) s. The shop's catalog (relations, relfilenodes, columns,"
	echo "   constraints) before and after: $before / $after" \
		"($([ "$before" = "$after" ] && echo identical || echo CHANGED))"
	echo
	echo "== 6/6 stopping the server and removing $tmp"
}

if [ "${1:-}" = --play ]; then
	play
	exit
fi

for f in "$build/pgsift" "$build/demo-app"; do
	if [ ! -x "$f" ]; then
		echo "demo.sh: $f is not built" >&2
		echo "HINT:  Run: make BUILD=$build $build/pgsift $build/demo-app" >&2
		exit 1
	fi
done

echo "== 1/6 starting a throwaway PostgreSQL 15 in a temporary directory"
start=$SECONDS
BUILD=$build tests/harness/with-postgres.sh --set autovacuum=off -- "$self" --play
echo "== done in $((SECONDS - start)) s; nothing was written outside the server's temporary directory but $build/demo-report.html"
