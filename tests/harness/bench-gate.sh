#!/usr/bin/env bash
# bench-gate.sh — the full migration gate on the demo shop, timed.
#
# A benchmark, not a test (`make bench-migration` runs it after the lint
# benchmark).  A throwaway PostgreSQL 15 gets the demo shop
# (tests/harness/demo-schema.sql: 50k customers, 500k orders, 1M order
# lines); a session that logs every statement sends 200 distinct queries
# over the shop's tables (BENCH_QUERIES; every select list, filter column
# and ORDER BY of a grid, each once), and the demo application plays too.
# Then it times
#     pgsift migration --dsn dbname=shop --measure plan --workload LOG \
#         tests/harness/demo-migration.sql
# and the same with --measure real (EXPLAIN ANALYZE of what the screen
# passes): the trace of the demo migration, and every workload query
# planned twice before it and once (plan) or twice (real) after it, in one
# transaction that is rolled back.  PGSIFT_BIN runs another build's binary;
# BENCH_SHOW=N prints the N commonest verdicts of each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${PGSIFT_BIN:-$PWD/build/pgsift}
export PGSIFT_BIN=$bin
n=${BENCH_QUERIES:-200}

if [ "${1:-}" != --inner ]; then
	exec tests/harness/with-postgres.sh -- "$0" --inner
fi

createdb shop
psql -X -q -v ON_ERROR_STOP=1 -d shop -f tests/harness/demo-schema.sql
log=$PGSIFT_PG_LOGDIR/postgresql.log
: > "$log"

# The grid of queries: table, the columns it may select, the columns it may filter on.
awk -v n="$n" 'BEGIN {
	t[0] = "customers";   c[0] = "id email name country created_at";           w[0] = "id"
	t[1] = "orders";      c[1] = "id customer_id status total created_at";    w[1] = "id customer_id total"
	t[2] = "order_items"; c[2] = "id order_id product_id quantity unit_price"; w[2] = "order_id product_id quantity"
	t[3] = "products";    c[3] = "id sku name category brand price";           w[3] = "id price"
	made = 0
	for (order = 0; order < 2 && made < n; order++)
		for (k = 0; k < 4 && made < n; k++) {
			nc = split(c[k], cols, " "); nw = split(w[k], where, " ")
			for (a = 1; a <= nc && made < n; a++)
				for (b = a + 1; b <= nc && made < n; b++)
					for (f = 1; f <= nw && made < n; f++) {
						printf "SELECT %s, %s FROM %s WHERE %s = %d%s;\n", cols[a], cols[b], t[k], where[f],
							1 + made * 37 % 400, order ? " ORDER BY id LIMIT 20" : " LIMIT 50"
						made++
					}
		}
}' > "$PGSIFT_PG_LOGDIR/queries.sql"
echo "== workload: $(grep -c ';' "$PGSIFT_PG_LOGDIR/queries.sql") distinct queries, and the demo application"
PGOPTIONS='-c log_min_duration_statement=0' psql -X -q -d shop -f "$PGSIFT_PG_LOGDIR/queries.sql" >/dev/null
psql -X -q -d shop -c "ALTER DATABASE shop SET log_min_duration_statement = 0"
PGDATABASE=shop build/demo-app >/dev/null
psql -X -q -d shop -c "ALTER DATABASE shop RESET log_min_duration_statement"
cp "$log" "$PGSIFT_PG_LOGDIR/workload.log"
echo "   the log: $(wc -l < "$PGSIFT_PG_LOGDIR/workload.log") lines"

for measure in plan real; do
	t0=$(date +%s%N)
	rss=$( { /usr/bin/time -f %M "$bin" migration --dsn dbname=shop --measure "$measure" \
		--workload "$PGSIFT_PG_LOGDIR/workload.log" --format json --fail-on none \
		tests/harness/demo-migration.sql > "$PGSIFT_PG_LOGDIR/gate.json"; } 2>&1 | tail -1)
	t1=$(date +%s%N)
	printf -- '--measure %-5s %6.2f s   peak RSS %4d MiB   %s\n' "$measure" \
		"$(awk -v ns=$((t1 - t0)) 'BEGIN { print ns / 1e9 }')" $((rss / 1024)) \
		"$(jq -r '.database | "\(.regressions | length) queries compared: \([.regressions[] | select(.verdict == "slower" or .verdict == "fails")] | length) regressions, \([.regressions[] | select(.verdict == "faster")] | length) faster; \(.trace | length) statements traced"' "$PGSIFT_PG_LOGDIR/gate.json")"
	# BENCH_SHOW=N: the N commonest verdicts that are not "unchanged"
	if [ -n "${BENCH_SHOW:-}" ]; then
		jq -r '.database.regressions[] | select(.verdict != "unchanged") | "\(.verdict): \(.reason)"' \
			"$PGSIFT_PG_LOGDIR/gate.json" | sed 's/[0-9.]* ms -> [0-9.]* ms (x[0-9.]*)/TIME/' |
			sort | uniq -c | sort -rn | awk -v n="$BENCH_SHOW" 'NR <= n'
	fi
done
