#!/usr/bin/env python3
"""ixy-pktgen --threads 4 on a virtual 82599: 4 workers on 4 TX queues send exactly --count
frames between them; per-thread, per-queue and total counts agree with the wire."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

THREADS, COUNT, SIZE = 4, 10001, 100
bindir = sys.argv[1]
out = os.path.join(pcaplib.tmpdir("ixy-pktgen-threads-"), "out.pcap")
dev = f"sim:0,null,tx-pcap={out}"
res = pcaplib.run(bindir, "ixy-pktgen", dev, "--count", COUNT, "--size", SIZE, "--threads", THREADS)
assert res.returncode == 0, f"ixy-pktgen exited {res.returncode}"
got = pcaplib.frames_of(out)
assert len(got) == COUNT and all(len(f) == SIZE for f in got), f"{len(got)} frames on the wire"
threads = [int(n) for n in re.findall(r"^thread \d+ cpu -?\d+ tx_packets=(\d+)$", res.stdout, re.M)]
assert threads == [COUNT // THREADS + (i < COUNT % THREADS) for i in range(THREADS)], threads
queues = {int(m[0]): dict(kv.split("=") for kv in m[1].split())
          for m in re.findall(r"^queue \S+ (\d+) (.*)$", res.stdout, re.M)}
for q in range(THREADS):
    assert int(queues[q]["tx_packets"]) == threads[q], (q, queues[q])
    assert int(queues[q]["tx_bytes"]) == threads[q] * SIZE, (q, queues[q])
total = pcaplib.total(res.stdout, dev)
assert total["tx_packets"] == COUNT, total
# Each worker numbers its own frames: per thread, sequence numbers 0..n-1 appear once.
seqs = sorted(int.from_bytes(f[42:46], "little") for f in got)
want = sorted(s for n in threads for s in range(n))
assert seqs == want, "sequence numbers lost or repeated"
print(f"pktgen threads: ok, {COUNT} frames from {THREADS} threads: {threads}")
