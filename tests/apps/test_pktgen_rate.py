#!/usr/bin/env python3
"""ixy-pktgen --rate on a virtual 82599: the rate on the wire, measured from the model's frame
times (the tx-pcap timestamps are the model's times, not the wall clock), is the asked rate
within 1 %, through the NIC's rate limiter (RTTBCNRC) and through software pacing (rates below
the limiter's 10 Mbit/s). The app can be descheduled on a loaded machine until its TX ring runs
empty: such gaps (over 20 frame times) are starvation, not the limiter, and are left out there;
software pacing makes up for stalls, so its rate is taken over the whole run."""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="ixy-rate-")

# (Mbit/s on the wire, frame size, frames, how it must be done)
cases = ((100, 1514, 4000, "rate limiter"), (500, 1514, 15000, "rate limiter"),
         (2500, 60, 60000, "rate limiter"), (5, 60, 2000, "paced in software"))
for rate, size, count, how in cases:
    out = os.path.join(tmp, f"rate{rate}.pcap")
    cmd = [os.path.join(bindir, "ixy-pktgen"), f"sim:0,null,tx-pcap={out}", "--rate", str(rate),
           "--size", str(size), "--count", str(count)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=100)
    print(res.stdout)
    assert res.returncode == 0, f"ixy-pktgen exited {res.returncode}: {res.stderr}"
    assert how in res.stdout, f"expected '{how}' for {rate} Mbit/s: {res.stdout}"
    m = re.search(r"tx_packets=(\d+)", res.stdout)
    assert m and int(m.group(1)) == count, res.stdout
    recs = pcaplib.parse(out)[1]
    assert len(recs) == count, f"{len(recs)} frames on the wire"
    times = [sec * 1e6 + frac for sec, frac, _, _ in recs]
    wire_bits = (max(size, 60) + 24) * 8
    expected_gap = wire_bits / rate  # us
    busy, frames, starved = 0.0, 0, 0
    for a, b in zip(times, times[1:]):
        if how == "rate limiter" and b - a > 20 * expected_gap + 2:
            starved += 1
            continue
        busy += b - a
        frames += 1
    # Software pacing catches up after a stall: its promise is the average over the whole run.
    measured = frames * wire_bits / busy  # bit/us = Mbit/s
    print(f"--rate {rate} ({size}-byte frames): {measured:.3f} Mbit/s on the model's wire "
          f"({starved} starvation gaps left out)")
    assert starved < count // 100, f"{starved} gaps: the app could not keep its ring filled"
    assert abs(measured - rate) <= rate * 0.01, f"{measured} Mbit/s, asked for {rate}"
print("pktgen rates: ok")
