#!/usr/bin/env python3
"""ixy-pcap on a virtual 82599 fed from a pcap: the captured file holds exactly the frames that
arrived, byte for byte and in order, as a standard pcap (v2.4, link type 1, microsecond magic,
caplen == origlen, timestamps in order); --count, --seconds, SIGINT and SIGTERM all end with a
complete, valid file; usage errors exit 2 with the usage on stderr."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = pcaplib.tmpdir("ixy-pcap-")
frames = pcaplib.make_frames(1000)
assert min(map(len, frames)) == 60 and max(map(len, frames)) == 1514
inp = os.path.join(tmp, "in.pcap")
pcaplib.write(inp, frames)
dev = f"sim:0,rx-pcap={inp}"


def check(out, res, label):
    assert res.returncode == 0, f"{label}: exit {res.returncode}"
    hdr, recs = pcaplib.parse(out)
    assert hdr["magic"] == pcaplib.MAGIC_US and hdr["linktype"] == 1, hdr
    got = [r[3] for r in recs]
    assert len(got) == len(frames), f"{label}: {len(got)} frames captured, {len(frames)} arrived"
    for i, (a, b) in enumerate(zip(frames, got)):
        assert a == b, f"{label}: frame {i} differs ({len(a)} vs {len(b)} bytes)"
    assert all(r[2] == len(r[3]) for r in recs), f"{label}: caplen != origlen"
    ts = [(r[0], r[1]) for r in recs]
    assert all(0 <= f < 1000000 for _, f in ts), f"{label}: microsecond field out of range"
    assert ts == sorted(ts), f"{label}: timestamps not in order"
    assert abs(ts[0][0] - time.time()) < 120, f"{label}: timestamp {ts[0]} is not the wall-clock time"
    t = pcaplib.total(res.stdout, dev)
    assert t["rx_packets"] == len(frames) and t["rx_bytes"] == sum(map(len, frames)), t
    assert f"{len(frames)} frames written to {out}" in res.stderr, res.stderr
    print(f"{label}: ok, {len(got)} frames identical")


out = os.path.join(tmp, "count.pcap")
check(out, pcaplib.run(bindir, "ixy-pcap", dev, out, "--count", len(frames)), "--count")

out = os.path.join(tmp, "seconds.pcap")
start = time.monotonic()
res = pcaplib.run(bindir, "ixy-pcap", dev, out, "--seconds", 2)
assert time.monotonic() - start >= 1.9, "--seconds 2 ended early"
check(out, res, "--seconds")
assert res.stdout.count(f"[{dev}] RX:") >= 1, "no per-second statistics line"

for sig in (signal.SIGINT, signal.SIGTERM):
    out = os.path.join(tmp, f"sig{int(sig)}.pcap")
    p = subprocess.Popen([os.path.join(bindir, "ixy-pcap"), dev, out], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    p.send_signal(sig)
    stdout, stderr = p.communicate(timeout=30)
    print(stdout, stderr, file=sys.stderr)
    check(out, subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr), sig.name)

# Usage errors: exit 2, usage on stderr, nothing created.
for args in ([], ["sim:0"], ["sim:0", "a.pcap", "b.pcap"], ["sim:0", "x.pcap", "--count", "0"],
             ["sim:0", "x.pcap", "--seconds", "abc"], ["sim:0", "x.pcap", "--bogus"]):
    res = pcaplib.run(bindir, "ixy-pcap", *args)
    assert res.returncode == 2 and "usage: ixy-pcap" in res.stderr, f"{args}: exit {res.returncode}"
    assert res.stdout == "", args
res = pcaplib.run(bindir, "ixy-pcap", "--help")
assert res.returncode == 0 and "usage: ixy-pcap" in res.stdout
print("capture: ok")
