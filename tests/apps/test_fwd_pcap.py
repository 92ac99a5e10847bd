#!/usr/bin/env python3
"""ixy-fwd between two virtual 82599 ports: frames fed from a pcap on port 0 come out of
port 1 into a pcap, identical and in the same order; the app's counters agree."""
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="ixy-fwd-")
rng = random.Random(1)
frames = []
for i in range(3000):
    size = rng.choice([60, 64, 128, 512, 1000, 1514, rng.randint(60, 1514)])
    dst = bytes([0x02, 0, 0, 0, 0, 0x01]) if i % 3 else b"\xff" * 6
    body = bytes(rng.getrandbits(8) for _ in range(size - 12))
    frames.append(dst + bytes([0x02, 0, 0, 0, 0, 0x99]) + body[:2] + i.to_bytes(4, "big") + body[6:])
    assert len(frames[-1]) == size
inp, out = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
pcaplib.write(inp, frames)

mode = sys.argv[2:]  # [] (adaptive, the default) or ["--poll"]
cmd = [os.path.join(bindir, "ixy-fwd"), f"sim:0,rx-pcap={inp}", f"sim:1,null,tx-pcap={out}", "--seconds", "3"] + mode
res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
print(res.stdout)
print(res.stderr, file=sys.stderr)
assert res.returncode == 0, f"ixy-fwd exited {res.returncode}"
got = pcaplib.frames_of(out)
assert len(got) == len(frames), f"{len(got)} frames forwarded, {len(frames)} sent"
for i, (a, b) in enumerate(zip(frames, got)):
    assert a == b, f"frame {i} differs ({len(a)} vs {len(b)} bytes)"

totals = dict(re.findall(r"^total (\S+) (.*)$", res.stdout, re.M))
p0 = dict(kv.split("=") for kv in totals[f"sim:0,rx-pcap={inp}"].split())
p1 = dict(kv.split("=") for kv in totals[f"sim:1,null,tx-pcap={out}"].split())
assert int(p0["rx_packets"]) == len(frames), p0
assert int(p0["rx_bytes"]) == sum(map(len, frames)), p0
assert int(p1["tx_packets"]) == len(frames), p1
assert int(p1["tx_bytes"]) == sum(map(len, frames)), p1
assert int(p0["rx_dropped"]) == 0 and int(p1["rx_packets"]) == 0
print(f"fwd pcap {mode}: ok, {len(frames)} frames identical, counters match")
