"""Shared helpers for the ixy-pcap / ixy-pktgen --pcap tests: a strict classic-pcap reader and
writer (any byte order, us or ns magic), frame generators and a runner."""
import contextlib
import os
import random
import struct
import subprocess
import sys
import tempfile

MAGIC_US, MAGIC_NS = 0xA1B2C3D4, 0xA1B23C4D


def write(path, frames, endian="<", nano=False, linktype=1, snaplen=65535):
    magic = MAGIC_NS if nano else MAGIC_US
    with open(path, "wb") as f:
        f.write(struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        for i, frame in enumerate(frames):
            f.write(struct.pack(endian + "IIII", 1700000000 + i // 1000, i % 1000, len(frame), len(frame)))
            f.write(frame)


def parse(path):
    """Returns (header dict, list of (ts_sec, ts_frac, origlen, frame)); raises ValueError on
    anything malformed, including a file that does not end exactly on a record boundary."""
    data = open(path, "rb").read()
    if len(data) < 24:
        raise ValueError(f"{path}: {len(data)} bytes, no pcap header")
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (MAGIC_US, MAGIC_NS):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise ValueError(f"{path}: bad magic {magic:#x}")
    magic, major, minor, _, _, snaplen, linktype = struct.unpack(end + "IHHiIII", data[:24])
    hdr = dict(magic=magic, version=(major, minor), snaplen=snaplen, linktype=linktype)
    if (major, minor) != (2, 4) or linktype != 1:
        raise ValueError(f"{path}: header {hdr}")
    recs, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError(f"{path}: truncated record header at byte {off}")
        sec, frac, caplen, origlen = struct.unpack(end + "IIII", data[off:off + 16])
        if caplen > origlen or caplen > snaplen or off + 16 + caplen > len(data):
            raise ValueError(f"{path}: bad or truncated record at byte {off}")
        recs.append((sec, frac, origlen, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return hdr, recs


def frames_of(path):
    return [r[3] for r in parse(path)[1]]


def make_frames(n, seed=1, sizes=None):
    """n Ethernet frames of varied sizes (60..1514 unless sizes given), each unique (index inside)."""
    rng = random.Random(seed)
    frames = []
    for i in range(n):
        size = sizes[i % len(sizes)] if sizes else rng.choice([60, 61, 64, 128, 512, 1000, 1514,
                                                               rng.randint(60, 1514)])
        dst = [b"\xff" * 6, bytes([2, 0, 0, 0, 0, 0]), bytes([0x33, 0x33, 0, 0, 0, 1]),
               bytes([2, 0x11, 0x22, 0x33, 0x44, 0x55])][i % 4]
        head = dst + bytes([2, 0, 0, 0, 0, 0x99]) + b"\x88\xb5" + i.to_bytes(4, "big")
        body = rng.randbytes(max(0, size - len(head)))
        frames.append((head + body)[:size])
    return frames


def tmpdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def run(bindir, app, *args, timeout=60):
    cmd = [os.path.join(bindir, app), *map(str, args)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    print("$", " ".join(cmd), "->", res.returncode)
    if res.stdout:
        print(res.stdout.rstrip())
    if res.stderr:
        print(res.stderr.rstrip(), file=sys.stderr)
    return res


def total(stdout, dev):
    """The counters of the 'total <dev> ...' line as a dict of ints."""
    for line in stdout.splitlines():
        if line.startswith(f"total {dev} "):
            return {k: int(v) for k, v in (kv.split("=") for kv in line.split()[2:])}
    raise AssertionError(f"no total line for {dev} in:\n{stdout}")


@contextlib.contextmanager
def full_disk(tmp):
    """A 64 KiB tmpfs under tmp, mounted for the with-block (needs root: exits otherwise);
    yields its path."""
    if os.geteuid() != 0:
        sys.exit("the full-disk test mounts a small tmpfs: run it as root (CI does)")
    mnt = os.path.join(tmp, "small")
    os.mkdir(mnt)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", mnt], check=False)
