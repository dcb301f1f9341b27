"""One drawing page on screen: a graphics scene in PDF page points, zoomed and panned.

The scene's unit is the PDF point with y down, on the page as shown (its
/Rotate applied, as the tiles are rendered); zoom and pan are only the view's
transform. Items sit on layers stacked by z value: the preview, the sharp tiles,
search hits, then :attr:`DrawingView.markup_layer` for annotations (whatever a
markup tool adds there moves and zooms with the sheet, with no code of its own
for it). Search hits and markups are in the unrotated page space they are stored
in; their two layers carry the page's rotation (:mod:`arxos_desktop.pdf.page_space`),
so they land where the PDF says on a turned sheet too.
"""

from __future__ import annotations

import math
from typing import Final

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeyEvent,
    QNativeGestureEvent,
    QPainter,
    QPalette,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGestureEvent,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QPinchGesture,
    QStyleOptionGraphicsItem,
    QWidget,
)

from arxos_desktop.pdf.page_space import PageSpace

#: Zoom limits in screen pixels per point (1/20 to 16 times a 72-dpi sheet).
MIN_ZOOM: Final = 0.05
MAX_ZOOM: Final = 16.0
#: Grey margin around the sheet, in screen pixels, when fitted.
FIT_MARGIN_PX: Final = 12
#: Wheel notches (120 units each) per doubling of the zoom: four notches, 19 % each.
_WHEEL_UNITS_PER_DOUBLING: Final = 480.0
#: Zoom step of the zoom-in/zoom-out actions and the + and - keys.
ZOOM_STEP: Final = math.sqrt(2)


class Layer(QGraphicsItem):
    """An empty item that only groups children, so a layer is cleared or hidden at once."""

    def __init__(self, z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return QRectF()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        return

    def clear(self) -> None:
        scene = self.scene()
        if scene is None:
            return
        for child in self.childItems():
            scene.removeItem(child)  # also takes it off this layer


class DrawingView(QGraphicsView):
    """Zoom (wheel, pinch, keys, fit) and pan (drag, scroll bars, arrow keys) over one page."""

    #: The visible part of the page or the zoom changed: time to ask for tiles.
    view_did_change = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.page_size = (0.0, 0.0)
        #: The page's rotation: between the scene (shown) and stored page points.
        self.space = PageSpace()
        self.sheet = QGraphicsRectItem()
        self.sheet.setBrush(QBrush(QColor(255, 255, 255)))  # paper stays white in dark mode
        self.sheet.setPen(Qt.PenStyle.NoPen)
        self.sheet.setZValue(-1)
        self.preview_layer = Layer(0)
        #: Sharp tiles of the level the view just left, shown until the new level's arrive.
        self.stale_layer = Layer(0.5)
        self.tile_layer = Layer(1)
        self.hit_layer = Layer(5)
        #: Where annotation items go (page coordinates); above tiles and search hits.
        self.markup_layer = Layer(10)
        for item in (
            self.sheet,
            self.preview_layer,
            self.stale_layer,
            self.tile_layer,
            self.hit_layer,
        ):
            self.scene().addItem(item)
        self.scene().addItem(self.markup_layer)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        # Around the sheet: the window colour a shade darker, so the white sheet's edge
        # shows in the light theme and the margin stays dark in the dark one.
        self.setBackgroundBrush(QBrush(self.palette().color(QPalette.ColorRole.Window).darker(125)))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Drawing sheet")
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self.horizontalScrollBar().valueChanged.connect(self.view_did_change)
        self.verticalScrollBar().valueChanged.connect(self.view_did_change)
        self._pinch_start = 1.0
        #: "width" or "page" while the sheet is fitted (a resize fits it again), else None.
        self.fit_mode: str | None = None

    # -- the page and the transform API ------------------------------------------------------

    def set_page(self, size: tuple[float, float], *, rotation: int = 0) -> None:
        """Show an empty sheet of *size* points as shown, turned by *rotation* (layers cleared)."""
        self.page_size = size
        self.space = PageSpace.of_shown(size, rotation)
        to_shown = self.stored_transform()
        self.hit_layer.setTransform(to_shown)
        self.markup_layer.setTransform(to_shown)
        for layer in (
            self.preview_layer,
            self.stale_layer,
            self.tile_layer,
            self.hit_layer,
            self.markup_layer,
        ):
            layer.clear()
        width, height = size
        self.sheet.setRect(0, 0, width, height)
        margin = max(width, height) * 0.05
        self.setSceneRect(QRectF(-margin, -margin, width + 2 * margin, height + 2 * margin))

    @property
    def zoom(self) -> float:
        """Screen pixels (logical) per PDF point."""
        return float(self.transform().m11())

    def device_scale(self) -> float:
        """Device pixels per point: what tiles must be rendered at to look sharp."""
        return self.zoom * self.devicePixelRatioF()

    def page_to_view(self, point: QPointF) -> QPointF:
        """Where a point of the page (PDF points) is in the viewport."""
        return QPointF(self.viewportTransform().map(point))

    def view_to_page(self, point: QPointF | QPoint) -> QPointF:
        """Which point of the page (PDF points) is under a viewport position."""
        inverse, _ok = self.viewportTransform().inverted()
        return QPointF(inverse.map(QPointF(point)))

    def stored_transform(self) -> QTransform:
        """Stored page points → scene points: for an item drawn in stored points."""
        a, b, c, d, e, f = self.space.to_shown_matrix
        return QTransform(a, b, c, d, e, f)

    def view_to_stored(self, point: QPointF | QPoint) -> tuple[float, float]:
        """Which point of the unrotated page (stored points) is under a viewport position."""
        shown = self.view_to_page(point)
        return self.space.to_stored((shown.x(), shown.y()))

    def stored_to_view(self, point: tuple[float, float]) -> QPointF:
        """Where a stored page point is in the viewport."""
        return self.page_to_view(QPointF(*self.space.to_shown(point)))

    def visible_page_rect(self) -> tuple[float, float, float, float]:
        """The part of the page in view, in points (empty when none of it is)."""
        corner0 = self.view_to_page(QPointF(0, 0))
        size = self.viewport().size()
        corner1 = self.view_to_page(QPointF(size.width(), size.height()))
        width, height = self.page_size
        return (
            max(0.0, corner0.x()),
            max(0.0, corner0.y()),
            min(width, corner1.x()),
            min(height, corner1.y()),
        )

    # -- zoom ---------------------------------------------------------------------------------

    def set_zoom(self, zoom: float, *, anchor: QPointF | None = None) -> None:
        """Zoom to *zoom*, keeping the page point under *anchor* (viewport pixels) in place."""
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self.fit_mode = None
        if anchor is None:
            anchor = QPointF(self.viewport().width() / 2, self.viewport().height() / 2)
        fixed = self.view_to_page(anchor)
        self.setTransform(QTransform.fromScale(zoom, zoom))
        self._put(fixed, anchor)
        self.view_did_change.emit()

    def zoom_by(self, factor: float, *, anchor: QPointF | None = None) -> None:
        self.set_zoom(self.zoom * factor, anchor=anchor)

    def fit_width(self) -> None:
        """The sheet's width fills the view; the top of the sheet shows."""
        width, _height = self.page_size
        if width <= 0:
            return
        self.fit_mode = "width"
        usable = max(1, self.viewport().width() - 2 * FIT_MARGIN_PX)
        self.setTransform(QTransform.fromScale(usable / width, usable / width))
        self._put(QPointF(width / 2, 0), QPointF(self.viewport().width() / 2, FIT_MARGIN_PX))
        self.view_did_change.emit()

    def fit_page(self) -> None:
        """The whole sheet in view, centred."""
        width, height = self.page_size
        if width <= 0 or height <= 0:
            return
        self.fit_mode = "page"
        port = self.viewport().size()
        zoom = min(
            max(1, port.width() - 2 * FIT_MARGIN_PX) / width,
            max(1, port.height() - 2 * FIT_MARGIN_PX) / height,
        )
        self.setTransform(QTransform.fromScale(zoom, zoom))
        self.centerOn(width / 2, height / 2)
        self.view_did_change.emit()

    def show_page_rect(self, rect: tuple[float, float, float, float]) -> None:
        """Scroll so *rect* (points) is in the middle of the view, zoom unchanged."""
        x0, y0, x1, y1 = rect
        self.centerOn((x0 + x1) / 2, (y0 + y1) / 2)
        self.view_did_change.emit()

    def _put(self, page_point: QPointF, view_point: QPointF) -> None:
        """Scroll so *page_point* shows at *view_point* (as near as the scroll range allows)."""
        now = self.page_to_view(page_point)
        delta = now - view_point
        hbar, vbar = self.horizontalScrollBar(), self.verticalScrollBar()
        hbar.setValue(hbar.value() + round(delta.x()))
        vbar.setValue(vbar.value() + round(delta.y()))

    # -- input ------------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt's name)
        """The wheel zooms around the cursor (Shift+wheel or a sideways swipe pans)."""
        delta = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier or delta.y() == 0:
            super().wheelEvent(event)
            return
        self.zoom_by(2 ** (delta.y() / _WHEEL_UNITS_PER_DOUBLING), anchor=event.position())
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Gesture and isinstance(event, QGestureEvent):
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                self._pinch(pinch)
                event.accept()
                return True
        if (
            isinstance(event, QNativeGestureEvent)
            and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture
        ):
            self.zoom_by(1.0 + event.value(), anchor=event.position())
            event.accept()
            return True
        return super().viewportEvent(event)

    def _pinch(self, pinch: QPinchGesture) -> None:
        if pinch.state() == Qt.GestureState.GestureStarted:
            self._pinch_start = self.zoom
        centre = QPointF(self.viewport().mapFromGlobal(pinch.centerPoint().toPoint()))
        self.set_zoom(self._pinch_start * pinch.totalScaleFactor(), anchor=centre)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """+ and - zoom around the centre; arrows and Page Up/Down pan (Qt's own keys)."""
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(ZOOM_STEP)
        elif event.key() == Qt.Key.Key_Minus:
            self.zoom_by(1 / ZOOM_STEP)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.fit_mode == "width":
            self.fit_width()
        elif self.fit_mode == "page":
            self.fit_page()
        else:
            self.view_did_change.emit()
