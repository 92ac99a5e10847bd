#!/bin/sh
# Static checks of the compiled datapath (ixgbe_rx_batch, ixgbe_tx_batch and their helpers in
# src/ixgbe.c, listed in DATAPATH below, with the inline mempool and register-seam code they
# contain):
#   - no division instruction (div/idiv, and the SSE/AVX divs/divp forms);
#   - no call (or tail jump) out of the datapath but the indirect ones behind reg_write/reg_read (the device
#     model's register callbacks; a volatile access on a real NIC; reads only in rx_resync and
#     tx_resync, after 1024 empty or full-ring calls), calls to those helpers, and the
#     shared-mempool slow paths (tx_reclaim_any, mempool_cache_refill, ixy_mempool_free_slow:
#     only for a pool created shared or a ring holding several pools): no call into libc, so
#     no syscall and no allocation can hide in it.
# The helpers are normally inlined; a separate copy, if the compiler keeps one, is checked too.
# The virtio batch functions (src/virtqueue_split.c, src/virtqueue_packed.c): no division and
# no direct call but the mempool's slow paths (only the indirect transport notify).
#
# usage: bench/check-datapath.sh
set -eu
. "$(dirname "$0")/common.sh"
DATAPATH="ixgbe_rx_batch|ixgbe_tx_batch|tx_clean|tx_done|tx_one|tx_run|tx_put|tx_general|tx_wants_clean|tx_hand_over|tx_reclaim|tx_reclaim_any|tx_resync|tx_check_pool|rx_wb|rx_good|rx_one|rx_run|rx_take|rx_finish|rx_hand_back|rx_last|rx_idle|rx_drop_chain|rx_give_back|rx_refuse|rx_resync|rx_rearm|count_error"
build_bench
OBJ=$(find "$BUILD/CMakeFiles/ixy.dir" -name 'ixgbe.c.o' | head -n1)
[ -n "$OBJ" ] || { echo "error: ixgbe.c.o not found under $BUILD" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
objdump -dr --no-show-raw-insn "$OBJ" >"$TMP/all.s"
# Every function whose name is one of the datapath functions, or a compiler clone of one
# (ixgbe_rx_batch.part.0, tx_clean.isra.0, ...).
awk -v dp="^($DATAPATH)$" '
	/^[0-9a-f]+ <.*>:$/ {
		name = $2; gsub(/[<>:]/, "", name); base = name; sub(/\..*/, "", base)
		keep = (base ~ dp)
		if (keep) print "== " name
		next
	}
	keep && NF { print }
' "$TMP/all.s" >"$TMP/dp.s"
# Direct calls in an objdump listing, by target: each carries a relocation naming it
# (R_X86_64_PLT32 malloc-0x4, ...). Tail calls too: a jmp to another function's start, or one
# with such a relocation.
call_targets() {
	awk '
	function flush() { if (pending != "") print pending; pending = "" }
	/[[:space:]]call[q]?[[:space:]]+[0-9a-f]+ </ { flush(); t = $NF; gsub(/[<>]/, "", t); sub(/\+0x[0-9a-f]+$/, "", t); pending = t; next }
	/[[:space:]]jmp[q]?[[:space:]]+[0-9a-f]+ <[^+]*>$/ { flush(); t = $NF; gsub(/[<>]/, "", t); pending = t; next }
	/R_X86_64_(PLT32|PC32)/ && pending != "" { t = $NF; sub(/-0x[0-9a-f]+$/, "", t); pending = t; flush(); next }
	{ flush() }
	END { flush() }' "$1" | sort -u
}
fail=0
echo "datapath functions in $(basename "$OBJ"):"
grep '^== ' "$TMP/dp.s" | while read -r _ f; do
	n=$(awk -v f="$f" '$0 == "== " f { on = 1; next } /^== / { on = 0 } on' "$TMP/dp.s" | wc -l)
	echo "  $f: $n instructions"
done
grep -q '^== ixgbe_rx_batch' "$TMP/dp.s" && grep -q '^== ixgbe_tx_batch' "$TMP/dp.s" ||
	{ echo "FAIL: ixgbe_rx_batch/ixgbe_tx_batch not found in $OBJ"; exit 1; }
grep -q '^== tx_clean' "$TMP/dp.s" || echo "  tx_clean: inlined (no separate copy)"
divs=$(grep -E '[[:space:]](i?div[bwlq]?|v?div[sp][sdh])[[:space:]]' "$TMP/dp.s" || true)
if [ -z "$divs" ]; then
	echo "PASS: no division instruction"
else
	echo "FAIL: division in the datapath:"
	echo "$divs"
	fail=1
fi
calls=$(grep -c -E '[[:space:]]call' "$TMP/dp.s" || true)
indirect=$(grep -c -E '[[:space:]]call[q]?[[:space:]]+\*' "$TMP/dp.s" || true)
targets=$(call_targets "$TMP/dp.s")
foreign=$(echo "$targets" | grep -v -E "^($DATAPATH|mempool_cache_refill|ixy_mempool_free_slow)(\.|$)" | grep . || true)
echo "calls: $calls, of which indirect (the device model's register callbacks behind reg_write/reg_read): $indirect"
[ -z "$targets" ] || echo "direct call targets: $(echo $targets)"
if [ -z "$foreign" ]; then
	echo "PASS: no call out of the datapath (no libc, no allocator, no syscall wrapper)"
else
	echo "FAIL: the datapath calls: $(echo $foreign)"
	fail=1
fi

# The virtio datapath (split and packed virtqueues): no division, and no direct call but the
# mempool's out-of-line paths (a shared pool, or a pool run dry) and the file's own TX reclaim
# when the compiler keeps it apart (checked like the batch functions); the one indirect call is the
# transport's notify (legacy I/O BAR or a device model; a real modern device gets an inline MMIO
# store).
for f in virtqueue_split virtqueue_packed; do
	VOBJ=$(find "$BUILD/CMakeFiles/ixy.dir" -name "$f.c.o" | head -n1)
	[ -n "$VOBJ" ] || { echo "FAIL: $f.c.o not found under $BUILD"; fail=1; continue; }
	objdump -dr --no-show-raw-insn "$VOBJ" | awk '
		/^[0-9a-f]+ <.*>:$/ { name = $2; keep = name ~ /_(rx_batch|tx_batch|tx_reclaim)/; if (keep) print "== " name; next }
		keep && NF { print }' >"$TMP/v.s"
	[ "$(grep -c '^== ' "$TMP/v.s")" -ge 2 ] || { echo "FAIL: no rx/tx batch functions in $f.c.o"; fail=1; }
	bad=$(grep -E '[[:space:]](i?div[bwlq]?|v?div[sp][sdh])[[:space:]]' "$TMP/v.s" || true)
	bad="$bad$(call_targets "$TMP/v.s" | grep -v -E '^(ixy_mempool_(alloc|alloc_batch|free)_slow|(split|packed)_tx_reclaim)$' || true)"
	if [ -z "$bad" ]; then
		echo "PASS: $f: no division, no call but the mempool's slow paths ($(grep -c -E '[[:space:]]call[q]?[[:space:]]+\*' "$TMP/v.s") indirect notify calls)"
	else
		echo "FAIL: $f datapath: $bad"
		fail=1
	fi
done
exit $fail
