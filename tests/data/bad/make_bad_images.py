#!/usr/bin/python3
"""Writes the bad and unusual image corpus under tests/data/bad/images/ (tests/test_bad_images.cpp
and tests/test_cli.cpp read it). Each file is made here from scratch, so the corpus can be
regenerated and every byte is explained:

    /usr/bin/python3 tests/data/bad/make_bad_images.py

Needs Debian's python3-pil (JPEG and GIF encoding with libjpeg-turbo / Pillow) and
libjpeg-turbo-progs (cjpeg, a second JPEG encoder). PNGs are written by hand with zlib, so that
bit depths, colour types and chunks are exactly what each test needs.

Most pictures are the same 32x24 "quadrants" picture: red top-left, green top-right, blue
bottom-left, yellow bottom-right, so a test can tell from four pixels whether it came out
upright, mirrored or rotated.
"""
import io
import os
import struct
import subprocess
import sys
import tempfile
import zlib

from PIL import Image, ImageOps

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "images")
W, H = 32, 24
RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)


def quadrants(w=W, h=H):
    im = Image.new("RGB", (w, h))
    for y in range(h):
        for x in range(w):
            top, left = y < h // 2, x < w // 2
            im.putpixel((x, y), RED if top and left else GREEN if top else BLUE if left else YELLOW)
    return im


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


# ---- PNG, by hand -------------------------------------------------------------------------

def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, bit_depth, colour_type, rows, extra_chunks=(), ihdr_size=None):
    """rows: one bytes object per row (unfiltered samples, big-endian for 16 bits)."""
    iw, ih = ihdr_size or (width, height)
    ihdr = struct.pack(">IIBBBBB", iw, ih, bit_depth, colour_type, 0, 0, 0)
    raw = b"".join(b"\x00" + r for r in rows)  # filter type 0 (None) on every row
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + b"".join(extra_chunks) +
            png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def quadrant_rows(pixel_bytes, w=W, h=H):
    """pixel_bytes(quadrant index 0..3 = TL, TR, BL, BR) -> that quadrant's bytes per pixel."""
    rows = []
    for y in range(h):
        rows.append(b"".join(pixel_bytes((0 if x < w // 2 else 1) + (0 if y < h // 2 else 2))
                             for x in range(w)))
    return rows


def exif_tiff(orientation, big_endian, thumbnail=None):
    """A TIFF structure as EXIF carries it: IFD0 with Make and Orientation; with `thumbnail`,
    IFD1 pointing at those JPEG bytes (JPEGInterchangeFormat / ...Length), as cameras write."""
    e = ">" if big_endian else "<"
    make = b"Glimpse\x00"
    ifd0_at = 8
    ifd0_entries = 2
    ifd0_size = 2 + 12 * ifd0_entries + 4
    make_at = ifd0_at + ifd0_size
    ifd1_at = make_at + len(make) if thumbnail else 0
    ifd1_size = 2 + 12 * 2 + 4
    thumb_at = ifd1_at + ifd1_size
    out = (b"MM" if big_endian else b"II") + struct.pack(e + "HI", 42, ifd0_at)
    out += struct.pack(e + "H", ifd0_entries)
    out += struct.pack(e + "HHII", 0x010F, 2, len(make), make_at)       # Make, ASCII
    out += struct.pack(e + "HHIHH", 0x0112, 3, 1, orientation, 0)       # Orientation, SHORT
    out += struct.pack(e + "I", ifd1_at)
    out += make
    if thumbnail:
        out += struct.pack(e + "H", 2)
        out += struct.pack(e + "HHII", 0x0201, 4, 1, thumb_at)          # JPEGInterchangeFormat
        out += struct.pack(e + "HHII", 0x0202, 4, 1, len(thumbnail))    # ...Length
        out += struct.pack(e + "I", 0)
        out += thumbnail
    return out


# ---- JPEG -----------------------------------------------------------------------------------

def jpeg(im, **options):
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95, subsampling=0, **options)  # 4:4:4 keeps the colours clean
    return buf.getvalue()


def with_app1_exif(jpeg_bytes, tiff):
    """Inserts an APP1 "Exif" segment right after SOI."""
    payload = b"Exif\x00\x00" + tiff
    assert len(payload) + 2 < 65536
    return jpeg_bytes[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg_bytes[2:]


# EXIF orientation n: how to turn the stored rows upright. The file stores the inverse of that
# transform applied to the upright picture, so every orientation file shows the same picture.
STORED = {
    1: lambda im: im,
    2: lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    3: lambda im: im.transpose(Image.Transpose.ROTATE_180),
    4: lambda im: im.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
    5: lambda im: im.transpose(Image.Transpose.TRANSPOSE),
    6: lambda im: im.transpose(Image.Transpose.ROTATE_90),    # counter-clockwise; shown clockwise
    7: lambda im: im.transpose(Image.Transpose.TRANSVERSE),
    8: lambda im: im.transpose(Image.Transpose.ROTATE_270),
}


def check_upright(name):
    """Pillow's own EXIF handling must show the file as the upright quadrants picture."""
    im = ImageOps.exif_transpose(Image.open(os.path.join(OUT, name))).convert("RGB")
    assert im.size == (W, H), (name, im.size)
    for (x, y), want in (((3, 3), RED), ((W - 4, 3), GREEN), ((3, H - 4), BLUE), ((W - 4, H - 4), YELLOW)):
        got = im.getpixel((x, y))
        assert max(abs(a - b) for a, b in zip(got, want)) < 24, (name, (x, y), got, want)


def main():
    os.makedirs(OUT, exist_ok=True)
    upright = quadrants()

    # --- refused ---
    write("empty.png", b"")
    write("text.png", b"This is not a picture. It is a text file that somebody saved as text.png.\n")
    # A PNG cut in the middle of its image data: libpng decodes the rows it has and OpenCV
    # returns the rest grey, without an error.
    noisy = png(64, 48, 8, 2, [bytes((x * 37 + y * 11 + c * 101) % 256 for x in range(64) for c in range(3))
                               for y in range(48)])
    idat = noisy.index(b"IDAT")
    cut = idat + (len(noisy) - idat) // 2
    write("truncated.png", noisy[:cut])
    # A JPEG cut inside its scan data (after SOS): libjpeg warns "Premature end of JPEG file"
    # and fills grey; OpenCV returns the picture.
    big = jpeg(quadrants(64, 48))
    sos = big.index(b"\xff\xda")
    write("truncated.jpg", big[:sos + (len(big) - sos) * 2 // 3])
    # Two frames; OpenCV 4.6 has no GIF decoder at all.
    frames = [Image.new("P", (8, 8), i) for i in range(2)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    write("animated.gif", buf.getvalue())
    # A complete, valid 4x4 PNG whose IHDR (with a correct CRC) claims 100000 x 100000 pixels:
    # 10^10 pixels, 30 GB decoded. Must be refused from the header.
    write("bomb.png", png(4, 4, 8, 2, [b"\x10\x20\x30" * 4] * 4, ihdr_size=(100000, 100000)))

    # --- unusual but valid ---
    # 16-bit RGB: 0xFFFF, 0x8080 and 0x0000 scale to 255, 128 and 0.
    q16 = {0: (0xFFFF, 0, 0), 1: (0, 0xFFFF, 0), 2: (0, 0, 0xFFFF), 3: (0xFFFF, 0x8080, 0)}
    write("rgb16.png", png(W, H, 16, 2, quadrant_rows(lambda q: struct.pack(">HHH", *q16[q]))))
    # 8-bit grey: 0, 85, 170, 255 by quadrant.
    greys = (0, 85, 170, 255)
    write("grey.png", png(W, H, 8, 0, quadrant_rows(lambda q: bytes([greys[q]]))))
    # 16-bit grey: 0x5555 = 85 * 257.
    write("grey16.png", png(W, H, 16, 0, quadrant_rows(lambda q: struct.pack(">H", greys[q] * 257))))
    # Grey + alpha: grey 0 at alpha 255, 0, 128 and grey 200 at alpha 255 (composited on white).
    ga = {0: (0, 255), 1: (0, 0), 2: (0, 128), 3: (200, 255)}
    write("grey_alpha.png", png(W, H, 8, 4, quadrant_rows(lambda q: bytes(ga[q]))))
    # RGBA: opaque red, transparent green, half-transparent blue, opaque yellow.
    rgba = {0: (255, 0, 0, 255), 1: (0, 255, 0, 0), 2: (0, 0, 255, 128), 3: (255, 255, 0, 255)}
    write("rgba.png", png(W, H, 8, 6, quadrant_rows(lambda q: bytes(rgba[q]))))
    # The same through a palette with transparency (PLTE + tRNS), as GIF-like PNGs store it.
    palette = [png_chunk(b"PLTE", bytes(c for q in range(4) for c in rgba[q][:3])),
               png_chunk(b"tRNS", bytes(rgba[q][3] for q in range(4)))]
    write("palette_alpha.png", png(W, H, 8, 3, quadrant_rows(lambda q: bytes([q])), extra_chunks=palette))
    # Adobe CMYK JPEG (Pillow writes the inverted CMYK Photoshop writes, with an Adobe APP14
    # marker): cyan, magenta, yellow and 50% black by quadrant.
    cmyk = Image.new("CMYK", (W, H))
    ink = {0: (255, 0, 0, 0), 1: (0, 255, 0, 0), 2: (0, 0, 255, 0), 3: (0, 0, 0, 128)}
    for y in range(H):
        for x in range(W):
            cmyk.putpixel((x, y), ink[(0 if x < W // 2 else 1) + (0 if y < H // 2 else 2)])
    cmyk_bytes = jpeg(cmyk)
    assert b"Adobe" in cmyk_bytes
    write("cmyk.jpg", cmyk_bytes)
    # EXIF orientations 1..8, little-endian EXIF for odd ones and big-endian for even ones.
    for n, stored in STORED.items():
        name = f"orientation-{n}.jpg"
        write(name, with_app1_exif(jpeg(stored(upright)), exif_tiff(n, big_endian=n % 2 == 0)))
        check_upright(name)
    # PNG carries EXIF in an eXIf chunk (OpenCV 4.6 applies it for IMREAD_COLOR too).
    stored6 = STORED[6](upright)
    rows = [bytes(v for x in range(stored6.width) for v in stored6.getpixel((x, y))) for y in range(stored6.height)]
    write("orientation-6.png", png(stored6.width, stored6.height, 8, 2, rows,
                                   extra_chunks=[png_chunk(b"eXIf", exif_tiff(6, big_endian=True))]))
    check_upright("orientation-6.png")
    # EXIF with a thumbnail: the thumbnail's own FF D9 sits inside APP1, long before the real one.
    thumb = jpeg(quadrants(8, 6))
    write("exif-thumbnail.jpg", with_app1_exif(jpeg(upright), exif_tiff(1, big_endian=False, thumbnail=thumb)))
    check_upright("exif-thumbnail.jpg")
    # Zeros after the end-of-image marker, as some cameras pad their files.
    write("trailing-zeros.jpg", jpeg(upright) + b"\x00" * 2048)
    # A second encoder (cjpeg): progressive (ten scans) with a restart marker after every MCU row.
    with tempfile.TemporaryDirectory() as tmp:
        ppm = os.path.join(tmp, "q.ppm")
        upright.save(ppm)
        out = subprocess.run(["cjpeg", "-quality", "95", "-sample", "1x1", "-progressive", "-restart", "1",
                              ppm], check=True, capture_output=True).stdout
    write("progressive-restart.jpg", out)
    check_upright("progressive-restart.jpg")

    total = 0
    for name in sorted(os.listdir(OUT)):
        size = os.path.getsize(os.path.join(OUT, name))
        assert size < 64 * 1024, (name, size)
        total += size
    assert total < 1024 * 1024, total
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
