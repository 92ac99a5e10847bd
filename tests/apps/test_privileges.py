#!/usr/bin/env python3
"""--user nobody --sandbox on virtual 82599 ports: while frames flow, /proc/PID/status shows a
non-zero uid and gid, no capability, no_new_privs and seccomp filter mode; ixy-pktgen sends and
ixy-fwd forwards every frame of a pcap exactly, and both exit cleanly on their own and on SIGINT
(signal handling and statistics output pass the filter)."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
if os.geteuid() != 0:
    sys.exit("test_privileges needs root (it starts the apps as root and has them drop to nobody)")
tmp = tempfile.mkdtemp(prefix="ixy-priv-")
os.chmod(tmp, 0o755)


def status_of(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def check_dropped(pid, what):
    s = status_of(pid)
    uids, gids = s["Uid"].split(), s["Gid"].split()
    assert all(int(u) != 0 for u in uids), f"{what}: uid {uids}"
    assert all(int(g) != 0 for g in gids), f"{what}: gid {gids}"
    for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        assert int(s[cap], 16) == 0, f"{what}: {cap} {s[cap]}"
    assert s["NoNewPrivs"].strip() == "1", f"{what}: NoNewPrivs {s['NoNewPrivs']}"
    assert s["Seccomp"].strip() == "2", f"{what}: Seccomp {s['Seccomp']}"
    print(f"{what}: uid {uids[0]}, no capabilities, seccomp filter, while running")


def wait_for_line(p, pattern, timeout=20):
    end = time.time() + timeout
    lines = []
    while time.time() < end:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line)
        if re.search(pattern, line):
            return lines
    raise AssertionError(f"no line matching {pattern}: {''.join(lines)}")


# pktgen: frames flow (a non-zero TX rate line) while the status is read; then SIGINT.
p = subprocess.Popen([os.path.join(bindir, "ixy-pktgen"), "sim:0", "--user", "nobody", "--sandbox"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wait_for_line(p, r"TX: [1-9][\d.]* Mpps|TX: 0\.[0-9]*[1-9]")
check_dropped(p.pid, "ixy-pktgen")
p.send_signal(signal.SIGINT)
out, err = p.communicate(timeout=30)
assert p.returncode == 0, f"ixy-pktgen exited {p.returncode}: {err}"
assert re.search(r"^total sim:0 .*tx_packets=[1-9]", out, re.M), out

# fwd: every frame of a pcap forwarded, exactly, under the same restrictions.
frames = [bytes([0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x99, 0x88, 0xB5]) + i.to_bytes(4, "big") + bytes(46)
          for i in range(20000)]
inp, out_pcap = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
pcaplib.write(inp, frames)
cmd = [os.path.join(bindir, "ixy-fwd"), f"sim:0,rx-pcap={inp}", f"sim:1,null,tx-pcap={out_pcap}",
       "--seconds", "4", "--user", "nobody", "--sandbox"]
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wait_for_line(p, r"^\[sim:")
check_dropped(p.pid, "ixy-fwd")
out, err = p.communicate(timeout=60)
assert p.returncode == 0, f"ixy-fwd exited {p.returncode}: {err}"
got = pcaplib.frames_of(out_pcap)
assert got == frames, f"{len(got)} of {len(frames)} frames forwarded identically"
assert re.search(rf"^total sim:1,null,tx-pcap=\S+ .*tx_packets={len(frames)} tx_bytes={64 * len(frames)}", out,
                 re.M), out
print(f"ixy-fwd: {len(frames)} frames forwarded exactly under --user nobody --sandbox")

# stdout a character device (stdio then asks isatty() on its first output): still allowed.
r = subprocess.run([os.path.join(bindir, "ixy-pktgen"), "sim:0", "--seconds", "1", "--user", "nobody", "--sandbox"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=30)
assert r.returncode == 0, f"ixy-pktgen > /dev/null exited {r.returncode}: {r.stderr}"

# Refusals: root as the target, an unknown user.
for user, text in (("root", "it is root"), ("no-such-user-xyz", "no user 'no-such-user-xyz'")):
    r = subprocess.run([os.path.join(bindir, "ixy-pktgen"), "sim:0", "--count", "1", "--user", user],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and text in r.stderr, r.stderr
print("privileges: ok")
