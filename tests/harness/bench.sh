#!/usr/bin/env bash
# bench.sh — make bench: pgsift against pgBadger on a pgbench log.
#
# Usage: tests/harness/bench.sh
#
# A benchmark, not a test.  It
#   1. makes a >= 100 MiB stderr log: a throwaway server (with-postgres.sh)
#      with log_min_duration_statement = 0 and the prefix below, pgbench -i
#      -s 10, then pgbench runs alternating -M simple and -M extended until
#      the log is big enough.  The log is kept in build/bench/ and reused.
#   2. makes a >= 1 GiB log by concatenating copies of it (also kept);
#   3. times pgsift (one thread and -j 2, alternately, the best of 30 of
#      each: BENCH_PAIRS; BENCH_PAIRS_1G, 7, for the 1 GiB logs; every
#      pair's times in build/bench/pairs-NAME.txt) and
#      pgBadger (-j 1, its default, and -j 2, once each) on the 100 MiB
#      log, with /usr/bin/time -v for peak RSS;
#   4. checks that pgsift's statement count (.summary.statements) equals
#      pgBadger's query count (.overall_stat.queries_number);
#   5. times pgsift on the 1 GiB log;
#   6. the same for an ORM-shaped log (tests/harness/orm-log.pl, fixed seed:
#      400,000 statements over 600 fingerprints) and 8 copies of it;
#   7. the same, one thread each, for logs of mostly distinct statements
#      (tests/harness/distinct-log.pl: 1,000,000 statements of as many
#      fingerprints, and 5,000,000 over 200,000; BENCH_DISTINCT=0 skips it);
#   8. prints Markdown tables for docs/performance.md (nothing is written
#      to docs/ automatically).
# MB/s are 10^6 bytes per second of wall time.  Peak RSS is
# /usr/bin/time's "maximum resident set size": for pgBadger -j 2, which
# forks, that is its largest process, not the sum of them.  Any failed
# step or a count mismatch makes the script exit 1.
#
# Needs pgbench and PostgreSQL 15, pgbadger (with Perl's JSON::XS for its
# JSON output), jq, and GNU time at /usr/bin/time.  BENCH_LOG_MB overrides
# the size of the generated log (default 100, in MiB), for a quick try.

set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
PREFIX='%m [%p] %q%u@%d '
bench=build/bench
pgsift=build/pgsift
log_mib=${BENCH_LOG_MB:-100}
log_small=$bench/pgbench-${log_mib}mb.log
log_big=$bench/pgbench-1gb.log
min_small=$((log_mib * 1024 * 1024))
min_big=$((1024 * 1024 * 1024))
failed=0

section() {
	printf '\n== %s ==\n' "$*"
}

die() {
	echo "bench.sh: $*" >&2
	exit 1
}

size_of() {
	stat -c %s "$1" 2>/dev/null || echo 0
}

for tool in pgbadger jq /usr/bin/time; do
	command -v "$tool" >/dev/null || die "$tool not found (tests/harness/install-deps.sh installs it)"
done
perl -MJSON::XS -e 1 2>/dev/null || die "pgBadger's JSON output needs Perl's JSON::XS (apt-get install libjson-xs-perl)"
[ -x "$pgsift" ] || die "$pgsift not built; run make bench"
mkdir -p "$bench" || die "could not create $bench"

# ------------------------------------------------------------ 1. the log

# Runs inside with-postgres.sh: load pgbench's tables, then alternate
# simple- and extended-protocol runs until the server log reaches $1 bytes.
# Extended runs are shorter: each execution logs parse, bind and execute
# lines with their parameters, about four times the bytes of a simple one,
# so the two protocols end up with similar shares of the log.  The log
# collector writes asynchronously, so the final file is a little larger.
# shellcheck disable=SC2016  # expanded by the inner shell
generate='
	set -u
	pgbench="$PGSIFT_PG_BINDIR/pgbench"
	log="$PGSIFT_PG_LOGDIR/postgresql.log"
	out=$(mktemp) || exit 1
	trap "rm -f \"\$out\"" EXIT
	"$pgbench" -i -s 10 -q >"$out" 2>&1 || { echo "pgbench -i failed:" >&2; tail -5 "$out" >&2; exit 1; }
	target=$1
	round=0
	while :; do
		round=$((round + 1))
		for run in "simple 6" "extended 2"; do
			mode=${run% *} secs=${run#* }
			"$pgbench" -M "$mode" -c 4 -j 2 -T "$secs" -n >"$out" 2>&1 ||
				{ echo "pgbench -M $mode failed:" >&2; tail -5 "$out" >&2; exit 1; }
			size=$(stat -c %s "$log")
			echo "  round $round, -M $mode -T $secs: $(sed -n "s/^tps = \([0-9]*\).*/\1/p" "$out") tps, log now $((size / 1048576)) MiB"
			[ "$size" -ge "$target" ] && exit 0
		done
	done
'

section "1. a ${log_mib} MiB pgbench log (prefix '$PREFIX')"
if [ "$(size_of "$log_small")" -ge "$min_small" ]; then
	echo "reusing $log_small ($(($(size_of "$log_small") / 1048576)) MiB); delete it to make a new one"
else
	rm -rf "$bench/pg" "$log_big"
	echo "pgbench -i -s 10, then -M simple -T 6 / -M extended -T 2 (-c 4 -j 2) until the log has ${log_mib} MiB"
	tests/harness/with-postgres.sh --log-destination stderr --prefix "$PREFIX" \
		--set log_min_duration_statement=0 --keep-logs "$bench/pg" \
		-- bash -c "$generate" generate "$min_small" ||
		die "could not generate the pgbench log"
	mv "$bench/pg/postgresql.log" "$log_small" || die "the server log was not kept"
	rm -rf "$bench/pg"
	[ "$(size_of "$log_small")" -ge "$min_small" ] || die "the log has only $(size_of "$log_small") bytes"
fi
small_bytes=$(size_of "$log_small")
echo "$log_small: $small_bytes bytes, $(wc -l <"$log_small") lines"

# ------------------------------------------------------------ 2. 1 GiB

section "2. a 1 GiB log (copies of the ${log_mib} MiB one)"
copies=$(((min_big + small_bytes - 1) / small_bytes))
if [ "$(size_of "$log_big")" -ge "$min_big" ] && [ "$log_big" -nt "$log_small" ]; then
	echo "reusing $log_big"
else
	tmp_big=$log_big.tmp
	: >"$tmp_big" || die "could not write $tmp_big"
	for _ in $(seq "$copies"); do
		cat "$log_small" >>"$tmp_big" || die "could not write $tmp_big (disk full?)"
	done
	mv "$tmp_big" "$log_big"
fi
big_bytes=$(size_of "$log_big")
echo "$log_big: $big_bytes bytes ($copies copies)"

# ------------------------------------------------------------ timing

declare -A WALL RSS MBPS
rows=()

# try_run NAME CMD...: one run of CMD under /usr/bin/time -v; kept as NAME's
# when it is NAME's fastest yet (BEST, its /usr/bin/time output).  Returns
# CMD's status.
declare -A BEST
try_run() {
	local name=$1 tf=$bench/time-$1.txt out=$bench/$1.out t0 t1 rc wall
	shift
	t0=$(date +%s.%N)
	/usr/bin/time -v -o "$tf.try" "$@" >"$out" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	if [ $rc -ne 0 ]; then
		echo "FAILED (exit $rc): $*"
		tail -n 5 "$out" | sed 's/^/    /'
		failed=1
		rm -f "$tf.try"
		return $rc
	fi
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	LAST_WALL=$wall
	if [ -z "${BEST[$name]:-}" ] || awk -v a="$wall" -v b="${BEST[$name]}" 'BEGIN { exit !(a < b) }'; then
		BEST[$name]=$wall
		mv "$tf.try" "$tf"
	fi
	rm -f "$tf.try"
	return 0
}

# settle NAME BYTES: record NAME's best wall seconds, peak RSS (MiB) and MB/s, and print them.
settle() {
	local name=$1 bytes=$2 tf=$bench/time-$1.txt
	WALL[$name]=${BEST[$name]}
	RSS[$name]=$(awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$tf")
	MBPS[$name]=$(awk -v b="$bytes" -v s="${WALL[$name]}" 'BEGIN { printf "%.1f", (s > 0 ? b / 1e6 / s : 0) }')
	printf '%-18s %8s s  %8s MB/s  peak RSS %6s MiB\n' "$name" "${WALL[$name]}" \
		"${MBPS[$name]}" "${RSS[$name]}"
}

# timed NAME BYTES CMD...: run CMD under /usr/bin/time -v; record the wall
# seconds and peak RSS (MiB) under NAME and print them.  Returns CMD's status.
# With BENCH_REPEAT=N the best of N runs is kept.  pgBadger's runs of a
# minute run once: they average out a VM whose speed drifts.
timed() {
	local name=$1 bytes=$2
	shift 2
	unset "BEST[$name]"
	for _ in $(seq "${BENCH_REPEAT:-1}"); do
		try_run "$name" "$@" || return $?
	done
	settle "$name" "$bytes"
}

# timed_pair NAME_A NAME_B BYTES: the commands in the arrays CMD_A and CMD_B
# (pgsift with one thread and with two), run one after the other
# BENCH_PAIRS times (default 30; the 1 GiB logs' 7), the best of each kept,
# every pair's two times and ratio written to $bench/pairs-NAME_B.txt.
# Side by side, the two see the same minutes of this shared 2-core VM,
# whose speed drifts by 10-20% within an hour and by ±25% between two
# runs of a second, more for two threads than for one (both cores must be
# quiet): the speed-up of -j 2 is the ratio of the two bests, the floor
# each reaches when the machine lets it.  The median of the pairs' own
# ratios is printed beside it (MEDIAN[NAME_B]), for what a run in a busy
# minute gets.  Thirty pairs, not fifteen: in a slow stretch no pair of
# fifteen had both cores quiet for the ORM log's -j 2 run (bests 1.61×
# apart while the pairs' median was 1.81×).
declare -A MEDIAN
timed_pair() {
	local a=$1 b=$2 bytes=$3 wa ratios=() pairs=$bench/pairs-$2.txt
	unset "BEST[$a]" "BEST[$b]"
	echo "# $a s, $b s, ratio" >"$pairs"
	for _ in $(seq "${BENCH_PAIRS:-30}"); do
		try_run "$a" "${CMD_A[@]}" || return $?
		wa=$LAST_WALL
		try_run "$b" "${CMD_B[@]}" || return $?
		ratios+=("$(awk -v a="$wa" -v b="$LAST_WALL" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')")
		echo "$wa $LAST_WALL ${ratios[-1]}" >>"$pairs"
	done
	settle "$a" "$bytes"
	settle "$b" "$bytes"
	MEDIAN[$b]=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { printf "%.2f", (NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2) }')
	echo "speed-up of -j 2: $(awk -v a="${WALL[$a]}" -v b="${WALL[$b]}" 'BEGIN { printf "%.2f", a / b }')× (bests of ${BENCH_PAIRS:-30} pairs; median of the pairs' ratios ${MEDIAN[$b]}×)"
}

# row TOOL INPUT JOBS NAME: a table row for a timed run; the speed-up is
# throughput over pgBadger -j 1's on the small log.
row() {
	local name=$4 ratio=-
	[ -n "${WALL[$name]:-}" ] || return 0
	if [ -n "${MBPS[pgbadger-j1]:-}" ]; then
		ratio=$(awk -v a="${MBPS[pgbadger-j1]}" -v b="${MBPS[$name]}" 'BEGIN { printf "%.1f×", (a > 0 ? b / a : 0) }')
	fi
	rows+=("| $1 | $2 | $3 | ${WALL[$name]} | ${MBPS[$name]} | $ratio | ${RSS[$name]} |")
}

# ------------------------------------------------------------ 3. 100 MiB

section "3. timings on the ${log_mib} MiB log"
echo "pgBadger runs single-process by default (-j 1); -j N forks N parsers on one file"
timed pgbadger-j1 "$small_bytes" pgbadger -q -f stderr --prefix "$PREFIX" \
	-o "$bench/pgbadger.json" -x json "$log_small"
timed pgbadger-j2 "$small_bytes" pgbadger -q -j 2 -f stderr --prefix "$PREFIX" \
	-o "$bench/pgbadger-j2.json" -x json "$log_small"
CMD_A=("$pgsift" analyze --format json -o "$bench/pgsift.json" "$log_small")
CMD_B=("$pgsift" analyze --format json -o "$bench/pgsift-j2.json" -j 2 "$log_small")
timed_pair pgsift-j1 pgsift-j2 "$small_bytes"

# ------------------------------------------------------------ 4. counts

section "4. statement counts"
count() {
	jq -e "$1" "$2" 2>/dev/null || echo "?"
}
c_pgsift=$(count .summary.statements "$bench/pgsift.json")
c_pgsift2=$(count .summary.statements "$bench/pgsift-j2.json")
c_pgbadger=$(count .overall_stat.queries_number "$bench/pgbadger.json")
c_pgbadger2=$(count .overall_stat.queries_number "$bench/pgbadger-j2.json")
echo "pgsift     .summary.statements:          $c_pgsift (-j 2: $c_pgsift2)"
echo "pgBadger   .overall_stat.queries_number: $c_pgbadger (-j 2: $c_pgbadger2)"
if [ "$c_pgsift" = "?" ] || [ "$c_pgsift" != "$c_pgbadger" ] || [ "$c_pgsift" != "$c_pgsift2" ]; then
	echo "MISMATCH: the counts differ"
	failed=1
else
	echo "ok: equal"
fi

# ------------------------------------------------------------ 5. 1 GiB

section "5. pgsift on the 1 GiB log"
CMD_A=("$pgsift" analyze --format json -o "$bench/pgsift-1g.json" "$log_big")
CMD_B=("$pgsift" analyze --format json -o "$bench/pgsift-1g-j2.json" -j 2 "$log_big")
BENCH_PAIRS=${BENCH_PAIRS_1G:-7} timed_pair pgsift-1g-j1 pgsift-1g-j2 "$big_bytes"
c_big=$(count .summary.statements "$bench/pgsift-1g.json")
if [ "$c_pgsift" != "?" ] && [ "$c_big" = "$((c_pgsift * copies))" ]; then
	echo "ok: $c_big statements = $copies × $c_pgsift"
else
	echo "MISMATCH: $c_big statements in the 1 GiB log, expected $copies × $c_pgsift"
	failed=1
fi
echo "peak RSS, one thread: ${RSS[pgsift-j1]:-?} MiB on ${log_mib} MiB, ${RSS[pgsift-1g-j1]:-?} MiB on 1 GiB"

# ------------------------------------------------------------ 6. ORM shape

# The other shape of real logs: an ORM's (tests/harness/orm-log.pl, fixed
# seed): 400,000 statements over 600 fingerprints, IN lists of 1-30 ids,
# quoted identifiers and strings, 10% over several lines, half through the
# extended protocol; about 128 MiB.  Then 8 copies of it, about 1 GiB.
ORM_PREFIX='%m [%p] %q%u@%d '
orm_small=$bench/orm-400k.log
orm_big=$bench/orm-1gb.log
section "6. the ORM-shaped log (tests/harness/orm-log.pl, 400,000 statements)"
if [ ! -s "$orm_small" ] || [ tests/harness/orm-log.pl -nt "$orm_small" ]; then
	tests/harness/orm-log.pl --statements 400000 >"$orm_small.tmp" && mv "$orm_small.tmp" "$orm_small" ||
		die "could not write $orm_small"
	rm -f "$orm_big"
fi
if [ ! -s "$orm_big" ]; then
	for _ in 1 2 3 4 5 6 7 8; do cat "$orm_small"; done >"$orm_big.tmp" && mv "$orm_big.tmp" "$orm_big" ||
		die "could not write $orm_big"
fi
orm_bytes=$(size_of "$orm_small")
orm_big_bytes=$(size_of "$orm_big")
echo "$orm_small: $orm_bytes bytes, $(wc -l <"$orm_small") lines; $orm_big: $orm_big_bytes bytes"
timed orm-pgbadger-j1 "$orm_bytes" pgbadger -q -f stderr --prefix "$ORM_PREFIX" \
	-o "$bench/orm-pgbadger.json" -x json "$orm_small"
timed orm-pgbadger-j2 "$orm_bytes" pgbadger -q -j 2 -f stderr --prefix "$ORM_PREFIX" \
	-o "$bench/orm-pgbadger-j2.json" -x json "$orm_small"
CMD_A=("$pgsift" analyze --format json -o "$bench/orm-pgsift.json" "$orm_small")
CMD_B=("$pgsift" analyze --format json -o "$bench/orm-pgsift-j2.json" -j 2 "$orm_small")
timed_pair orm-pgsift-j1 orm-pgsift-j2 "$orm_bytes"
CMD_A=("$pgsift" analyze --format json -o "$bench/orm-pgsift-1g.json" "$orm_big")
CMD_B=("$pgsift" analyze --format json -o "$bench/orm-pgsift-1g-j2.json" -j 2 "$orm_big")
BENCH_PAIRS=${BENCH_PAIRS_1G:-7} timed_pair orm-pgsift-1g-j1 orm-pgsift-1g-j2 "$orm_big_bytes"
o_pgsift=$(count .summary.statements "$bench/orm-pgsift.json")
o_pgsift2=$(count .summary.statements "$bench/orm-pgsift-j2.json")
o_pgbadger=$(count .overall_stat.queries_number "$bench/orm-pgbadger.json")
o_big=$(count .summary.statements "$bench/orm-pgsift-1g.json")
echo "pgsift $o_pgsift (-j 2: $o_pgsift2, 1 GiB: $o_big), pgBadger $o_pgbadger"
if [ "$o_pgsift" = "?" ] || [ "$o_pgsift" != "$o_pgbadger" ] || [ "$o_pgsift" != "$o_pgsift2" ] ||
	[ "$o_big" != "$((o_pgsift * 8))" ]; then
	echo "MISMATCH: the counts differ"
	failed=1
else
	echo "ok: equal"
fi
ratio() {
	awk -v a="${WALL[$1]:-0}" -v b="${WALL[$2]:-0}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}
echo "speed-up of -j 2: pgbench $(ratio pgsift-j1 pgsift-j2)× (1 GiB: $(ratio pgsift-1g-j1 pgsift-1g-j2)×)," \
	"ORM $(ratio orm-pgsift-j1 orm-pgsift-j2)× (1 GiB: $(ratio orm-pgsift-1g-j1 orm-pgsift-1g-j2)×)"
echo "median of the pairs' ratios: pgbench ${MEDIAN[pgsift-j2]:-?}× (1 GiB: ${MEDIAN[pgsift-1g-j2]:-?}×)," \
	"ORM ${MEDIAN[orm-pgsift-j2]:-?}× (1 GiB: ${MEDIAN[orm-pgsift-1g-j2]:-?}×)"

# ------------------------------------------------------------ 7. distinct statements

# Logs whose statements are mostly distinct (tests/harness/distinct-log.pl,
# fixed seed): 1,000,000 statements of 1,000,000 fingerprints, and
# 5,000,000 over 200,000.  BENCH_DISTINCT=0 skips this part.
if [ "${BENCH_DISTINCT:-1}" != 0 ]; then
	section "7. many distinct statements (tests/harness/distinct-log.pl)"
	for shape in "1000000 1000000 1m" "5000000 200000 5m"; do
		set -- $shape
		dlog=$bench/distinct-$3.log
		if [ ! -s "$dlog" ] || [ tests/harness/distinct-log.pl -nt "$dlog" ]; then
			tests/harness/distinct-log.pl --statements "$1" --distinct "$2" >"$dlog.tmp" && mv "$dlog.tmp" "$dlog" ||
				die "could not write $dlog"
		fi
		dbytes=$(size_of "$dlog")
		echo "$dlog: $dbytes bytes, $1 statements over $2 fingerprints"
		timed "distinct-$3-pgbadger" "$dbytes" pgbadger -q -f stderr --prefix "$PREFIX" \
			-o "$bench/distinct-$3-pgbadger.json" -x json "$dlog"
		timed "distinct-$3-pgsift" "$dbytes" "$pgsift" analyze --format json -o "$bench/distinct-$3-pgsift.json" "$dlog"
		d_pgsift=$(count .summary.statements "$bench/distinct-$3-pgsift.json")
		d_pgbadger=$(count .overall_stat.queries_number "$bench/distinct-$3-pgbadger.json")
		echo "statements: pgsift $d_pgsift, pgBadger $d_pgbadger;" \
			"speed-up $(ratio "distinct-$3-pgbadger" "distinct-$3-pgsift")×"
		if [ "$d_pgsift" != "$1" ] || [ "$d_pgbadger" != "$1" ]; then
			echo "MISMATCH: the counts differ from $1"
			failed=1
		fi
	done
fi

# ------------------------------------------------------------ 8. table

section "8. for docs/performance.md"
row pgBadger "${log_mib} MiB" 1 pgbadger-j1
row pgBadger "${log_mib} MiB" 2 pgbadger-j2
row pgsift "${log_mib} MiB" 1 pgsift-j1
row pgsift "${log_mib} MiB" 2 pgsift-j2
row pgsift "1 GiB" 1 pgsift-1g-j1
row pgsift "1 GiB" 2 pgsift-1g-j2
echo "pgbench -s 10 log, -M simple and -M extended, prefix '$PREFIX';"
echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
	"$(pgbadger --version | head -1); $("$pgsift" --version 2>/dev/null | head -1)."
echo "Statements: pgsift $c_pgsift, pgBadger $c_pgbadger."
echo
echo "| tool | log | jobs | wall s | MB/s | throughput vs pgBadger -j 1 | peak RSS MiB |"
echo "|------|-----|------|--------|------|-----------------------------|--------------|"
printf '%s\n' "${rows[@]}"
# the ORM shape, its ratios against pgBadger on the same log
rows=()
MBPS[pgbadger-j1]=${MBPS[orm-pgbadger-j1]:-}
row pgBadger "ORM ${orm_bytes} B" 1 orm-pgbadger-j1
row pgBadger "ORM ${orm_bytes} B" 2 orm-pgbadger-j2
row pgsift "ORM ${orm_bytes} B" 1 orm-pgsift-j1
row pgsift "ORM ${orm_bytes} B" 2 orm-pgsift-j2
row pgsift "ORM 1 GiB" 1 orm-pgsift-1g-j1
row pgsift "ORM 1 GiB" 2 orm-pgsift-1g-j2
echo
echo "ORM-shaped log (tests/harness/orm-log.pl), prefix '$ORM_PREFIX'; statements: pgsift $o_pgsift, pgBadger $o_pgbadger."
echo
echo "| tool | log | jobs | wall s | MB/s | throughput vs pgBadger -j 1 | peak RSS MiB |"
echo "|------|-----|------|--------|------|-----------------------------|--------------|"
printf '%s\n' "${rows[@]}"

if [ -n "${WALL[distinct-1m-pgsift]:-}" ]; then
	echo
	echo "Mostly distinct statements (tests/harness/distinct-log.pl), one thread each:"
	echo
	echo "| log | tool | wall s | MB/s | speed-up over pgBadger | peak RSS MiB |"
	echo "|-----|------|--------|------|------------------------|--------------|"
	for d in 1m 5m; do
		for tool in pgbadger pgsift; do
			name=distinct-$d-$tool
			[ -n "${WALL[$name]:-}" ] || continue
			up=-
			[ "$tool" = pgsift ] && up="$(ratio "distinct-$d-pgbadger" "$name")×"
			echo "| $d statements | $tool | ${WALL[$name]} | ${MBPS[$name]} | $up | ${RSS[$name]} |"
		done
	done
fi

if [ $failed -ne 0 ]; then
	echo
	echo "bench.sh: some steps failed (see above)" >&2
	exit 1
fi
exit 0
