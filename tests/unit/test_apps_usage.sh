#!/bin/sh
# Argument errors: usage on stderr and exit status 2; --help: usage on stdout and status 0.
# usage: test_apps_usage.sh <bindir>
set -u
bin=$1
fail=0
expect_usage() { # expected-status, command...
	want=$1
	shift
	out=$("$@" 2>&1 >/dev/null)
	status=$?
	if [ "$status" -ne "$want" ] || ! printf '%s' "$out" | grep -q "usage:"; then
		echo "FAIL: '$*' exited $status (want $want), stderr: $out"
		fail=1
	fi
}
expect_usage 2 "$bin/ixy-pktgen"
expect_usage 2 "$bin/ixy-pktgen" sim:0 sim:1
expect_usage 2 "$bin/ixy-pktgen" sim:0 --size 59
expect_usage 2 "$bin/ixy-pktgen" sim:0 --size 1515
expect_usage 2 "$bin/ixy-pktgen" sim:0 --batch 0
expect_usage 2 "$bin/ixy-pktgen" sim:0 --count abc
expect_usage 2 "$bin/ixy-pktgen" sim:0 --bogus
expect_usage 2 "$bin/ixy-fwd" sim:0
expect_usage 2 "$bin/ixy-fwd" sim:0 sim:1 --batch 513
expect_usage 2 "$bin/ixy-fwd" sim:0 sim:1 --seconds -1
expect_usage 2 "$bin/ixy-fwd" sim:0 sim:1 --threads 0
expect_usage 2 "$bin/ixy-fwd" sim:0 sim:1 --threads 17
expect_usage 2 "$bin/ixy-pktgen" sim:0 --threads 17
"$bin/ixy-pktgen" --help | grep -q "usage: ixy-pktgen" || { echo "FAIL: pktgen --help"; fail=1; }
"$bin/ixy-fwd" --help | grep -q "usage: ixy-fwd" || { echo "FAIL: fwd --help"; fail=1; }
for app in ixy-pktgen ixy-fwd ixy-pcap; do
	"$bin/$app" -h | grep -q "usage: $app" || { echo "FAIL: $app -h"; fail=1; }
done
# A bad device address is a runtime error (1) that names the problem, once.
for cmd in "ixy-pktgen 0000:zz:00.0 --seconds 1" "ixy-fwd sim:0,null 0000:zz:00.0 --seconds 1" \
	"ixy-pcap 0000:zz:00.0 /dev/null --seconds 1"; do
	out=$(cd "$bin" && ./$cmd 2>&1)
	status=$?
	n=$(printf '%s\n' "$out" | grep -c "not a PCI address")
	[ $status -eq 1 ] && [ "$n" -eq 1 ] || { echo "FAIL: '$cmd' exited $status, printed the error $n times: $out"; fail=1; }
done
[ $fail -eq 0 ] && echo "apps usage: ok"
exit $fail
