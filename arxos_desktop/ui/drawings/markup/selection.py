"""How the selected markup looks on the sheet: a dashed frame, and a handle to resize it.

The frame and the handle are drawn in the palette's highlight colour (so they
show in the dark theme too) and keep their screen size at any zoom; the handle
is a fingertip-sized square at the markup's bottom-right corner. A markup placed
at one point (a pin, a photo) and one imported read-only get no handle.
"""

from __future__ import annotations

import math
from typing import Final

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPalette, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from arxos_desktop.pdf.annotation_model import POINT_KINDS, Rect, bounds
from arxos_desktop.ui.drawings.markup.items import ANNOTATION_ID, Shown
from arxos_desktop.ui.drawings.view import DrawingView
from sync.schema import AnnotationKind

#: Side of the resize handle, in screen pixels (a tablet's hit target is 40).
HANDLE_PX: Final = 18.0


class SelectionMarks:
    """Draws the frame and handle of one markup; says whether a press grabbed the handle."""

    def __init__(self, view: DrawingView) -> None:
        self.view = view
        self.frame: QGraphicsRectItem | None = None
        self.handle: QGraphicsRectItem | None = None
        #: The selected markup's bounds in points (what a resize starts from).
        self.bounds: Rect | None = None

    def clear(self) -> None:
        for item in (self.frame, self.handle):
            if item is not None and item.scene() is not None:
                self.view.scene().removeItem(item)
        self.frame = self.handle = None
        self.bounds = None

    def show(self, shown: Shown | None, items: list[QGraphicsItem]) -> None:
        self.clear()
        if shown is None:
            return
        colour = self.view.palette().color(QPalette.ColorRole.Highlight)
        for item in items:
            if item.data(ANNOTATION_ID) != shown.id:
                continue
            pen = QPen(colour, 2)
            pen.setCosmetic(True)
            pen.setStyle(Qt.PenStyle.DashLine)
            self.frame = QGraphicsRectItem(self._scene_box(item))
            self.frame.setPen(pen)
            self.frame.setZValue(15)
            self.view.scene().addItem(self.frame)
        resizable = AnnotationKind(str(shown.record.kind)) not in POINT_KINDS
        if self.frame is None or shown.read_only or not resizable:
            return
        self.bounds = bounds(shown.record.geometry)
        half = HANDLE_PX / 2
        self.handle = QGraphicsRectItem(QRectF(-half, -half, HANDLE_PX, HANDLE_PX))
        self.handle.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        corner = self.view.space.to_shown((self.bounds[2], self.bounds[3]))
        self.handle.setPos(QPointF(*corner))
        self.handle.setBrush(QBrush(colour))
        self.handle.setPen(QPen(self.view.palette().color(QPalette.ColorRole.Base), 1))
        self.handle.setZValue(16)
        self.view.scene().addItem(self.handle)

    def _scene_box(self, item: QGraphicsItem) -> QRectF:
        """Where *item* shows, in points, counting parts that keep their screen size (a
        pin's head, labels), which Qt's own scene bounds measure in the wrong unit."""
        to_port = self.view.viewportTransform()
        box = QRectF()
        for part in [item, *item.childItems()]:
            if part.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents:
                continue
            box = box.united(part.deviceTransform(to_port).mapRect(part.boundingRect()))
        pad = 3.0
        return self.view.mapToScene(box.adjusted(-pad, -pad, pad, pad).toRect()).boundingRect()

    def grabs_handle(self, point: QPointF, reach_pt: float) -> bool:
        if self.handle is None or self.bounds is None:
            return False
        corner = (self.bounds[2], self.bounds[3])
        return math.dist((point.x(), point.y()), corner) <= reach_pt

    def resized_to(self, end: QPointF) -> list[float]:
        """The new bounds when the handle is let go at *end* (the top-left corner stays)."""
        assert self.bounds is not None
        x0, y0, _x1, _y1 = self.bounds
        return [x0, y0, max(end.x(), x0 + 1.0), max(end.y(), y0 + 1.0)]
