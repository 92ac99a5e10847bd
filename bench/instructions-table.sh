#!/bin/sh
# The whole table of library instructions per packet (callgrind, exact): rx, tx and fwd at
# batch 1, 2, 4, 8, 16, 32, 64, 128, 256, each by bench/callgrind-per-packet.sh, with upstream
# ixy's row for comparison (measured on the same plain-memory fake NIC, docs/benchmark.md), then
# the virtio datapath's rows (bench/virtio-bench against the fake device of tests/virtio) for
# split, packed and legacy-interface (split) virtqueues.
# Takes about 5 minutes (27 ixgbe and 81 virtio points, two callgrind runs each).
#
# usage: bench/instructions-table.sh [--no-virtio] [--batches "B1 B2 ..."] [N1 [N2]]
#   --no-virtio  only the ixgbe rows (about 2 minutes)
#   --batches    other batch sizes (1..256), e.g. "1 32" for a quick look
#   N1 N2        packet counts, default 16384 32768 (a multiple of every batch size, so no
#                partial batch)
set -eu
DIR=$(dirname "$0")
VIRTIO=1
BATCHES="1 2 4 8 16 32 64 128 256"
while [ $# -gt 0 ]; do
	case $1 in
	--no-virtio) VIRTIO=0 ;;
	--batches)
		[ $# -ge 2 ] || { echo "error: --batches needs a list, e.g. --batches \"1 32\"" >&2; exit 2; }
		BATCHES=$2
		shift
		;;
	-*) echo "error: unknown option $1 (usage: $0 [--no-virtio] [--batches \"1 32\"] [N1 [N2]])" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
N1=${1:-16384}
N2=${2:-32768}
for b in $BATCHES; do
	case $b in
	*[!0-9]* | '') echo "error: batch size '$b' is not a number 1..256" >&2; exit 2 ;;
	esac
	if [ "$b" -lt 1 ] || [ "$b" -gt 256 ]; then
		echo "error: batch size $b is not in 1..256" >&2
		exit 2
	fi
done

# Prints one row: "| <label> |" and the library figure at every batch size.
# $1 label, $2 scenario; BENCH_TARGET / BENCH_ARGS in the environment choose the bench.
row() {
	printf '| %s |' "$1"
	for b in $BATCHES; do
		v=$("$DIR/callgrind-per-packet.sh" "$2" "$b" "$N1" "$N2" | awk '$1 == "library" && NF == 2 { print $2 }')
		[ -n "$v" ] || { echo "error: no library figure for $1 batch $b" >&2; exit 1; }
		printf ' %.1f |' "$v"
	done
	printf '\n'
}

# The ixy figures exist for the default batch sizes only; "-" where ixy was not measured.
ixy_figure() { # $1 scenario, $2 batch
	case $1 in
	fwd) set -- "$2" 238.6 188.6 156.6 138.9 - 128.2 - 125.5 125.1 ;;
	tx) set -- "$2" 130.6 110.1 83.9 62.4 - 55.0 - 53.2 52.9 ;;
	rx) set -- "$2" 149.0 - - 96.5 - 90.9 - 89.5 89.2 ;;
	esac
	b=$1
	shift
	for k in 1 2 4 8 16 32 64 128 256; do
		[ "$k" = "$b" ] && { printf '%s' "$1"; return; }
		shift
	done
	printf -- '-'
}

echo "library instructions per packet (callgrind; N1=$N1, N2=$N2; bench/callgrind-per-packet.sh)"
echo
printf '| scenario |'
for b in $BATCHES; do printf ' %s |' "$b"; done
printf '\n|---|'
for b in $BATCHES; do printf -- '---:|'; done
printf '\n'
for sc in fwd tx rx; do
	printf '| ixy %s |' "$sc"
	for b in $BATCHES; do printf ' %s |' "$(ixy_figure "$sc" "$b")"; done
	printf '\n'
	BENCH_TARGET=ixy-bench BENCH_ARGS="" row "libixy $sc" "$sc"
done
if [ "$VIRTIO" = 1 ]; then
	for ring in split packed legacy; do
		for sc in fwd tx rx; do
			BENCH_TARGET=virtio-bench BENCH_ARGS="--ring $ring" row "virtio $ring $sc" "$sc"
		done
	done
fi
