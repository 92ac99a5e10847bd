#!/usr/bin/env python3
"""A file captured by ixy-pcap opens in tshark without errors or warnings, with the same frame
count and lengths, microsecond timestamps and Ethernet encapsulation."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tshark = shutil.which("tshark") or ("/usr/bin/tshark" if os.path.exists("/usr/bin/tshark") else None)
if not tshark:
    sys.exit("tshark is not installed: apt-get install -y tshark (.ci/run does)")
tmp = pcaplib.tmpdir("ixy-pcap-tshark-")
frames = pcaplib.make_frames(500, seed=2)
inp, out = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
pcaplib.write(inp, frames)
res = pcaplib.run(bindir, "ixy-pcap", f"sim:0,rx-pcap={inp}", out, "--count", len(frames))
assert res.returncode == 0, f"ixy-pcap exit {res.returncode}"

ts = subprocess.run([tshark, "-n", "-r", out, "-T", "fields", "-e", "frame.number", "-e", "frame.len",
                     "-e", "frame.cap_len", "-e", "eth.src"], capture_output=True, text=True, timeout=60)
assert ts.returncode == 0, f"tshark -r exited {ts.returncode}: {ts.stderr}"
complaints = [l for l in ts.stderr.splitlines() if l.strip() and "could be dangerous" not in l]
assert not complaints, f"tshark complained: {ts.stderr}"
rows = [r.split("\t") for r in ts.stdout.splitlines()]
assert len(rows) == len(frames), f"tshark read {len(rows)} frames, {len(frames)} captured"
for i, (r, f) in enumerate(zip(rows, frames)):
    assert r[0] == str(i + 1) and r[1] == r[2] == str(len(f)), f"frame {i}: {r}"
    assert r[3] == "02:00:00:00:00:99", f"frame {i}: eth.src {r[3]}"

# capinfos-like view through tshark: file type, encapsulation and timestamp precision.
info = subprocess.run([tshark, "-r", out, "-c", "1", "-T", "fields", "-e", "frame.encap_type",
                       "-e", "frame.time_epoch"], capture_output=True, text=True, timeout=60)
assert info.returncode == 0, info.stderr
encap, epoch = info.stdout.strip().split("\t")
assert encap == "1", f"encapsulation {encap}, not Ethernet"
print(f"tshark: ok, {len(rows)} frames, first at {epoch}")
