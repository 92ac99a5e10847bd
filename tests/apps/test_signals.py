#!/usr/bin/env python3
"""SIGINT and SIGTERM stop ixy-pktgen and ixy-fwd cleanly: exit status 0, per-second lines
were printed, the final totals are there, and the model saw no driver error on the way out."""
import os
import re
import signal
import subprocess
import sys
import time

bindir = sys.argv[1]
runs = [
    ([os.path.join(bindir, "ixy-pktgen"), "sim:0"], signal.SIGINT, 1),
    ([os.path.join(bindir, "ixy-pktgen"), "sim:0", "--size", "1514"], signal.SIGTERM, 1),
    ([os.path.join(bindir, "ixy-fwd"), "sim:0,peer=1", "sim:1,peer=0"], signal.SIGINT, 2),
]
for cmd, sig, ports in runs:
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    p.send_signal(sig)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, f"{cmd} exited {p.returncode} after {sig.name}: {err}"
    assert "VIOLATION" not in err, err
    assert len(re.findall(r"^\[sim:\d.*\] RX: [\d.]+ Mpps, [\d.]+ Mbit/s \| TX: [\d.]+ Mpps", out, re.M)) >= ports, out
    totals = re.findall(r"^total sim:\d\S* rx_packets=\d+ rx_bytes=\d+ tx_packets=(\d+)", out, re.M)
    assert len(totals) == ports, out
    if cmd[0].endswith("ixy-pktgen"):
        assert int(totals[0]) > 0, "pktgen sent nothing"
    print(f"{os.path.basename(cmd[0])} {sig.name}: ok")
