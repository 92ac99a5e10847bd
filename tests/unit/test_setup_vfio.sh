#!/bin/sh
# setup-vfio.sh against fake sysfs trees only (IXY_SYSFS_ROOT): never the host's /sys.
# A background "kernel" binds the device to vfio-pci once drivers_probe is written.
set -u
script=$1
root=$(mktemp -d /tmp/ixy-test-setup-vfio-XXXXXX)
trap 'rm -rf "$root"' EXIT
export IXY_SYSFS_ROOT=$root
fail() { echo "FAIL: $*" >&2; exit 1; }

# fake_device ADDR DRIVER GROUP
fake_device() {
	d=$root/bus/pci/devices/$1
	mkdir -p "$d" "$root/bus/pci/drivers/$2" "$root/bus/pci/drivers/vfio-pci" "$root/dev/vfio"
	: > "$d/config"; : > "$d/driver_override"; : > "$root/bus/pci/drivers/$2/unbind"
	ln -sfn "../../drivers/$2" "$d/driver"
	if [ -n "$3" ]; then
		mkdir -p "$root/kernel/iommu_groups/$3/devices"
		ln -sfn "../../../kernel/iommu_groups/$3" "$d/iommu_group"
		ln -sfn "../../../../bus/pci/devices/$1" "$root/kernel/iommu_groups/$3/devices/$1"
	fi
}
fake_kernel() { # binds $1 to vfio-pci when drivers_probe names it, and makes /dev/vfio/$2
	(
		i=0
		while [ "$(cat "$root/bus/pci/drivers_probe" 2>/dev/null)" != "$1" ] && [ $i -lt 100 ]; do
			sleep 0.05; i=$((i + 1))
		done
		ln -sfn ../../drivers/vfio-pci "$root/bus/pci/devices/$1/driver"
		: > "$root/dev/vfio/$2"
	) &
}
run() { out=$(sh "$script" "$@" 2>&1); rc=$?; }
expect() { # rc, text
	[ "$rc" = "$1" ] || fail "exit $rc (expected $1): $out"
	case "$out" in *"$2"*) ;; *) fail "expected '$2' in: $out" ;; esac
}
untouched() { [ ! -s "$root/bus/pci/devices/$1/driver_override" ] || fail "$1 was touched"; }

run; expect 2 "usage"
run 03:00.0; expect 2 "not a PCI address"
run 0000:09:00.0; expect 1 "no PCI device"

# Interfaces: up, unreadable, not a number: refused, nothing written.
fake_device 0000:01:00.0 ixgbe 1
mkdir -p "$root/bus/pci/devices/0000:01:00.0/net/eth3"
echo 0x1003 > "$root/bus/pci/devices/0000:01:00.0/net/eth3/flags"
run 0000:01:00.0 nobody; expect 1 "interface eth3 is up"; untouched 0000:01:00.0
echo up > "$root/bus/pci/devices/0000:01:00.0/net/eth3/flags"
run 0000:01:00.0; expect 1 "not interface flags"; untouched 0000:01:00.0
: > "$root/bus/pci/devices/0000:01:00.0/net/eth3/flags"
run 0000:01:00.0; expect 1 "not interface flags"; untouched 0000:01:00.0
rm "$root/bus/pci/devices/0000:01:00.0/net/eth3/flags"
run 0000:01:00.0; expect 1 "cannot read"; untouched 0000:01:00.0
echo 0x1002 > "$root/bus/pci/devices/0000:01:00.0/net/eth3/flags"

# No IOMMU.
fake_device 0000:02:00.0 ixgbe ""
run 0000:02:00.0; expect 1 "intel_iommu=on"; untouched 0000:02:00.0
# Unknown user.
run 0000:01:00.0 no-such-user-xyz; expect 1 "no user 'no-such-user-xyz'"; untouched 0000:01:00.0

# Bind (interface down): driver_override, unbind, probe; the group goes to the user.
fake_kernel 0000:01:00.0 1
run 0000:01:00.0 nobody; expect 0 "bound 0000:01:00.0 to vfio-pci (was: ixgbe)"
wait
[ "$(cat "$root/bus/pci/devices/0000:01:00.0/driver_override")" = vfio-pci ] || fail "driver_override"
[ "$(cat "$root/bus/pci/drivers/ixgbe/unbind")" = 0000:01:00.0 ] || fail "unbind"
[ "$(stat -c %U "$root/dev/vfio/1")" = nobody ] || fail "group owner"
case "$out" in *"undo: echo > "*"driver_override"*"drivers_probe"*) ;; *) fail "no undo: $out" ;; esac
# Again: idempotent, nothing unbound a second time.
: > "$root/bus/pci/drivers/ixgbe/unbind"; : > "$root/bus/pci/drivers_probe"
run 0000:01:00.0 nobody; expect 0 "already bound to vfio-pci"
[ ! -s "$root/bus/pci/drivers/ixgbe/unbind" ] && [ ! -s "$root/bus/pci/drivers_probe" ] || fail "rebound"

# A group shared with a device still on a kernel driver: named, non-zero exit.
fake_device 0000:05:00.0 ixgbe 5
fake_device 0000:05:00.1 ixgbe 5
fake_kernel 0000:05:00.0 5
run 0000:05:00.0; expect 1 "not viable yet: also bound to kernel drivers: 0000:05:00.1(ixgbe)"
wait
echo "setup-vfio: ok"
