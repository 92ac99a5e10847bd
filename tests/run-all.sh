#!/bin/bash
# Builds libixy twice (warnings as errors; then with AddressSanitizer + UBSan) and runs every
# test in both builds; then a ThreadSanitizer build of only the multi-threaded tests (ctest label
# "threads"), which must run without a report. Needs root (hugepages, pagemap) and the packages
# .ci/run installs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "run-all.sh: the tests need root (hugepages and /proc/self/pagemap): sudo $0" >&2
	exit 1
fi
./setup-hugetlbfs.sh 512
jobs=$(nproc)
summary=""
total=0
for variant in build build-asan; do
	flags="-DIXY_WERROR=ON"
	[ "$variant" = build-asan ] && flags="$flags -DIXY_SANITIZE=ON"
	echo "== $variant: cmake $flags"
	cmake -S . -B "$variant" $flags >/dev/null
	cmake --build "$variant" -j "$jobs"
	(cd "$variant" && ctest --output-on-failure -j 1) | tee "$variant/ctest-summary.log"
	# ctest's last words: "100% tests passed, 0 tests failed out of N"
	n=$(sed -n 's/^100% tests passed, 0 tests failed out of \([0-9]*\)$/\1/p' "$variant/ctest-summary.log")
	[ -n "$n" ] || { echo "run-all.sh: $variant: no ctest summary" >&2; exit 1; }
	summary="$summary${summary:+, }$n in $variant"
	total=$((total + n))
done
echo "== build-tsan: cmake -DIXY_WERROR=ON -DIXY_TSAN=ON (multi-threaded tests only)"
cmake -S . -B build-tsan -DIXY_WERROR=ON -DIXY_TSAN=ON >/dev/null
cmake --build build-tsan -j "$jobs" --target threaded-tests
# halt_on_error: a data race fails the test instead of only being printed.
(cd build-tsan && TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}" ctest --output-on-failure -j 1 -L threads) | tee build-tsan/ctest-summary.log
n=$(sed -n 's/^100% tests passed, 0 tests failed out of \([0-9]*\)$/\1/p' build-tsan/ctest-summary.log)
[ -n "$n" ] || { echo "run-all.sh: build-tsan: no ctest summary" >&2; exit 1; }
total=$((total + n))
echo "== all $total tests passed ($summary (ASan+UBSan), $n in build-tsan (ThreadSanitizer))"
