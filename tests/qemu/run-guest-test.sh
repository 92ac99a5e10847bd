#!/bin/bash
# End-to-end test of the virtio driver: boots a QEMU guest (TCG) whose virtio-net NICs
# (legacy interface) are wired to UDP sockets on the host's loopback, runs libixy apps in the
# guest and checks on the host what came out of the virtual wire.
#
#   run-guest-test.sh SCENARIO WORKDIR HOST_TOOL IXY_PKTGEN IXY_FWD GUEST_CHECK
#
# SCENARIO:
#   pktgen  ixy-pktgen --count N on 00:03.0: QEMU's filter-dump pcap and a host UDP sink each
#           hold exactly N valid frames (seq 0..N-1); the app's "total" line says tx_packets=N.
#   fwd     ixy-fwd between 00:03.0 and 00:04.0; the host injects frames into both NICs and
#           receives them, byte-identical and in order, from the other one; the app's totals
#           match the host's counts and byte sums.
#   driver  guest_check (loopback between the two NICs): MAC, link, promiscuous filter,
#           MAC change, queue-count refusal, statistics.
#
# Nothing on the host's PCI bus is touched: all PCI work happens inside the guest. Every wait is
# bounded. A missing QEMU, kernel image, busybox or cpio is a failure naming the package.
set -u

scenario=$1 work=$2 host_tool=$3 pktgen=$4 fwd=$5 check=$6
QEMU_TIMEOUT=${IXY_QEMU_TIMEOUT:-180}
PKTGEN_COUNT=5000
FWD_COUNT0=3000  # frames injected into 00:03.0 (come out of 00:04.0)
FWD_COUNT1=2000  # frames injected into 00:04.0 (come out of 00:03.0)
FWD_SECONDS=60   # safety net only: the host stops ixy-fwd (SIGTERM) once all frames are back
MAC0=52:54:00:12:34:10
MAC1=52:54:00:12:34:11

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$work/console.log" ]; then
		echo "---- guest console ($work/console.log) ----" >&2
		tail -n 60 "$work/console.log" >&2
	fi
	exit 1
}

# ---- prerequisites: fail (not skip) with the package to install ----
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
# The guest kernel from guest-kernel.sh's cache (.ci/run unpacks it there; modules: guest-kernel.sh modules).
kernel=$("$(dirname "$0")/guest-kernel.sh" find)
[ -n "$kernel" ] || fail "no guest kernel: run $(dirname "$0")/guest-kernel.sh fetch (unpacks linux-image-cloud-amd64 into .cache/guest-kernel)"
[ -r "$kernel" ] || fail "$kernel is not readable: run the test as root"
busybox=$(command -v busybox) || fail "busybox not found: apt-get install busybox-static"
command -v cpio >/dev/null || fail "cpio not found: apt-get install cpio"
command -v gzip >/dev/null || fail "gzip not found: apt-get install gzip"
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

case $scenario in
pktgen) run="/bin/ixy-pktgen 0000:00:03.0 --count $PKTGEN_COUNT; rc=\$?" ;;
# ixy-fwd runs until the host writes a line to the serial console (QEMU's stdin), then gets
# SIGTERM like an operator's Ctrl-C, and prints its totals.
fwd) run="/bin/ixy-fwd 0000:00:03.0 0000:00:04.0 --seconds $FWD_SECONDS & pid=\$!
read -r line
kill -TERM \$pid
wait \$pid; rc=\$?" ;;
driver) run="/bin/guest_check 0000:00:03.0 0000:00:04.0 $MAC0 $MAC1; rc=\$?" ;;
*) fail "unknown scenario $scenario (pktgen, fwd, driver)" ;;
esac

cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t hugetlbfs nodev /mnt/huge
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
read -r S0 L0 S1 L1 < <("$host_tool" freeports 4 | tr '\n' ' ')
[ -n "${L1:-}" ] || fail "host_tool freeports failed"
nic_args=(
	-netdev "socket,id=n0,udp=127.0.0.1:$S0,localaddr=127.0.0.1:$L0"
	-device "virtio-net-pci,disable-modern=on,netdev=n0,mac=$MAC0,addr=3,romfile="
	-object "filter-dump,id=f0,netdev=n0,file=$work/n0.pcap"
)
if [ "$scenario" != pktgen ]; then
	if [ "$scenario" = driver ]; then
		# Loopback: each NIC's output is the other's input.
		S1=$L0
		nic_args[1]="socket,id=n0,udp=127.0.0.1:$L1,localaddr=127.0.0.1:$L0"
	fi
	nic_args+=(
		-netdev "socket,id=n1,udp=127.0.0.1:$S1,localaddr=127.0.0.1:$L1"
		-device "virtio-net-pci,disable-modern=on,netdev=n1,mac=$MAC1,addr=4,romfile="
		-object "filter-dump,id=f1,netdev=n1,file=$work/n1.pcap"
	)
fi

if [ "$scenario" = pktgen ]; then
	"$host_tool" sink "$S0" "$QEMU_TIMEOUT" "$work/sink0.pcap" &
	pids+=($!)
fi

# QEMU's stdin (the guest's serial console input) is a FIFO we hold open read-write.
mkfifo "$work/console.in" || fail "mkfifo failed"
exec 3<>"$work/console.in"
start=$(date +%s)
timeout -k 5 "$QEMU_TIMEOUT" qemu-system-x86_64 -accel tcg -m 512 -smp 1 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
	"${nic_args[@]}" <&3 >"$work/console.log" 2>&1 &
qemu_pid=$!
pids+=($qemu_pid)

if [ "$scenario" = fwd ]; then
	# Inject once ixy-fwd is forwarding: its first once-a-second line says the loop runs.
	for _ in $(seq 600); do
		grep -q '^\[0000:00:03.0\] RX' "$work/console.log" && break
		kill -0 $qemu_pid 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^\[0000:00:03.0\] RX' "$work/console.log" || fail "ixy-fwd did not start forwarding in the guest"
	# Both directions at once, each with a bounded number of frames in flight.
	"$host_tool" exchange "$L0" "$S1" $FWD_COUNT0 $MAC0 1 "$work/inject0.pcap" "$work/sink1.pcap" &
	ex0=$!
	"$host_tool" exchange "$L1" "$S0" $FWD_COUNT1 $MAC1 2 "$work/inject1.pcap" "$work/sink0.pcap"
	ex1=$?
	wait $ex0
	ex0=$?
	echo stop >&3
	[ $ex0 = 0 ] || fail "frames injected into 00:03.0 did not all come back out of 00:04.0"
	[ $ex1 = 0 ] || fail "frames injected into 00:04.0 did not all come back out of 00:03.0"
fi

wait $qemu_pid
qemu_rc=$?
secs=$(($(date +%s) - start))
tr -d '\r' <"$work/console.log" >"$work/console.txt"
[ $qemu_rc = 124 ] && fail "the guest did not finish within $QEMU_TIMEOUT s"
grep -q "IXYTEST-EXIT rc=0" "$work/console.txt" || fail "the guest program failed (qemu exit $qemu_rc)"
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
tshark_udp() { # FILE -> UDP frame count, or "-" without tshark
	if command -v tshark >/dev/null; then
		tshark -n -r "$1" -Y udp 2>/dev/null | wc -l
	else
		echo -
	fi
}

case $scenario in
pktgen)
	"$host_tool" pktgen-check "$work/n0.pcap" $PKTGEN_COUNT 60 || fail "QEMU's pcap of the NIC's output is wrong"
	"$host_tool" pktgen-check "$work/sink0.pcap" $PKTGEN_COUNT 60 || fail "the host did not receive exactly the frames sent"
	read -r rx rxb tx txb drop <<<"$(totals 0000:00:03.0)"
	expect_eq "pktgen total tx_packets" "${tx:-}" $PKTGEN_COUNT
	expect_eq "pktgen total tx_bytes" "${txb:-}" $((PKTGEN_COUNT * 60))
	expect_eq "pktgen total rx_packets" "${rx:-}" 0
	t=$(tshark_udp "$work/n0.pcap")
	[ "$t" = - ] && echo "note: tshark not installed, its cross-check skipped" || expect_eq "tshark UDP frames in n0.pcap" "$t" $PKTGEN_COUNT
	;;
fwd)
	"$host_tool" pcap-cmp "$work/inject0.pcap" "$work/sink1.pcap" || fail "frames injected into 00:03.0 did not come out of 00:04.0 unchanged"
	"$host_tool" pcap-cmp "$work/inject1.pcap" "$work/sink0.pcap" || fail "frames injected into 00:04.0 did not come out of 00:03.0 unchanged"
	read -r c0 b0 <<<"$("$host_tool" pcap-count "$work/inject0.pcap")"
	read -r c1 b1 <<<"$("$host_tool" pcap-count "$work/inject1.pcap")"
	read -r rx rxb tx txb drop <<<"$(totals 0000:00:03.0)"
	expect_eq "00:03.0 rx_packets" "${rx:-}" "$c0"
	expect_eq "00:03.0 rx_bytes" "${rxb:-}" "$b0"
	expect_eq "00:03.0 tx_packets" "${tx:-}" "$c1"
	expect_eq "00:03.0 tx_bytes" "${txb:-}" "$b1"
	expect_eq "00:03.0 rx_dropped" "${drop:-}" 0
	read -r rx rxb tx txb drop <<<"$(totals 0000:00:04.0)"
	expect_eq "00:04.0 rx_packets" "${rx:-}" "$c1"
	expect_eq "00:04.0 rx_bytes" "${rxb:-}" "$b1"
	expect_eq "00:04.0 tx_packets" "${tx:-}" "$c0"
	expect_eq "00:04.0 tx_bytes" "${txb:-}" "$b0"
	expect_eq "00:04.0 rx_dropped" "${drop:-}" 0
	read -r n0 _ <<<"$("$host_tool" pcap-count "$work/n0.pcap")"
	read -r n1 _ <<<"$("$host_tool" pcap-count "$work/n1.pcap")"
	expect_eq "frames in QEMU's pcap of 00:03.0 (both directions)" "$n0" $((c0 + c1))
	expect_eq "frames in QEMU's pcap of 00:04.0 (both directions)" "$n1" $((c0 + c1))
	t=$(tshark_udp "$work/n1.pcap")
	[ "$t" = - ] && echo "note: tshark not installed, its cross-check skipped" || expect_eq "tshark UDP frames in n1.pcap" "$t" $((c0 + c1))
	;;
driver)
	grep '^check' "$work/console.txt"
	;;
esac
echo "PASS: virtio $scenario scenario in a QEMU guest (${secs}s)"
