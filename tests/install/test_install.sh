#!/bin/sh
# Installs the build into a temporary prefix and builds examples/count.c against it twice:
# with pkg-config and with CMake's find_package(ixy), then runs both on a virtual 82599.
# usage: test_install.sh <build-dir> <source-dir>
set -eu
build=$1
src=$2
prefix=$(mktemp -d /tmp/ixy-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -f "$prefix/include/ixy/ixy.h"
test -f "$prefix/lib/libixy.a" || test -f "$prefix/lib64/libixy.a" || test -n "$(find "$prefix" -name libixy.a)"
pcdir=$(dirname "$(find "$prefix" -name libixy.pc)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs libixy)
cc -std=c11 -Wall -Werror "$src/examples/count.c" $flags -o "$prefix/count-pkgconfig"
cmake -S "$src/examples" -B "$prefix/example-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/example-build" >/dev/null
test -x "$prefix/example-build/count"
# The installed program refuses a bad address with the library's message, once.
if "$prefix/count-pkgconfig" 0000:zz:00.0 2>"$prefix/err"; then exit 1; fi
[ "$(grep -c "not a PCI address" "$prefix/err")" = 1 ]
# Both builds of the example run against the installed virtual 82599: they count the 1000
# frames of a pcap file (made by the build's ixy-pktgen) arriving on sim:0.
"$build/ixy-pktgen" sim:0,null,tx-pcap="$prefix/in.pcap" --count 1000 >/dev/null
for count in "$prefix/count-pkgconfig" "$prefix/example-build/count"; do
	out=$("$count" "sim:0,rx-pcap=$prefix/in.pcap" 1)
	[ "$out" = "1000 packets" ] || { echo "FAIL: $count on sim:0 printed '$out'"; exit 1; }
done
test -f "$prefix/include/ixy/sim.h"
echo "install: ok (pkg-config and find_package; examples/count on a virtual 82599)"
