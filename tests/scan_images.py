"""Codes drawn on the spot for the scanner tests and bench: clean, then spoiled.

Every picture is made from a seeded random generator, so a failing case is the
same picture on every run. Each spoiler imitates one thing a tablet camera does
to a code on a plant-room wall: holds it at an angle (rotation, perspective),
misses the focus (blur), shoots in the dark (noise, low contrast), or stands
too far away (small codes).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
import segno
import zxingcpp

Gray = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Case:
    """One picture and the text its code carries."""

    name: str
    image: Gray
    text: str


def qr_image(text: str, *, module_px: int = 4, border: int = 4, error: str = "m") -> Gray:
    """The code alone, black on white, *module_px* pixels a module."""
    buffer = io.BytesIO()
    segno.make(text, error=error, micro=False).save(
        buffer, kind="png", scale=module_px, border=border
    )
    image = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return np.asarray(image, dtype=np.uint8)


def qr_bytes_image(data: bytes, *, module_px: int = 2) -> Gray:
    """A code carrying raw bytes (binary junk, oversized payloads)."""
    buffer = io.BytesIO()
    segno.make(data, error="l", micro=False, mode="byte").save(
        buffer, kind="png", scale=module_px, border=4
    )
    image = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return np.asarray(image, dtype=np.uint8)


def linear_image(text: str, symbology: str, *, scale: int = 3) -> Gray:
    """A 1D asset-tag barcode (``code128``, ``code39``, ``ean13``) or a Data Matrix."""
    formats = {
        "code128": zxingcpp.BarcodeFormat.Code128,
        "code39": zxingcpp.BarcodeFormat.Code39,
        "ean13": zxingcpp.BarcodeFormat.EAN13,
        "datamatrix": zxingcpp.BarcodeFormat.DataMatrix,
    }
    barcode = zxingcpp.create_barcode(text, formats[symbology])
    image = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=scale), dtype=np.uint8)
    if symbology != "datamatrix":
        image = cv2.resize(image, (image.shape[1], max(image.shape[0], 60 * scale // 2)))
    return image


def on_canvas(code: Gray, *, size: tuple[int, int] = (640, 480), shade: int = 215) -> Gray:
    """The code pasted in the middle of a grey page (a wall, a sheet of paper)."""
    width, height = size
    canvas = np.full((height, width), shade, dtype=np.uint8)
    h, w = code.shape
    if h > height or w > width:
        scale = min(height / h, width / w) * 0.95
        code = cv2.resize(code, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
        h, w = code.shape
    y, x = (height - h) // 2, (width - w) // 2
    canvas[y : y + h, x : x + w] = code
    return canvas


def rotate(image: Gray, degrees: float) -> Gray:
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    out = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=215)
    return np.asarray(out, dtype=np.uint8)


def perspective(image: Gray, strength: float, rng: np.random.Generator) -> Gray:
    h, w = image.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(0, strength, size=(4, 2)) * np.float32([w, h])
    signs = np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    dst = (src + jitter * signs).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(image, matrix, (w, h), borderValue=215)
    return np.asarray(out, dtype=np.uint8)


def blur(image: Gray, sigma: float) -> Gray:
    return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma), dtype=np.uint8)


def noise(image: Gray, sigma: float, rng: np.random.Generator) -> Gray:
    noisy = image.astype(np.float32) + rng.normal(0, sigma, image.shape).astype(np.float32)
    return np.asarray(np.clip(noisy, 0, 255), dtype=np.uint8)


def low_contrast(image: Gray, span: int, *, floor: int = 90) -> Gray:
    """Black and white squeezed into *span* grey levels above *floor* (a dim room)."""
    scaled = floor + image.astype(np.float32) * (span / 255.0)
    return np.asarray(scaled, dtype=np.uint8)


def spoiled_cases(
    texts: list[str], *, size: tuple[int, int] = (640, 480), seed: int = 16, hard: bool = False
) -> Iterator[Case]:
    """Each text drawn once per spoiler; *hard* pushes every spoiler further (the bench set)."""
    rng = np.random.default_rng(seed)
    k = 1.6 if hard else 1.0
    spoilers: list[tuple[str, Callable[[Gray], Gray], int]] = [
        ("clean", lambda im: im, 4),
        ("rotated 30°", lambda im: rotate(im, 30), 4),
        ("rotated 45°", lambda im: rotate(im, 45), 3),
        ("perspective", lambda im: perspective(im, 0.12 * k, rng), 4),
        ("blur", lambda im: blur(im, 1.4 * k), 4),
        ("noise", lambda im: noise(im, 28 * k, rng), 4),
        ("low contrast", lambda im: low_contrast(im, int(40 / k)), 4),
        ("small", lambda im: im, 1 if hard else 2),
        ("small + blur", lambda im: blur(im, 0.6 * k), 2),
        ("dim + noise", lambda im: noise(low_contrast(im, int(60 / k)), 10 * k, rng), 3),
        ("perspective + blur", lambda im: blur(perspective(im, 0.1 * k, rng), 1.0 * k), 3),
    ]
    for text in texts:
        for name, spoil, module_px in spoilers:
            code = qr_image(text, module_px=module_px)
            yield Case(f"{name}: {text[:24]}", spoil(on_canvas(code, size=size)), text)
