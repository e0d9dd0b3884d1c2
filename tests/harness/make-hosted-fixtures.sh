#!/usr/bin/env bash
# make-hosted-fixtures.sh — regenerate fixtures/hosted/: the logs of hosted
# PostgreSQL services, made from real PostgreSQL 15 logs.
#
# Usage: tests/harness/make-hosted-fixtures.sh
#
# No hosted service runs here, so each fixture is a real server's log of
# build/workload fixture (tests/harness/workload.c), written with the
# service's own log_line_prefix, and put into the service's envelope by a
# converter that follows its documented format (docs/log-formats.md):
#   heroku-source.log   stderr, log_line_prefix '%m [%p]  sql_error_code = %e '
#   heroku-logplex.log  the same, as Heroku's logplex prints it
#                       (to-syslog.pl --format logplex)
#   cnpg-source.json    jsonlog
#   cnpg.log            the same, as CloudNativePG writes it to stdout
#                       (to-hosted-json.pl --format cnpg)
#   cloudsql-source.log stderr, log_line_prefix '%m [%p]: [%l-1] db=%d,user=%u '
#   cloudsql.json       the same, as Cloud Logging exports Cloud SQL's log
#                       (to-hosted-json.pl --format cloudsql)
# tests/cli/test_cli_hosted.c checks that each hosted file gives the same
# figures as its source.

set -euo pipefail
cd "$(dirname "$0")/../.."
harness=tests/harness
out=fixtures/hosted

if [ ! -x build/workload ] || [ "$harness/workload.c" -nt build/workload ]; then
	mkdir -p build
	cc -std=gnu11 -Wall -Wextra -Werror -I/usr/include/postgresql "$harness/workload.c" -lpq -o build/workload
fi
settings=(
	--set log_min_duration_statement=0 --set log_connections=on --set log_disconnections=on
	--set log_lock_waits=on --set deadlock_timeout=200ms --set log_temp_files=0
	--set autovacuum=off --set max_connections=10 --set superuser_reserved_connections=3
)
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-hosted.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

echo "make-hosted-fixtures.sh: heroku"
"$harness/with-postgres.sh" --prefix '%m [%p]  sql_error_code = %e ' "${settings[@]}" \
	--keep-logs "$work/heroku" -- build/workload fixture >/dev/null
cp "$work/heroku/postgresql.log" "$out/heroku-source.log"
"$harness/to-syslog.pl" --format logplex <"$out/heroku-source.log" >"$out/heroku-logplex.log"
echo "make-hosted-fixtures.sh: $(wc -l <"$out/heroku-logplex.log") logplex lines"

echo "make-hosted-fixtures.sh: cnpg"
"$harness/with-postgres.sh" --log-destination jsonlog --prefix '%m [%p] ' "${settings[@]}" \
	--keep-logs "$work/cnpg" -- build/workload fixture >/dev/null
cp "$work/cnpg/postgresql.json" "$out/cnpg-source.json"
"$harness/to-hosted-json.pl" --format cnpg <"$out/cnpg-source.json" >"$out/cnpg.log"
echo "make-hosted-fixtures.sh: $(wc -l <"$out/cnpg.log") CloudNativePG lines"

echo "make-hosted-fixtures.sh: cloudsql"
"$harness/with-postgres.sh" --prefix '%m [%p]: [%l-1] db=%d,user=%u ' "${settings[@]}" \
	--keep-logs "$work/cloudsql" -- build/workload fixture >/dev/null
cp "$work/cloudsql/postgresql.log" "$out/cloudsql-source.log"
"$harness/to-hosted-json.pl" --format cloudsql <"$out/cloudsql-source.log" >"$out/cloudsql.json"
echo "make-hosted-fixtures.sh: $(wc -l <"$out/cloudsql.json") Cloud Logging entries"
