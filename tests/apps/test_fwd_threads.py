#!/usr/bin/env python3
"""ixy-fwd --threads 4 between two virtual 82599 ports: IPv4 and IPv6 TCP/UDP flows fed from a
pcap on port 0 are spread by RSS over 4 queues, one pinned worker each; every frame comes out of
port 1 exactly once, in order per flow; per-thread and per-queue counts agree with the wire."""
import os
import random
import re
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

THREADS = 4
bindir = sys.argv[1]
tmp = pcaplib.tmpdir("ixy-fwd-threads-")
rng = random.Random(7)


def frame(flow, seq, size):
    v6, proto, a, b = flow
    if v6:
        l3 = bytes([0x60, 0, 0, 0]) + (size - 54).to_bytes(2, "big") + bytes([proto, 64]) + a + b
        eth = b"\x86\xdd"
    else:
        l3 = bytes([0x45, 0]) + (size - 14).to_bytes(2, "big") + bytes([0, 0, 0x40, 0, 64, proto, 0, 0]) + a + b
        eth = b"\x08\x00"
    l4 = bytes([0x30, 0x39, 0x00, 0x50]) + seq.to_bytes(4, "big")
    f = b"\xff" * 6 + bytes([0x02, 0, 0, 0, 0, 0x99]) + eth + l3 + l4
    return f + bytes(size - len(f))


flows = []
for i in range(64):
    v6 = i % 2 == 1
    n = 16 if v6 else 4
    flows.append((v6, 6 if i % 3 else 17, bytes(rng.getrandbits(8) for _ in range(n)),
                  bytes(rng.getrandbits(8) for _ in range(n))))
frames, sent_seqs = [], defaultdict(list)
for k in range(4000):
    f = rng.randrange(len(flows))
    seq = len(sent_seqs[f])
    sent_seqs[f].append(seq)
    frames.append(frame(flows[f], (f << 16) | seq, rng.choice([80, 128, 512, 1514])))
inp, out = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
pcaplib.write(inp, frames)

p0, p1 = f"sim:0,rx-pcap={inp}", f"sim:1,null,tx-pcap={out}"
res = pcaplib.run(bindir, "ixy-fwd", p0, p1, "--seconds", 4, "--threads", THREADS)
assert res.returncode == 0, f"ixy-fwd exited {res.returncode}"
got = pcaplib.frames_of(out)
assert sorted(got) == sorted(frames), f"{len(got)} frames forwarded, {len(frames)} sent, or bytes differ"
seen = defaultdict(list)
for g in got:
    off = 54 + 4 if g[12] == 0x86 else 34 + 4
    tag = int.from_bytes(g[off:off + 4], "big")
    seen[tag >> 16].append(tag & 0xFFFF)
for f, seqs in seen.items():
    assert seqs == sent_seqs[f], f"flow {f} out of order or duplicated"

threads = re.findall(r"^thread (\d+) cpu (-?\d+) forwarded_0to1=(\d+) forwarded_1to0=(\d+)$", res.stdout, re.M)
assert len(threads) == THREADS, threads
assert sum(int(t[2]) for t in threads) == len(frames) and all(int(t[3]) == 0 for t in threads)
queues = {(m[0], int(m[1])): dict(kv.split("=") for kv in m[2].split())
          for m in re.findall(r"^queue (\S+) (\d+) (.*)$", res.stdout, re.M)}
for q in range(THREADS):
    fwd = int(threads[q][2])
    rx, tx = queues[(p0, q)], queues[(p1, q)]
    assert fwd > 0, f"queue {q} got nothing: RSS did not spread the flows"
    assert int(rx["rx_packets"]) == fwd and int(tx["tx_packets"]) == fwd, (q, rx, tx)
    assert int(rx["rx_bytes"]) == int(tx["tx_bytes"]) and int(rx["rx_dropped"]) == 0, (q, rx, tx)
assert sum(int(queues[(p1, q)]["tx_bytes"]) for q in range(THREADS)) == sum(map(len, frames))
t1 = pcaplib.total(res.stdout, p1)
assert t1["tx_packets"] == len(frames), t1
print(f"fwd threads: ok, {len(frames)} frames over {THREADS} threads: {[int(t[2]) for t in threads]}")
