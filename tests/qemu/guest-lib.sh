# Shared by the QEMU guest tests (run-guest-test.sh, run-vfio-test.sh); sourced, not run.
# The caller sets test_name and work, then calls guest_prerequisites and guest_workdir.

fail() {
	echo "FAIL: $test_name: $*" >&2
	if [ -f "$work/console.log" ]; then
		echo "---- guest console ($work/console.log) ----" >&2
		tail -n 80 "$work/console.log" >&2
	fi
	exit 1
}

# QEMU, the guest kernel ($kernel), busybox ($busybox), cpio and gzip: fail (not skip) naming the
# package to install.
guest_prerequisites() {
	command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
	# The guest kernel from guest-kernel.sh's cache (.ci/run unpacks it there, not on the host).
	kernel=$("$(dirname "${BASH_SOURCE[0]}")/guest-kernel.sh" find)
	[ -n "$kernel" ] || fail "no guest kernel: run $(dirname "${BASH_SOURCE[0]}")/guest-kernel.sh fetch (unpacks linux-image-cloud-amd64 into .cache/guest-kernel)"
	kernel_modules=$("$(dirname "${BASH_SOURCE[0]}")/guest-kernel.sh" modules) || kernel_modules=""
	[ -r "$kernel" ] || fail "$kernel is not readable: run the test as root"
	busybox=$(command -v busybox) || fail "busybox not found: apt-get install busybox-static"
	command -v cpio >/dev/null || fail "cpio not found: apt-get install cpio"
	command -v gzip >/dev/null || fail "gzip not found: apt-get install gzip"
}

# A fresh $work as the current directory; background processes put in pids() die on exit.
guest_workdir() {
	[ -n "$work" ] || fail "no work directory given"
	rm -rf "$work"
	mkdir -p "$work" || fail "cannot create $work"
	cd "$work" || exit 1
	pids=()
	trap cleanup EXIT
}

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}

copy_binary() { # SRC NAME: into $root/bin, with its shared libraries and loader if dynamic
	cp "$1" "$root/bin/$2" || fail "cannot copy $1"
	ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

expect_eq() { # WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
	echo "ok: $1 = $2"
}

expect_line() { # WHAT PATTERN: the console holds a line matching PATTERN (grep -E)
	grep -Eq "$2" "$work/console.txt" || fail "$1: no console line matches '$2'"
	echo "ok: $1"
}

# "total <dev> rx_packets=.. rx_bytes=.. tx_packets=.. tx_bytes=.. rx_dropped=.." -> "rx rxb tx txb drop"
totals() {
	grep "^total $1 " "$work/console.txt" | tail -n 1 |
		sed -E 's/.*rx_packets=([0-9]+) rx_bytes=([0-9]+) tx_packets=([0-9]+) tx_bytes=([0-9]+) rx_dropped=([0-9]+).*/\1 \2 \3 \4 \5/'
}

# Once ixy-fwd forwards between 00:04.0 and 00:05.0 (its first rate line), the host injects
# FWD_COUNT0 frames into 00:04.0 and FWD_COUNT1 into 00:05.0 at once, each with a bounded number
# in flight, receives them from the other NIC, then tells the guest (fd 3, its console) to stop.
# Needs host_tool, the ports L0 S0 L1 S1, MAC0 MAC1 and qemu_pid.
guest_fwd_exchange() {
	for _ in $(seq $((QEMU_TIMEOUT * 10))); do
		grep -q '^\[0000:00:04.0\] RX' "$work/console.log" && break
		kill -0 "$qemu_pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^\[0000:00:04.0\] RX' "$work/console.log"; then
		echo stop >&3
		fail "ixy-fwd did not start forwarding in the guest"
	fi
	"$host_tool" exchange "$L0" "$S1" "$FWD_COUNT0" "$MAC0" 1 "$work/inject0.pcap" "$work/sink1.pcap" &
	local ex0=$! ex1
	"$host_tool" exchange "$L1" "$S0" "$FWD_COUNT1" "$MAC1" 2 "$work/inject1.pcap" "$work/sink0.pcap"
	ex1=$?
	wait $ex0
	ex0=$?
	echo stop >&3
	[ $ex0 = 0 ] || fail "frames injected into 00:04.0 did not all come back out of 00:05.0"
	[ $ex1 = 0 ] || fail "frames injected into 00:05.0 did not all come back out of 00:04.0"
}

# After guest_fwd_exchange: the frames came out byte for byte in order, and each port's totals
# are the host's counts. Sets c0 b0 (into 00:04.0) and c1 b1 (into 00:05.0).
expect_fwd_totals() {
	"$host_tool" pcap-cmp "$work/inject0.pcap" "$work/sink1.pcap" || fail "frames injected into 00:04.0 did not come out of 00:05.0 unchanged"
	"$host_tool" pcap-cmp "$work/inject1.pcap" "$work/sink0.pcap" || fail "frames injected into 00:05.0 did not come out of 00:04.0 unchanged"
	read -r c0 b0 <<<"$("$host_tool" pcap-count "$work/inject0.pcap")"
	read -r c1 b1 <<<"$("$host_tool" pcap-count "$work/inject1.pcap")"
	local rx rxb tx txb drop
	read -r rx rxb tx txb drop <<<"$(totals 0000:00:04.0)"
	expect_eq "00:04.0 rx_packets rx_bytes tx_packets tx_bytes rx_dropped" "${rx:-} ${rxb:-} ${tx:-} ${txb:-} ${drop:-}" "$c0 $b0 $c1 $b1 0"
	read -r rx rxb tx txb drop <<<"$(totals 0000:00:05.0)"
	expect_eq "00:05.0 rx_packets rx_bytes tx_packets tx_bytes rx_dropped" "${rx:-} ${rxb:-} ${tx:-} ${txb:-} ${drop:-}" "$c1 $b1 $c0 $b0 0"
}

# Boots the guest (TCG) with the initramfs, the NICs in nic_args and the QEMU options and kernel
# command line given: guest_boot "APPEND" [QEMU OPTION...]. Its console goes to console.log; its
# console input is fd 3 (a FIFO held open read-write). Sets qemu_pid and start.
guest_boot() {
	local append=$1
	shift
	mkfifo "$work/console.in" || fail "mkfifo failed"
	exec 3<>"$work/console.in"
	start=$(date +%s)
	timeout -k 5 "$QEMU_TIMEOUT" qemu-system-x86_64 -accel tcg -m 512 -smp 1 -nographic -no-reboot "$@" \
		-kernel "$kernel" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1 no_timer_check $append" \
		"${nic_args[@]}" <&3 >"$work/console.log" 2>&1 &
	qemu_pid=$!
	pids+=($qemu_pid)
}

# Waits for the guest to power off; console.txt is its console without CRs. Sets secs.
guest_finish() {
	wait "$qemu_pid"
	local rc=$?
	secs=$(($(date +%s) - start))
	tr -d '\r' <"$work/console.log" >"$work/console.txt"
	[ $rc = 124 ] && fail "the guest did not finish within $QEMU_TIMEOUT s"
	grep -q "IXYTEST-EXIT" "$work/console.txt" || fail "the guest did not finish its cases (qemu exit $rc)"
	sleep 0.3 # the sinks poll every 100 ms
	cleanup
	pids=()
}
