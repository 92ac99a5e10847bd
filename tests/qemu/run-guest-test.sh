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
#   pktgen  ixy-pktgen --count N on 00:03.0: QEMU's filter-dump pcap (also read by tshark) and
#           a host UDP sink each hold exactly N valid frames (seq 0..N-1) and N*60 bytes; the
#           app's "total" line says tx_packets=N
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

fail() {
	echo "FAIL: $variant: $*" >&2
	if [ -f "$work/console.log" ]; then
		echo "---- guest console ($work/console.log) ----" >&2
		tail -n 60 "$work/console.log" >&2
	fi
	exit 1
}

# ---- prerequisites: fail (not skip) with the package to install ----
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
kernel=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] || fail "no /boot/vmlinuz-*-cloud-amd64: apt-get install linux-image-cloud-amd64"
[ -r "$kernel" ] || fail "$kernel is not readable: run the test as root"
busybox=$(command -v busybox) || fail "busybox not found: apt-get install busybox-static"
command -v cpio >/dev/null || fail "cpio not found: apt-get install cpio"
command -v gzip >/dev/null || fail "gzip not found: apt-get install gzip"
command -v tshark >/dev/null || fail "tshark not found: apt-get install tshark"
for b in "$host_tool" "$pktgen" "$fwd" "$check"; do
	[ -x "$b" ] || fail "$b is not built"
done

rm -rf "$work"
mkdir -p "$work" || fail "cannot create $work"
cd "$work" || exit 1

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

# ---- initramfs: busybox, the binaries (with their shared libraries if dynamic), /init ----
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp,mnt/huge}
copy_binary() { # SRC NAME
	cp "$1" "$root/bin/$2" || fail "cannot copy $1"
	# Dynamic executables bring their libraries and loader at the same paths.
	ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
copy_binary "$busybox" busybox
copy_binary "$pktgen" ixy-pktgen
copy_binary "$fwd" ixy-fwd
copy_binary "$check" guest_check

# ixy-fwd runs until the host writes a line to the serial console (QEMU's stdin), then gets
# SIGTERM like an operator's Ctrl-C, and prints its totals.
run="/bin/guest_check 0000:00:06.0 0000:00:07.0 $MAC_A $MAC_B $check_ring; echo \"IXYTEST-CHECK rc=\$?\"
/bin/ixy-pktgen 0000:00:03.0 --count $PKTGEN_COUNT; echo \"IXYTEST-PKTGEN rc=\$?\"
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
read -r SP LP S0 L0 S1 L1 LA LB < <("$host_tool" freeports 8 | tr '\n' ' ')
[ -n "${LB:-}" ] || fail "host_tool freeports failed"
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

"$host_tool" sink "$SP" "$QEMU_TIMEOUT" "$work/sinkp.pcap" &
pids+=($!)

# QEMU's stdin (the guest's serial console input) is a FIFO we hold open read-write.
# no_timer_check: under TCG on a busy host the kernel's IO-APIC timer check can fail and panic.
mkfifo "$work/console.in" || fail "mkfifo failed"
exec 3<>"$work/console.in"
start=$(date +%s)
timeout -k 5 "$QEMU_TIMEOUT" qemu-system-x86_64 -accel tcg -m 512 -smp 1 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1 no_timer_check" \
	"${nic_args[@]}" <&3 >"$work/console.log" 2>&1 &
qemu_pid=$!
pids+=($qemu_pid)

# Inject once ixy-fwd is forwarding: its first once-a-second line says the loop runs.
for _ in $(seq $((QEMU_TIMEOUT * 10))); do
	grep -q '^\[0000:00:04.0\] RX' "$work/console.log" && break
	kill -0 $qemu_pid 2>/dev/null || break
	sleep 0.1
done
if grep -q '^\[0000:00:04.0\] RX' "$work/console.log"; then
	# Both directions at once, each with a bounded number of frames in flight.
	"$host_tool" exchange "$L0" "$S1" $FWD_COUNT0 $MAC0 1 "$work/inject0.pcap" "$work/sink1.pcap" &
	ex0=$!
	"$host_tool" exchange "$L1" "$S0" $FWD_COUNT1 $MAC1 2 "$work/inject1.pcap" "$work/sink0.pcap"
	ex1=$?
	wait $ex0
	ex0=$?
	echo stop >&3
	[ $ex0 = 0 ] || fail "frames injected into 00:04.0 did not all come back out of 00:05.0"
	[ $ex1 = 0 ] || fail "frames injected into 00:05.0 did not all come back out of 00:04.0"
else
	echo stop >&3
	fail "ixy-fwd did not start forwarding in the guest"
fi

wait $qemu_pid
qemu_rc=$?
secs=$(($(date +%s) - start))
tr -d '\r' <"$work/console.log" >"$work/console.txt"
[ $qemu_rc = 124 ] && fail "the guest did not finish within $QEMU_TIMEOUT s"
grep -q "IXYTEST-EXIT" "$work/console.txt" || fail "the guest did not finish its cases (qemu exit $qemu_rc)"
sleep 0.3 # the sinks poll every 100 ms
cleanup
pids=()

# "total <dev> rx_packets=.. rx_bytes=.. tx_packets=.. tx_bytes=.. rx_dropped=.." -> "rx rxb tx txb drop"
totals() {
	grep "^total $1 " "$work/console.txt" | tail -n 1 |
		sed -E 's/.*rx_packets=([0-9]+) rx_bytes=([0-9]+) tx_packets=([0-9]+) tx_bytes=([0-9]+) rx_dropped=([0-9]+).*/\1 \2 \3 \4 \5/'
}
expect_eq() { # WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
	echo "ok: $1 = $2"
}
tshark_udp() { # FILE -> "frames bytes" of its UDP frames, as tshark reads them
	tshark -n -r "$1" -Y udp -T fields -e frame.len 2>/dev/null | awk '{n++; b += $1} END {print n + 0, b + 0}'
}
expect_line() { # WHAT PATTERN: the console holds a line matching PATTERN (grep -E)
	grep -Eq "$2" "$work/console.txt" || fail "$1: no console line matches '$2'"
	echo "ok: $1"
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

# fwd: byte for byte both ways; the app's counters are the host's.
expect_eq "ixy-fwd exit status" "$(sed -n 's/^IXYTEST-EXIT rc=//p' "$work/console.txt")" 0
expect_line "ixy-fwd's NICs: interface, virtqueues, ring sizes" "0000:00:05.0: $want_app"
"$host_tool" pcap-cmp "$work/inject0.pcap" "$work/sink1.pcap" || fail "frames injected into 00:04.0 did not come out of 00:05.0 unchanged"
"$host_tool" pcap-cmp "$work/inject1.pcap" "$work/sink0.pcap" || fail "frames injected into 00:05.0 did not come out of 00:04.0 unchanged"
read -r c0 b0 <<<"$("$host_tool" pcap-count "$work/inject0.pcap")"
read -r c1 b1 <<<"$("$host_tool" pcap-count "$work/inject1.pcap")"
read -r rx rxb tx txb drop <<<"$(totals 0000:00:04.0)"
expect_eq "00:04.0 rx_packets" "${rx:-}" "$c0"
expect_eq "00:04.0 rx_bytes" "${rxb:-}" "$b0"
expect_eq "00:04.0 tx_packets" "${tx:-}" "$c1"
expect_eq "00:04.0 tx_bytes" "${txb:-}" "$b1"
expect_eq "00:04.0 rx_dropped" "${drop:-}" 0
read -r rx rxb tx txb drop <<<"$(totals 0000:00:05.0)"
expect_eq "00:05.0 rx_packets" "${rx:-}" "$c1"
expect_eq "00:05.0 rx_bytes" "${rxb:-}" "$b1"
expect_eq "00:05.0 tx_packets" "${tx:-}" "$c0"
expect_eq "00:05.0 tx_bytes" "${txb:-}" "$b0"
expect_eq "00:05.0 rx_dropped" "${drop:-}" 0
read -r n0 _ <<<"$("$host_tool" pcap-count "$work/n0.pcap")"
read -r n1 _ <<<"$("$host_tool" pcap-count "$work/n1.pcap")"
expect_eq "frames in QEMU's pcap of 00:04.0 (both directions)" "$n0" $((c0 + c1))
expect_eq "frames in QEMU's pcap of 00:05.0 (both directions)" "$n1" $((c0 + c1))
expect_eq "tshark: UDP frames and bytes in QEMU's pcap of 00:05.0" "$(tshark_udp "$work/n1.pcap")" "$((c0 + c1)) $((b0 + b1))"
echo "PASS: virtio $variant device in a QEMU guest: driver checks, pktgen, fwd (${secs}s)"
