#!/usr/bin/env python3
"""Virtual ports and pcap files:
- a file that is both an input and an output of one program (by the same name, another path to
  it, or a hard link) is refused with exit 1 and a message naming both, and keeps its bytes: the
  ixy-pcap output that is its port's rx-pcap, rx-pcap and tx-pcap of one port, ixy-pktgen --pcap
  into its own tx-pcap, and two ports of ixy-fwd in either order;
- tx-pcap on /dev/full is refused at open, and a tx-pcap that fills the disk (a 64 KiB tmpfs;
  needs root) ends with exit 1, "No space left on device", and a file that holds only whole
  records: the first frames sent;
- rx-pcap frames of 14 to 59 bytes arrive padded with zeros to 60 bytes (as the sending MAC
  pads them), none is skipped;
- rx-capture records the frames the port receives, tx-pcap those it sends; with pcap-ns both in
  nanoseconds, on a looped cable with a delay each frame arrives exactly that delay after it left;
  rx-capture into the port's own tx-pcap file is refused."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = pcaplib.tmpdir("ixy-sim-pcap-")
inp = os.path.join(tmp, "in.pcap")
pcaplib.write(inp, pcaplib.make_frames(50, seed=9))
original = open(inp, "rb").read()
link = os.path.join(tmp, "link.pcap")
os.link(inp, link)
other_path = os.path.join(tmp, ".", "in.pcap")

cases = [
    ("ixy-pcap", f"sim:0,rx-pcap={inp}", inp, "--count", 10),
    ("ixy-pcap", f"sim:0,rx-pcap={inp}", other_path, "--count", 10),
    ("ixy-pcap", f"sim:0,rx-pcap={link}", inp, "--count", 10),
    ("ixy-pktgen", f"sim:0,rx-pcap={inp},tx-pcap={link}", "--count", 10),
    ("ixy-pktgen", f"sim:0,null,tx-pcap={inp}", "--pcap", link, "--count", 10),
    ("ixy-fwd", f"sim:0,null,tx-pcap={inp}", f"sim:1,rx-pcap={link}", "--seconds", 1),
    ("ixy-fwd", f"sim:0,rx-pcap={inp}", f"sim:1,null,tx-pcap={other_path}", "--seconds", 1),
]
for app, *args in cases:
    res = pcaplib.run(bindir, app, *args)
    assert res.returncode == 1, f"{app} {args}: exit {res.returncode}"
    assert "is the same file as the" in res.stderr and "choose another" in res.stderr, res.stderr
    assert "total" not in res.stdout or app == "ixy-fwd", res.stdout
    assert open(inp, "rb").read() == original, f"{app} {args}: the input file was changed"
    print(f"ok: refused: {res.stderr.strip().splitlines()[-1]}")

# Writes that fail.
res = pcaplib.run(bindir, "ixy-pktgen", "sim:0,null,tx-pcap=/dev/full", "--count", 10)
assert res.returncode == 1 and "/dev/full" in res.stderr and "No space left on device" in res.stderr, res.stderr
assert res.stderr.count("No space left") == 1, "the error is printed more than once"
with pcaplib.full_disk(tmp) as mnt:
    out = os.path.join(mnt, "sent.pcap")
    res = pcaplib.run(bindir, "ixy-pktgen", f"sim:0,null,tx-pcap={out}", "--size", 1514, "--count", 1000)
    assert res.returncode == 1, f"full disk: exit {res.returncode}, expected 1"
    assert out in res.stderr and "No space left on device" in res.stderr, res.stderr
    assert "whole frames" in res.stderr, f"the error does not say what was kept: {res.stderr}"
    hdr, recs = pcaplib.parse(out)  # raises on a partial record
    size = os.path.getsize(out)
    assert 0 < len(recs) < 1000 and size == 24 + sum(16 + len(r[3]) for r in recs), (len(recs), size)
    seqs = [int.from_bytes(r[3][42:46], "little") for r in recs]
    assert seqs == list(range(len(recs))), "the kept frames are not the first frames sent"
    print(f"ok: full disk: exit 1, {len(recs)} whole frames kept ({size} bytes)")

# Short frames on the wire.
short = [bytes([0xFF] * 6 + [2, 0, 0, 0, 0, 1, 0x88, 0xB5]) + bytes([i + 1] * (n - 14))
         for i, n in enumerate([14, 20, 59, 60, 61])]
sin, sout = os.path.join(tmp, "short.pcap"), os.path.join(tmp, "short.out.pcap")
pcaplib.write(sin, short)
res = pcaplib.run(bindir, "ixy-pcap", f"sim:0,rx-pcap={sin}", sout, "--count", len(short))
assert res.returncode == 0, res.stderr
got = pcaplib.frames_of(sout)
assert [len(f) for f in got] == [60, 60, 60, 60, 61], [len(f) for f in got]
for a, b in zip(short, got):
    assert b == a + bytes(len(b) - len(a)), "a short frame was not padded with zeros"

# rx-capture and pcap-ns on a loop with a 70 us cable.
txf, rxf = os.path.join(tmp, "loop.tx.pcap"), os.path.join(tmp, "loop.rx.pcap")
res = pcaplib.run(bindir, "ixy-pktgen", f"sim:0,loopback,delay=70,tx-pcap={txf},rx-capture={rxf},pcap-ns",
                  "--count", 200, "--size", 200)
assert res.returncode == 0, res.stderr
(htx, sent), (hrx, got) = pcaplib.parse(txf), pcaplib.parse(rxf)
assert htx["magic"] == hrx["magic"] == pcaplib.MAGIC_NS, "pcap-ns files are not nanosecond pcaps"
assert [r[3] for r in sent] == [r[3] for r in got] and len(sent) == 200, "rx-capture differs from tx-pcap"
gaps = {(g[0] * 10**9 + g[1]) - (s[0] * 10**9 + s[1]) for s, g in zip(sent, got)}
assert gaps == {70000}, f"arrival - departure: {sorted(gaps)[:5]} ns, not the cable's 70000"
res = pcaplib.run(bindir, "ixy-pktgen", f"sim:0,tx-pcap={txf},rx-capture={txf}", "--count", 1)
assert res.returncode == 1 and "rx-capture" in res.stderr and "same file" in res.stderr, res.stderr
print("ok: rx-capture: every frame 70000 ns after it left, in ns")
print("virtual port pcap files: ok")
