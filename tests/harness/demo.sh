#!/usr/bin/env bash
# demo.sh — `make demo`: pgsift's main job on a bundled example, live.
#
# Starts a throwaway PostgreSQL 15 (tests/harness/with-postgres.sh) that
# logs every statement, plays the scripted application workload
# (tests/harness/workload.c: simple and extended protocol, errors, a lock
# wait, temp files, auto_explain, connection churn, refused connections),
# then runs `pgsift analyze --dsn` on that server with the log it just
# wrote: plans measured with the logged values, the plan and catalog rules,
# and the log profile.  The server and its files are removed at the end;
# the demo writes nothing else.
set -euo pipefail
cd "$(dirname "$0")/../.."

settings=(
	--set log_min_duration_statement=0 --set log_connections=on --set log_disconnections=on
	--set log_lock_waits=on --set deadlock_timeout=200ms --set log_temp_files=0
	--set log_checkpoints=on --set autovacuum=off
	--set max_connections=10 --set superuser_reserved_connections=3
)

echo "== starting a throwaway PostgreSQL 15 and playing the demo workload (about 10 s)"
tests/harness/with-postgres.sh "${settings[@]}" -- bash -c '
	set -e
	build/workload fixture >/dev/null
	log="$PGSIFT_PG_LOGDIR/postgresql.log"
	echo "== pgsift analyze --dsn \"dbname=postgres\" --top 10 <the server'"'"'s own log>"
	echo
	build/pgsift analyze --dsn "dbname=postgres" --top 10 "$log"
'
