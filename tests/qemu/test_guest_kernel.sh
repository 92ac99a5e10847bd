#!/bin/sh
# guest-kernel.sh gets the guest kernel without installing it: apt-get download (a stand-in that
# hands out a small .deb built here) and dpkg-deb -x into the cache; find and modules locate it;
# a second fetch uses the cache. Neither .ci/run nor the QEMU test's package list installs a
# linux-image package on the host.
# usage: test_guest_kernel.sh <source-dir>
set -u
src=$1
fail=0
work=$(mktemp -d /tmp/ixy-guest-kernel-XXXXXX)
trap 'rm -rf "$work"' EXIT
check() { # message, command...
	msg=$1
	shift
	"$@" || { echo "FAIL: $msg"; fail=1; }
}

v=99.0.0-1-cloud-amd64
mkdir -p "$work/pkg/DEBIAN" "$work/pkg/boot" "$work/pkg/lib/modules/$v/kernel" "$work/bin"
printf 'Package: linux-image-%s\nVersion: 1\nArchitecture: amd64\nMaintainer: test <t@example.org>\nDescription: test kernel\n' "$v" >"$work/pkg/DEBIAN/control"
echo "kernel image" >"$work/pkg/boot/vmlinuz-$v"
dpkg-deb -b "$work/pkg" "$work/kernel.deb" >/dev/null || { echo "FAIL: dpkg-deb -b"; exit 1; }

cat >"$work/bin/apt-cache" <<STUB
#!/bin/sh
echo "apt-cache \$*" >>"$work/log"
printf 'linux-image-cloud-amd64\n  Depends: linux-image-$v\n'
STUB
cat >"$work/bin/apt-get" <<STUB
#!/bin/sh
echo "apt-get \$*" >>"$work/log"
[ "\$1" = download ] && cp "$work/kernel.deb" "./\$3_1_amd64.deb"
STUB
chmod 755 "$work/bin/apt-cache" "$work/bin/apt-get"

export IXY_GUEST_KERNEL_DIR="$work/cache"
export PATH="$work/bin:$PATH"
gk=$src/tests/qemu/guest-kernel.sh
check "fetch failed" "$gk" fetch
check "apt-get was not asked to download linux-image-$v" grep -qx "apt-get download -q linux-image-$v" "$work/log"
check "the kernel is not in the cache" test "$(cat "$work/cache/boot/vmlinuz-$v")" = "kernel image"
check "find: got '$("$gk" find)'" test "$("$gk" find)" = "$work/cache/boot/vmlinuz-$v"
check "modules: got '$("$gk" modules)'" test "$("$gk" modules)" = "$work/cache/lib/modules/$v"
: >"$work/log"
check "second fetch does not use the cache" sh -c "'$gk' fetch | grep -q cached"
check "second fetch downloaded again" test ! -s "$work/log"

# Nothing installs a kernel on the host.
check "tests/qemu/ci-packages.txt lists a linux-image package" sh -c "! grep -q linux-image '$src/tests/qemu/ci-packages.txt'"
check ".ci/run installs a linux-image package" sh -c "! grep -q 'install.*linux-image' '$src/.ci/run'"

[ $fail -eq 0 ] && echo "guest kernel: ok (downloaded, unpacked into the cache, found, not installed)"
exit $fail
