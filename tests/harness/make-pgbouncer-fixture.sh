#!/usr/bin/env bash
# make-pgbouncer-fixture.sh — regenerate fixtures/pgbouncer/: a real
# pgBouncer's log, and the log its PostgreSQL 15 server wrote in the same run.
#
# Usage: tests/harness/make-pgbouncer-fixture.sh
#
# Needs pgbouncer (Debian: apt-get install pgbouncer) and pgbench; neither
# make check nor .ci/run needs them, as the files this writes are committed.
# A throwaway server (with-postgres.sh) gets a pgbouncer in front of it on a
# free port: pool_mode=transaction, default_pool_size=2, max_client_conn=6,
# stats_period=1, query_wait_timeout=2.  Load goes through the pooler:
#   - pgbench -i, then pgbench with 4 clients (they wait for the 2 servers),
#     and with -C (a client connection per transaction);
#   - 10 clients at once holding pg_sleep: beyond max_client_conn they get
#     "no more connections allowed", and a client queued behind two longer
#     sleeps gets "query_wait_timeout";
#   - a database pgbouncer does not know, and one the server does not have
#     (a server login failure).
# Writes fixtures/pgbouncer/pgbouncer.log and fixtures/pgbouncer/postgresql.log.
# As root, pgbouncer runs as the postgres user, like the server.

set -euo pipefail
cd "$(dirname "$0")/../.."
harness=tests/harness
out=fixtures/pgbouncer

if [ "${1:-}" != --inner ]; then
	command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] ||
		{ echo "make-pgbouncer-fixture.sh: pgbouncer is not installed (apt-get install pgbouncer)" >&2; exit 1; }
	work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-bouncer.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	mkdir -p "$out"
	"$harness/with-postgres.sh" --prefix '%m [%p] %q%u@%d ' \
		--set log_min_duration_statement=0 --set log_connections=on --set log_disconnections=on \
		--set autovacuum=off --keep-logs "$work/server" -- "$0" --inner "$work"
	cp "$work/server/postgresql.log" "$out/postgresql.log"
	echo "make-pgbouncer-fixture.sh: $(wc -l <"$out/pgbouncer.log") pgbouncer lines, $(wc -l <"$out/postgresql.log") server lines"
	exit 0
fi

# --- inside with-postgres.sh: PGHOST, PGPORT, PGUSER are the server's -----------
work=$2
pgb=$work/pgbouncer
mkdir -p "$pgb"
is_root=false
[ "$(id -u)" -eq 0 ] && is_root=true
$is_root && chown postgres: "$work" "$pgb"

port_in_use() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}
bport=
for attempt in 1 2 3 4 5 6 7 8; do
	candidate=$((30000 + (RANDOM * 32768 + RANDOM + $$ + attempt) % 10000))
	port_in_use "$candidate" || { bport=$candidate; break; }
done
[ -n "$bport" ] || { echo "make-pgbouncer-fixture.sh: no free port" >&2; exit 1; }

cat >"$pgb/pgbouncer.ini" <<INI
[databases]
bench = host=127.0.0.1 port=$PGPORT dbname=postgres
missing = host=127.0.0.1 port=$PGPORT dbname=no_such_database

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $pgb/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 6
stats_period = 1
query_wait_timeout = 2
server_login_retry = 1
logfile = $pgb/pgbouncer.log
pidfile = $pgb/pgbouncer.pid
INI
echo "\"$PGUSER\" \"\"" >"$pgb/userlist.txt"
$is_root && chown postgres: "$pgb"/*

as_pg() {
	if $is_root; then
		(cd "$pgb" && runuser -u postgres -- "$@")
	else
		(cd "$pgb" && "$@")
	fi
}
as_pg pgbouncer -d "$pgb/pgbouncer.ini"
stop_bouncer() {
	if [ -f "$pgb/pgbouncer.pid" ]; then
		kill -INT "$(cat "$pgb/pgbouncer.pid")" 2>/dev/null || true
		for _ in $(seq 50); do [ -f "$pgb/pgbouncer.pid" ] || break; sleep 0.1; done
	fi
	cp "$pgb/pgbouncer.log" "$OLDPWD_FIXTURES/pgbouncer.log"
}
OLDPWD_FIXTURES=$PWD/$out
trap stop_bouncer EXIT
for _ in $(seq 50); do port_in_use "$bport" && break; sleep 0.1; done

export PGHOST=127.0.0.1 PGPORT=$bport
bin=${PGSIFT_PG_BINDIR:-/usr/lib/postgresql/15/bin}
"$bin/pgbench" -i -s 1 -q bench >/dev/null 2>&1
"$bin/pgbench" -n -c 4 -t 40 bench >/dev/null
"$bin/pgbench" -n -C -c 2 -t 15 bench >/dev/null

# 10 clients at once against max_client_conn = 6 and a pool of 2: some are
# turned away, and the last one waits longer than query_wait_timeout.
for _ in $(seq 10); do
	psql -X -q -d bench -c "SELECT pg_sleep(2.5)" >/dev/null 2>&1 &
	sleep 0.05
done
wait || true
psql -X -q -d nowhere -c "SELECT 1" >/dev/null 2>&1 || true
psql -X -q -d missing -c "SELECT 1" >/dev/null 2>&1 || true
"$bin/pgbench" -n -c 3 -t 20 bench >/dev/null
sleep 2
