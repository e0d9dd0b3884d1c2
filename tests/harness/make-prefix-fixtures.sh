#!/usr/bin/env bash
# make-prefix-fixtures.sh — regenerate fixtures/prefixes/: real PostgreSQL
# logs, one per log_line_prefix, for the prefix-learning test.
#
# Usage: tests/harness/make-prefix-fixtures.sh [NN...]
#
# For each prefix below, a throwaway server (with-postgres.sh) logs every
# statement, connection and disconnection with that log_line_prefix (and
# the row's other settings, such as a log_timezone) while psql runs the
# same few sessions: plain and TCP connections, application names with
# '-', '.' and spaces, a transaction, an error, a multi-line statement.
# The logs go to fixtures/prefixes/NN.log and the table
# fixtures/prefixes/prefixes.tsv lists, per file, the setting, the prefix
# pgsift must learn from it (the setting itself, except where a column
# "reads" says otherwise and why; "reads as the setting" there means a
# reading of every line equal to the setting's) and the other settings
# (tests/cli/test_cli_prefixes.c reads it).  The expected statement counts
# are not stored: the test counts the "duration: " lines of each file
# itself.  With NN arguments only those logs are made again (the table
# always is), so that adding a prefix does not churn the others.

set -euo pipefail
cd "$(dirname "$0")/../.."
out=fixtures/prefixes
harness=tests/harness

# setting <TAB> what it reads as ("=" for the setting itself) <TAB> why not the setting
# [<TAB> other settings, name=value separated by spaces]
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
	$'%m %-10u %5p \t%m %-10u %p \treads as the setting: its pids all have five digits, so %5p pads none'
	$'%m [%p] %q%a/%u/%d \t=\t'
	$'%m {%p} <%u> <%d> <%a> \t=\t'
	$'%t [%p] %u %d %a %h %i \t=\t'
	$'%m pid=%p %q who=%u where=%d from=%r \t=\t'
	$'%m [%5p] %-10u %-8d \t%m [%p] %-10u %-8d \treads as the setting: its pids all have five digits, so %5p pads none'
	$'%t [%-6p] user=%-12u,db=%-10d,app=%-15a \t=\t'
	$'%m %10p %u@%d \t=\t'
	$'%m [%p] %n %q%u@%d \t=\t\tlog_timezone=Europe/Berlin'
	$'%t [%p] %n %q%u@%d \t=\t\tlog_timezone=America/New_York'
	$'%m [%p] %n %q%u@%d \t=\t\tlog_timezone=Asia/Kolkata'
	$'%m [%p] %n %q%u@%d \t=\t\tlog_timezone=America/Sao_Paulo'
	$'%m [%p] %n %q%u@%d \t=\t\tlog_timezone=Asia/Kathmandu'
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

# which logs to make: all, or those named
only=" $* "
for a in "$@"; do
	case "$a" in
	[0-9][0-9]) ;;
	*)
		echo "usage: make-prefix-fixtures.sh [NN...]" >&2
		exit 2
		;;
	esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-prefixes.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
[ $# -eq 0 ] && rm -f "$out"/*.log
printf 'file\tlog_line_prefix\treads\twhy\tsettings\n' >"$out/prefixes.tsv"
n=0
made=0
for row in "${prefixes[@]}"; do
	n=$((n + 1))
	# split at tabs by hand: read would run empty fields together
	setting=${row%%$'\t'*} rest=${row#*$'\t'}
	reads=${rest%%$'\t'*} rest=${rest#*$'\t'}
	why=${rest%%$'\t'*} settings=
	[[ $rest == *$'\t'* ]] && settings=${rest#*$'\t'}
	[ "$reads" = "=" ] && reads=$setting
	name=$(printf '%02d.log' "$n")
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$setting" "$reads" "$why" "$settings" >>"$out/prefixes.tsv"
	if [ $# -gt 0 ] && [[ $only != *" ${name%.log} "* ]]; then
		continue
	fi
	extra=()
	for s in $settings; do
		extra+=(--set "$s")
	done
	echo "make-prefix-fixtures.sh: $name: log_line_prefix '$setting' $settings"
	"$harness/with-postgres.sh" --log-destination stderr --prefix "$setting" \
		--set log_min_duration_statement=0 --set log_connections=on --set log_disconnections=on \
		--set autovacuum=off "${extra[@]+"${extra[@]}"}" --keep-logs "$work/$n" -- bash -c "$sessions" >/dev/null
	cp "$work/$n/postgresql.log" "$out/$name"
	made=$((made + 1))
done
echo "make-prefix-fixtures.sh: $made of $n logs made in $out"
