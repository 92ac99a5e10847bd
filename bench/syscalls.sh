#!/bin/sh
# The datapath's promises, checked on the whole benchmark (every scenario, every batch size):
#   1. no system call in the steady state: strace -c -f counts every syscall of two --fixed runs
#      that move N1 and N2 packets per scenario and batch size; the counts must be identical.
#   2. no heap allocation in the steady state: valgrind (memcheck) counts every malloc/calloc/
#      realloc/free of the same two runs; the counts must be identical.
# Anything that happens per packet or per batch would show up N2/N1 times more often.
#
# usage: bench/syscalls.sh [N1 [N2]]   defaults: 20000 40000 packets per scenario and batch size
set -eu
. "$(dirname "$0")/common.sh"
N1=${1:-20000}
N2=${2:-40000}
command -v strace >/dev/null || { echo "error: strace not installed (apt-get install strace)" >&2; exit 1; }
build_bench
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0

# "name calls" per syscall, sorted.
syscalls() {
	strace -f -c -o "$TMP/strace.$1" "$BENCH" --fixed "$1" --quiet >"$TMP/out.$1" 2>&1 ||
		{ cat "$TMP/out.$1" >&2; echo "error: ixy-bench failed under strace" >&2; exit 1; }
	awk '$1 ~ /^[0-9.]+$/ && $NF != "total" { print $NF, $4 }' "$TMP/strace.$1" | sort >"$TMP/sys.$1"
}
syscalls "$N1"
syscalls "$N2"
echo "== syscalls (strace -c -f), whole process, --fixed $N1 vs --fixed $N2 (all scenarios and batch sizes)"
join -a1 -a2 -e0 -o 0,1.2,2.2 "$TMP/sys.$N1" "$TMP/sys.$N2" |
	awk '{ printf "  %-20s %8s %8s%s\n", $1, $2, $3, $2 == $3 ? "" : "   <-- differs" }'
t1=$(awk '{ s += $2 } END { print s + 0 }' "$TMP/sys.$N1")
t2=$(awk '{ s += $2 } END { print s + 0 }' "$TMP/sys.$N2")
printf "  %-20s %8s %8s\n" total "$t1" "$t2"
if cmp -s "$TMP/sys.$N1" "$TMP/sys.$N2"; then
	echo "PASS: identical syscall counts: no syscall per packet or per batch"
else
	echo "FAIL: syscall counts depend on the packet count"
	fail=1
fi

if command -v valgrind >/dev/null; then
	heap() {
		valgrind --tool=memcheck "$BENCH" --fixed "$1" --quiet >"$TMP/mc.$1" 2>&1 ||
			{ cat "$TMP/mc.$1" >&2; echo "error: ixy-bench failed under memcheck" >&2; exit 1; }
		sed -n 's/.*total heap usage: \([0-9,]*\) allocs, \([0-9,]*\) frees.*/\1 \2/p' "$TMP/mc.$1" | tr -d ,
	}
	h1=$(heap "$N1")
	h2=$(heap "$N2")
	echo "== heap (valgrind memcheck 'total heap usage': allocs frees), whole process"
	echo "  --fixed $N1: $h1"
	echo "  --fixed $N2: $h2"
	if [ -n "$h1" ] && [ "$h1" = "$h2" ]; then
		echo "PASS: identical allocation counts: no allocation per packet or per batch"
	else
		echo "FAIL: allocation counts depend on the packet count"
		fail=1
	fi
else
	echo "SKIP: heap check needs valgrind"
fi
exit $fail
