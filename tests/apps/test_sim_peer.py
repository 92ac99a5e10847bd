#!/usr/bin/env python3
"""A virtual port cabled to a peer that never appears (sim:0,peer=1 without sim:1) warns once,
naming the missing port and the fix; a cabled pair, loopback and null do not warn."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
res = pcaplib.run(bindir, "ixy-pktgen", "sim:0,peer=1", "--count", 100)
assert res.returncode == 0, res.stderr
warnings = [l for l in res.stderr.splitlines() if "warning" in l]
assert len(warnings) == 1, warnings
assert "sim:0: its peer sim:1 was never opened" in warnings[0] and "open sim:1,peer=0" in warnings[0], warnings

for args in (["ixy-fwd", "sim:0,peer=1", "sim:1,peer=0", "--seconds", 1],
             ["ixy-pktgen", "sim:3,loopback", "--count", 100],
             ["ixy-pktgen", "sim:3,null", "--count", 100]):
    res = pcaplib.run(bindir, *args)
    assert res.returncode == 0 and "warning" not in res.stderr, res.stderr
print("peer warning: ok")
