#!/bin/bash
# End-to-end test of the virtio driver: boots a QEMU guest (TCG) whose virtio-net NICs are wired
# to UDP sockets on the host's loopback, runs libixy apps in the guest and checks on the host
# what came out of the virtual wire. One boot runs every case against one kind of device:
#
#   run-guest-test.sh VARIANT WORKDIR HOST_TOOL IXY_PKTGEN IXY_FWD GUEST_CHECK
#
# VARIANT (QEMU's -device virtio-net-pci options, and what libixy must make of them):
#   legacy        disable-modern=on: the legacy interface, split virtqueues
#   transitional  QEMU's default (both interfaces): driven through the modern one
#   modern        disable-legacy=on,iommu_platform=on, rx_queue_size=1024: modern only,
#                 ACCESS_PLATFORM negotiated, a 1024-entry RX ring chosen by guest_check
#   packed        disable-legacy=on,packed=on, rx_queue_size=1024: packed virtqueues (chosen
#                 with IXY_VIRTIO_RING=packed), a 256-entry ring below the device's maximum
#
# Cases, in this order in one guest:
#   driver  guest_check on 00:06.0 and 00:07.0 wired back to back: MAC, link, promiscuous
#           filter, MAC change, queue-count refusal, statistics, close and reopen
#   pktgen  ixy-pktgen --count N --user nobody --sandbox on 00:03.0 (sysfs platform: started as
#           root, no privilege and only the sandbox's system calls once the device is open):
#           QEMU's filter-dump pcap (also read by tshark) and
#           a host UDP sink each hold exactly N valid frames (seq 0..N-1) and N*60 bytes; the
#           app's "total" line says tx_packets=N
#   rate    (modern only) ixy-pktgen --rate R --count N on 00:08.0 at each of RATES (software
#           pacing from the guest's CLOCK_MONOTONIC): QEMU's filter-dump pcap holds exactly the N
#           frames of each run, and their capture times give R within RATE_PERMILLE (see there)
#   fwd     ixy-fwd between 00:04.0 and 00:05.0; the host injects frames into both NICs and
#           receives them, byte-identical and in order, from the other one; the app's totals
#           match the host's counts and byte sums
# and the driver's own line for each NIC must name the interface, virtqueue format and ring sizes.
#
# Nothing on the host's PCI bus is touched: all PCI work happens inside the guest. Every wait is
# bounded. A missing QEMU, kernel image, busybox or cpio is a failure naming the package.
set -u

variant=$1 work=$2 host_tool=$3 pktgen=$4 fwd=$5 check=$6
QEMU_TIMEOUT=${IXY_QEMU_TIMEOUT:-300}
PKTGEN_COUNT=5000
FWD_COUNT0=3000  # frames injected into 00:04.0 (come out of 00:05.0)
FWD_COUNT1=2000  # frames injected into 00:05.0 (come out of 00:04.0)
FWD_SECONDS=120  # safety net only: the host stops ixy-fwd (SIGTERM) once all frames are back
MAC_P=52:54:00:12:34:03
MAC0=52:54:00:12:34:10
MAC1=52:54:00:12:34:11
MAC_A=52:54:00:12:34:20
MAC_B=52:54:00:12:34:21
MAC_R=52:54:00:12:34:08
# rate: "MBIT:SIZE:COUNT" runs of about 2 s each, far below what the guest sends unpaced under TCG
# (about 100 Mbit/s of 60-byte frames on a 2-core host), so the pacer, not the CPU, sets the rate.
# The rate is taken from QEMU's capture: the least-squares slope of the frames' timestamps over
# the wire bits sent before each (host_tool pktgen-rate). Those timestamps are QEMU_CLOCK_VIRTUAL
# (host real time while the guest runs) in whole microseconds, taken when QEMU's device model
# takes each frame from the TX ring, some time after the guest put it there; the pacer runs on
# the guest's CLOCK_MONOTONIC (TSC, calibrated by the guest kernel under TCG). So the error is
# (a) the capture's lag behind each frame's due time: QEMU's TX processing and the guest app's
# loop under TCG, up to about 10 ms on a busy 2-core host (the first frames of a run wait
# longest); a lag between 0 and D moves the slope of a run of T seconds by at most 1.5 D / T,
# 0.75 % for 2 s, and in practice far less (measured: 0.1 permille, while the first-to-last
# average was off by 4 permille from the first frame's 8 ms lag); (b) the guest clock's rate
# against the host's: 0.05 % measured; (c) microsecond timestamps: 1e-6 / 2 s. A stall of the
# guest beyond the pacer's 100 ms catch-up is not made up, by design, and would fail the run.
# 10 permille (1 %) covers (a)-(c) and still fails a pacer that is off by the 24 bytes of
# preamble, SFD, CRC and gap at 1000 bytes (2.4 %), or by a unit.
RATE_PERMILLE=10

# Per variant: device options, guest_check's ring size, and what the driver must report.
case $variant in
legacy)
	devopt=disable-modern=on check_ring=512
	want_app="virtio-net \(legacy interface, split virtqueues\), .* queues RX 256 / TX 256 \+ ctrl"
	want_check="$want_app" ;;
transitional)
	devopt="" check_ring=512
	want_app="virtio-net \(modern interface, split virtqueues\), .* queues RX 256 / TX 256 \+ ctrl"
	want_check="$want_app" ;;
modern)
	devopt=disable-legacy=on,iommu_platform=on,rx_queue_size=1024 check_ring=1024
	rates="5:60:14880 20:1000:4880"
	want_app="virtio-net \(modern interface, split virtqueues, ACCESS_PLATFORM\), .* queues RX 512 / TX 256 \+ ctrl"
	want_check="virtio-net \(modern interface, split virtqueues, ACCESS_PLATFORM\), .* queues RX 1024 / TX 256 \+ ctrl" ;;
packed)
	devopt=disable-legacy=on,packed=on,rx_queue_size=1024 check_ring=256 ring_env=packed
	want_app="virtio-net \(modern interface, packed virtqueues\), .* queues RX 512 / TX 256 \+ ctrl"
	want_check="virtio-net \(modern interface, packed virtqueues\), .* queues RX 256 / TX 256 \+ ctrl" ;;
*)
	echo "FAIL: unknown variant $variant (legacy, transitional, modern, packed)" >&2
	exit 1 ;;
esac
devopt=${devopt:+$devopt,}
ring_env=${ring_env:-split}
rates=${rates:-}

test_name=$variant
. "$(dirname "$0")/guest-lib.sh"

# ---- prerequisites: fail (not skip) with the package to install ----
guest_prerequisites
command -v tshark >/dev/null || fail "tshark not found: apt-get install tshark"
for b in "$host_tool" "$pktgen" "$fwd" "$check"; do
	[ -x "$b" ] || fail "$b is not built"
done

guest_workdir

# ---- initramfs: busybox, the binaries (with their shared libraries if dynamic), /init ----
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp,mnt/huge,etc}
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
copy_binary "$busybox" busybox
copy_binary "$pktgen" ixy-pktgen
copy_binary "$fwd" ixy-fwd
copy_binary "$check" guest_check

# ixy-fwd runs until the host writes a line to the serial console (QEMU's stdin), then gets
# SIGTERM like an operator's Ctrl-C, and prints its totals.
run="/bin/guest_check 0000:00:06.0 0000:00:07.0 $MAC_A $MAC_B $check_ring; echo \"IXYTEST-CHECK rc=\$?\"
/bin/ixy-pktgen 0000:00:03.0 --count $PKTGEN_COUNT --user nobody --sandbox; echo \"IXYTEST-PKTGEN rc=\$?\"
echo \"IXYTEST-CLOCKSOURCE \$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)\"
$(for r in $rates; do
	IFS=: read -r mbit size count <<<"$r"
	echo "/bin/ixy-pktgen 0000:00:08.0 --rate $mbit --size $size --count $count; echo \"IXYTEST-RATE $mbit rc=\$?\""
done)
/bin/ixy-fwd 0000:00:04.0 0000:00:05.0 --seconds $FWD_SECONDS & pid=\$!
read -r line
kill -TERM \$pid
wait \$pid; rc=\$?"

cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t hugetlbfs nodev /mnt/huge
export IXY_VIRTIO_RING=$ring_env
echo 64 > /proc/sys/vm/nr_hugepages
echo "IXYTEST-BEGIN hugepages=\$(cat /proc/sys/vm/nr_hugepages)"
cd /tmp
$run
echo "IXYTEST-EXIT rc=\$rc"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$work/initrd.gz") || fail "cannot build the initramfs"

# ---- the virtual wire: per NIC, QEMU sends to port S and receives on port L ----
read -r SP LP S0 L0 S1 L1 LA LB SR LR < <("$host_tool" freeports 10 | tr '\n' ' ')
[ -n "${LR:-}" ] || fail "host_tool freeports failed"
nic() { # ID ADDR MAC SEND_PORT LISTEN_PORT
	nic_args+=(
		-netdev "socket,id=$1,udp=127.0.0.1:$4,localaddr=127.0.0.1:$5"
		-device "virtio-net-pci,${devopt}netdev=$1,mac=$3,addr=$2,romfile="
		-object "filter-dump,id=f$1,netdev=$1,file=$work/$1.pcap"
	)
}
nic_args=()
nic np 3 $MAC_P "$SP" "$LP" # pktgen -> host sink
nic n0 4 $MAC0 "$S0" "$L0"  # fwd, both ways with the host
nic n1 5 $MAC1 "$S1" "$L1"
nic na 6 $MAC_A "$LB" "$LA" # guest_check: A and B wired back to back
nic nb 7 $MAC_B "$LA" "$LB"
if [ -n "$rates" ]; then
	nic nr 8 $MAC_R "$SR" "$LR" # paced pktgen -> host sink
	"$host_tool" sink "$SR" "$QEMU_TIMEOUT" "$work/sinkr.pcap" &
	pids+=($!)
fi

"$host_tool" sink "$SP" "$QEMU_TIMEOUT" "$work/sinkp.pcap" &
pids+=($!)

guest_boot ""

# Inject once ixy-fwd is forwarding: its first once-a-second line says the loop runs.
guest_fwd_exchange

guest_finish

tshark_udp() { # FILE -> "frames bytes" of its UDP frames, as tshark reads them
	tshark -n -r "$1" -Y udp -T fields -e frame.len 2>/dev/null | awk '{n++; b += $1} END {print n + 0, b + 0}'
}

# driver: guest_check's own checks, and the rings the driver chose.
grep '^check' "$work/console.txt"
expect_eq "guest_check exit status" "$(sed -n 's/^IXYTEST-CHECK rc=//p' "$work/console.txt")" 0
expect_line "guest_check's NIC: interface, virtqueues, ring sizes" "0000:00:06.0: $want_check"

# pktgen: exactly N frames of 60 bytes on the wire, as QEMU, tshark and the host saw them.
expect_eq "ixy-pktgen exit status" "$(sed -n 's/^IXYTEST-PKTGEN rc=//p' "$work/console.txt")" 0
expect_line "ixy-pktgen's NIC: interface, virtqueues, ring sizes" "0000:00:03.0: $want_app"
"$host_tool" pktgen-check "$work/np.pcap" $PKTGEN_COUNT 60 || fail "QEMU's pcap of the NIC's output is wrong"
"$host_tool" pktgen-check "$work/sinkp.pcap" $PKTGEN_COUNT 60 || fail "the host did not receive exactly the frames sent"
read -r rx rxb tx txb drop <<<"$(totals 0000:00:03.0)"
expect_eq "pktgen total tx_packets" "${tx:-}" $PKTGEN_COUNT
expect_eq "pktgen total tx_bytes" "${txb:-}" $((PKTGEN_COUNT * 60))
expect_eq "pktgen total rx_packets" "${rx:-}" 0
expect_eq "tshark: UDP frames and bytes in QEMU's pcap" "$(tshark_udp "$work/np.pcap")" "$PKTGEN_COUNT $((PKTGEN_COUNT * 60))"

# rate: each run's frames exactly, at its rate by QEMU's clock.
grep '^IXYTEST-CLOCKSOURCE' "$work/console.txt"
first=0 total=0 total_bytes=0
for r in $rates; do
	IFS=: read -r mbit size count <<<"$r"
	expect_eq "ixy-pktgen --rate $mbit exit status" "$(sed -n "s/^IXYTEST-RATE $mbit rc=//p" "$work/console.txt")" 0
	expect_line "ixy-pktgen --rate $mbit paces in software" "^rate: $mbit\.000 Mbit/s on the wire .* of $size bytes\), paced in software"
	"$host_tool" pktgen-rate "$work/nr.pcap" $first $count $size $mbit $RATE_PERMILLE ||
		fail "ixy-pktgen --rate $mbit --size $size: not $count frames at $mbit Mbit/s within $RATE_PERMILLE permille in QEMU's pcap"
	first=$((first + count)) total=$((total + count)) total_bytes=$((total_bytes + count * size))
done
if [ -n "$rates" ]; then
	expect_eq "frames and bytes of the paced runs in QEMU's pcap" "$("$host_tool" pcap-count "$work/nr.pcap")" "$total $total_bytes"
	expect_eq "frames and bytes of the paced runs at the host" "$("$host_tool" pcap-count "$work/sinkr.pcap")" "$total $total_bytes"
fi

# fwd: byte for byte both ways; the app's counters are the host's.
expect_eq "ixy-fwd exit status" "$(sed -n 's/^IXYTEST-EXIT rc=//p' "$work/console.txt")" 0
expect_line "ixy-fwd's NICs: interface, virtqueues, ring sizes" "0000:00:05.0: $want_app"
expect_fwd_totals
read -r n0 _ <<<"$("$host_tool" pcap-count "$work/n0.pcap")"
read -r n1 _ <<<"$("$host_tool" pcap-count "$work/n1.pcap")"
expect_eq "frames in QEMU's pcap of 00:04.0 (both directions)" "$n0" $((c0 + c1))
expect_eq "frames in QEMU's pcap of 00:05.0 (both directions)" "$n1" $((c0 + c1))
expect_eq "tshark: UDP frames and bytes in QEMU's pcap of 00:05.0" "$(tshark_udp "$work/n1.pcap")" "$((c0 + c1)) $((b0 + b1))"
echo "PASS: virtio $variant device in a QEMU guest: driver checks, pktgen,${rates:+ pktgen --rate,} fwd (${secs}s)"
