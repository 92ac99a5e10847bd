#!/bin/sh
# Binds a NIC to vfio-pci so libixy can drive it without root, through the IOMMU.
# Usage: sudo ./setup-vfio.sh <pci-address> [user]
#   pci-address  e.g. 0000:03:00.0 (lspci -D)
#   user         who may open the device afterwards (gets its /dev/vfio/<group>)
# Safe to run again. Refuses a device whose kernel network interface is up (or whose state it
# cannot read). Prints how to undo it. IXY_SYSFS_ROOT (default /sys) points it at a fake tree
# for tests; the VFIO device nodes are then looked up in $IXY_SYSFS_ROOT/dev/vfio.
set -eu

sys=${IXY_SYSFS_ROOT:-/sys}
if [ "$sys" = /sys ]; then devdir=/dev/vfio; else devdir=$sys/dev/vfio; fi
die() { echo "setup-vfio.sh: $*" >&2; exit 1; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: sudo $0 <pci-address> [user]   (e.g. $0 0000:03:00.0 $(id -un))" >&2
	exit 2
fi
addr=$1
user=${2:-}
case "$addr" in
[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]:[0-9a-fA-F][0-9a-fA-F]:[0-9a-fA-F][0-9a-fA-F].[0-9a-fA-F]) ;;
*) echo "setup-vfio.sh: '$addr' is not a PCI address: use the form 0000:03:00.0 (lspci -D)" >&2; exit 2 ;;
esac
dev=$sys/bus/pci/devices/$addr
[ -e "$dev/config" ] || die "no PCI device $addr ($dev missing): check the address with lspci -D"
if [ -n "$user" ]; then
	uid=$(id -u "$user" 2>/dev/null) || die "no user '$user' (check the name with 'id $user')"
fi
if [ "$sys" = /sys ] && [ "$(id -u)" -ne 0 ]; then
	die "run as root (sudo $0 $*)"
fi

# Fail closed: every interface must be readably down.
if [ -e "$dev/net" ] || [ -L "$dev/net" ]; then
	[ -d "$dev/net" ] || die "cannot read $dev/net: not a directory; refusing (cannot tell whether $addr is in use)"
	for ifdir in "$dev"/net/*; do
		[ -e "$ifdir" ] || continue
		ifname=${ifdir##*/}
		flags=$(cat "$ifdir/flags" 2>/dev/null) || die "cannot read $ifdir/flags; refusing (cannot tell whether $ifname is up)"
		case "$flags" in
		0x[0-9a-fA-F]*) ;;
		*) die "$ifdir/flags holds '$flags', not interface flags; refusing (cannot tell whether $ifname is up)" ;;
		esac
		case "${flags#0x}" in *[!0-9a-fA-F]*) die "$ifdir/flags holds '$flags', not interface flags; refusing" ;; esac
		if [ $((flags & 1)) -ne 0 ]; then
			die "$addr is in use: its interface $ifname is up. Run 'ip link set $ifname down' first"
		fi
	done
fi

[ -L "$dev/iommu_group" ] || die "$addr has no IOMMU group: the IOMMU is off. Enable VT-d (Intel) or AMD-Vi in the firmware setup, add intel_iommu=on (Intel) or amd_iommu=on (AMD) to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot"
group=$(readlink "$dev/iommu_group")
group=${group##*/}

if [ "$sys" = /sys ] && [ ! -d "$sys/bus/pci/drivers/vfio-pci" ]; then
	modprobe vfio-pci || die "cannot load vfio-pci (modprobe vfio-pci)"
fi
[ -d "$sys/bus/pci/drivers/vfio-pci" ] || die "the vfio-pci driver is not available: load it with 'modprobe vfio-pci'"

driver=
if [ -L "$dev/driver" ]; then driver=$(readlink "$dev/driver"); driver=${driver##*/}; fi
if [ "$driver" = vfio-pci ]; then
	echo "$addr is already bound to vfio-pci (IOMMU group $group)"
else
	echo vfio-pci > "$dev/driver_override"
	if [ -n "$driver" ]; then echo "$addr" > "$dev/driver/unbind"; fi
	echo "$addr" > "$sys/bus/pci/drivers_probe"
	tries=0
	while :; do
		now=
		if [ -L "$dev/driver" ]; then now=$(readlink "$dev/driver"); now=${now##*/}; fi
		[ "$now" = vfio-pci ] && break
		tries=$((tries + 1))
		[ $tries -lt 50 ] || die "$addr did not bind to vfio-pci (driver now: ${now:-none}); see dmesg"
		sleep 0.1
	done
	echo "bound $addr to vfio-pci (was: ${driver:-no driver}); IOMMU group $group"
fi

# Every device of the group must be bound to vfio-pci or to nothing (group viable).
blockers=
for other in "$sys/kernel/iommu_groups/$group/devices"/*; do
	[ -e "$other" ] || continue
	o=${other##*/}
	[ "$o" = "$addr" ] && continue
	if [ -L "$other/driver" ]; then
		d=$(readlink "$other/driver"); d=${d##*/}
		[ "$d" = vfio-pci ] || blockers="$blockers $o($d)"
	fi
done

tries=0
while [ ! -e "$devdir/$group" ]; do
	tries=$((tries + 1))
	[ $tries -lt 50 ] || die "$devdir/$group did not appear; check 'ls -l $devdir' and dmesg"
	sleep 0.1
done
if [ -n "$user" ]; then
	chown "$uid" "$devdir/$group"
	echo "$devdir/$group now belongs to $user"
	echo "note: VFIO pins DMA memory against the locked-memory limit; the default pools need about"
	echo "      20 MiB per port. Raise it for $user ('ulimit -l', or a memlock line in"
	echo "      /etc/security/limits.conf such as '$user - memlock 1048576')."
fi
echo "undo: echo > $dev/driver_override; echo $addr > $sys/bus/pci/drivers/vfio-pci/unbind;"
echo "      echo $addr > $sys/bus/pci/drivers_probe   (rebinds the kernel's own driver)"
if [ -n "$blockers" ]; then
	die "IOMMU group $group is not viable yet: also bound to kernel drivers:$blockers. Run this script for each of them (or put the NIC in a slot with its own group)"
fi
