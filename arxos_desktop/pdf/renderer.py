"""Render a drawing's pages as a quick preview and as sharp tiles, from one display list.

Interpreting a dense drawing's content stream (tens of thousands of paths) costs
more than rasterising a tile of it, so each page is interpreted once into a
MuPDF display list and every tile and preview of that page is rasterised from
it.

PyMuPDF is not thread-safe (its documentation: do not use one document, or
PyMuPDF at all, from several threads at once), so a :class:`PageRenderer` is
used from a single thread, the one that opened its document; the background
service in :mod:`arxos_desktop.pdf.background` runs exactly one such thread per
open drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pymupdf

from arxos_desktop.pdf.errors import DamagedPdfError
from arxos_desktop.pdf.page_space import normal_rotation
from arxos_desktop.pdf.tiles import TileKey, pad_px, pixel_rect, preview_scale, scale_of


@dataclass(frozen=True)
class Bitmap:
    """RGB pixels (3 bytes each, rows *stride* bytes apart) and what they show."""

    width: int
    height: int
    stride: int
    samples: bytes
    #: Device pixels per PDF point.
    scale: float
    #: Top-left corner in page points.
    origin: tuple[float, float]

    @property
    def nbytes(self) -> int:
        return len(self.samples)


class PageRenderer:
    """Previews and tiles of one open document; use it from one thread only."""

    def __init__(self, document: pymupdf.Document) -> None:
        self.document = document
        self._lists: dict[int, pymupdf.DisplayList] = {}
        self._sizes: dict[int, tuple[float, float]] = {}

    @property
    def page_count(self) -> int:
        return int(self.document.page_count)

    def page_size(self, page: int) -> tuple[float, float]:
        """Width and height of *page* in points (as shown, rotation applied)."""
        size = self._sizes.get(page)
        if size is None:
            rect = self.document[page].rect
            size = (float(rect.width), float(rect.height))
            self._sizes[page] = size
        return size

    def page_rotation(self, page: int) -> int:
        """How far (degrees clockwise) *page* is turned for showing: 0, 90, 180 or 270."""
        return normal_rotation(int(self.document[page].rotation))

    def display_list(self, page: int) -> pymupdf.DisplayList:
        """The page interpreted once; later calls return the same list."""
        found = self._lists.get(page)
        if found is None:
            try:
                found = self.document[page].get_displaylist(annots=True)
            except (RuntimeError, ValueError) as exc:
                raise DamagedPdfError(
                    f"Page {page + 1} of this PDF is damaged and cannot be shown."
                ) from exc
            self._lists[page] = found
        return found

    def render_preview(self, page: int, *, longest_px: int | None = None) -> Bitmap:
        """The whole page in one small picture (thumbnails; the viewer uses preview tiles)."""
        size = self.page_size(page)
        scale = preview_scale(size) if longest_px is None else preview_scale(size, longest_px)
        return self._render(page, scale, None)

    def render_tile(self, key: TileKey) -> Bitmap:
        """Exactly the pixels a whole-page render at the tile's level has under the tile."""
        size = self.page_size(key.page)
        scale = scale_of(key.level)
        want = pixel_rect(key, size)
        pad = pad_px(key.level)
        clip = (
            (want.x0 - pad) / scale,
            (want.y0 - pad) / scale,
            (want.x1 + pad) / scale,
            (want.y1 + pad) / scale,
        )
        pixmap = self._pixmap(key.page, scale, clip)
        left, top = want.x0 - pixmap.x, want.y0 - pixmap.y
        if (
            left < 0
            or top < 0
            or left + want.width > pixmap.width
            or top + want.height > pixmap.height
        ):
            raise DamagedPdfError(f"Page {key.page + 1} of this PDF did not render as expected.")
        stride = pixmap.stride
        samples = pixmap.samples_mv
        row_bytes = want.width * 3
        start = top * stride + left * 3
        pixels = b"".join(
            samples[start + row * stride : start + row * stride + row_bytes]
            for row in range(want.height)
        )
        return Bitmap(
            width=want.width,
            height=want.height,
            stride=row_bytes,
            samples=pixels,
            scale=scale,
            origin=(want.x0 / scale, want.y0 / scale),
        )

    def drop_page(self, page: int) -> None:
        """Forget a page's display list (the memory a page no longer on screen holds)."""
        self._lists.pop(page, None)

    def render_thumbnail(self, page: int, longest_px: int) -> Bitmap:
        """A small picture of a page, without keeping its display list (pages off screen)."""
        if page in self._lists:
            return self.render_preview(page, longest_px=longest_px)
        scale = preview_scale(self.page_size(page), longest_px)
        try:
            pixmap = self.document[page].get_pixmap(
                matrix=pymupdf.Matrix(scale, scale), alpha=False, annots=True
            )
        except (RuntimeError, ValueError) as exc:
            raise DamagedPdfError(
                f"Page {page + 1} of this PDF is damaged and cannot be shown."
            ) from exc
        return _bitmap(pixmap, scale, (0.0, 0.0))

    def _render(
        self, page: int, scale: float, clip: tuple[float, float, float, float] | None
    ) -> Bitmap:
        pixmap = self._pixmap(page, scale, clip)
        origin = (0.0, 0.0) if clip is None else (clip[0], clip[1])
        return _bitmap(pixmap, scale, origin)

    def _pixmap(
        self, page: int, scale: float, clip: tuple[float, float, float, float] | None
    ) -> pymupdf.Pixmap:
        matrix = pymupdf.Matrix(scale, scale)
        try:
            pixmap: pymupdf.Pixmap = self.display_list(page).get_pixmap(
                matrix=matrix, alpha=False, clip=None if clip is None else pymupdf.Rect(clip)
            )
        except (RuntimeError, ValueError) as exc:
            raise DamagedPdfError(
                f"Page {page + 1} of this PDF is damaged and cannot be shown."
            ) from exc
        return pixmap


def _bitmap(pixmap: pymupdf.Pixmap, scale: float, origin: tuple[float, float]) -> Bitmap:
    return Bitmap(
        width=pixmap.width,
        height=pixmap.height,
        stride=pixmap.stride,
        samples=bytes(pixmap.samples),
        scale=scale,
        origin=origin,
    )
