#!/usr/bin/env bash
# make-prefix-fixtures.sh — regenerate fixtures/prefixes/: real PostgreSQL
# logs, one per log_line_prefix, for the prefix-learning test.
#
# Usage: tests/harness/make-prefix-fixtures.sh
#
# For each prefix below, a throwaway server (with-postgres.sh) logs every
# statement, connection and disconnection with that log_line_prefix while
# psql runs the same few sessions: plain and TCP connections, application
# names with '-', '.' and spaces, a transaction, an error, a multi-line
# statement.  The logs go to fixtures/prefixes/NN.log and the table
# fixtures/prefixes/prefixes.tsv lists, per file, the setting and the
# prefix pgsift must read it as: the setting itself, except where a column
# "reads" says otherwise and why (tests/cli/test_cli_prefixes.c reads it).
# The expected statement counts are not stored: the test counts the
# "duration: " lines of each file itself.

set -euo pipefail
cd "$(dirname "$0")/../.."
out=fixtures/prefixes
harness=tests/harness

# setting <TAB> what it reads as ("=" for the setting itself) <TAB> why not the setting
prefixes=(
	$'%t [%p]: [%l-1] [%x] usr=%u,db=%d,appli=%a \t=\t'
	$'%m [%p] %q%u@%d \t=\t'
	$'%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h \t=\t'
	$'%m|%p|%u|%d|%a|%h|%e| \t=\t'
	$'[%m] [%p] [%v] [%x] [%c] [%l] [%e] [%u@%d] [%a] \t[%m] [%p] [%v] [%l] [%c] [%x] [%e] [%u@%d] [%a] \tone line cannot tell a transaction id from a session line number: the first number after the pid is read as %l'
	$'%m [%p-%l] %q[user=%u,db=%d,app=%a,client=%h] \t=\t'
	$'< %m %r %u %d > \t=\t'
	$'%n %p %u %d \t=\t'
	$'time=%m pid=%p sess=%c line=%l vtx=%v tx=%x sqlstate=%e user=%u db=%d app=%a host=%h \t=\t'
	$'%t:%r:%u@%d:[%p]:\t=\t'
	$'%m [%p] %q[%b] \t=\t'
	$'%Q %m [%p] \t=\t'
	$'%m %-10u %5p \t%m %a %q  %p \tpadded fields are not learned: the user is lost, every statement is still read'
	$'%m [%p] %q%a/%u/%d \t=\t'
	$'%m {%p} <%u> <%d> <%a> \t=\t'
	$'%t [%p] %u %d %a %h %i \t=\t'
	$'%m pid=%p %q who=%u where=%d from=%r \t=\t'
)

# shellcheck disable=SC2016  # expanded by the inner shell
sessions='
	set -e
	psql="$PGSIFT_PG_BINDIR/psql -X -q -d postgres"
	$psql -c "create table t (a int)" -c "insert into t select generate_series(1, 100)" \
		-c "select * from t where a = 5" >/dev/null
	PGAPPNAME=my-app.v2 $psql -c "begin" -c "select count(*) from t" -c "update t set a = a" \
		-c "commit" -c "select 1/0" >/dev/null 2>&1 || true
	PGAPPNAME="app with space" $psql -h 127.0.0.1 -c "select a from t where a > 3 order by a limit 2" \
		-c "select
  a
from t" >/dev/null
	for i in 1 2 3; do $psql -c "select $i" >/dev/null; done
'

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-prefixes.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
rm -f "$out"/*.log
printf 'file\tlog_line_prefix\treads\twhy\n' >"$out/prefixes.tsv"
n=0
for row in "${prefixes[@]}"; do
	n=$((n + 1))
	IFS=$'\t' read -r setting reads why <<<"$row"
	[ "$reads" = "=" ] && reads=$setting
	name=$(printf '%02d.log' "$n")
	echo "make-prefix-fixtures.sh: $name: log_line_prefix '$setting'"
	"$harness/with-postgres.sh" --log-destination stderr --prefix "$setting" \
		--set log_min_duration_statement=0 --set log_connections=on --set log_disconnections=on \
		--set autovacuum=off --keep-logs "$work/$n" -- bash -c "$sessions" >/dev/null
	cp "$work/$n/postgresql.log" "$out/$name"
	printf '%s\t%s\t%s\t%s\n' "$name" "$setting" "$reads" "$why" >>"$out/prefixes.tsv"
done
echo "make-prefix-fixtures.sh: $n logs in $out"
