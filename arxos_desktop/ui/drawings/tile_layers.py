"""Keeps a drawing view's preview and sharp-tile layers filled from the render thread.

On a new page the whole low-resolution preview is asked for first (something to
look at within a fraction of a second); then, whenever the view settles after a
zoom or a pan, the sharp tiles of the visible area at the view's level of
detail. Tiles for a level the view has left are dropped when they arrive, and
the render thread drops queued ones unrendered (each request is a new
generation). Rendered tiles are kept in a byte-bounded cache, so panning back or
reopening a sheet shows them at once.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem

from arxos_desktop.pdf.background import RenderService, TileRendered
from arxos_desktop.pdf.renderer import Bitmap
from arxos_desktop.pdf.tile_cache import TileCache
from arxos_desktop.pdf.tiles import (
    TileKey,
    clip_of,
    grid_of,
    level_for,
    preview_level,
    scale_of,
    visible_tiles,
)
from arxos_desktop.ui.drawings.view import DrawingView, Layer

#: How long the view must rest before sharp tiles are asked for (a wheel burst asks once).
SETTLE_MS: Final = 40

CacheKey = tuple[str, TileKey]


def to_pixmap(bitmap: Bitmap) -> QPixmap:
    """A pixmap of rendered pixels.

    The pixels are copied into an image Qt allocated: wrapping the Python bytes in
    a QImage directly trips a reference-counting bug in PySide6 (a crash when the
    image is freed).
    """
    width, height = bitmap.width, bitmap.height
    image = QImage(width, height, QImage.Format.Format_RGB888)
    target = np.frombuffer(image.bits(), np.uint8).reshape(height, image.bytesPerLine())
    source = np.frombuffer(bitmap.samples, np.uint8).reshape(height, bitmap.stride)
    target[:, : width * 3] = source[:, : width * 3]
    return QPixmap.fromImage(image)


class TileLayers(QObject):
    """The preview and sharp tiles of the page on screen in one :class:`DrawingView`."""

    #: Every preview tile of the page is on screen (the first image is complete).
    preview_did_complete = Signal()
    #: Every sharp tile the view needs right now is on screen.
    tiles_did_settle = Signal()

    def __init__(self, view: DrawingView, cache: TileCache[CacheKey, QPixmap]) -> None:
        super().__init__(view)
        self.view = view
        self.cache = cache
        self.service: RenderService | None = None
        self.document_key = ""
        self.page = -1
        self.size = (0.0, 0.0)
        self.level: int | None = None
        self.generation = 0
        self._preview_missing: set[TileKey] = set()
        self._shown: dict[TileKey, QGraphicsPixmapItem] = {}
        self._wanted: set[TileKey] = set()
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.refresh)
        view.view_did_change.connect(self._settle.start)

    @property
    def preview_complete(self) -> bool:
        return self.page >= 0 and not self._preview_missing

    @property
    def sharp_tiles_shown(self) -> int:
        return len(self._shown)

    @property
    def settled(self) -> bool:
        return self.preview_complete and self._wanted <= self._shown.keys()

    def begin(
        self, service: RenderService, document_key: str, page: int, size: tuple[float, float]
    ) -> None:
        """Show *page* of the drawing *document_key*: preview first, sharp tiles when still."""
        self.service = service
        self.document_key = document_key
        self.page = page
        self.size = size
        self.level = None
        self._shown.clear()
        self._wanted.clear()
        base = preview_level(size)
        cols, rows = grid_of(size, base)
        keys = [TileKey(page, base, c, r) for r in range(rows) for c in range(cols)]
        self._preview_missing = set()
        for key in keys:
            pixmap = self.cache.get((document_key, key))
            if pixmap is None:
                self._preview_missing.add(key)
            else:
                self._place(self.view.preview_layer, key, pixmap)
        missing = [k for k in keys if k in self._preview_missing]
        if missing:
            service.request_preview(missing)
        else:
            self.preview_did_complete.emit()
        self._settle.start()

    def stop(self) -> None:
        """The drawing closed: nothing more is asked for or placed."""
        self._settle.stop()
        self.service = None
        self.page = -1
        self._shown.clear()
        self._wanted.clear()
        self._preview_missing.clear()

    def refresh(self) -> None:
        """Ask for the sharp tiles the view shows now (cached ones are placed at once)."""
        if self.service is None or self.page < 0:
            return
        level = level_for(self.view.device_scale())
        if level <= preview_level(self.size):
            level_changed = self.level is not None
            self.level = None
            self._wanted.clear()
            if level_changed:
                self._clear_sharp()
            if self.preview_complete:
                self._now_settled()
            return
        if level != self.level:
            self._retire_sharp()
            self.level = level
        keys = visible_tiles(self.page, self.size, level, self.view.visible_page_rect())
        self._wanted = set(keys)
        missing: list[TileKey] = []
        for key in keys:
            if key in self._shown:
                continue
            pixmap = self.cache.get((self.document_key, key))
            if pixmap is None:
                missing.append(key)
            else:
                self._shown[key] = self._place(self.view.tile_layer, key, pixmap)
        self.generation += 1
        self.service.request_tiles(missing, self.generation)
        if not missing and self.preview_complete:
            self._now_settled()

    def tile_did_render(self, result: TileRendered) -> None:
        """A tile came back from the render thread: cache it, show it if still wanted."""
        key = result.key
        pixmap = to_pixmap(result.bitmap)
        self.cache.put((self.document_key, key), pixmap, result.bitmap.nbytes)
        if key.page != self.page:
            return
        if result.preview:
            if key in self._preview_missing:
                self._preview_missing.discard(key)
                self._place(self.view.preview_layer, key, pixmap)
                if not self._preview_missing:
                    self.preview_did_complete.emit()
                    if self.settled:
                        self._now_settled()
            return
        if key.level != self.level or key in self._shown:
            return  # a level the view has left: dropped
        self._shown[key] = self._place(self.view.tile_layer, key, pixmap)
        if self._wanted and self.settled:
            self._now_settled()

    def _place(self, layer: Layer, key: TileKey, pixmap: QPixmap) -> QGraphicsPixmapItem:
        x0, y0, _x1, _y1 = clip_of(key, self.size)
        item = QGraphicsPixmapItem(pixmap, layer)
        item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        item.setPos(x0, y0)
        item.setScale(1.0 / scale_of(key.level))
        return item

    def _now_settled(self) -> None:
        self.view.stale_layer.clear()
        self.tiles_did_settle.emit()

    def _clear_sharp(self) -> None:
        self.view.stale_layer.clear()
        self.view.tile_layer.clear()
        self._shown.clear()

    def _retire_sharp(self) -> None:
        """Keep the left level's tiles (drawn scaled) under the new ones until those are in.

        Zooming past a level then shows slightly soft detail for a moment, not the
        blurrier preview.
        """
        stale = self.view.stale_layer
        stale.clear()
        for item in self.view.tile_layer.childItems():
            item.setParentItem(stale)
        self._shown.clear()
