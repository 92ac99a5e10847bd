#!/usr/bin/env python3
"""ixy-pcap and unwritable output: a path that cannot be created, a file that cannot be
written, a directory and /dev/full (ENOSPC) each fail with exit 1 and one error naming the
file and the reason, BEFORE the port is opened (its tx-pcap marker file is never created).
A disk that fills up mid-capture (a 64 KiB tmpfs; needs root) ends with exit 1, "No space left
on device", and a file that parses completely: the header and whole records only, the first
frames that arrived, byte for byte."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = sys.argv[1]
tmp = pcaplib.tmpdir("ixy-pcap-err-")
frames = pcaplib.make_frames(1000, seed=6, sizes=[1514, 1000, 60, 1514, 777])
inp = os.path.join(tmp, "in.pcap")
pcaplib.write(inp, frames)

cases = [
    ("/nonexistent/dir/x.pcap", "No such file or directory"),
    ("/proc/version", None),
    ("/sys/ixy-test.pcap", None),
    (tmp, "Is a directory"),
    ("/dev/full", "No space left on device"),
]
for path, reason in cases:
    marker = os.path.join(tmp, "opened.pcap")
    res = pcaplib.run(bindir, "ixy-pcap", f"sim:0,rx-pcap={inp},tx-pcap={marker}", path, "--count", "10")
    assert res.returncode == 1, f"{path}: exit {res.returncode}, expected 1"
    err = res.stderr.strip()
    assert err.startswith("ixy-pcap: cannot ") and path in err, f"{path}: unclear error {err!r}"
    assert ": " in err[len("ixy-pcap: "):], f"{path}: no reason in {err!r}"
    if reason:
        assert reason in err, f"{path}: {err!r} does not say {reason!r}"
    assert len(res.stderr.splitlines()) == 1, f"{path}: expected one error line"
    assert not os.path.exists(marker), f"{path}: the port was opened before the file was checked"
    assert res.stdout == "", f"{path}: {res.stdout!r}"
    print(f"{path}: ok: {err}")

# Disk full mid-capture.
with pcaplib.full_disk(tmp) as mnt:
    out = os.path.join(mnt, "cap.pcap")
    res = pcaplib.run(bindir, "ixy-pcap", f"sim:0,rx-pcap={inp}", out, "--count", len(frames))
    assert res.returncode == 1, f"full disk: exit {res.returncode}, expected 1"
    assert out in res.stderr and "No space left on device" in res.stderr, res.stderr
    hdr, recs = pcaplib.parse(out)  # raises on a partial record
    got = [r[3] for r in recs]
    size = os.path.getsize(out)
    assert 0 < len(got) < len(frames), f"{len(got)} frames kept"
    assert size == 24 + sum(16 + len(f) for f in got), "file does not end on a record boundary"
    assert got == frames[:len(got)], "kept frames are not the first frames that arrived"
    assert f"{len(got)} whole frames" in res.stderr, f"error does not say what was kept: {res.stderr}"
    print(f"full disk: ok, {len(got)} whole frames kept ({size} bytes)")
print("write errors: ok")
