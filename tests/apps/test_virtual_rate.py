#!/usr/bin/env python3
"""A virtual port paces its wire: the tx-pcap timestamps are the model's own frame start times,
so N frames of 1514 bytes span at least (N-1) x 1230.4 ns at the default 10 Gbit/s (preamble,
FCS and inter-frame gap counted) and ten times that with rate=1000; rate=unlimited is accepted;
a bad rate is refused; the apps mark virtual ports in their statistics lines. (Lower bounds from
the model's frame times only: nothing here depends on how fast the machine is.)"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = pcaplib.tmpdir("ixy-rate-")


def span_us(path):
    recs = pcaplib.parse(path)[1]
    ts = [sec * 1000000 + frac for sec, frac, _, _ in recs]
    assert ts == sorted(ts), "timestamps go backwards"
    return len(recs), ts[-1] - ts[0]


for rate, opt, n in [(10000, "", 5000), (1000, ",rate=1000", 1000)]:
    out = os.path.join(tmp, f"out{rate}.pcap")
    res = pcaplib.run(bindir, "ixy-pktgen", f"sim:0,null{opt},tx-pcap={out}", "--size", 1514, "--count", n)
    assert res.returncode == 0, res.stderr
    count, span = span_us(out)
    frame_us = 1538 * 8 / rate  # 1514 bytes + FCS + preamble/SFD + gap
    least = (n - 1) * frame_us - 1  # timestamps are whole microseconds
    print(f"rate {rate}: {count} frames over {span} us (at least {least:.1f})")
    assert count == n and span >= least, f"{count} frames over {span} us: faster than {rate} Mbit/s"

res = pcaplib.run(bindir, "ixy-pktgen", "sim:0,null,rate=unlimited", "--count", 1000)
assert res.returncode == 0 and pcaplib.total(res.stdout, "sim:0,null,rate=unlimited")["tx_packets"] == 1000

for bad in ["rate=0", "rate=10001", "rate=fast", "rate="]:
    res = pcaplib.run(bindir, "ixy-pktgen", f"sim:0,{bad}", "--count", 1)
    assert res.returncode == 1 and "rate is 'unlimited' or Mbit/s from 1 to 10000" in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, "the error is printed more than once"

res = pcaplib.run(bindir, "ixy-pktgen", "sim:0", "--seconds", 2)
assert res.returncode == 0, res.stderr
lines = re.findall(r"^\[sim:0\] RX: .* Mbit/s \(virtual\)$", res.stdout, re.M)
assert lines, f"no statistics line marked (virtual): {res.stdout}"
print("virtual rate: ok")
