"""Small previews of stored files (photos, and the first page of PDFs), cached on disk.

Decoding a 12-megapixel photo or rendering a drawing's first page takes a good
fraction of a second, so a preview is made once, by a worker, and kept under the
app's home keyed by the file's SHA-256 and the preview size: the same photo on
two pieces of equipment is previewed once, and a file's preview never goes
stale because a blob's bytes never change. The cache holds copies of the user's
photos, so it is readable by its owner only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Final

import cv2
import numpy as np
import pymupdf

from arxos_desktop.store.blobs import BlobStore
from arxos_desktop.store.errors import StoreError

#: Where previews live, under the app's home.
THUMBNAILS_DIR: Final = "thumbnails"
PDF_MIME: Final = "application/pdf"


class PreviewError(StoreError):
    """A stored file that should have a preview cannot be decoded (damaged or not what it says)."""


def can_preview(mime_type: str) -> bool:
    """Whether a file of this kind gets a picture (others are shown by name and icon)."""
    return mime_type == PDF_MIME or mime_type.startswith("image/")


class ThumbnailCache:
    """PNG previews under ``home/thumbnails/ab/<sha>-<size>.png``, owner-only."""

    def __init__(self, home: Path, blobs: BlobStore) -> None:
        self.root = home / THUMBNAILS_DIR
        self.blobs = blobs

    def path_for(self, sha256: str, size: int) -> Path:
        self.blobs.path_for(sha256)  # checks that it is a digest (it names a file)
        return self.root / sha256[:2] / f"{sha256}-{int(size)}.png"

    def thumbnail(self, sha256: str, mime_type: str, size: int) -> Path:
        """The preview of a stored file, at most *size* pixels on its longer side.

        Made on first use and cached; a file with no picture raises
        :class:`PreviewError`, as does one that is not stored on this device yet
        (:class:`NotFoundError`).
        """
        if size < 16 or size > 4096:
            raise StoreError("A preview is between 16 and 4096 pixels wide.")
        target = self.path_for(sha256, size)
        if target.is_file():
            return target
        if not can_preview(mime_type):
            raise PreviewError("There is no preview for this kind of file.")
        source = self.blobs.get(sha256)
        png = (
            render_pdf_page(source, size) if mime_type == PDF_MIME else _scaled_image(source, size)
        )
        _write_private(target, png)
        return target


def render_pdf_page(path: Path, size: int, *, page: int = 0) -> bytes:
    """One page of a PDF as PNG bytes, at most *size* pixels on its longer side."""
    try:
        with pymupdf.open(path) as doc:
            if doc.page_count <= page:
                raise PreviewError("The PDF has no pages to preview.")
            sheet = doc[page]
            longest = max(sheet.rect.width, sheet.rect.height) or 1.0
            zoom = size / longest
            pixmap = sheet.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            data: bytes = pixmap.tobytes("png")
            return data
    except (RuntimeError, ValueError) as exc:  # pymupdf's FileDataError and kin
        raise PreviewError("The PDF is damaged, so it cannot be previewed.") from exc


def _scaled_image(path: Path, size: int) -> bytes:
    raw = np.fromfile(path, dtype=np.uint8)
    image = cv2.imdecode(raw, cv2.IMREAD_COLOR) if raw.size else None
    if image is None:
        raise PreviewError("The picture is damaged or in a format the app cannot read.")
    height, width = image.shape[:2]
    scale = min(1.0, size / max(height, width))
    if scale < 1.0:
        new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, new_size, interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".png", image)
    if not ok:
        raise PreviewError("The preview of the picture could not be made.")
    return bytes(buffer.tobytes())


def _write_private(target: Path, data: bytes) -> None:
    """Write atomically, in folders and a file only the owner may read."""
    for folder in (target.parent.parent, target.parent):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:  # mkstemp creates it 0600
            out.write(data)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
