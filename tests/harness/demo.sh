#!/usr/bin/env bash
# demo.sh — `make demo`: pgsift's main job on the bundled example.
#
# Until the live mode lands, the demo analyses the real log in fixtures/
# (produced by a throwaway PostgreSQL 15 running tests/harness/workload.c;
# see fixtures/README.md) and prints the text report.  Nothing is written.
set -euo pipefail
cd "$(dirname "$0")/../.."

log=fixtures/workload.log
echo "== pgsift analyze $log"
echo "   (a real PostgreSQL 15 log: simple and extended protocol, errors, a lock wait,"
echo "    temp files, auto_explain, connection churn and refused connections)"
echo
build/pgsift analyze --top 15 "$log"
