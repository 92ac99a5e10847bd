#!/usr/bin/env python3
"""The README's example commands that need no NIC (every `build/ixy-...` line on a `sim:` port),
run in the README's order in an empty directory: each exits 0, and the first pcap file they make
holds the 1000 frames the README promises, which the later examples then read."""
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcaplib  # noqa: E402

bindir = os.path.abspath(sys.argv[1])
readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")
text = open(readme).read()
blocks = re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M)
commands = [line.split("#")[0].strip() for b in blocks for line in b.splitlines()]
commands = [c for c in commands if c.startswith("build/ixy-") and "sim:" in c]
first = "build/ixy-pktgen sim:0,null,tx-pcap=in.pcap --count 1000"
assert first in commands, f"the README no longer makes a first pcap with {first!r}"
assert commands.index(first) == min(i for i, c in enumerate(commands) if "in.pcap" in c), \
    "the README uses in.pcap before it shows how to make it"

work = pcaplib.tmpdir("ixy-readme-")
for cmd in commands:
    if "--seconds" not in cmd and "--count" not in cmd:
        continue  # runs until Ctrl-C (the Quick start's own line is covered by test_quickstart)
    argv = shlex.split(cmd)
    argv[0] = os.path.join(bindir, os.path.basename(argv[0]))
    res = subprocess.run(argv, cwd=work, capture_output=True, text=True, timeout=60)
    print("$", cmd, "->", res.returncode)
    assert res.returncode == 0, f"{cmd!r} failed:\n{res.stdout}\n{res.stderr}"
    if cmd == first:
        frames = pcaplib.frames_of(os.path.join(work, "in.pcap"))
        assert len(frames) == 1000 and all(len(f) == 60 for f in frames), f"{len(frames)} frames"
print(f"README examples: ok ({len(commands)} commands)")
