#!/bin/sh
# Mounts hugetlbfs at /mnt/huge and reserves 2 MiB hugepages on every NUMA node for libixy.
# Usage: sudo ./setup-hugetlbfs.sh [PAGES_PER_NODE]   (default 512 = 1 GiB per node)
# Safe to run again: it only raises the reservation and mounts once.
set -eu

pages=${1:-512}
mnt=${IXY_HUGETLBFS:-/mnt/huge}
case "$pages" in
'' | *[!0-9]*) echo "usage: $0 [PAGES_PER_NODE] (a whole number, e.g. 512)" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "$0: run as root (sudo $0 $pages)" >&2
	exit 1
fi

mkdir -p "$mnt"
if grep -qs " $mnt hugetlbfs " /proc/mounts; then
	echo "hugetlbfs already mounted at $mnt"
else
	mount -t hugetlbfs -o pagesize=2M nodev "$mnt"
	echo "mounted hugetlbfs at $mnt"
fi

reserve() { # file, label
	have=$(cat "$1")
	if [ "$have" -ge "$pages" ]; then
		echo "$2: $have pages of 2 MiB already reserved"
		return
	fi
	echo "$pages" >"$1"
	got=$(cat "$1")
	echo "$2: reserved $got pages of 2 MiB (asked for $pages)"
	if [ "$got" -lt "$pages" ]; then
		echo "$2: the kernel found memory for only $got pages; free memory or reboot and run this early" >&2
	fi
}

nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null || true)
if [ -n "$nodes" ]; then
	for n in $nodes; do
		reserve "$n/hugepages/hugepages-2048kB/nr_hugepages" "$(basename "$n")"
	done
else
	reserve /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages "system"
fi
