"""Exactly one image: an encoded PNG, JPEG or WebP cut down to the parts that draw it.

Files we keep byte for byte (uploads, a provider's raw output) must not carry anything else: a
ZIP appended after the image's end, a payload in a comment or metadata chunk, or the GPS
position in EXIF. `only_the_image` walks the container, keeps the chunks/segments that draw
the pixels (and colour profile), stops at the image's end marker and drops the rest. Anything
it cannot parse with certainty returns None, and the caller re-encodes instead.
"""

from __future__ import annotations

import io
import struct

from PIL import Image

from editor.engine import codec

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Critical chunks plus the ancillary ones that change how pixels look; everything else (text,
# eXIf, time, APNG frames, private chunks) is dropped. The default image of an APNG stays.
PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"pHYs", b"bKGD",
}  # fmt: skip
# JPEG: tables, frames, scans and restart intervals; APP0 (JFIF, without its thumbnail),
# APP2 ICC profiles and APP14 Adobe (it says how to read the colour) are kept too.
JPEG_TABLES = {0xDB, 0xC4, 0xCC, 0xDD, 0xDC}  # DQT, DHT, DAC, DRI, DNL
JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ICCP", b"ANIM", b"ANMF"}
VP8X_EXIF_AND_XMP = 0x08 | 0x04


def for_storage(
    data: bytes, img: Image.Image, icc_profile: bytes | None = None
) -> tuple[bytes, str]:
    """(bytes, extension) to store for an image we were sent, `img` being its decoded form from
    `images.open_image`: the original cut to the image alone when it is a plain RGB/RGBA file,
    or a plain greyscale one (a third of the pixels to read back; masks uploaded for the API
    are such files), with no rotation to apply (no quality lost); else `img` as a PNG, with the
    colour profile (`icc_profile`, else the one `img` carries)."""
    try:
        with Image.open(io.BytesIO(data)) as raw:
            fmt, mode = str(raw.format).lower(), raw.mode
            upright = raw.getexif().get(0x0112, 1) == 1
            plain = upright and (mode == img.mode or (mode, img.mode) == ("L", "RGB"))
    except (OSError, ValueError, SyntaxError):
        plain = False
    trimmed = only_the_image(data, fmt) if plain else None
    if trimmed is not None and _draws(trimmed, img.size, mode):
        return trimmed, fmt
    icc = icc_profile or img.info.get("icc_profile")
    return codec.encode_png(codec.pixels_of(img), icc), "png"


def _draws(data: bytes, size: tuple[int, int], mode: str) -> bool:
    """The trimmed file still decodes, whole, to an image of this size and mode."""
    try:
        with Image.open(io.BytesIO(data)) as check:
            check.load()
            return check.size == size and check.mode == mode
    except (OSError, ValueError, SyntaxError):
        return False


def only_the_image(data: bytes, fmt: str) -> bytes | None:
    """The image alone (see module doc), or None when the file cannot be walked safely."""
    try:
        if fmt == "png":
            return _png(data)
        if fmt == "jpeg":
            return _jpeg(data)
        if fmt == "webp":
            return _webp(data)
    except (struct.error, IndexError, ValueError):
        return None
    return None


def _png(data: bytes) -> bytes | None:
    if not data.startswith(PNG_SIGNATURE):
        return None
    out, pos = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            return None
        if kind in PNG_KEEP:
            out.append(data[pos:end])
        if kind == b"IEND":
            return b"".join(out)
        pos = end
    return None  # no IEND: not a whole PNG


def _jpeg(data: bytes) -> bytes | None:
    if not data.startswith(b"\xff\xd8"):
        return None
    out, pos = [b"\xff\xd8"], 2
    while pos < len(data):
        if data[pos] != 0xFF:
            return None
        while data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI: the image ends here, whatever follows
            out.append(b"\xff\xd9")
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            return None  # a bare restart marker outside a scan: not a file we understand
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        end = pos + length
        if length < 2 or end > len(data):
            return None
        segment = data[pos:end]
        if marker == 0xDA:  # SOS: the header, then entropy-coded data up to the next marker
            end = _scan_end(data, end)
            out.append(b"\xff\xda" + data[pos:end])
        elif marker in JPEG_TABLES or marker in JPEG_FRAMES:
            out.append(bytes((0xFF, marker)) + segment)
        elif marker == 0xE0 and segment[2:7] == b"JFIF\x00" and length >= 16:
            out.append(b"\xff\xe0\x00\x10" + segment[2:14] + b"\x00\x00")  # no thumbnail
        elif (marker == 0xE2 and segment[2:14] == b"ICC_PROFILE\x00") or (
            marker == 0xEE and segment[2:7] == b"Adobe"
        ):
            out.append(bytes((0xFF, marker)) + segment)
        pos = end
    return None  # no EOI


def _scan_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data that starts at `pos` ends: the next marker other than a
    stuffed 0xFF00 or a restart marker."""
    while True:
        pos = data.index(b"\xff", pos)
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1
            continue
        return pos


def _webp(data: bytes) -> bytes | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data) or riff_size < 4:
        return None
    chunks, pos = [], 12
    while pos + 8 <= end:
        kind = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        stop = pos + 8 + size + (size & 1)
        if stop > end:
            return None
        if kind == b"VP8X":
            flags = bytes((data[pos + 8] & ~VP8X_EXIF_AND_XMP,))
            chunks.append(data[pos : pos + 8] + flags + data[pos + 9 : stop])
        elif kind in WEBP_KEEP:
            chunks.append(data[pos:stop])
        pos = stop
    if pos != end or not chunks:
        return None
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
