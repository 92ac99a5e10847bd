#!/usr/bin/env python3
"""ixy-pktgen on a virtual 82599: exactly --count frames reach the wire, each a valid
Ethernet/IPv4/UDP frame of --size bytes with a correct IPv4 header checksum; tshark agrees."""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="ixy-pktgen-")


def checksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


for size, count in ((60, 5000), (1514, 777), (333, 100)):
    out = os.path.join(tmp, f"out{size}.pcap")
    dev = f"sim:0,null,tx-pcap={out}"
    cmd = [os.path.join(bindir, "ixy-pktgen"), dev, "--count", str(count), "--size", str(size), "--batch", "32"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    print(res.stdout)
    assert res.returncode == 0, f"ixy-pktgen exited {res.returncode}: {res.stderr}"
    frames = pcaplib.frames_of(out)
    assert len(frames) == count, f"{len(frames)} frames on the wire, asked for {count}"
    seqs = []
    for i, f in enumerate(frames):
        assert len(f) == size, f"frame {i}: {len(f)} bytes"
        assert f[12:14] == b"\x08\x00", "not IPv4"
        ip = f[14:34]
        assert ip[0] == 0x45 and ip[9] == 17, "not IPv4/UDP with a 20-byte header"
        assert struct.unpack("!H", ip[2:4])[0] == size - 14, "IPv4 total length"
        assert checksum(ip) == 0xFFFF, f"frame {i}: bad IPv4 header checksum"
        assert struct.unpack("!H", f[38:40])[0] == size - 34, "UDP length"
        seqs.append(struct.unpack("<I", f[42:46])[0])
    assert seqs == list(range(count)), "sequence numbers not 0..count-1 in order"
    m = re.search(r"tx_packets=(\d+) tx_bytes=(\d+)", res.stdout)
    assert m and int(m.group(1)) == count and int(m.group(2)) == count * size, res.stdout

    tshark = shutil.which("tshark")
    if not tshark:
        sys.exit("tshark is not installed: apt-get install tshark (.ci/run does)")
    ts = subprocess.run([tshark, "-r", out, "-o", "ip.check_checksum:TRUE", "-T", "fields",
                         "-e", "ip.checksum.status", "-e", "udp.dstport", "-e", "frame.len"],
                        capture_output=True, text=True, timeout=60)
    assert ts.returncode == 0, ts.stderr
    rows = [r.split("\t") for r in ts.stdout.splitlines()]
    assert len(rows) == count, f"tshark saw {len(rows)} frames"
    for r in rows:
        assert r[0] in ("1", "Good"), f"tshark: IPv4 checksum status {r[0]}"
        assert r[1] == "1337" and r[2] == str(size), r
    print(f"pktgen size {size}: ok, {count} valid frames (tshark agrees)")
