"""Minimal PNG reading and image checks for spotviz screenshot tests (numpy + zlib only)."""
import struct
import zlib

import numpy as np


def read_png(path):
    """Returns an (h, w, 4) uint8 array of an 8-bit RGBA or RGB PNG (non-interlaced)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, w = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError(f"{path}: only 8-bit RGB/RGBA non-interlaced PNGs are supported")
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = w * bpp
    rows = raw.reshape(h, stride + 1)
    out = np.zeros((h, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(h):
        ft, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if ft == 0:
            cur = line
        elif ft == 1:  # Sub: running sum per channel
            cur = np.cumsum(line.reshape(w, bpp), axis=0).reshape(-1) % 256
        elif ft == 2:
            cur = (line + prev) % 256
        else:
            cur = np.zeros(stride, dtype=np.int32)
            for i in range(stride):
                a = int(cur[i - bpp]) if i >= bpp else 0
                b = int(prev[i])
                c = int(prev[i - bpp]) if i >= bpp else 0
                if ft == 3:
                    pred = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (int(line[i]) + pred) % 256
        out[y] = cur
        prev = cur.astype(np.int32)
    img = out.reshape(h, w, bpp)
    if bpp == 3:
        img = np.concatenate([img, np.full((h, w, 1), 255, np.uint8)], axis=2)
    return img


def fraction_near(img, rgb, tol=40):
    """Fraction of pixels within `tol` (max channel difference) of colour rgb."""
    d = np.abs(img[:, :, :3].astype(np.int32) - np.array(rgb, dtype=np.int32)).max(axis=2)
    return float((d <= tol).mean())


def distinct_colors(img):
    flat = img[:, :, :3].reshape(-1, 3)
    return len(np.unique(flat[:, 0].astype(np.int64) << 16 | flat[:, 1].astype(np.int64) << 8 | flat[:, 2]))


def diff_fraction(a, b, tol=24):
    """Fraction of pixels whose max channel difference exceeds tol (images of equal size)."""
    if a.shape != b.shape:
        return 1.0
    d = np.abs(a[:, :, :3].astype(np.int32) - b[:, :, :3].astype(np.int32)).max(axis=2)
    return float((d > tol).mean())
