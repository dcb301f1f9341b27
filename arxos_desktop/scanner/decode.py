"""Codes read from one picture: pyzbar first, zxing-cpp where it finds nothing, then fallbacks.

A camera frame is decoded many times a second, so the common case (a sharp code
facing the camera) must cost no more than one plain ``pyzbar`` pass: the frame
is turned grey once (a grey frame is used as it is), only the symbologies of
passes and asset tags are searched, and nothing else runs when pyzbar reads a
code. Only a frame where both decoders fail pays for the fallbacks (contrast
normalisation, adaptive threshold, denoising, upscaling small pictures,
sharpening, a 45° turn), and only
until its time budget is spent, so a hard frame never stalls the preview; the
next frame gets its own try.

Each result keeps its corners in the caller's frame coordinates (fallbacks that
resize or turn the picture map their corners back), so the preview can outline
the code that was read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from arxos_desktop.scanner.errors import DecoderMissingError

Gray = npt.NDArray[np.uint8]
Point = tuple[int, int]
#: A 2x3 affine matrix taking frame coordinates to a fallback picture's coordinates.
Affine = npt.NDArray[np.float64]

#: Time a live frame may spend on fallbacks: a preview decodes a few frames a second.
FRAME_BUDGET_S: Final = 0.15
#: Time a file (photo, PDF page) may spend: it is decoded once, so it may try harder.
FILE_BUDGET_S: Final = 1.5
#: Pictures whose shorter side is below this are upscaled 2x as a fallback (small codes).
UPSCALE_BELOW_PX: Final = 900

#: The symbologies read: QR codes (passes, ``arxos://`` links) and the 1D asset tags
#: found on plant (Code 128, Code 39, EAN/UPC, ITF); zxing-cpp also reads Data Matrix.
_ZBAR_SYMBOLS: Final = ("QRCODE", "CODE128", "CODE39", "EAN13", "EAN8", "UPCA", "I25")
_ZXING_FORMATS: Final = (
    "QRCode",
    "MicroQRCode",
    "DataMatrix",
    "Code128",
    "Code39",
    "EAN13",
    "EAN8",
    "UPCA",
    "ITF",
)
#: One name per symbology, whichever decoder read it (the ``format`` of ``arx scan --json``).
_FORMAT_NAMES: Final = {
    "QRCODE": "qr_code",
    "CODE128": "code_128",
    "CODE39": "code_39",
    "EAN13": "ean_13",
    "EAN8": "ean_8",
    "UPCA": "upc_a",
    "I25": "itf",
    "QRCode": "qr_code",
    "MicroQRCode": "micro_qr_code",
    "DataMatrix": "data_matrix",
    "Code128": "code_128",
    "Code39": "code_39",
    "ITF": "itf",
}


#: Each symbology as a technician names it (the app's list, `arx scan`'s table).
FORMAT_LABELS: Final = {
    "qr_code": "QR code",
    "micro_qr_code": "Micro QR code",
    "data_matrix": "Data Matrix",
    "code_128": "Code 128",
    "code_39": "Code 39",
    "ean_13": "EAN-13",
    "ean_8": "EAN-8",
    "upc_a": "UPC-A",
    "itf": "ITF",
    "pdf_metadata": "PDF pass data",
}


@dataclass(frozen=True)
class Code:
    """One code read from a picture.

    *data* is the payload exactly as encoded (routing decides whether it is text
    at all); *text* is its UTF-8 reading, with undecodable bytes replaced, for display.
    *decoder* is ``pyzbar`` or ``zxing``; *step* names the fallback that found it
    (``direct`` when none was needed).
    """

    data: bytes
    format: str
    decoder: str
    polygon: tuple[Point, ...]
    step: str = "direct"

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)


def to_gray(frame: npt.NDArray[np.uint8]) -> Gray:
    """The frame as one 8-bit grey plane; a grey frame is returned as it is (no copy)."""
    if frame.ndim == 2:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 3:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY), dtype=np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 1:
        return frame[:, :, 0]
    raise ValueError(f"not a picture: an array of shape {frame.shape}")


def _pyzbar() -> Any:
    """pyzbar, loaded on first use: without the zbar library the app still starts, and
    scanning says what to install instead of the whole app failing to open."""
    try:
        from pyzbar import pyzbar
    except ImportError as exc:
        raise DecoderMissingError(
            "The barcode reader (the zbar library) is not installed on this device."
            " Ask your administrator to install libzbar0."
        ) from exc
    return pyzbar


def read_pyzbar(gray: Gray, *, step: str = "direct") -> list[Code]:
    """pyzbar on a grey picture (its own coordinates)."""
    pyzbar = _pyzbar()
    height, width = gray.shape
    symbols = [pyzbar.ZBarSymbol[name] for name in _ZBAR_SYMBOLS]
    found = pyzbar.decode((gray.tobytes(), width, height), symbols=symbols)
    return [
        Code(
            data=bytes(item.data),
            format=_FORMAT_NAMES.get(item.type, item.type.lower()),
            decoder="pyzbar",
            polygon=tuple((int(p.x), int(p.y)) for p in item.polygon),
            step=step,
        )
        for item in found
    ]


def read_zxing(gray: Gray, *, step: str = "direct") -> list[Code]:
    """zxing-cpp on a grey picture, with its own rotation, downscale and inversion tries."""
    import zxingcpp  # loaded on first use, as pyzbar is: start-up does not pay for it

    formats = [getattr(zxingcpp.BarcodeFormat, name) for name in _ZXING_FORMATS]
    found = zxingcpp.read_barcodes(
        gray,
        formats=zxingcpp.BarcodeFormats(formats),
        try_rotate=True,
        try_downscale=True,
        try_invert=True,
    )
    codes = []
    for item in found:
        pos = item.position
        corners = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
        name = item.format.name
        codes.append(
            Code(
                data=bytes(item.bytes),
                format=_FORMAT_NAMES.get(name, name.lower()),
                decoder="zxing",
                polygon=tuple((int(p.x), int(p.y)) for p in corners),
                step=step,
            )
        )
    return codes


def decode_frame(
    frame: npt.NDArray[np.uint8], *, budget_s: float = FRAME_BUDGET_S, fallbacks: bool = True
) -> list[Code]:
    """Every code in *frame* (BGR, BGRA or grey), each once, corners in frame coordinates.

    pyzbar reads first; zxing-cpp only when pyzbar finds nothing; the fallbacks
    only when both fail, each tried while *budget_s* (counted from the call) lasts.
    """
    started = time.perf_counter()
    gray = to_gray(frame)
    codes = read_pyzbar(gray)
    if codes:
        return distinct(codes)
    codes = read_zxing(gray)
    if codes or not fallbacks:
        return distinct(codes)
    for step, picture, matrix in _fallbacks(gray):
        if time.perf_counter() - started > budget_s:
            break
        codes = read_pyzbar(picture, step=step) or (
            read_zxing(picture, step=step) if step in _ZXING_STEPS else []
        )
        if codes:
            return distinct([_mapped_back(code, matrix) for code in codes])
    return []


#: Fallbacks where zxing-cpp gets a second try when pyzbar still finds nothing.
_ZXING_STEPS: Final = frozenset({"equalised", "upscaled", "sharpened"})


def _fallbacks(gray: Gray) -> Iterator[tuple[str, Gray, Affine | None]]:
    """Cheapest first; each picture made only when the previous one failed."""
    identity = None
    steps: list[tuple[str, Callable[[], tuple[Gray, Affine | None]]]] = [
        ("equalised", lambda: (_clahe(gray), identity)),
        ("threshold", lambda: (_adaptive_threshold(gray), identity)),
        ("denoised", lambda: (_denoised(gray), identity)),
        ("upscaled", lambda: _upscaled(gray)),
        ("sharpened", lambda: (_sharpened(gray), identity)),
        ("rotated 45°", lambda: _rotated(gray, 45.0)),
    ]
    for step, make in steps:
        if step == "upscaled" and min(gray.shape) >= UPSCALE_BELOW_PX:
            continue
        picture, matrix = make()
        yield step, picture, matrix


def _clahe(gray: Gray) -> Gray:
    clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
    return np.asarray(clahe.apply(gray), dtype=np.uint8)


def _adaptive_threshold(gray: Gray) -> Gray:
    block = max(15, (min(gray.shape) // 16) | 1)
    smoothed = cv2.GaussianBlur(gray, (3, 3), 0)
    out = cv2.adaptiveThreshold(
        smoothed, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 5
    )
    return np.asarray(out, dtype=np.uint8)


def _denoised(gray: Gray) -> Gray:
    return np.asarray(cv2.medianBlur(_clahe(gray), 5), dtype=np.uint8)


def _sharpened(gray: Gray) -> Gray:
    soft = cv2.GaussianBlur(gray, (0, 0), 2.0)
    return np.asarray(cv2.addWeighted(gray, 2.0, soft, -1.0, 0), dtype=np.uint8)


def _upscaled(gray: Gray) -> tuple[Gray, Affine]:
    big = cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
    return np.asarray(big, dtype=np.uint8), np.array([[2.0, 0, 0], [0, 2.0, 0]])


def _rotated(gray: Gray, degrees: float) -> tuple[Gray, Affine]:
    """Turned about the centre onto a canvas big enough to keep the corners."""
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    turned = cv2.warpAffine(gray, matrix, (new_w, new_h), borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(turned, dtype=np.uint8), np.asarray(matrix, dtype=np.float64)


def _mapped_back(code: Code, matrix: Affine | None) -> Code:
    if matrix is None:
        return code
    inverse = cv2.invertAffineTransform(matrix)
    points = np.array(code.polygon, dtype=np.float64).reshape(-1, 1, 2)
    back = cv2.transform(points, inverse).reshape(-1, 2)
    polygon = tuple((round(float(x)), round(float(y))) for x, y in back)
    return Code(code.data, code.format, code.decoder, polygon, code.step)


def distinct(codes: Iterable[Code]) -> list[Code]:
    """Each payload and symbology once, where first seen (zbar may report a code twice)."""
    seen: set[tuple[bytes, str]] = set()
    kept = []
    for code in codes:
        key = (code.data, code.format)
        if key not in seen:
            seen.add(key)
            kept.append(code)
    return kept
