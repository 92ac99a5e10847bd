#!/usr/bin/env python3
"""An idle ixy-pcap sleeps instead of spinning (adaptive mode, the default): while no frame comes,
its CPU time (utime + stime from /proc/PID/stat, all threads including the model's) stays far
below the wall time, and so does the time its main thread spends on a CPU or waiting for one
(/proc/PID/schedstat): a spinning loop is never off the run queue however busy the machine is, so
that second check does not depend on the load. A burst that arrives later (rx-pcap-delay) is
still captured completely and in order. The bounds are generous (30 % of the wall time): this
checks the behaviour, it is not a benchmark."""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="ixy-idle-")
frames = [b"\xff" * 6 + bytes([2, 0, 0, 0, 0, 9, 0x88, 0xB5]) + i.to_bytes(4, "big") + bytes(i % 200 + 42)
          for i in range(300)]
inp, out = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
pcaplib.write(inp, frames)
tick = os.sysconf("SC_CLK_TCK")


def runnable_seconds(pid):
    """On a CPU plus waiting on a run queue, for the main thread; None without schedstats."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            on_cpu, waiting, _ = map(int, f.read().split())
    except FileNotFoundError:
        return None
    return (on_cpu + waiting) / 1e9


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick  # utime, stime


cmd = [os.path.join(bindir, "ixy-pcap"), f"sim:0,rx-pcap={inp},rx-pcap-delay=4000", out, "--count",
       str(len(frames)), "--seconds", "60"]
proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
time.sleep(1.0)  # past the port's initialisation
c0, r0, w0 = cpu_seconds(proc.pid), runnable_seconds(proc.pid), time.monotonic()
time.sleep(2.0)  # idle: the frames start 4 s after the port
c1, r1, w1 = cpu_seconds(proc.pid), runnable_seconds(proc.pid), time.monotonic()
assert proc.poll() is None, "ixy-pcap ended before the burst"
share = (c1 - c0) / (w1 - w0)
print(f"idle ixy-pcap: {c1 - c0:.2f} s CPU in {w1 - w0:.2f} s wall ({100 * share:.1f} % of a core)")
runnable = None if r0 is None else (r1 - r0) / (w1 - w0)
if runnable is not None:
    print(f"idle ixy-pcap main thread: runnable {100 * runnable:.1f} % of the wall time")
stdout, stderr = proc.communicate(timeout=60)
print(stdout)
print(stderr, file=sys.stderr)
assert proc.returncode == 0, f"ixy-pcap exited {proc.returncode}"
assert share < 0.30, f"idle ixy-pcap used {100 * share:.1f} % of a core: it spins instead of waiting"
assert runnable is None or runnable < 0.30, f"main thread runnable {100 * runnable:.1f} % of the time: it spins"
got = pcaplib.frames_of(out)
assert got == frames, f"{len(got)} frames captured of {len(frames)}, or not identical"
print(f"pcap idle: ok, slept while idle, then captured all {len(frames)} frames of the later burst")
