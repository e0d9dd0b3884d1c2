#!/usr/bin/env bash
# bench-migration.sh — `make bench-migration`: lint 10,000 migration statements.
#
# A benchmark, not a test.  It writes one migration of 10,000 statements
# (BENCH_STATEMENTS), a mix of what migrations hold: tables created and
# then altered, indexes built with and without CONCURRENTLY, columns
# added with defaults, foreign keys, SET lock_timeout, BEGIN ... COMMIT
# blocks, a PL/pgSQL function whose body holds semicolons, drops and
# renames.  Then it times
#     pgsift migration --format json --fail-on none FILE
# (best of 5, and the peak RSS of one run) as psql would run it, and again
# with --single-transaction, where every statement shares one transaction:
# the case that would show a rule walking the migration once per statement.
# PGSIFT_BIN runs another build's binary (default build/pgsift).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${PGSIFT_BIN:-$PWD/build/pgsift}
n=${BENCH_STATEMENTS:-10000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
file=$dir/migration.sql

awk -v n="$n" 'BEGIN {
	s = 0
	for (i = 0; s < n; i++) {
		t = sprintf("t%d", i % 400)
		k = i % 12
		if (k == 0)       { print "CREATE TABLE new_" i " (id bigint PRIMARY KEY, customer_id bigint, note text);"; s++ }
		else if (k == 1)  { print "CREATE INDEX ix_" i " ON " t " (c" i % 7 ");"; s++ }
		else if (k == 2)  { print "SET lock_timeout = '\''2s'\'';"; print "CREATE INDEX CONCURRENTLY cx_" i " ON " t " (c" i % 5 ");"; s += 2 }
		else if (k == 3)  { print "BEGIN;"; print "ALTER TABLE " t " ADD COLUMN a" i " integer DEFAULT 0;"; print "ALTER TABLE " t " ADD COLUMN b" i " text;"; print "COMMIT;"; s += 4 }
		else if (k == 4)  { print "ALTER TABLE " t " ADD CONSTRAINT fk_" i " FOREIGN KEY (c1) REFERENCES t" (i + 1) % 400 " (id) NOT VALID;"; s++ }
		else if (k == 5)  { print "ALTER TABLE " t " VALIDATE CONSTRAINT fk_" i - 1 ";"; s++ }
		else if (k == 6)  { print "CREATE FUNCTION f_" i "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$;"; s++ }
		else if (k == 7)  { print "-- pgsift: ignore index-without-concurrently"; print "CREATE INDEX small_" i " ON settings_" i % 3 " (name);"; s++ }
		else if (k == 8)  { print "ALTER TABLE new_" i - 8 " ADD COLUMN created timestamptz NOT NULL DEFAULT now();"; s++ }
		else if (k == 9)  { print "ALTER TABLE " t " ALTER COLUMN c" i % 7 " TYPE bigint;"; s++ }
		else if (k == 10) { print "DROP INDEX ix_" i - 9 ";"; s++ }
		else              { print "UPDATE " t " SET note = '\''x;y'\'' WHERE id < " i ";"; s++ }
	}
}' > "$file"
stmts=$(grep -c ';' "$file")
echo "== $file: $(wc -l < "$file") lines, $stmts statements, $(du -h "$file" | cut -f1)"

run() {
	local best=
	for _ in 1 2 3 4 5; do
		local t0 t1 ms
		t0=$(date +%s%N)
		"$bin" migration --format json --fail-on none "$@" "$file" > "$dir/out.json"
		t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	rss=$(/usr/bin/time -f %M "$bin" migration --format json --fail-on none "$@" "$file" 2>&1 >/dev/null | tail -1)
	findings=$(jq '.summary.findings' "$dir/out.json")
	printf '%-24s best of 5: %6.3f s   peak RSS %5d MiB   %s statements, %s findings\n' \
		"${1:-autocommit}" "$(awk -v ms="$best" 'BEGIN { print ms / 1000 }')" $((rss / 1024)) \
		"$(jq '.statements' "$dir/out.json")" "$findings"
}
run
run --single-transaction
