#!/bin/sh
# The README's Quick start commands, run with stand-ins for apt-get, sudo, cmake and the rest:
# in a root shell without sudo they run directly; as a user with sudo, only apt-get, .ci/run and
# the two commands of the hugepage release go through sudo.
# usage: test_quickstart.sh <source-dir>   (run as root)
set -u
src=$1
fail=0
work=$(mktemp -d /tmp/ixy-quickstart-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# The Quick start section's code blocks, in order, as one script.
sed -n '/^## Quick start/,/^## [^Q]/p' "$src/README.md" | awk '/^```/{inside=!inside; next} inside' >"$work/quickstart.sh"
grep -q "apt-get install" "$work/quickstart.sh" || { echo "FAIL: no Quick start commands found"; exit 1; }

mkdir -p "$work/bin" "$work/cwd/build" "$work/cwd/.ci"
ln -s "$(command -v id)" "$work/bin/id"
stub() { # PATH-NAME: appends "NAME uid=UID ARGS" to the log
	cat >"$1" <<STUB
#!/bin/sh
echo "${1##*/} uid=\$(id -u) \$*" >>"$work/log"
STUB
	chmod 755 "$1"
}
for c in apt-get cmake tee umount; do stub "$work/bin/$c"; done
stub "$work/cwd/build/ixy-pktgen"
stub "$work/cwd/.ci/run"
cat >"$work/sudo" <<STUB
#!/bin/sh
echo "sudo" >>"$work/log"
exec "\$@"
STUB
chmod 755 "$work/sudo"

run() { # label, command prefix; runs the Quick start with PATH = the stand-ins only
	: >"$work/log"
	chmod 666 "$work/log"
	(cd "$work/cwd" && $2 env PATH="$work/bin" /bin/sh -e "$work/quickstart.sh") >"$work/out" 2>&1 ||
		{ echo "FAIL: $1: the Quick start failed: $(cat "$work/out")"; fail=1; }
}
expect_log() { # label, expected log
	got=$(cat "$work/log")
	[ "$got" = "$2" ] || { printf 'FAIL: %s: commands run:\n%s\nexpected:\n%s\n' "$1" "$got" "$2"; fail=1; }
}

# Root shell, no sudo anywhere in PATH.
run "root without sudo" ""
expect_log "root without sudo" "apt-get uid=0 install -y build-essential cmake
cmake uid=0 -B build
cmake uid=0 --build build -j
ixy-pktgen uid=0 sim:0 --seconds 3
run uid=0 
tee uid=0 /proc/sys/vm/nr_hugepages
umount uid=0 /mnt/huge"

# A user with sudo (here the stand-in, which runs the command as the same user).
cp "$work/sudo" "$work/bin/sudo"
u=$(id -u nobody)
run "user with sudo" "setpriv --reuid=$u --regid=$(id -g nobody) --clear-groups"
expect_log "user with sudo" "sudo
apt-get uid=$u install -y build-essential cmake
cmake uid=$u -B build
cmake uid=$u --build build -j
ixy-pktgen uid=$u sim:0 --seconds 3
sudo
run uid=$u 
sudo
tee uid=$u /proc/sys/vm/nr_hugepages
sudo
umount uid=$u /mnt/huge"

[ $fail -eq 0 ] && echo "quick start: ok (root without sudo, user with sudo)"
exit $fail
