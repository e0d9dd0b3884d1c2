#!/usr/bin/env bash
# run-tests.sh — the body of `make check`, run inside with-postgres.sh.
#
# Runs the CUnit suite twice: build/test_runner as built, then
# build/san/test_runner (ASan + UBSan, driving build/san/pgsift for the CLI
# tests; without the browser suite, which the plain run has run).  Each
# run's result is reported; the script exits non-zero if either failed,
# and its last line is always
#
#   tests: N passed, N failed, N skipped
#
# summed over both runs from the "tests" row of CUnit's run summary and
# the runner's "skipped: N tests" line (tests left out for want of a
# server: their suites show as inactive in CUnit's summary).  A run
# that fails without a summary (a crash, a sanitizer abort) counts as one
# more failed test, so the total never reads 0 failed after a failure.

set -uo pipefail

cd "$(dirname "$0")/../.." || exit 2

total_passed=0
total_failed=0
total_skipped=0
overall=0
outdir=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-tests.XXXXXX") || exit 2
trap 'rm -rf "$outdir"' EXIT
# The suites' scratch directories (test_tmpdir()) go here and go away with it.
mkdir -p "$outdir/tmp"
export TMPDIR=$outdir/tmp

# run_suite NAME command... : run one test runner, tee its output, and add
# its "tests" summary row to the totals.
run_suite() {
	local name=$1 out rc row passed failed skipped
	shift
	out="$outdir/${name//\//_}.out"
	echo "==> $name: $*"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}

	# CUnit: "  tests  Total  Ran  Passed  Failed  Inactive"
	row=$(awk '$1 == "tests" && NF >= 6 { print $4, $5 }' "$out" | tail -n 1)
	if [ -n "$row" ]; then
		read -r passed failed <<<"$row"
	else
		passed=0
		failed=0
	fi
	skipped=$(awk '$1 == "skipped:" { print $2 }' "$out" | tail -n 1)
	total_skipped=$((total_skipped + ${skipped:-0}))
	if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		failed=1
	fi
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))

	if [ "$rc" -eq 0 ]; then
		echo "==> $name: ok ($passed passed, ${skipped:-0} skipped)"
	else
		echo "==> $name: FAILED (exit status $rc; $passed passed, $failed failed)"
		overall=1
	fi
}

run_suite test_runner build/test_runner

# The browser suite (tests/report/test_report_browser.c) drives Chromium
# once, in the plain run; the sanitized run leaves it out.
PGSIFT_BIN=$PWD/build/san/pgsift \
	PGSIFT_BROWSER_TEST=off \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite san/test_runner build/san/test_runner

echo "tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$overall"
