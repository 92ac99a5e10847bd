#!/usr/bin/env python3
"""ixy-pktgen --pcap sends the frames of a pcap file in a loop, in order and byte for byte:
with --count 2500 the wire (the sim port's tx-pcap) holds exactly 2500 frames = the input
repeated. Little- and big-endian files and the nanosecond magic are read; a frame shorter than
60 bytes is handed to the NIC as is (the wire carries it padded to 60 with zeros); --size with
--pcap is a usage error."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = pcaplib.tmpdir("ixy-pktgen-replay-")


def wire(frame):
    return frame + bytes(max(0, 60 - len(frame)))


def replay(frames, count, label, **fmt):
    inp, sent = os.path.join(tmp, f"{label}.in.pcap"), os.path.join(tmp, f"{label}.sent.pcap")
    pcaplib.write(inp, frames, **fmt)
    dev = f"sim:0,null,tx-pcap={sent}"
    res = pcaplib.run(bindir, "ixy-pktgen", dev, "--pcap", inp, "--count", count)
    assert res.returncode == 0, f"{label}: ixy-pktgen exit {res.returncode}"
    got = pcaplib.frames_of(sent)
    assert len(got) == count, f"{label}: {len(got)} frames on the wire, asked for {count}"
    for i, g in enumerate(got):
        want = wire(frames[i % len(frames)])
        assert g == want, f"{label}: wire frame {i} is not input frame {i % len(frames)} ({len(g)} vs {len(want)} bytes)"
    t = pcaplib.total(res.stdout, dev)
    assert t["tx_packets"] == count, t
    assert t["tx_bytes"] == sum(len(wire(frames[i % len(frames)])) for i in range(count)), t
    print(f"{label}: ok, {count} frames = {len(frames)} input frames looped")


frames = pcaplib.make_frames(333, seed=3)
replay(frames, 2500, "le-us")
replay(frames[:100], 1000, "be-us", endian=">")
replay(frames[:7], 777, "le-ns", nano=True)
replay(frames[:50], 120, "be-ns", endian=">", nano=True)
replay([frames[0]], 5, "single")
short = pcaplib.make_frames(6, seed=4, sizes=[14, 42, 59, 60, 1514, 100])
replay(short, 600, "short")

# --size and --pcap exclude each other: usage error, nothing sent.
inp = os.path.join(tmp, "le-us.in.pcap")
sent = os.path.join(tmp, "conflict.pcap")
res = pcaplib.run(bindir, "ixy-pktgen", f"sim:0,null,tx-pcap={sent}", "--pcap", inp, "--size", "60",
                  "--count", "10")
assert res.returncode == 2 and "usage: ixy-pktgen" in res.stderr and "--size" in res.stderr, res.returncode
assert not os.path.exists(sent), "device opened despite the usage error"
print("replay: ok")
