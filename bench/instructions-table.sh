#!/bin/sh
# The whole table of library instructions per packet (callgrind, exact): rx, tx and fwd at
# batch 1, 2, 4, 8, 16, 32, 64, 128, 256, each by bench/callgrind-per-packet.sh, with upstream
# ixy's row for comparison (measured on the same plain-memory fake NIC, docs/benchmark.md).
# Takes a few minutes (54 callgrind runs).
#
# usage: bench/instructions-table.sh [N1 [N2]]   defaults 16384 32768 packets (a multiple of
#                                                every batch size, so no partial batch)
set -eu
DIR=$(dirname "$0")
N1=${1:-16384}
N2=${2:-32768}
BATCHES="1 2 4 8 16 32 64 128 256"
echo "library instructions per packet (callgrind; N1=$N1, N2=$N2; bench/callgrind-per-packet.sh)"
echo
printf '| scenario |'
for b in $BATCHES; do printf ' %s |' "$b"; done
printf '\n|---|'
for b in $BATCHES; do printf -- '---:|'; done
printf '\n'
for sc in fwd tx rx; do
	case $sc in
	fwd) ixy="238.6 188.6 156.6 138.9 - 128.2 - 125.5 125.1" ;;
	tx) ixy="130.6 110.1 83.9 62.4 - 55.0 - 53.2 52.9" ;;
	rx) ixy="149.0 - - 96.5 - 90.9 - 89.5 89.2" ;;
	esac
	printf '| ixy %s |' "$sc"
	for v in $ixy; do printf ' %s |' "$v"; done
	printf '\n| libixy %s |' "$sc"
	for b in $BATCHES; do
		v=$("$DIR/callgrind-per-packet.sh" "$sc" "$b" "$N1" "$N2" | awk '$1 == "library" && NF == 2 { print $2 }')
		[ -n "$v" ] || { echo "error: no library figure for $sc batch $b" >&2; exit 1; }
		printf ' %.1f |' "$v"
	done
	printf '\n'
done
