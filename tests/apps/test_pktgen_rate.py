#!/usr/bin/env python3
"""ixy-pktgen --rate on a virtual 82599: the rate on the wire, measured from the model's frame
times (the tx-pcap timestamps are the model's times, not the wall clock), is the asked rate
within 1 %, through the NIC's rate limiter (RTTBCNRC) and through software pacing (rates below
the limiter's 10 Mbit/s). The app can be descheduled on a loaded machine until its TX ring runs
empty: such gaps (over 20 frame times) are starvation, not the limiter, and are left out there;
software pacing makes up for stalls of up to 100 ms on an absolute schedule, so its rate is
the schedule's slope (a stall at the very end cannot be made up), and the whole run, counting a
longer stall as 100 ms, must not be faster. With --threads the rate is shared among the queues (each
queue's limiter gets its share; not timed here: busy workers on a loaded 2-core machine starve
each other)."""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
CATCH_UP_US = 100000  # APP_PACER_CATCH_UP_NS: what software pacing makes up after a stall
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
    m = re.search(r"^total .* tx_packets=(\d+)", res.stdout, re.M)
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
        if b - a > CATCH_UP_US:  # the app was off the CPU longer than pacing makes up for
            starved += 1
            busy += CATCH_UP_US
        else:
            busy += b - a
        frames += 1
    # Software pacing catches up after a stall (of up to 100 ms, README): its promise is the
    # average over the whole run.
    measured = frames * wire_bits / busy  # bit/us = Mbit/s
    if how == "paced in software":
        # Its schedule is absolute (frame i at the first frame's time + i gaps): a frame is
        # never early, and one the app sent on time lies on that line. A stall just before the
        # end leaves the run no time to catch up, so the whole-run average above may read low by
        # the stall; the rate is the schedule's slope, the least (t_i - t_0) / i over the second
        # half of the run (some frame there was on time), and the whole run must not be faster.
        assert measured <= rate * 1.01, f"{measured} Mbit/s over the run, faster than {rate}"
        slope = min((times[i] - times[0]) / i for i in range(count // 2, count))
        measured = wire_bits / slope
    print(f"--rate {rate} ({size}-byte frames): {measured:.3f} Mbit/s on the model's wire "
          f"({starved} starvation gaps left out)")
    assert starved < count // 100, f"{starved} gaps: the app could not keep its ring filled"
    assert abs(measured - rate) <= rate * 0.01, f"{measured} Mbit/s, asked for {rate}"

# --threads: each queue's limiter takes its share (below 10 Mbit/s a share is paced in software).
for rate, how in ((1000, "by the NIC's rate limiter on 2 queue(s)"), (15, "paced in software")):
    res = pcaplib.run(bindir, "ixy-pktgen", "sim:0,null", "--rate", rate, "--threads", 2, "--count", 400)
    assert res.returncode == 0 and how in res.stdout, res.stdout + res.stderr
    assert pcaplib.total(res.stdout, "sim:0,null")["tx_packets"] == 400, res.stdout
print("pktgen rates: ok")
