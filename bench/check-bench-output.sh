#!/bin/sh
# ctest bench_scripts_output: runs bench/instructions-table.sh (batch 32 only) and
# bench/callgrind-cache.sh in a quick mode and checks that what they print has the expected
# shape: every row present and every figure a number. Benchmarks print numbers; nothing here
# judges them (no timing, no thresholds), except that an instruction count must be positive.
set -eu
DIR=$(dirname "$0")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

sh "$DIR/instructions-table.sh" --batches 32 1024 2048 >"$TMP/table" || fail "instructions-table.sh exited $?"
cat "$TMP/table"
for row in "ixy fwd" "ixy tx" "ixy rx" "libixy fwd" "libixy tx" "libixy rx" \
	"virtio split fwd" "virtio split tx" "virtio split rx" "virtio packed fwd" "virtio packed tx" \
	"virtio packed rx" "virtio legacy fwd" "virtio legacy tx" "virtio legacy rx"; do
	grep -Eq "^\| $row \| [0-9]+\.[0-9] \|$" "$TMP/table" || fail "table row '$row' missing or not one number"
done
grep -q '^| scenario | 32 |$' "$TMP/table" || fail "table header"
awk -F'|' '/^\| (libixy|virtio) / && !($3 + 0 > 0) { bad = 1 } END { exit bad }' "$TMP/table" ||
	fail "an instruction count is not positive"
# Option errors name the problem.
if sh "$DIR/instructions-table.sh" --batches 0 2>"$TMP/err" >/dev/null; then fail "--batches 0 accepted"; fi
grep -q "batch size 0" "$TMP/err" || fail "no clear error for --batches 0"

NUM='-?[0-9]+\.[0-9]+'
for mode in "" "--hwpref" "--step"; do
	# shellcheck disable=SC2086 # mode is one word or none
	sh "$DIR/callgrind-cache.sh" $mode --lines 3 fwd 32 1024 2048 >"$TMP/cache" ||
		fail "callgrind-cache.sh $mode exited $?"
	cat "$TMP/cache"
	for cls in library model bench other; do
		grep -Eq "^  $cls +$NUM +$NUM +$NUM +$NUM +$NUM +$NUM +$NUM$" "$TMP/cache" ||
			fail "callgrind-cache.sh $mode: no '$cls' row of 7 figures"
	done
	grep -Eq '^  D1 cache: [0-9]+ B' "$TMP/cache" || fail "callgrind-cache.sh $mode: no D1 geometry"
	grep -Eq "^  src/ixgbe.c:ixgbe_rx_batch +$NUM( +$NUM){6}$" "$TMP/cache" ||
		fail "callgrind-cache.sh $mode: no ixgbe_rx_batch row"
	awk '$1 == "library" && NF == 8 && $2 + 0 > 0 { ok = 1 } END { exit !ok }' "$TMP/cache" ||
		fail "callgrind-cache.sh $mode: library instructions not positive"
done
grep -q -- "--simulate-hwpref=no" "$TMP/cache" || fail "--step run does not say which prefetch setting"
echo "PASS: bench scripts print the expected rows"
