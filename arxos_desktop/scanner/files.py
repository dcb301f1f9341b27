"""Every code in a file (a photo, a video, a PDF), through the same decoder as the camera.

The file's kind is told from its first bytes, never from its name alone, so a
renamed file is read as what it is. An access pass PDF carries its token in the
document's ``/Info`` dictionary under ``ArxOS-Access`` (and as a QR code on its
cover page): the metadata is read first, and only a PDF without it is rendered
and searched page by page. Every source is bounded (pixels, pages, frames), so
no file can keep the scanner busy for long.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pymupdf

from arxos_desktop.pdf.opening import open_pdf
from arxos_desktop.scanner.decode import FILE_BUDGET_S, Code, decode_frame, distinct
from arxos_desktop.scanner.errors import (
    CameraNotFoundError,
    PassMetadataError,
    ScanFileMissingError,
    UnsupportedFileError,
)
from arxos_desktop.scanner.frames import FrameSource
from arxos_desktop.scanner.images import image_kind, read_image

#: The ``/Info`` key an access pass PDF keeps its token under.
PASS_METADATA_KEY: Final = "ArxOS-Access"
#: Pages of a PDF searched for codes (a pass has its code on the cover page).
MAX_PDF_PAGES: Final = 5
#: Resolution pages are drawn at: a printed QR module of 0.5 mm gets 3 pixels.
PDF_DPI: Final = 150
#: Most pixels one rendered page may have (a wall-sized drawing is drawn coarser).
MAX_PAGE_PIXELS: Final = 12_000_000
#: The time a rendered page may spend on fallbacks: drawn codes are sharp, and a
#: drawing sheet without one should not cost seconds.
PDF_PAGE_BUDGET_S: Final = 0.3
#: A video is sampled every this many frames (a code stays in view for many).
VIDEO_EVERY: Final = 5
#: Most frames of a video looked at (a minute of 30 fps video at the default step).
MAX_VIDEO_FRAMES: Final = 360
#: The time a sampled video frame may spend on fallbacks (as a live frame would).
VIDEO_BUDGET_S: Final = 0.15


def file_kind(path: Path) -> str:
    """``image``, ``pdf`` or ``video``, or a :class:`ScanFileError` saying what is wrong."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise ScanFileMissingError("The file to scan is not there.") from exc
    if image_kind(head[:32]) is not None:
        return "image"
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video"
    if head[4:8] == b"ftyp" or head.startswith(b"\x1aE\xdf\xa3"):
        return "video"
    raise UnsupportedFileError(
        "This file is not a picture, video or PDF the scanner reads."
        " Choose a JPEG, PNG or BMP photo, an AVI, MP4 or MKV video, or a PDF."
    )


def scan_file(path: Path, *, budget_s: float = FILE_BUDGET_S) -> list[Code]:
    """Every distinct code in the file, in the order first found."""
    kind = file_kind(path)
    if kind == "image":
        return decode_frame(read_image(path), budget_s=budget_s)
    if kind == "pdf":
        return scan_pdf(path)
    return scan_video(path)


def scan_video(
    path: Path, *, every: int = VIDEO_EVERY, max_frames: int = MAX_VIDEO_FRAMES
) -> list[Code]:
    """Codes in every *every*-th frame of a video file, read once through cv2.VideoCapture."""
    try:
        source = FrameSource(path)
    except CameraNotFoundError as exc:
        raise UnsupportedFileError(
            "This video cannot be read (damaged, or a format this device does not play)."
        ) from exc
    with source:
        found: list[Code] = []
        for number, frame in enumerate(source.play_once(every=every)):
            if number >= max_frames:
                break
            found.extend(decode_frame(frame, budget_s=VIDEO_BUDGET_S))
    return distinct(found)


def scan_pdf(path: Path, *, budget_s: float = PDF_PAGE_BUDGET_S) -> list[Code]:
    """The pass token of the PDF's metadata if it has one, else the codes on its first pages."""
    with open_pdf(path) as document:
        token = pass_token(document)
        if token is not None:
            return [Code(token.encode("utf-8"), "pdf_metadata", "pdf", ())]
        found: list[Code] = []
        for number in range(min(document.page_count, MAX_PDF_PAGES)):
            page = document[number]
            zoom = PDF_DPI / 72.0
            pixels = page.rect.width * page.rect.height * zoom * zoom
            if pixels > MAX_PAGE_PIXELS:
                zoom *= (MAX_PAGE_PIXELS / pixels) ** 0.5
            matrix = pymupdf.Matrix(zoom, zoom)
            picture = page.get_pixmap(matrix=matrix, colorspace="gray", alpha=False)
            gray = np.frombuffer(picture.samples, dtype=np.uint8).reshape(
                picture.height, picture.stride
            )[:, : picture.width]
            found.extend(decode_frame(np.ascontiguousarray(gray), budget_s=budget_s))
    return distinct(found)


def pass_token(document: pymupdf.Document) -> str | None:
    """The ``ArxOS-Access`` text of the PDF's ``/Info``; None when there is none.

    An entry that is there but is not a text string (a number, a dictionary, a
    reference) is refused: a pass generator never writes one.
    """
    kind, ref = document.xref_get_key(-1, "Info")
    if kind != "xref":
        return None
    info_xref = int(str(ref).split()[0])
    kind, value = document.xref_get_key(info_xref, PASS_METADATA_KEY)
    if kind == "null":
        return None
    if kind != "string":
        raise PassMetadataError(
            "This PDF's access-pass entry is damaged (it is not text). Ask for a new pass."
        )
    return str(value)
