#!/bin/sh
# Instructions per mempool operation (one alloc or one free), counted by callgrind: runs
# mempool-bench for two operation counts and divides the difference of the whole program's
# instruction counts by the difference of the counts (cancels start-up and teardown). The
# bench's loop (and, with 2 threads, the handoff ring) is included.
#
# usage: bench/callgrind-mempool.sh [threads [batch [N1 [N2]]]]   defaults: 1 32 1000000 2000000
set -eu
. "$(dirname "$0")/common.sh"
THREADS=${1:-1}
BATCH=${2:-32}
N1=${3:-1000000}
N2=${4:-2000000}
command -v valgrind >/dev/null || { echo "error: valgrind not installed (apt-get install valgrind)" >&2; exit 1; }
build_bench
cmake --build "$BUILD" --target mempool-bench -j2 >/dev/null
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
total() { # mode ops
	valgrind --tool=callgrind --callgrind-out-file="$TMP/cg" "$BUILD/bench/mempool-bench" \
		--threads "$THREADS" --batch "$BATCH" --mode "$1" --ops "$2" >/dev/null 2>"$TMP/err" ||
		{ cat "$TMP/err" >&2; echo "error: mempool-bench failed under callgrind" >&2; exit 1; }
	awk '/^(summary|totals):/ { print $2; exit }' "$TMP/cg"
}
echo "mempool-bench --threads $THREADS --batch $BATCH under callgrind; N1=$N1, N2=$N2 operations per thread"
for mode in single shared; do
	a=$(total "$mode" "$N1")
	b=$(total "$mode" "$N2")
	awk -v a="$a" -v b="$b" -v n1="$N1" -v n2="$N2" -v t="$THREADS" -v m="$mode" \
		'BEGIN { printf "  %-6s pool: %.2f instructions per operation\n", m, (b - a) / ((n2 - n1) * t) }'
done
