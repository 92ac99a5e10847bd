#!/usr/bin/env python3
"""ixy-pktgen --pcap refuses a truncated or corrupt file before anything is sent: exit 1, an
error naming the file and the problem, and the port is never opened (its tx-pcap file is never
created, no statistics line). A virtual port's rx-pcap= refuses the same files with the same
messages (one pcap reader), so ixy-pcap on it fails at once and receives nothing."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = pcaplib.tmpdir("ixy-pktgen-bad-")
frames = pcaplib.make_frames(20, seed=5)
good = os.path.join(tmp, "good.pcap")
pcaplib.write(good, frames)
data = open(good, "rb").read()
hdr = data[:24]


def rec(frame, caplen=None, origlen=None):
    caplen = len(frame) if caplen is None else caplen
    origlen = caplen if origlen is None else origlen
    return struct.pack("<IIII", 0, 0, caplen, origlen) + frame


cases = {
    "cut-mid-record": (data[:24 + 5 * 16 + sum(map(len, frames[:5])) + 16 + 10], "cut short"),
    "cut-mid-header": (data[:24 + 16 + len(frames[0]) + 7], "cut short"),
    "bad-magic": (b"\x00\x11\x22\x33" + data[4:], "bad magic"),
    "empty": (b"", "empty"),
    "short-header": (data[:10], "too short"),
    "no-records": (hdr, "no frames"),
    "linktype-105": (hdr[:20] + struct.pack("<I", 105) + data[24:], "link type 105"),
    "version-1": (hdr[:4] + struct.pack("<H", 1) + hdr[6:] + data[24:], "version"),
    "caplen-gt-origlen": (hdr + rec(frames[0]) + rec(frames[1], origlen=len(frames[1]) - 1), "larger than"),
    "jumbo": (hdr + rec(frames[0]) + rec(bytes(1515)), "1515 bytes"),
    "frame-13-bytes": (hdr + rec(frames[0]) + rec(bytes(13)), "13 bytes"),
    "frame-0-bytes": (hdr + rec(b""), "0 bytes"),
    "pcapng": (bytes.fromhex("0a0d0d0a") + data[4:], "pcapng"),
}
for name, (content, phrase) in cases.items():
    inp, sent = os.path.join(tmp, f"{name}.pcap"), os.path.join(tmp, f"{name}.sent.pcap")
    with open(inp, "wb") as f:
        f.write(content)
    dev = f"sim:0,null,tx-pcap={sent}"
    res = pcaplib.run(bindir, "ixy-pktgen", dev, "--pcap", inp, "--count", "100")
    assert res.returncode == 1, f"{name}: exit {res.returncode}, expected 1"
    assert inp in res.stderr and phrase in res.stderr, f"{name}: unclear error: {res.stderr!r}"
    assert res.stderr.count("\n") == 1, f"{name}: expected one error line: {res.stderr!r}"
    assert not os.path.exists(sent), f"{name}: the port was opened (tx-pcap file exists)"
    assert "total" not in res.stdout, f"{name}: something ran: {res.stdout!r}"
    print(f"{name}: refused: {res.stderr.strip()}")
    # The same file as a virtual port's wire input.
    out = os.path.join(tmp, f"{name}.out.pcap")
    res = pcaplib.run(bindir, "ixy-pcap", f"sim:0,rx-pcap={inp}", out, "--count", "100")
    assert res.returncode == 1, f"rx-pcap {name}: exit {res.returncode}, expected 1"
    assert inp in res.stderr and phrase in res.stderr, f"rx-pcap {name}: unclear error: {res.stderr!r}"
    assert res.stderr.count("\n") == 1, f"rx-pcap {name}: expected one error line: {res.stderr!r}"
    assert "total" not in res.stdout, f"rx-pcap {name}: something ran: {res.stdout!r}"

missing = os.path.join(tmp, "missing.pcap")
res = pcaplib.run(bindir, "ixy-pktgen", "sim:0,null", "--pcap", missing)
assert res.returncode == 1 and missing in res.stderr and "No such file" in res.stderr, res.stderr

# The good file is accepted (the cases above fail for the reason given, not for any file).
sent = os.path.join(tmp, "good.sent.pcap")
res = pcaplib.run(bindir, "ixy-pktgen", f"sim:0,null,tx-pcap={sent}", "--pcap", good, "--count", "40")
assert res.returncode == 0 and len(pcaplib.frames_of(sent)) == 40
print("bad pcap: ok")
