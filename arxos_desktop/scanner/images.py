"""A picture file read into pixels only after checking it is a whole picture of sane size.

``cv2.imread`` returns ``None`` for garbage, but happily returns a half-grey
picture for a truncated JPEG and tries to allocate whatever a forged header
claims. So the file's kind is told from its first bytes, its pixel count from
its header (PNG, JPEG and BMP: what cameras, phones and screenshots make), and
its end is checked before OpenCV sees it. Messages never quote the file.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Final

import cv2
import numpy as np

from arxos_desktop.scanner.decode import Gray
from arxos_desktop.scanner.errors import (
    DamagedImageError,
    ImageTooLargeError,
    ScanFileMissingError,
    UnsupportedFileError,
)

#: Largest picture file read (a 50-megapixel camera's JPEG is about 25 MB).
MAX_IMAGE_BYTES: Final = 64 * 1024 * 1024
#: Most pixels decoded (50 MP): a code needs far fewer, and a forged header could ask for any.
MAX_IMAGE_PIXELS: Final = 50_000_000

_PNG: Final = b"\x89PNG\r\n\x1a\n"
_JPEG: Final = b"\xff\xd8\xff"
_BMP: Final = b"BM"
#: JPEG start-of-frame markers (they carry the size); C4, C8 and CC are other segments.
_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_kind(head: bytes) -> str | None:
    """``png``, ``jpeg`` or ``bmp`` from a file's first bytes, else None."""
    if head.startswith(_PNG):
        return "png"
    if head.startswith(_JPEG):
        return "jpeg"
    if head.startswith(_BMP) and len(head) >= 26:
        return "bmp"
    return None


def read_image(path: Path) -> Gray:
    """The picture at *path* as grey pixels, or a :class:`ScanFileError` saying why not."""
    data = _read_bytes(path)
    kind = image_kind(data[:32])
    if kind is None:
        raise UnsupportedFileError(
            "This file is not a picture the scanner reads. Choose a JPEG, PNG or BMP photo."
        )
    width, height = _dimensions(kind, data)
    if width <= 0 or height <= 0:
        raise DamagedImageError("This picture is damaged: its header gives no size.")
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageTooLargeError(
            f"This picture is too large to scan ({width} x {height} pixels; the limit is"
            f" {MAX_IMAGE_PIXELS // 1_000_000} megapixels). Crop it around the code."
        )
    if not _ends_whole(kind, data):
        raise DamagedImageError(
            "This picture is cut short (the file is incomplete). Copy it again from the camera."
        )
    pixels = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if pixels is None:
        raise DamagedImageError("This picture is damaged and cannot be read.")
    return np.asarray(pixels, dtype=np.uint8)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise ImageTooLargeError(
                f"This picture file is too large to scan (over {MAX_IMAGE_BYTES // 2**20} MB)."
            )
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise ScanFileMissingError("The file to scan is not there.") from exc


def _dimensions(kind: str, data: bytes) -> tuple[int, int]:
    try:
        if kind == "png":
            if data[12:16] != b"IHDR":
                return 0, 0
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if kind == "bmp":
            width, height = struct.unpack("<ii", data[18:26])
            return abs(int(width)), abs(int(height))
        return _jpeg_dimensions(data)
    except struct.error as exc:
        raise DamagedImageError("This picture is damaged: its header is cut short.") from exc


def _jpeg_dimensions(data: bytes) -> tuple[int, int]:
    """The size in the first start-of-frame segment (walking the segment lengths)."""
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return 0, 0
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return int(width), int(height)
        if length < 2:
            return 0, 0
        offset += 2 + length
    return 0, 0


def _ends_whole(kind: str, data: bytes) -> bool:
    """Whether the file reaches its format's end marker (a copy cut short does not)."""
    if kind == "png":
        return b"IEND" in data[-64:]
    if kind == "jpeg":
        return data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")
    size = struct.unpack("<I", data[2:6])[0]
    return len(data) >= int(size)
