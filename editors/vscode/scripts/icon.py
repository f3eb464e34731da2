#!/usr/bin/env python3
"""Draws the extension's icon, images/icon.png (256x256 RGBA): a shield with a check mark.

Standard library only (zlib writes the PNG). Run from editors/vscode: python3 scripts/icon.py
The shape is sampled 4x4 per pixel for smooth edges, so the output is the same on every run.
"""
import math
import struct
import sys
import zlib
from pathlib import Path

SIZE = 256
SS = 4  # samples per pixel side
BG = (22, 33, 62)  # tile: dark navy
SHIELD = (38, 166, 154)  # shield: teal
RIM = (224, 242, 241)  # shield rim and check: near white


def rounded_square(x, y, r=44):
    """Inside the rounded tile filling the icon."""
    lo, hi = r, SIZE - r
    dx = max(lo - x, 0, x - hi)
    dy = max(lo - y, 0, y - hi)
    return dx * dx + dy * dy <= r * r


def shield(x, y, inset=0.0):
    """Inside a shield: a flat top with rounded corners, straight sides curving to a point."""
    cx = SIZE / 2
    top, shoulder, tip = 40 + inset, 120, 222 - inset * 1.4
    half = 84 - inset
    if y < top or y > tip:
        return False
    ax = abs(x - cx)
    if y <= shoulder:
        # flat top with rounded corners
        r = 16
        if ax > half - r and y < top + r:
            return (ax - (half - r)) ** 2 + (y - (top + r)) ** 2 <= r * r
        return ax <= half
    # lower part: the half-width shrinks along a quarter ellipse to the tip
    t = (y - shoulder) / (tip - shoulder)
    w = half * math.sqrt(max(0.0, 1 - t * t)) if t < 1 else 0
    return ax <= w


def check_mark(x, y, width=13):
    """Inside a thick check mark drawn as two capsules."""
    def capsule(px, py, ax_, ay, bx, by, r):
        vx, vy = bx - ax_, by - ay
        t = max(0.0, min(1.0, ((px - ax_) * vx + (py - ay) * vy) / (vx * vx + vy * vy)))
        qx, qy = ax_ + t * vx - px, ay + t * vy - py
        return qx * qx + qy * qy <= r * r

    a, b, c = (90, 126), (118, 154), (168, 96)
    return capsule(x, y, *a, *b, width) or capsule(x, y, *b, *c, width)


def pixel(px, py):
    acc = [0.0, 0.0, 0.0, 0.0]
    for sy in range(SS):
        for sx in range(SS):
            x = px + (sx + 0.5) / SS
            y = py + (sy + 0.5) / SS
            if not rounded_square(x, y):
                continue
            if check_mark(x, y):
                col = RIM
            elif shield(x, y, inset=9):
                col = SHIELD
            elif shield(x, y):
                col = RIM
            else:
                col = BG
            acc[0] += col[0]
            acc[1] += col[1]
            acc[2] += col[2]
            acc[3] += 255
    n = SS * SS
    alpha = acc[3] / n
    if alpha == 0:
        return (0, 0, 0, 0)
    # colour averaged over the covered samples, alpha from the coverage
    cover = acc[3] / 255
    return tuple(round(c / cover) for c in acc[:3]) + (round(alpha),)


def png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "images" / "icon.png"
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png(SIZE, SIZE, rows))
    print(f"wrote {out} ({SIZE}x{SIZE})")


if __name__ == "__main__":
    main()
