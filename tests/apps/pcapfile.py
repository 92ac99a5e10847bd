"""Reads and writes classic pcap files (Ethernet link type) for the app tests."""
import struct


def write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(frame), len(frame)))
            f.write(frame)


def read(path):
    """Returns the list of frames; raises ValueError on anything malformed."""
    data = open(path, "rb").read()
    if len(data) < 24:
        raise ValueError(f"{path}: {len(data)} bytes, no pcap header")
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise ValueError(f"{path}: bad magic {magic:#x}")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, not Ethernet")
    frames, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError(f"{path}: truncated record header at {off}")
        _, _, caplen, origlen = struct.unpack(end + "IIII", data[off:off + 16])
        if caplen > origlen or off + 16 + caplen > len(data):
            raise ValueError(f"{path}: bad or truncated record at {off}")
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames
