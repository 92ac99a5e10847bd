#!/bin/sh
# The QEMU guest test's kernel, kept in a cache directory instead of installed on this machine:
# Debian's linux-image-cloud-amd64 package, downloaded with apt-get and unpacked with dpkg-deb.
#
#   guest-kernel.sh fetch    downloads and unpacks it (once; .ci/run does this)
#   guest-kernel.sh find     prints the kernel image's path (cache first, then /boot)
#   guest-kernel.sh modules  prints the matching /lib/modules/<version> directory
#
# The cache is $IXY_GUEST_KERNEL_DIR, default .cache/guest-kernel in the source tree.
GUEST_KERNEL_PACKAGE=linux-image-cloud-amd64
guest_kernel_dir() {
	echo "${IXY_GUEST_KERNEL_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/.cache/guest-kernel}"
}

# The newest kernel image in the cache, else in /boot; nothing if there is none.
guest_kernel_find() {
	for d in "$(guest_kernel_dir)/boot" /boot; do
		k=$(ls "$d"/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
		[ -n "$k" ] && echo "$k" && return 0
	done
	return 0
}

guest_kernel_modules() {
	k=$(guest_kernel_find)
	[ -n "$k" ] || return 1
	v=${k##*/vmlinuz-}
	for d in "${k%/boot/*}/lib/modules/$v" "/lib/modules/$v"; do
		[ -d "$d" ] && echo "$d" && return 0
	done
	return 1
}

guest_kernel_fetch() {
	dir=$(guest_kernel_dir)
	if ls "$dir"/boot/vmlinuz-*-cloud-amd64 >/dev/null 2>&1; then
		echo "guest kernel: $(guest_kernel_find) (cached)"
		return 0
	fi
	# The meta package names the current kernel package; download that one.
	pkg=$(apt-cache depends "$GUEST_KERNEL_PACKAGE" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		echo "guest-kernel.sh: apt-cache does not know $GUEST_KERNEL_PACKAGE: run apt-get update" >&2
		return 1
	fi
	tmp=$(mktemp -d) || return 1
	chown _apt "$tmp" 2>/dev/null # apt downloads as its own user where it can
	if ! (cd "$tmp" && apt-get download -q "$pkg"); then
		echo "guest-kernel.sh: apt-get download $pkg failed" >&2
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$dir" && dpkg-deb -x "$tmp"/*.deb "$dir"
	rc=$?
	rm -rf "$tmp"
	[ $rc -eq 0 ] || { echo "guest-kernel.sh: cannot unpack $pkg into $dir" >&2; return 1; }
	echo "guest kernel: $(guest_kernel_find) (unpacked from $pkg, not installed)"
}

case "${1:-}" in
fetch) guest_kernel_fetch ;;
find) k=$(guest_kernel_find) && [ -n "$k" ] && echo "$k" ;;
modules) guest_kernel_modules ;;
*) echo "usage: $0 fetch|find|modules" >&2; exit 2 ;;
esac
