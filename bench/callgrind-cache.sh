#!/bin/sh
# Data-cache misses per packet in callgrind's cache simulation (--cache-sim=yes): D1 and LL read
# and write misses of the library (src/, include/ixy/) against the model, the bench and libc,
# the library's per function, and the library's source lines with the most misses. By default
# the device side runs in its own thread (ixy-bench --device-thread: the model's thread mode
# writes descriptors and frames as DMA would, from another thread). Same method as
# callgrind-per-packet.sh: two runs of N1 and N2 packets, (count(N2) - count(N1)) / (N2 - N1),
# which cancels init and teardown. docs/benchmark.md explains what the simulation can and
# cannot show (one simulated cache for all threads; software prefetches are not simulated).
#
# usage: bench/callgrind-cache.sh [--hwpref] [--step] [--lines N] [scenario [batch [N1 [N2]]]]
#   scenario rx|tx|fwd (default fwd), batch 1..256 (default 32), N1 N2 default 32768 65536
#   --hwpref   add --simulate-hwpref=yes (callgrind's sequential prefetcher into LL)
#   --step     the model in step mode on the bench's thread (as callgrind-per-packet.sh)
#   --lines N  show the N library source lines with the most D1 misses (default 12, 0: none)
# CACHE_ARGS passes cache geometry to valgrind, e.g. CACHE_ARGS="--LL=2097152,16,64" to make
# "LL" a 2 MiB L2 (default: what CPUID reports, here D1 48 KiB and the whole L3 as LL).
set -eu
. "$(dirname "$0")/common.sh"
HWPREF=no
THREAD=--device-thread
LINES=12
while [ $# -gt 0 ]; do
	case $1 in
	--hwpref) HWPREF=yes ;;
	--step) THREAD= ;;
	--lines)
		[ $# -ge 2 ] || { echo "error: --lines needs a number" >&2; exit 2; }
		LINES=$2
		shift
		;;
	-*) echo "error: unknown option $1 (usage: $0 [--hwpref] [--step] [--lines N] [scenario [batch [N1 [N2]]]])" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
SCENARIO=${1:-fwd}
BATCH=${2:-32}
N1=${3:-32768}
N2=${4:-65536}
case $LINES in *[!0-9]* | '') echo "error: --lines needs a number, not '$LINES'" >&2; exit 2 ;; esac
[ "$BENCH_TARGET" = ixy-bench ] || { echo "error: only ixy-bench (the virtio fake device has no thread mode)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "error: valgrind not installed (apt-get install valgrind)" >&2; exit 1; }
build_bench
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Runs the bench for $1 packets and writes "<key> <Ir> <Dr> <Dw> <D1mr> <D1mw> <DLmr> <DLmw>"
# self costs per class ("C:<class>"), per function ("F:<file>:<function>") and per source line
# ("L:<file>:<line>") to $TMP/prof.$1, from callgrind's own output file (inlined code counted
# in the file it was inlined from, as callgrind-per-packet.sh does).
profile() {
	# shellcheck disable=SC2086 # CACHE_ARGS and THREAD are lists of words
	valgrind --tool=callgrind --cache-sim=yes --simulate-hwpref=$HWPREF ${CACHE_ARGS:-} \
		--callgrind-out-file="$TMP/cg.$1" --dump-instr=no --dump-line=yes --compress-pos=no \
		"$BENCH" $THREAD --scenario "$SCENARIO" --batch "$BATCH" --fixed "$1" --quiet >"$TMP/out.$1" 2>"$TMP/err.$1" ||
		{ cat "$TMP/err.$1" "$TMP/out.$1" >&2; echo "error: ixy-bench failed under callgrind" >&2; exit 1; }
	awk -v root="$ROOT/" '
	function setname(kind, v,   id, nm) { # "(id) name" or "(id)" or "name"
		if (v ~ /^\([0-9]+\)/) {
			id = v; sub(/\).*/, "", id); sub(/^\(/, "", id)
			nm = v; sub(/^\([0-9]+\) ?/, "", nm)
			if (nm != "") names[kind, id] = nm
			return names[kind, id]
		}
		return v
	}
	function cls(f) {
		if (f ~ /^src\/[^\/]+\.[ch]$/ || f ~ /^include\/ixy\/[^\/]+\.h$/) return "library"
		if (f ~ /^sim\//) return "model"
		if (f ~ /^bench\//) return "bench"
		return "other"
	}
	/^events:/ { for (i = 2; i <= NF; i++) ev[$i] = i - 1; next }
	/^fl=/ { v = substr($0, 4); fl = setname("f", v); sub("^" root, "", fl); cur = fl; next }
	/^(fi|fe)=/ { v = substr($0, 4); cur = setname("f", v); sub("^" root, "", cur); next }
	/^fn=/ { fn = setname("n", substr($0, 4)); cur = fl; next }
	/^(cfi|cfl)=/ { setname("f", substr($0, 5)); next } # names defined in call lines too
	/^cfn=/ { setname("n", substr($0, 5)); next }
	/^calls=/ { skip = 1; next }
	/^[0-9]/ {
		if (skip) { skip = 0; next } # the inclusive cost of a call: not this function'"'"'s own
		line = $1
		split("Ir Dr Dw D1mr D1mw DLmr DLmw", want, " ")
		c = cls(cur)
		for (k = 1; k <= 7; k++) {
			x = (want[k] in ev) ? $(ev[want[k]] + 1) + 0 : 0
			C[c, k] += x; F[cur ":" fn, k] += x; fnc[cur ":" fn] = c
			if (c == "library") { L[cur ":" line, k] += x; lk[cur ":" line] = 1 }
		}
		next
	}
	END {
		split("library model bench other", cl, " ")
		for (i = 1; i <= 4; i++) { printf "C:%s", cl[i]; for (k = 1; k <= 7; k++) printf " %d", C[cl[i], k]; print "" }
		for (f in fnc) if (fnc[f] == "library") { printf "F:%s", f; for (k = 1; k <= 7; k++) printf " %d", F[f, k]; print "" }
		for (l in lk) { printf "L:%s", l; for (k = 1; k <= 7; k++) printf " %d", L[l, k]; print "" }
	}' "$TMP/cg.$1" >"$TMP/prof.$1"
}
profile "$N1"
profile "$N2"

echo "ixy-bench ${THREAD:---step mode} --scenario $SCENARIO --batch $BATCH under callgrind --cache-sim=yes" \
	"--simulate-hwpref=$HWPREF${CACHE_ARGS:+ $CACHE_ARGS}; N1=$N1, N2=$N2 packets"
grep -E '^desc: (D1|LL) cache' "$TMP/cg.$N2" | sed 's/^desc: /  /'
echo "per packet = (count(N2) - count(N1)) / (N2 - N1):"
awk -v n1="$N1" -v n2="$N2" -v f1="$TMP/prof.$N1" -v lines="$LINES" -v root="$ROOT/" '
	FILENAME == f1 { for (k = 2; k <= 8; k++) a[$1, k] = $k; keys[$1] = 1; next }
	{ for (k = 2; k <= 8; k++) b[$1, k] = $k; keys[$1] = 1 }
	function pp(key, k) { return (b[key, k] - a[key, k]) / (n2 - n1) }
	function row(label, key) {
		return sprintf("  %-34s %8.2f %7.2f %7.2f %7.3f %7.3f %7.3f %7.3f", label, pp(key, 2),
		               pp(key, 3), pp(key, 4), pp(key, 5), pp(key, 6), pp(key, 7), pp(key, 8))
	}
	function src(fileline,   f, n, i, t) { # the source text of "file:line", trimmed
		f = fileline; sub(/:[0-9]+$/, "", f); n = fileline; sub(/.*:/, "", n); n += 0
		t = ""
		for (i = 1; i <= n && (getline t < (root f)) > 0; i++) {}
		close(root f)
		gsub(/^[ \t]+|[ \t]+$/, "", t)
		return i > n ? substr(t, 1, 70) : "?"
	}
	END {
		printf "  %-34s %8s %7s %7s %7s %7s %7s %7s\n", "", "Ir", "Dr", "Dw", "D1mr", "D1mw", "DLmr", "DLmw"
		split("library model bench other", cl, " ")
		for (i = 1; i <= 4; i++) print row(cl[i], "C:" cl[i])
		print "library functions (D1 misses per packet >= 0.001, or Ir >= 0.5), most D1 misses first:"
		sorter = "sort -t \"\t\" -k1,1gr | cut -f2-"
		for (key in keys) if (key ~ /^F:/) {
			d1 = pp(key, 5) + pp(key, 6)
			if (d1 >= 0.001 || pp(key, 2) >= 0.5) print d1 "\t" row(substr(key, 3), key) | sorter
		}
		close(sorter)
		if (lines > 0) {
			print "library source lines with the most D1 misses per packet (top " lines "):"
			n = 0
			for (key in keys) if (key ~ /^L:/ && pp(key, 5) + pp(key, 6) >= 0.001) {
				n++; k1[n] = key; v1[n] = pp(key, 5) + pp(key, 6)
			}
			for (i = 1; i <= n; i++) # selection of the top few; n is small
				for (j = i + 1; j <= n; j++)
					if (v1[j] > v1[i]) { t = v1[i]; v1[i] = v1[j]; v1[j] = t; t = k1[i]; k1[i] = k1[j]; k1[j] = t }
			for (i = 1; i <= n && i <= lines; i++)
				printf "%s\n      %s\n", row(substr(k1[i], 3), k1[i]), src(substr(k1[i], 3))
		}
	}' "$TMP/prof.$N1" "$TMP/prof.$N2"
