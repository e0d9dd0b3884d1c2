#!/usr/bin/env bash
# bench-live.sh — `make bench-live`: live analysis of 5,000 distinct statements.
#
# A benchmark, not a test.  A throwaway PostgreSQL 15 (pg_stat_statements.max
# raised to 10000) gets 50 tables of 20,000 rows and 10 integer columns, and
# runs 5,000 distinct statements once each (SELECT cX FROM tN WHERE cY = 1
# for every table t_aa..t_by and pair of columns), so pg_stat_statements holds 5,000
# fingerprints.  Then it times
#     pgsift analyze --dsn … --measure hypo --explain-top 5000 --jobs N
# which takes the catalog snapshot, reads pg_stat_statements, explains every
# statement (generic plans: the text has only $n), runs the plan and catalog
# rules, and costs index candidates with HypoPG.  BENCH_JOBS sets N (1);
# BENCH_MEASURE=off leaves out the advisor, to see what EXPLAIN alone costs.
# PGSIFT_BIN runs another build's binary (default build/pgsift), e.g.
#     PGSIFT_BIN=$PWD/build-x/pgsift BENCH_JOBS=2 tests/harness/bench-live.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=${BENCH_JOBS:-1}
measure=${BENCH_MEASURE:-hypo}

if [ "${1:-}" != --inner ]; then
	exec tests/harness/with-postgres.sh --set pg_stat_statements.max=10000 -- "$0" --inner
fi

psql -X -q -d postgres -c "CREATE DATABASE bench5k" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d bench5k >/dev/null <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS hypopg;
DO $$
BEGIN
  FOR t IN 1..50 LOOP
    -- letters, not numbers: libpg_query's fingerprint ignores digits in
    -- relation names (partitions group together), so t1 and t2 would be one
    EXECUTE format('CREATE TABLE t_%s AS SELECT g AS id, g %% 1000 AS c1, g %% 997 AS c2, g %% 991 AS c3,'
                   ' g %% 983 AS c4, g %% 977 AS c5, g %% 971 AS c6, g %% 967 AS c7, g %% 953 AS c8,'
                   ' g %% 947 AS c9, g %% 941 AS c10 FROM generate_series(1, 20000) g',
                   chr(97 + t / 26) || chr(97 + t % 26));
  END LOOP;
END $$;
VACUUM ANALYZE;
SELECT pg_stat_statements_reset();
SQL
q=$(mktemp)
letters=abcdefghijklmnopqrstuvwxyz
for t in $(seq 1 50); do
	name="t_${letters:$((t / 26)):1}${letters:$((t % 26)):1}"
	for x in $(seq 1 10); do for y in $(seq 1 10); do
		echo "SELECT c$x FROM $name WHERE c$y = 1;"
	done; done
done > "$q"
echo "running 5,000 distinct statements"
psql -X -q -d bench5k -f "$q" >/dev/null
rm -f "$q"
n=$(psql -X -A -t -d bench5k -c "SELECT count(*) FROM pg_stat_statements WHERE query LIKE 'SELECT c%'")
echo "pg_stat_statements holds $n of them"
out=$(mktemp)
echo "== pgsift analyze --dsn dbname=bench5k --measure $measure --explain-top 5000 --jobs $jobs"
/usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M kB" \
	"${PGSIFT_BIN:-build/pgsift}" analyze -q --format json -o "$out" --measure "$measure" --explain-top 5000 \
	--jobs "$jobs" --dsn dbname=bench5k
jq -c '{explained: .live.explained, failed: .live.explain_failed, refused: .live.explain_refused,
        findings: (.findings | length),
        missing_index: ([.findings[] | select(.rule == "missing-index")] | length)}' "$out"
rm -f "$out"
