# Shared by the bench scripts: finds or builds ixy-bench (-O2 -g, RelWithDebInfo).
# BUILD overrides the build directory (default: <repo>/build-bench).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
BENCH_TARGET=${BENCH_TARGET:-ixy-bench} # virtio-bench: the virtio driver against its fake device
BENCH=$BUILD/bench/$BENCH_TARGET

build_bench() {
	if [ ! -f "$BUILD/CMakeCache.txt" ]; then
		cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	fi
	if ! grep -q '^CMAKE_BUILD_TYPE:STRING=RelWithDebInfo$' "$BUILD/CMakeCache.txt" ||
	   grep -q '^IXY_SANITIZE:BOOL=ON$' "$BUILD/CMakeCache.txt"; then
		echo "note: $BUILD is not a plain RelWithDebInfo (-O2 -g) build; reconfiguring it" >&2
		cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIXY_SANITIZE=OFF >/dev/null
	fi
	cmake --build "$BUILD" --target "$BENCH_TARGET" -j2 >/dev/null
	[ -x "$BENCH" ] || { echo "error: $BENCH was not built" >&2; exit 1; }
}
