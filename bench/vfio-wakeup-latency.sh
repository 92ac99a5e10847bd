#!/bin/bash
# Wake-up latency of ixy-fwd in a QEMU guest over VFIO (modern virtio-net, intel-iommu): round
# trips of single frames the host sends through the guest's ixy-fwd, 20 ms apart, with the
# default adaptive mode (the loop sleeps until the RX interrupt) next to --poll. A benchmark, not
# a test: it prints p50/p99/max and asserts nothing about them. TCG emulation makes both slow;
# the difference between the two lines is the interrupt path's cost. Needs root and what
# tests/qemu/run-vfio-test.sh needs (qemu-system-x86, linux-image-cloud-amd64, busybox-static).
#
# usage: bench/vfio-wakeup-latency.sh [FRAMES]   default 200
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j2 --target virtio_host_tool ixy-pktgen ixy-fwd vfio_isolation >/dev/null
IXY_VFIO_LATENCY=${1:-200} "$ROOT/tests/qemu/run-vfio-test.sh" "$BUILD/tests/qemu/work-vfio-latency" \
	"$BUILD/tests/qemu/virtio_host_tool" "$BUILD/ixy-pktgen" "$BUILD/ixy-fwd" \
	"$BUILD/tests/qemu/vfio_isolation" "$ROOT/setup-vfio.sh" >"$BUILD/vfio-wakeup-latency.log"
grep -E '^(wake-up latency|PASS)' "$BUILD/vfio-wakeup-latency.log"
