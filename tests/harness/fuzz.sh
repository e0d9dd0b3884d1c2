#!/usr/bin/env bash
# fuzz.sh — build and run the libFuzzer targets (make fuzz).
#
# Usage: tests/harness/fuzz.sh [SECONDS]      (default 60 per target)
#        FUZZ_TARGETS='fuzz_pgbouncer fuzz_detect' tests/harness/fuzz.sh 60
#                                             (only those targets)
#
# Each tests/fuzz/fuzz_*.c is linked with clang -fsanitize=fuzzer,address,
# undefined against every library source (src/, parsers/, rules/; not
# src/cli/main.c) into build/fuzz/, and run for SECONDS.  Inputs libFuzzer
# finds interesting accumulate in build/fuzz/corpus/<target> from run to
# run; build/fuzz/seeds/<target> is rebuilt on every run from hand-written
# samples and from the lines of fixtures/, so the fuzzers start from real
# PostgreSQL output.  A crash, leak, timeout or out-of-memory in any target
# makes the script exit 1 after the others have run, with the path of the
# input that reproduces it; a build failure exits 2.

set -uo pipefail

secs=${1:-60}
case "$secs" in
'' | *[!0-9]*)
	echo "usage: fuzz.sh [SECONDS]" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
out=build/fuzz
CC=${FUZZ_CC:-clang}
CFLAGS=(-std=gnu11 -g -O1 -pthread -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter
	"-fsanitize=address,undefined" "-fno-sanitize-recover=undefined"
	-D_GNU_SOURCE -I. -I/usr/include/postgresql
	"-DPGSIFT_VERSION=\"fuzz\"" "-DPGSIFT_FIXTURES_DIR=\"$root/fixtures\""
	"-DPGSIFT_BUILD_DIR=\"$root/build\"" "-DPGSIFT_DOCS_DIR=\"$root/docs\"")
LIBS=(-lpg_query -lpq -lpcre2-8 -ljansson -lsqlite3 -lcrypto -lz -lbz2 -lzstd -lpthread -lm)

section() {
	printf '\n== %s ==\n' "$*"
}

command -v "$CC" >/dev/null || {
	echo "fuzz.sh: $CC not found; install clang (with libFuzzer)" >&2
	exit 2
}
mkdir -p "$out/obj" "$out/seeds" "$out/corpus" "$out/artifacts"

# ---------------------------------------------------------------- build

section "building the library with $CC (fuzzer instrumentation, ASan, UBSan)"
newest_header=$(find src parsers rules tests/fuzz -name '*.h' -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
objs=()
stale=()
for c in src/*/*.c parsers/*.c rules/*.c; do
	if [ ! -f "$c" ] || [ "$c" = src/cli/main.c ]; then continue; fi
	o="$out/obj/${c%.c}.o"
	objs+=("$o")
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || { [ -n "$newest_header" ] && [ "$newest_header" -nt "$o" ]; }; then
		stale+=("$c")
	fi
done

compile() {
	mkdir -p "$(dirname "$2")"
	"$CC" "${CFLAGS[@]}" -fsanitize=fuzzer-no-link -c "$1" -o "$2" ||
		{ rm -f "$2"; echo "fuzz.sh: could not compile $1" >&2; return 1; }
}

# as many compilers at once as there are cores
build_failed=0
running=0
for c in "${stale[@]}"; do
	if [ $running -ge "$(nproc)" ]; then
		wait -n || build_failed=1
		running=$((running - 1))
	fi
	compile "$c" "$out/obj/${c%.c}.o" &
	running=$((running + 1))
done
while [ $running -gt 0 ]; do
	wait -n || build_failed=1
	running=$((running - 1))
done
[ $build_failed -eq 0 ] || exit 2
echo "${#objs[@]} library sources (${#stale[@]} recompiled)"

targets=()
for f in tests/fuzz/fuzz_*.c; do
	t=$(basename "$f" .c)
	if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $t "* ]]; then
		continue
	fi
	if ! "$CC" "${CFLAGS[@]}" -fsanitize=fuzzer "$f" "${objs[@]}" "${LIBS[@]}" -o "$out/$t"; then
		echo "fuzz.sh: could not build $t" >&2
		exit 2
	fi
	targets+=("$t")
done
echo "targets: ${targets[*]}"

# ---------------------------------------------------------------- seeds

# Hand-written samples: enough for every reader to get past its first
# branch even when fixtures/ is empty.
seed_stderr() {
	cat <<'EOF'
2024-03-01 10:00:00.123 UTC [4242] app@shop LOG:  duration: 0.321 ms  statement: SELECT 1
2024-03-01 10:00:00.124 UTC [4242] app@shop LOG:  duration: 0.050 ms  execute <unnamed>: SELECT * FROM t WHERE id = $1
2024-03-01 10:00:00.124 UTC [4242] app@shop DETAIL:  parameters: $1 = '42'
2024-03-01 10:00:01.000 UTC [4243] app@shop ERROR:  relation "x" does not exist at character 15
2024-03-01 10:00:01.000 UTC [4243] app@shop STATEMENT:  SELECT *
	FROM x WHERE a = 'it''s'
2024-03-01 10:00:02.000 UTC [100] LOG:  checkpoint starting: time
2024-03-01 10:00:03.000 UTC [4244] [unknown]@[unknown] LOG:  connection received: host=127.0.0.1 port=5555
2024-03-01 10:00:03.001 UTC [4244] app@shop LOG:  connection authorized: user=app database=shop application_name=psql
2024-03-01 10:00:04.000 UTC [4244] app@shop LOG:  disconnection: session time: 0:00:01.000 user=app database=shop host=127.0.0.1 port=5555
EOF
}

seed_rds() {
	cat <<'EOF'
2024-03-01 10:00:00 UTC:10.0.0.5(5555):app@shop:[4242]:LOG:  duration: 0.321 ms  statement: SELECT 1
2024-03-01 10:00:00 UTC:10.0.0.5(5555):app@shop:[4242]:DETAIL:  parameters: $1 = NULL
EOF
}

seed_csvlog() {
	cat <<'EOF'
2024-03-01 10:00:00.123 UTC,"app","shop",4242,"[local]",65e1a7c0.1092,1,"SELECT",2024-03-01 10:00:00 UTC,3/7,0,LOG,00000,"duration: 0.321 ms  statement: SELECT ""a""
FROM t",,,,,,,,,"psql","client backend",,0
2024-03-01 10:00:00.124 UTC,"app","shop",4242,"[local]",65e1a7c0.1092,2,"SELECT",2024-03-01 10:00:00 UTC,3/8,0,LOG,00000,"duration: 0.050 ms  execute <unnamed>: SELECT $1","parameters: $1 = '1'",,,,,,,,"psql","client backend",,-123456789
2024-03-01 10:00:01.000 UTC,"app","shop",4243,"127.0.0.1:5555",65e1a7c1.1093,1,"SELECT",2024-03-01 10:00:01 UTC,4/1,0,ERROR,42P01,"relation ""x"" does not exist",,,,,,"SELECT * FROM x",15,,"psql","client backend",,0
EOF
}

seed_jsonlog() {
	cat <<'EOF'
{"timestamp":"2024-03-01 10:00:00.123 UTC","user":"app","dbname":"shop","pid":4242,"remote_host":"[local]","session_id":"65e1a7c0.1092","line_num":1,"ps":"SELECT","session_start":"2024-03-01 10:00:00 UTC","vxid":"3/7","txid":0,"error_severity":"LOG","message":"duration: 0.321 ms  statement: SELECT 1","application_name":"psql","backend_type":"client backend","query_id":0}
{"timestamp":"2024-03-01 10:00:00.124 UTC","user":"app","dbname":"shop","pid":4242,"error_severity":"LOG","message":"duration: 0.050 ms  execute <unnamed>: SELECT $1\nFROM t","detail":"parameters: $1 = '\u00e9'","query_id":-42}
{"timestamp":"2024-03-01 10:00:01.000 UTC","pid":4243,"error_severity":"ERROR","state_code":"42P01","message":"relation \"x\" does not exist","statement":"SELECT * FROM x","cursor_position":15}
EOF
}

seed_syslog() {
	cat <<'EOF'
Mar  1 10:00:00 db1 postgres[4242]: [3-1] 2024-03-01 10:00:00.123 UTC [4242] app@shop LOG:  duration: 0.321 ms  statement: SELECT *
Mar  1 10:00:00 db1 postgres[4242]: [3-2] #011FROM t
Mar  1 10:00:00 db1 postgres[4242]: [4-1] 2024-03-01 10:00:00.124 UTC [4242] app@shop DETAIL:  parameters: $1 = '1'
2024-03-01T10:00:00.123456+00:00 db1 postgres[4242]: [5-1] 2024-03-01 10:00:00.125 UTC [4242] app@shop LOG:  duration: 1.5 ms  statement: SELECT 2
EOF
}

# pgBouncer 1.18's logfile and syslog lines (fixtures/pgbouncer/ has a whole log).
seed_pgbouncer() {
	cat <<'EOF'
2026-12-03 08:06:06.734 UTC [17667] LOG C-0x5581446518e0: bench/postgres@127.0.0.1:57466 login attempt: db=bench user=postgres tls=no
2026-12-03 08:06:06.735 UTC [17667] LOG S-0x558144658fc0: bench/postgres@127.0.0.1:29690 new connection to server (from 127.0.0.1:53736)
2026-12-03 08:06:07.559 UTC [17667] WARNING C-0x558144652720: (nodb)/(nouser)@127.0.0.1:57880 pooler error: no more connections allowed (max_client_conn)
2026-12-03 08:06:07.711 UTC [17667] LOG stats: 213 xacts/s, 1367 queries/s, in 1672474 B/s, out 37038 B/s, xact 3904 us, query 542 us, wait 264901 us
2026-12-03 08:06:09.377 UTC [17667] LOG C-0x558144651da0: bench/postgres@127.0.0.1:57846 closing because: query_wait_timeout (age=2s)
2018-05-01 10:00:00.250 4321 ERROR accept() failed: Too many open files
Dec  3 08:06:34 db1 pgbouncer[18065]: C-0x55898a8f74e0: x/a@unix(42):6432 closing because: client close request (age=0s)
2026-12-03T08:07:35.250+01:00 db1 pgbouncer[18065]: Stats: 12 req/s, in 4536 b/s, out 234 b/s,query 1843 us
EOF
}

# pgsift.conf: the example of docs/configuration.md, a rule switched off
# in each spelling, and a repeated key (the last one counts).
seed_config() {
	cat <<'EOF'
# pgsift.conf of the shop service

[n-plus-one]
min_repeats = 10        # our ORM prefetches small loops itself
max_gap_ms = 500
max_gap_ms = 250

[sequence-exhaustion]
min_used_percent = 60   ; widen early
high_used_percent = 1e1

[select-star-hot]
enabled = false
[ large-offset ]
enabled = Off
EOF
}

# Records for fuzz_events: 0x1e between records; in each, one control byte
# (severity, session) and then message, detail, statement, hint, context
# separated by 0x1f.  The control byte's value modulo 9 is the severity
# and its 0x20 bit sets a session id: ' ' is LOG, '!' ERROR and '"' FATAL
# in session 0, '2' LOG in session 1.
seed_events() {
	# shellcheck disable=SC2016  # the $1 are PostgreSQL's, not the shell's
	printf '%s' \
		' duration: 0.5 ms  statement: SELECT 1' $'\x1e' \
		'2statement: SELECT * FROM t WHERE a = 1' $'\x1e' \
		' duration: 0.7 ms' $'\x1e' \
		' duration: 0.2 ms  parse <unnamed>: SELECT $1' $'\x1e' \
		' duration: 0.1 ms  bind <unnamed>: SELECT $1' $'\x1f' "parameters: \$1 = 'a''b'" $'\x1e' \
		' duration: 0.3 ms  execute <unnamed>: SELECT $1' $'\x1f' "parameters: \$1 = 'a''b', \$2 = NULL" $'\x1e' \
		' duration: 12.0 ms  plan:' $'\n' 'Query Text: SELECT 1' $'\n' 'Result  (cost=0.00..0.01 rows=1 width=4)' $'\x1e' \
		'!relation "x" does not exist' $'\x1f\x1f' 'SELECT * FROM x' $'\x1e' \
		'!canceling statement due to statement timeout' $'\x1f\x1f' 'SELECT pg_sleep(10)' $'\x1e' \
		' process 4242 still waiting for ShareLock on transaction 77 after 1000.072 ms' $'\x1e' \
		' temporary file: path "base/pgsql_tmp/pgsql_tmp4242.0", size 1048576' $'\x1e' \
		' disconnection: session time: 0:00:01.500 user=app database=shop host=127.0.0.1 port=5555' $'\x1e' \
		'"sorry, too many clients already' $'\x1e' \
		' checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added'
}

# Turn stderr log lines ('%m [%p] %q%u@%d ' or close) into event records:
# the prefix is dropped, DETAIL/STATEMENT/HINT/CONTEXT become fields and
# tab continuation lines stay in the field they continue.
stderr_to_events() {
	awk 'BEGIN { RS = "\n"; n = 0 }
	function flush() { if (n > 0) printf "%s\036", " " f[0] "\037" f[1] "\037" f[2] "\037" f[3] "\037" f[4]; delete f }
	/^\t/ { f[cur] = f[cur] "\n" $0; next }
	{
		if (!match($0, /(LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|DETAIL|HINT|CONTEXT|STATEMENT):  /)) next
		tag = substr($0, RSTART, RLENGTH - 3); text = substr($0, RSTART + RLENGTH)
		if (tag == "DETAIL") cur = 1
		else if (tag == "STATEMENT") cur = 2
		else if (tag == "HINT") cur = 3
		else if (tag == "CONTEXT") cur = 4
		else { flush(); n++; cur = 0 }
		f[cur] = text
	}
	END { flush() }'
}

# Split up to 4000 lines of a file into seeds of 40 lines (at most 64 KiB).
seed_from_lines() {
	local file=$1 dir=$2 name piece
	name=$(basename "$file" | tr -c 'A-Za-z0-9._-' '_')
	head -n 4000 "$file" | split -l 40 -a 3 - "$dir/fx-$name-"
	for piece in "$dir/fx-$name-"*; do
		[ -f "$piece" ] && truncate -s '<65536' "$piece"
	done
}

# Which reader a fixture is for, from its name ("none": not a log).
fixture_kind() {
	case "$1" in
	*.md | *.tsv | *.txt | *.sql) echo none ;;
	*syslog*) echo syslog ;;
	*rds*) echo stderr ;;
	*.csv | *.csv.*) echo csvlog ;;
	*.json | *.jsonl | *.json.*) echo jsonlog ;;
	*) echo stderr ;;
	esac
}

is_compressed() {
	case "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" in
	1f8b* | 425a68* | 28b52ffd) return 0 ;;
	*) return 1 ;;
	esac
}

section "seeding corpora"
rm -rf "$out/seeds"
for t in "${targets[@]}"; do
	mkdir -p "$out/seeds/$t" "$out/corpus/$t" "$out/artifacts/$t"
done
s=$out/seeds		# short: used on every line below
[ -d "$s/fuzz_stderr" ] && { seed_stderr >"$s/fuzz_stderr/hand"; seed_rds >"$s/fuzz_stderr/hand-rds"; }
[ -d "$s/fuzz_csvlog" ] && seed_csvlog >"$s/fuzz_csvlog/hand"
[ -d "$s/fuzz_jsonlog" ] && seed_jsonlog >"$s/fuzz_jsonlog/hand"
[ -d "$s/fuzz_syslog" ] && seed_syslog >"$s/fuzz_syslog/hand"
if [ -d "$s/fuzz_pgbouncer" ]; then
	seed_pgbouncer >"$s/fuzz_pgbouncer/hand"
	seed_from_lines fixtures/pgbouncer/pgbouncer.log "$s/fuzz_pgbouncer"
fi
[ -d "$s/fuzz_config" ] && seed_config >"$s/fuzz_config/hand"
[ -d "$s/fuzz_events" ] && { seed_events >"$s/fuzz_events/hand"; printf "parameters: \$1 = 'x', \$2 = NULL" >"$s/fuzz_events/params"; }
if [ -d "$s/fuzz_detect" ]; then
	seed_stderr >"$s/fuzz_detect/stderr"
	seed_rds >"$s/fuzz_detect/rds"
	seed_csvlog >"$s/fuzz_detect/csvlog"
	seed_jsonlog >"$s/fuzz_detect/jsonlog"
	seed_syslog >"$s/fuzz_detect/syslog"
	seed_pgbouncer >"$s/fuzz_detect/pgbouncer"
fi
if [ -d "$s/fuzz_screen" ]; then
	# One statement per seed, after the mode byte: even read-only, odd read-write.
	n=0
	grep -E '^(SELECT|WITH|INSERT|UPDATE|DELETE|VALUES|TABLE|COPY|CALL|DO|EXPLAIN)' \
		tests/harness/safety-log.sql | grep -v ':' | while IFS= read -r stmt; do
		n=$((n + 1))
		printf '\x00%s' "$stmt" >"$s/fuzz_screen/log-$n"
	done
	printf '\x00SELECT random(), lower(x) FROM t WHERE x @@ 1' >"$s/fuzz_screen/op"
	printf '\x01INSERT INTO t SELECT nextval(\x27s\x27) RETURNING body_calls(1)' >"$s/fuzz_screen/rw"
	printf '\x00WITH c AS (SELECT again()) SELECT CAST(1 AS evil), * FROM c' >"$s/fuzz_screen/cte"
fi
if [ -d "$s/fuzz_migration" ]; then
	# the first byte: bit 0 --single-transaction, the rest the version
	printf '\x0a%s' "$(cat docs/rules/*.md | awk '/^```sql$/ { on = 1; next } /^```$/ { on = 0 } on')" \
		>"$s/fuzz_migration/rule-examples"
	printf '\x01BEGIN;\nSET LOCAL lock_timeout = 1000;\nCREATE INDEX CONCURRENTLY i ON t (a); -- pgsift: ignore x\nCOMMIT;\n' \
		>"$s/fuzz_migration/block"
	printf '\x00\\set ON_ERROR_STOP on\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\nALTER TABLE a ADD COLUMN;\n/* pgsift: ignore-file y */' \
		>"$s/fuzz_migration/mixed"
fi
if [ -d "$s/fuzz_input" ]; then
	seed_stderr >"$s/fuzz_input/plain"
	printf 'a\r\nb\n\nlast line without newline' >"$s/fuzz_input/crlf"
	seed_stderr | gzip -c >"$s/fuzz_input/gz"
	seed_stderr | bzip2 -c >"$s/fuzz_input/bz2"
	command -v zstd >/dev/null && seed_stderr | zstd -q -c >"$s/fuzz_input/zst"
fi

nfixtures=0
for fx in fixtures/*; do
	[ -f "$fx" ] || continue
	base=$(basename "$fx")
	if is_compressed "$fx"; then kind=compressed; else kind=$(fixture_kind "$fx"); fi
	[ "$kind" = none ] && continue
	nfixtures=$((nfixtures + 1))
	[ -d "$s/fuzz_input" ] && head -c 65536 "$fx" >"$s/fuzz_input/fx-$base"
	[ "$kind" = compressed ] && continue
	[ -d "$s/fuzz_$kind" ] && seed_from_lines "$fx" "$s/fuzz_$kind"
	[ -d "$s/fuzz_detect" ] && head -n 20 "$fx" >"$s/fuzz_detect/fx-$base"
	if [ "$kind" = stderr ] && [ -d "$s/fuzz_events" ]; then
		head -n 2000 "$fx" | stderr_to_events | head -c 65536 >"$s/fuzz_events/fx-$base"
	fi
done
for t in "${targets[@]}"; do
	printf '%-14s %5d seeds, %5d corpus inputs\n' "$t" \
		"$(find "$s/$t" -type f | wc -l)" "$(find "$out/corpus/$t" -type f | wc -l)"
done
echo "($nfixtures log files in fixtures/)"

# ---------------------------------------------------------------- run

failed=()
for t in "${targets[@]}"; do
	section "$t: ${secs}s"
	log=$out/$t.log
	art=$out/artifacts/$t
	before=$(find "$art" -type f | wc -l)
	"$out/$t" -max_len=65536 -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/" \
		"$out/corpus/$t" "$out/seeds/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "ok: ${runs:-?} runs, ${cov:-cov: ?}, corpus $(find "$out/corpus/$t" -type f | wc -l) inputs"
	else
		failed+=("$t")
		repro=$(find "$art" -type f -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
		echo "FAILED (exit $rc) after ${runs:-?} runs; log: $log"
		grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==ERROR' "$log"
		grep -m3 -E '^ +#[0-9]+ .* in ' "$log" | sed 's/^ */    /'
		if [ -n "$repro" ] && [ "$(find "$art" -type f | wc -l)" -gt "$before" ]; then
			echo "reproducer: $repro"
			echo "rerun with: $out/$t $repro"
		fi
	fi
done

section "summary"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}"
	exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${secs}s without a crash"
exit 0
