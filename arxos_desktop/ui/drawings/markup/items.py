"""One stored markup as graphics items on the sheet, in page points.

Pens are cosmetic where a line must stay visible at any zoom; a markup's own
colour and width come from its style. Each item carries its annotation's id, so
a tap on the sheet knows which row it touched, and a tooltip with the author,
the date and (for a measurement) the real value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsItemGroup,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
)

from arxos_desktop.pdf.page_space import PageSpace
from arxos_desktop.store.records import Record
from sync.schema import AnnotationKind

#: Key of the annotation id on every item.
ANNOTATION_ID: Final = 0
#: Radius (screen pixels, at any zoom) of a pin's head: big enough to see and tap.
PIN_RADIUS: Final = 7.0


@dataclass(frozen=True, slots=True)
class Shown:
    """A markup read for the sheet, with its measurement's words if it is one."""

    record: Record
    measurement: str | None = None

    @property
    def id(self) -> str:
        return str(self.record.id)

    @property
    def read_only(self) -> bool:
        return str(self.record.kind) == AnnotationKind.FOREIGN.value

    def describe(self) -> str:
        """Who made it and when, for the tooltip and the side panel."""
        kind = str(self.record.kind).replace("_", " ")
        author = self.record.author or "an unknown author"
        stamp = str(self.record.authored_at or "")
        when = f", {stamp.replace('T', ' ').removesuffix('Z')} UTC" if stamp else ""
        extra = f" — {self.measurement}" if self.measurement else ""
        return f"{kind.capitalize()} by {author}{when}{extra}"


def _pen(style: dict[str, Any], *, cosmetic: bool = False) -> QPen:
    pen = QPen(QColor(style.get("color", "#d32f2f")), float(style.get("width", 2.0)))
    pen.setCosmetic(cosmetic)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _polyline(points: list[list[float]]) -> QPainterPath:
    path = QPainterPath(QPointF(*points[0]))
    for x, y in points[1:]:
        path.lineTo(x, y)
    return path


def _cloud(points: list[list[float]]) -> QPainterPath:
    """Scalloped arcs along each edge of the polygon, as revision clouds are drawn."""
    path = QPainterPath(QPointF(*points[0]))
    for a, b in zip(points, [*points[1:], points[0]], strict=True):
        length = math.dist(a, b)
        bumps = max(1, round(length / 12))
        for i in range(bumps):
            t0, t1 = i / bumps, (i + 1) / bumps
            start = QPointF(a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0)
            end = QPointF(a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1)
            mid = (start + end) / 2
            normal = QPointF(-(end.y() - start.y()), end.x() - start.x()) * 0.5
            path.quadTo(mid + normal, end)
    return path


def _arrow(points: list[list[float]], width: float) -> QPainterPath:
    path = _polyline(points)
    (x0, y0), (x1, y1) = points[0], points[-1]
    angle = math.atan2(y1 - y0, x1 - x0)
    size = 4 + 3 * width
    for turn in (math.pi * 0.85, -math.pi * 0.85):
        path.moveTo(x1, y1)
        path.lineTo(x1 + size * math.cos(angle + turn), y1 + size * math.sin(angle + turn))
    return path


def _shape(shown: Shown) -> QGraphicsItem:
    record = shown.record
    kind = AnnotationKind(str(record.kind))
    geometry: dict[str, Any] = record.geometry
    style: dict[str, Any] = record.style or {}
    colour = QColor(style.get("color", "#d32f2f"))
    if kind in (AnnotationKind.PIN, AnnotationKind.PHOTO):
        x, y = geometry["point"]
        r = PIN_RADIUS
        pin = QGraphicsEllipseItem(QRectF(-r, -r, 2 * r, 2 * r))
        pin.setPos(x, y)
        pin.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        pin.setBrush(QBrush(colour))
        pin.setPen(QPen(QColor("#ffffff"), 2))
        return pin
    if "rect" in geometry:
        x0, y0, x1, y1 = geometry["rect"]
        rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        item: QGraphicsRectItem | QGraphicsEllipseItem
        item = (
            QGraphicsEllipseItem(rect)
            if kind is AnnotationKind.ELLIPSE
            else QGraphicsRectItem(rect)
        )
        if kind is AnnotationKind.HIGHLIGHT:
            fill = QColor(style.get("fill", "#ffeb3b"))
            fill.setAlpha(90)
            if "quads" in geometry:  # the lines of words it covers, not their bounding box
                return _quads_item(geometry["quads"], fill)
            item.setBrush(QBrush(fill))
            item.setPen(QPen(Qt.PenStyle.NoPen))
        else:
            pen = _pen(style, cosmetic=kind is AnnotationKind.FOREIGN)
            if kind is AnnotationKind.FOREIGN:
                pen.setStyle(Qt.PenStyle.DashLine)  # drawn by another program: locked
            item.setPen(pen)
        return item
    if "strokes" in geometry:
        path = QPainterPath()
        for stroke in geometry["strokes"]:
            path.addPath(_polyline(stroke))
        return _path_item(path, style)
    points = geometry["points"]
    if kind is AnnotationKind.CLOUD:
        return _path_item(_cloud(points), style)
    if kind is AnnotationKind.ARROW:
        return _path_item(_arrow(points, float(style.get("width", 2.0))), style)
    if kind is AnnotationKind.AREA:
        path = _polyline(points)
        path.closeSubpath()
        return _path_item(path, style)
    return _path_item(_polyline(points), style)


def _quads_item(quads: list[list[float]], fill: QColor) -> QGraphicsPathItem:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)  # lines that touch stay filled where they meet
    for x0, y0, x1, y1 in quads:
        path.addRect(QRectF(x0, y0, x1 - x0, y1 - y0))
    item = QGraphicsPathItem(path)
    item.setBrush(QBrush(fill))
    item.setPen(QPen(Qt.PenStyle.NoPen))
    return item


def _path_item(path: QPainterPath, style: dict[str, Any]) -> QGraphicsPathItem:
    item = QGraphicsPathItem(path)
    item.setPen(_pen(style))
    return item


def markup_item(shown: Shown, space: PageSpace | None = None) -> QGraphicsItem:
    """The markup as one item (a group when it has a label), tagged with its id.

    Items are in stored page points; *space* is the page's rotation, so a label goes
    under the shape as the sheet is shown, not under its unrotated bottom edge.
    """
    record = shown.record
    shape = _shape(shown)
    words = shown.measurement or (record.text or None)
    if words is None and str(record.kind) == AnnotationKind.CALIBRATION.value:
        words = f"{record.geometry['length']:g} {record.geometry['unit']}"
    item: QGraphicsItem = shape
    if words:
        group = QGraphicsItemGroup()
        group.addToGroup(shape)
        label = QGraphicsSimpleTextItem(words)
        # Words keep their screen size, so a label reads at any zoom.
        label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        font = QFont(label.font())
        font.setPointSizeF(float(record.style.get("font_size", font.pointSizeF())))
        label.setFont(font)
        label.setBrush(QBrush(QColor(record.style.get("color", "#d32f2f"))))
        if "point" in record.geometry:  # beside a pin's head
            label.setPos(QPointF(*record.geometry["point"]))
            label.setTransform(QTransform.fromTranslate(PIN_RADIUS + 3, -PIN_RADIUS - 1))
        else:  # under the shape, as shown
            box = shape.boundingRect()
            space = space or PageSpace()
            x0, _y0, _x1, y1 = space.rect_to_shown(
                (box.left(), box.top(), box.right(), box.bottom())
            )
            label.setPos(QPointF(*space.to_stored((x0, y1))))
            label.setTransform(QTransform.fromTranslate(0, 2))
        group.addToGroup(label)
        item = group
    item.setData(ANNOTATION_ID, shown.id)
    item.setToolTip(shown.describe())
    return item


def polygon_item(points: list[QPointF]) -> QGraphicsPathItem:
    """A thin preview of the gesture under way (cosmetic, the palette's highlight)."""
    return QGraphicsPathItem(
        _polyline([[p.x(), p.y()] for p in points]) if points else QPainterPath()
    )


def rect_polygon(x0: float, y0: float, x1: float, y1: float) -> QPolygonF:
    return QPolygonF([QPointF(x0, y0), QPointF(x1, y0), QPointF(x1, y1), QPointF(x0, y1)])
