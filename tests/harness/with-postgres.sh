#!/usr/bin/env bash
# with-postgres.sh — run a command against a throwaway PostgreSQL 15 server.
#
# Usage:
#   with-postgres.sh [--log-destination stderr|csvlog|jsonlog|all]
#                    [--prefix 'log_line_prefix'] [--set name=value]...
#                    [--keep-logs DIR] -- command args...
#
# The server lives in a fresh mktemp -d directory (data directory, unix
# socket, log directory), listens on 127.0.0.1 only, on a port nothing else
# listens on, with pg_stat_statements and auto_explain preloaded and
# pg_stat_statements created in template1 and postgres.  The logging
# collector always writes the log files, under fixed names, so that
# PGSIFT_PG_LOGDIR holds postgresql.log, postgresql.csv and/or
# postgresql.json.  The command sees PGHOST, PGPORT, PGUSER, PGDATABASE,
# PGSIFT_PG_DATADIR, PGSIFT_PG_LOGDIR and PGSIFT_PG_BINDIR.
#
# The server is always stopped and the directory removed, on success, on
# failure and on INT/TERM; the script exits with the command's status (or 1
# if the server itself could not be set up or stopped).  It prints nothing
# unless something fails, in which case it shows the tail of the server log.
# When run as root, initdb and the server run as the postgres user.

set -uo pipefail

prog=with-postgres.sh
log_destination=stderr
prefix='%m [%p] %q%u@%d '
keep_logs=
sets=()

die() {
	echo "$prog: $*" >&2
	exit 1
}

usage() {
	cat >&2 <<'EOF'
usage: with-postgres.sh [--log-destination stderr|csvlog|jsonlog|all]
                        [--prefix 'log_line_prefix'] [--set name=value]...
                        [--keep-logs DIR] -- command args...
EOF
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--log-destination)
		[ $# -ge 2 ] || usage
		log_destination=$2
		shift 2
		;;
	--prefix)
		[ $# -ge 2 ] || usage
		prefix=$2
		shift 2
		;;
	--set)
		[ $# -ge 2 ] || usage
		case "$2" in
		?*=*) sets+=("$2") ;;
		*) die "--set expects name=value, got \"$2\"" ;;
		esac
		shift 2
		;;
	--keep-logs)
		[ $# -ge 2 ] || usage
		keep_logs=$2
		shift 2
		;;
	--)
		shift
		break
		;;
	*) usage ;;
	esac
done
[ $# -gt 0 ] || usage

case "$log_destination" in
stderr | csvlog | jsonlog) dest_setting=$log_destination ;;
all) dest_setting='stderr,csvlog,jsonlog' ;;
*) die "unknown log destination \"$log_destination\" (stderr, csvlog, jsonlog or all)" ;;
esac

# --- find the PostgreSQL 15 binaries -----------------------------------------
bindir=
if command -v pg_config >/dev/null 2>&1; then
	bindir=$(pg_config --bindir 2>/dev/null || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
	bindir=/usr/lib/postgresql/15/bin
fi
[ -x "$bindir/initdb" ] || die "could not find initdb (looked in pg_config --bindir and $bindir)"

is_root=false
[ "$(id -u)" -eq 0 ] && is_root=true

# The temp dir must be reachable by the postgres user when we are root.
tmpbase=${TMPDIR:-/tmp}
if $is_root && ! runuser -u postgres -- test -x "$tmpbase" 2>/dev/null; then
	tmpbase=/tmp
fi
tmp=$(mktemp -d "$tmpbase/pgsift-pg.XXXXXX") || die "could not create a temporary directory"
datadir=$tmp/data
logdir=$tmp/log
startlog=$tmp/startup.log
server_started=false

# Run a server binary; as root, as the postgres user.  The cd keeps tools
# that look up their own directory from failing on an unreadable cwd.
as_pg() {
	if $is_root; then
		(cd "$tmp" && runuser -u postgres -- "$@")
	else
		(cd "$tmp" && "$@")
	fi
}

# Print a complaint and the tail of the server log (the first of the log
# files that exists); with "all", also what pg_ctl and single-user mode said.
show_log_tail() {
	local f
	echo "$prog: $1" >&2
	for f in "$logdir/postgresql.log" "$logdir/postgresql.csv" "$logdir/postgresql.json"; do
		if [ -s "$f" ]; then
			echo "--- last lines of the server log ${f#"$tmp"/} ---" >&2
			tail -n 40 "$f" >&2
			break
		fi
	done
	[ "${2:-}" = all ] || return 0
	for f in "$tmp/initdb.log" "$tmp/single.log" "$tmp/pg_ctl.log" "$startlog"; do
		if [ -s "$f" ]; then
			echo "--- last lines of ${f#"$tmp"/} ---" >&2
			tail -n 20 "$f" >&2
		fi
	done
}

# shellcheck disable=SC2317  # reached from the EXIT trap
stop_server() {
	local pid
	$server_started || return 0
	if as_pg "$bindir/pg_ctl" -D "$datadir" -m fast -w -t 60 stop >>"$startlog" 2>&1; then
		server_started=false
		return 0
	fi
	as_pg "$bindir/pg_ctl" -D "$datadir" -m immediate -w -t 30 stop >>"$startlog" 2>&1
	if [ -f "$datadir/postmaster.pid" ]; then
		pid=$(head -n 1 "$datadir/postmaster.pid")
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null
			sleep 1
		fi
	fi
	server_started=false
	return 1
}

# shellcheck disable=SC2317  # the EXIT trap
cleanup() {
	local rc=$? f
	trap - EXIT INT TERM
	if ! stop_server; then
		show_log_tail "the server did not stop cleanly" all
		[ "$rc" -eq 0 ] && rc=1
	fi
	if [ -n "$keep_logs" ] && [ -d "$logdir" ]; then
		mkdir -p "$keep_logs" || rc=1
		for f in "$logdir"/*; do
			[ -f "$f" ] && { cp "$f" "$keep_logs/" || rc=1; }
		done
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- initdb and configuration ----------------------------------------------------
mkdir -p "$logdir"
$is_root && chown -R postgres: "$tmp"

if ! as_pg "$bindir/initdb" -D "$datadir" --auth=trust -U postgres --no-sync \
	--encoding=UTF8 --locale=C --no-instructions >"$tmp/initdb.log" 2>&1; then
	show_log_tail "initdb failed" all
	exit 1
fi

# A value goes into postgresql.conf quoted, with single quotes doubled.
conf_quote() {
	printf "'%s'" "${1//\'/\'\'}"
}

{
	echo
	echo "# --- added by $prog ---"
	echo "listen_addresses = '127.0.0.1'"
	echo "unix_socket_directories = $(conf_quote "$tmp")"
	echo "shared_preload_libraries = 'pg_stat_statements,auto_explain'"
	echo "compute_query_id = on"
	echo "fsync = off"
	echo "logging_collector = on"
	echo "log_destination = $(conf_quote "$dest_setting")"
	echo "log_directory = $(conf_quote "$logdir")"
	echo "log_filename = 'postgresql.log'"
	echo "log_rotation_age = 0"
	echo "log_rotation_size = 0"
	echo "log_file_mode = 0644"
	echo "log_line_prefix = $(conf_quote "$prefix")"
	echo "log_timezone = 'UTC'"
	echo "timezone = 'UTC'"
	echo "lc_messages = 'C'"
	for s in "${sets[@]+"${sets[@]}"}"; do
		echo "${s%%=*} = $(conf_quote "${s#*=}")"
	done
} >>"$datadir/postgresql.conf"

# pg_stat_statements is created in single-user mode, before the server
# starts, so that none of the harness's own sessions reach the server log.
for db in template1 postgres; do
	if ! echo "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;" |
		as_pg "$bindir/postgres" --single -D "$datadir" -c exit_on_error=true "$db" \
			>>"$tmp/single.log" 2>&1; then
		show_log_tail "could not create pg_stat_statements in $db" all
		exit 1
	fi
done

# --- start on a free port ---------------------------------------------------------
port_in_use() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

port=
for attempt in 1 2 3 4 5; do
	candidate=$((20000 + (RANDOM * 32768 + RANDOM + $$ + attempt) % 10000))
	port_in_use "$candidate" && continue
	if as_pg "$bindir/pg_ctl" -D "$datadir" -l "$startlog" -w -t 60 \
		-o "-c port=$candidate" start >>"$tmp/pg_ctl.log" 2>&1; then
		port=$candidate
		server_started=true
		break
	fi
	# Only a port clash is worth another try.
	if ! grep -qs -e 'could not bind' -e 'could not create any TCP/IP sockets' \
		-e 'Address already in use' "$startlog" "$logdir"/postgresql.*; then
		break
	fi
done
if [ -z "$port" ]; then
	show_log_tail "could not start the server ($attempt attempts)" all
	exit 1
fi

# --- run the command ------------------------------------------------------------
unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSFILE PGPASSWORD PGOPTIONS
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
export PGSIFT_PG_DATADIR=$datadir PGSIFT_PG_LOGDIR=$logdir PGSIFT_PG_BINDIR=$bindir

"$@"
status=$?
if [ "$status" -ne 0 ]; then
	show_log_tail "command exited with status $status: $*"
fi
exit "$status"
