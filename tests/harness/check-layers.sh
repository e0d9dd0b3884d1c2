#!/usr/bin/env bash
# check-layers.sh — the layers of the tree run one way (part of make check).
#
#   lib < core < parsers < sql < model < live < advisor < rules < analyze
#       < store = report < cli
#
# Every #include "..." of a source file under src/, parsers/ or rules/
# names its file from the top of the tree (src/lib/arena.h, parsers/...,
# rules/...); its first one or two components give the layer.  A file may
# include its own layer and those below, never one above: the script
# prints each include that points up, as file:line, and exits 1 if there
# is any (0 and one summary line otherwise).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

rank() {
	case "$1" in
	src/lib/*) echo 0 ;;
	src/core/*) echo 1 ;;
	parsers/*) echo 2 ;;
	src/sql/*) echo 3 ;;
	src/model/*) echo 4 ;;
	src/live/*) echo 5 ;;
	src/advisor/*) echo 6 ;;
	rules/*) echo 7 ;;
	src/analyze/*) echo 8 ;;
	src/store/* | src/report/*) echo 9 ;;
	src/cli/*) echo 10 ;;
	*) echo -1 ;;
	esac
}

bad=0
files=0
while IFS= read -r file; do
	files=$((files + 1))
	mine=$(rank "$file")
	if [ "$mine" -lt 0 ]; then
		echo "$file: not in any layer (src/<layer>/, parsers/ or rules/)" >&2
		bad=$((bad + 1))
		continue
	fi
	while IFS=: read -r line inc; do
		target=$(rank "$inc")
		if [ "$target" -lt 0 ]; then
			echo "$file:$line: #include \"$inc\" does not name its file from the top of the tree" >&2
			bad=$((bad + 1))
		elif [ "$target" -gt "$mine" ]; then
			echo "$file:$line: #include \"$inc\" points up the layers" >&2
			bad=$((bad + 1))
		fi
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" |
		sed -E 's/^([0-9]+):[^"]*"([^"]+)".*/\1:\2/')
done < <(find src parsers rules -name '*.[ch]' | sort)

if [ "$bad" -gt 0 ]; then
	echo "check-layers.sh: $bad include(s) against the layers in $files files" >&2
	exit 1
fi
echo "layers: $files files, every include points down or across"
