#!/bin/sh
# Instructions per packet spent in the library's own code, counted by callgrind (exact and
# repeatable). Runs ixy-bench --fixed N for two packet counts and divides the difference of the
# library's instruction counts by the difference of the packet counts, which cancels init,
# teardown and everything else that does not scale with packets.
#
# Library code = src/*.c, src/*.h and include/ixy/*.h, wherever it was inlined (ixy_buf_free
# inlined into the bench still counts as the library's). The model (sim/), the bench and libc
# are reported apart.
#
# usage: bench/callgrind-per-packet.sh [scenario [batch [N1 [N2]]]]   defaults: fwd 32 100000 200000
# The virtio driver against its fake device (tests/virtio, counted as the model):
#   BENCH_TARGET=virtio-bench BENCH_ARGS="--ring packed" bench/callgrind-per-packet.sh fwd 32
set -eu
. "$(dirname "$0")/common.sh"
SCENARIO=${1:-fwd}
BATCH=${2:-32}
N1=${3:-100000}
N2=${4:-200000}
command -v valgrind >/dev/null || { echo "error: valgrind not installed (apt-get install valgrind)" >&2; exit 1; }
build_bench
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Prints "<Ir> <class> <file:function>" for every function in the profile of run $1.
profile() {
	valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.$1" --dump-instr=no --dump-line=yes \
		"$BENCH" ${BENCH_ARGS:-} --scenario "$SCENARIO" --batch "$BATCH" --fixed "$1" --quiet >"$TMP/out.$1" 2>"$TMP/err.$1" ||
		{ cat "$TMP/err.$1" "$TMP/out.$1" >&2; echo "error: ixy-bench failed under callgrind" >&2; exit 1; }
	callgrind_annotate --inclusive=no --threshold=100 --show-percs=no --auto=no "$TMP/cg.$1" |
		awk -v root="$ROOT/" '
		/^ *[0-9,]+ +[^ ]+:[^ ]+/ {
			ir = $1; gsub(",", "", ir); name = $2
			f = name; sub(/:.*/, "", f); sub("^" root, "", f)
			cls = "other"
			if (f ~ /^src\/[^\/]+\.[ch]$/ || f ~ /^include\/ixy\/[^\/]+\.h$/) cls = "library"
			else if (f ~ /^sim\// || f ~ /^tests\/virtio\//) cls = "model"
			else if (f ~ /^bench\//) cls = "bench"
			sub("^" root, "", name)
			print ir, cls, name
		}' >"$TMP/prof.$1"
}
profile "$N1"
profile "$N2"

echo "$BENCH_TARGET ${BENCH_ARGS:+$BENCH_ARGS }--scenario $SCENARIO --batch $BATCH under callgrind; N1=$N1, N2=$N2 packets"
echo "instructions per packet = (Ir(N2) - Ir(N1)) / (N2 - N1):"
awk -v n1="$N1" -v n2="$N2" -v f1="$TMP/prof.$N1" '
	FILENAME == f1 { a[$2] += $1; fa[$3] += $1; cls[$3] = $2; next }
	{ b[$2] += $1; fb[$3] += $1; cls[$3] = $2 }
	END {
		d = n2 - n1
		split("library model bench other", order, " ")
		for (i = 1; i <= 4; i++) {
			c = order[i]
			printf "  %-8s %10.2f\n", c, (b[c] - a[c]) / d
			tot += (b[c] - a[c]) / d
		}
		printf "  %-8s %10.2f\n", "total", tot
		print "library functions (per packet, >= 0.01):"
		for (f in fb) if (cls[f] == "library") {
			v = (fb[f] - fa[f]) / d
			if (v >= 0.01 || v <= -0.01) printf "  %10.2f  %s\n", v, f | "sort -rn"
		}
	}' "$TMP/prof.$N1" "$TMP/prof.$N2"
