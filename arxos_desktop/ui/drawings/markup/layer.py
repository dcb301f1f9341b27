"""Markups on the open sheet: drawn from the replica, made and changed by pointer gestures.

What is on the sheet is always what the replica holds: the page's markups are
re-read whenever rows change (an edit here, an undo, a sync that brought someone
else's markup), and a gesture only becomes visible once its row is written. Every
write is a store call queued on the replica worker, never SQL here; each saved
change goes on the app's undo history, so Ctrl+Z walks markups back like any edit.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPalette, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsView
from shiboken6 import Shiboken

from arxos_desktop.pdf.markup_geometry import clamp, is_drag, nearest, rect_between, simplify
from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import (
    create_annotation,
    delete_annotation,
    move_annotation,
    resize_annotation,
)
from arxos_desktop.store.equipment import list_equipment
from arxos_desktop.store.undo import Edit
from arxos_desktop.ui.drawings.markup.items import Shown, markup_item, polygon_item
from arxos_desktop.ui.drawings.markup.photo_marker import PhotoMarkers, place_photo
from arxos_desktop.ui.drawings.markup.prompts import ask_calibration, ask_text
from arxos_desktop.ui.drawings.markup.rows import Loaded, author_of, created_edit, read_page
from arxos_desktop.ui.drawings.markup.selection import SelectionMarks
from arxos_desktop.ui.drawings.markup.toolbar import MarkupToolbar, Tool
from arxos_desktop.ui.drawings.markup.word_highlight import WordHighlighter
from arxos_desktop.ui.drawings.viewer import DrawingViewer
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from sync.schema import AnnotationKind

#: How near (screen pixels) a tap must land to pick a markup: a fingertip.
REACH_PX: Final = 20.0
#: The kind each drag tool makes, and whether it makes a rectangle or a two-point line.
_RECT_TOOLS: Final = {
    Tool.RECTANGLE: AnnotationKind.RECTANGLE,
    Tool.ELLIPSE: AnnotationKind.ELLIPSE,
    Tool.HIGHLIGHT: AnnotationKind.HIGHLIGHT,
    Tool.CLOUD: AnnotationKind.CLOUD,
    Tool.AREA: AnnotationKind.AREA,
    Tool.TEXT: AnnotationKind.TEXT,
}
_LINE_TOOLS: Final = {
    Tool.LINE: AnnotationKind.LINE,
    Tool.ARROW: AnnotationKind.ARROW,
    Tool.DISTANCE: AnnotationKind.DISTANCE,
    Tool.CALIBRATE: AnnotationKind.CALIBRATION,
}


class MarkupLayer(QObject):
    """Owns the viewer's markup layer: reading, drawing, and turning gestures into rows."""

    #: The open page's markups were (re)drawn.
    markups_did_load = Signal()
    #: The selected markup changed (a :class:`Shown`, or None).
    selection_did_change = Signal(object)
    #: A dialog asking for a callout's text or a calibration's length opened.
    dialog_was_opened = Signal(object)

    def __init__(self, state: AppState, viewer: DrawingViewer, toolbar: MarkupToolbar) -> None:
        super().__init__(viewer)
        self.state, self.viewer, self.toolbar = state, viewer, toolbar
        self.view = viewer.view
        self.shown: list[Shown] = []
        self.selected: Shown | None = None
        self._press: QPointF | None = None
        self._path: list[QPointF] = []
        self._preview: QGraphicsPathItem | None = None
        self.marks = SelectionMarks(self.view)
        self.photos = PhotoMarkers(state, self.view, self.dialog_was_opened)
        self.words = WordHighlighter(viewer)
        self._resizing = False
        #: Corners of an area being tapped out, and their dashed outline.
        self._corners: list[tuple[float, float]] = []
        self._corner_line: QGraphicsPathItem | None = None
        self._port = self.view.viewport()
        self._port.installEventFilter(self)
        self.view.installEventFilter(self)
        viewer.page_did_show.connect(lambda _page: self.reload())
        state.data_did_change.connect(self.reload)
        state.building_did_change.connect(lambda _b: self.load_equipment())
        toolbar.tool_was_chosen.connect(self._tool_chosen)
        toolbar.filter_did_change.connect(self.reload)

    # -- reading --------------------------------------------------------------------------

    def reload(self) -> None:
        entry = self.viewer.entry
        if entry is None or not self.viewer.page_sizes:
            return
        document_id, page = entry.id, self.viewer.page
        kinds, author = self.toolbar.kinds(), self.toolbar.author()
        self.state.ops.run(
            lambda replica: read_page(replica, document_id, page, kinds, author),
            success=lambda loaded: self._loaded(document_id, page, loaded),
            failure=lambda error: self.state.post(plain_words(error)),
            owner=self,
        )

    def load_equipment(self) -> None:
        building = self.state.building_id
        if building is None:
            return

        def read(replica: Replica) -> list[tuple[str, str]]:
            found = list_equipment(replica, building)
            return [(e.id, f"{e.tag} — {e.name}" if e.name else e.tag) for e in found]

        self.state.ops.run(read, success=self.toolbar.set_equipment, owner=self)

    def _loaded(self, document_id: str, page: int, loaded: Loaded) -> None:
        entry = self.viewer.entry
        if entry is None or entry.id != document_id or self.viewer.page != page:
            return  # another sheet is on screen now
        self.shown, authors = loaded
        self.toolbar.set_authors(authors)
        self.view.markup_layer.clear()
        for shown in self.shown:
            markup_item(shown, self.view.space).setParentItem(self.view.markup_layer)
        chosen = self.selected.id if self.selected is not None else None
        self.select(next((s for s in self.shown if s.id == chosen), None))
        self.markups_did_load.emit()

    def items(self) -> list[QGraphicsItem]:
        """The markup items on the sheet now, as a user sees them."""
        return list(self.view.markup_layer.childItems())

    # -- tools and selection ----------------------------------------------------------------

    def _tool_chosen(self, tool: str) -> None:
        self._end_corners()
        drawing = Tool(tool) is not Tool.SELECT
        self.words.use(Tool(tool) is Tool.HIGHLIGHT)
        self.view.setDragMode(
            QGraphicsView.DragMode.NoDrag if drawing else QGraphicsView.DragMode.ScrollHandDrag
        )
        if drawing:
            self.select(None)

    def select(self, shown: Shown | None) -> None:
        self.selected = shown
        self._mark_selection()
        self.selection_did_change.emit(shown)

    def _mark_selection(self) -> None:
        self.marks.show(self.selected, self.items())

    def delete_selected(self) -> None:
        shown = self.selected
        if shown is None:
            self.state.post("Select a markup first, then delete it.")
            return
        if shown.read_only:
            self.state.post("This markup came from another PDF program and cannot be changed.")
            return
        self.select(None)
        self.save(lambda replica: delete_annotation(replica, shown.id))

    def save(self, job: Any) -> None:
        """Run a store edit on the worker; its edit goes on the undo history."""
        self.state.ops.run(
            job,
            success=self.state.undo_history.record,
            failure=lambda error: self.state.post(plain_words(error)),
            writes=True,
        )

    # -- gestures ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if not (Shiboken.isValid(self.view) and Shiboken.isValid(self.viewer)):
            return False  # the window is closing: its widgets go before this filter
        if watched is self.view and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Delete,
                Qt.Key.Key_Backspace,
            ):
                self.delete_selected()
                return True
            return False
        if watched is not self._port or not isinstance(event, QMouseEvent):
            return False
        if self.viewer.entry is None or event.button() not in (
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.NoButton,
        ):
            return False
        point = self._page_point(event)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            return self._pressed(point)
        if kind == QEvent.Type.MouseMove and self._press is not None:
            self._moved(point)
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._press is not None:
            self._released(point)
            return True
        return False

    def _page_point(self, event: QMouseEvent) -> QPointF:
        """The stored page point under the pointer (on a turned sheet, the unrotated one)."""
        raw = self.view.view_to_stored(event.position())
        x, y = clamp(raw, self.view.space.stored_size)
        return QPointF(x, y)

    def _pressed(self, point: QPointF) -> bool:
        tool = self.toolbar.tool
        if tool is Tool.SELECT:
            reach = REACH_PX / max(self.view.zoom, 1e-6)
            self._resizing = self.marks.grabs_handle(point, reach)
            if self._resizing:
                self._press, self._path = point, [point]
                return True
            found = nearest([s.record.geometry for s in self.shown], (point.x(), point.y()), reach)
            self.select(None if found is None else self.shown[found])
            if found is None:
                return False  # a press on empty paper pans the sheet
        self.view.setFocus()
        self._press, self._path = point, [point]
        return True

    def _moved(self, point: QPointF) -> None:
        self._path.append(point)
        start = self._press
        assert start is not None
        tool = self.toolbar.tool
        if tool is Tool.INK or tool is Tool.SELECT:
            shape = self._path if tool is Tool.INK else [start, point]
        elif tool in _RECT_TOOLS:
            corners = [(start.x(), start.y()), (point.x(), start.y()), (point.x(), point.y())]
            shape = [
                QPointF(*c) for c in [*corners, (start.x(), point.y()), (start.x(), start.y())]
            ]
        else:
            shape = [start, point]
        if self._preview is None:
            self._preview = polygon_item(shape)
            pen = QPen(self.view.palette().color(QPalette.ColorRole.Highlight), 2)
            pen.setCosmetic(True)
            self._preview.setPen(pen)
            self._preview.setZValue(20)
            self._preview.setTransform(self.view.stored_transform())
            self.view.scene().addItem(self._preview)
        else:
            self._preview.setPath(polygon_item(shape).path())

    def _released(self, end: QPointF) -> None:
        start, path = self._press, self._path
        self._press, self._path = None, []
        if self._preview is not None:
            self.view.scene().removeItem(self._preview)
            self._preview = None
        assert start is not None
        a, b = (start.x(), start.y()), (end.x(), end.y())
        tool = self.toolbar.tool
        if tool is Tool.SELECT:
            self._finish_select(a, b)
        elif tool is Tool.PIN:
            self._place_pin(b)
        elif tool is Tool.PHOTO:
            self.photos.ask(lambda source: self._place_photo(list(b), source))
        elif tool is Tool.INK:
            points = simplify([(p.x(), p.y()) for p in path])
            self.create(AnnotationKind.INK, {"strokes": [[list(p) for p in points]]})
        elif tool is Tool.AREA and not is_drag(a, b):
            self._area_tap(b)
        elif not is_drag(a, b):
            self.state.post("Drag across the sheet to draw this markup.")
        elif tool in _RECT_TOOLS:
            self._finish_rect(tool, a, b)
        elif tool is Tool.CALIBRATE:
            ask_calibration(
                self.view, self._calibrated(a, b), self.state.post, self.dialog_was_opened
            )
        else:
            self.create(_LINE_TOOLS[tool], {"points": [list(a), list(b)]})

    def _area_tap(self, point: tuple[float, float]) -> None:
        """Taps add corners; a tap back on the first corner closes and measures the area."""
        reach = REACH_PX / max(self.view.zoom, 1e-6)
        corners = self._corners
        if len(corners) >= 3 and math.dist(point, corners[0]) <= reach:
            self.create(AnnotationKind.AREA, {"points": [list(c) for c in corners]})
            self._end_corners()
            return
        corners.append(point)
        if self._corner_line is None:
            self._corner_line = polygon_item([])
            pen = QPen(self.view.palette().color(QPalette.ColorRole.Highlight), 2)
            pen.setCosmetic(True)
            pen.setStyle(Qt.PenStyle.DashLine)
            self._corner_line.setPen(pen)
            self._corner_line.setZValue(20)
            self._corner_line.setTransform(self.view.stored_transform())
            self.view.scene().addItem(self._corner_line)
        self._corner_line.setPath(polygon_item([QPointF(*c) for c in corners]).path())

    def _end_corners(self) -> None:
        self._corners = []
        if self._corner_line is not None:
            self.view.scene().removeItem(self._corner_line)
            self._corner_line = None

    def _finish_select(self, a: tuple[float, float], b: tuple[float, float]) -> None:
        shown = self.selected
        if shown is None:
            return
        if self._resizing:
            self._resizing = False
            rect = self.marks.resized_to(QPointF(*b))
            self.save(lambda replica: resize_annotation(replica, shown.id, rect))
            return
        if not is_drag(a, b):
            if shown.record.kind == AnnotationKind.PIN.value and shown.record.equipment_id:
                self.state.show_record("equipment", str(shown.record.equipment_id))
            elif shown.record.kind == AnnotationKind.PHOTO.value:
                self.photos.show(shown)
            return
        if shown.read_only:
            self.state.post("This markup came from another PDF program and cannot be moved.")
            return
        dx, dy = b[0] - a[0], b[1] - a[1]
        self.save(lambda replica: move_annotation(replica, shown.id, dx, dy))

    def _finish_rect(self, tool: Tool, a: tuple[float, float], b: tuple[float, float]) -> None:
        x0, y0, x1, y1 = rect_between(a, b)
        kind = _RECT_TOOLS[tool]
        if kind in (AnnotationKind.CLOUD, AnnotationKind.AREA):
            corners = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
            self.create(kind, {"points": corners})
        elif kind is AnnotationKind.TEXT:
            geometry = {"rect": [x0, y0, x1, y1]}
            ask_text(
                self.view,
                lambda text: self.create(kind, geometry, text=text),
                self.dialog_was_opened,
            )
        elif kind is AnnotationKind.HIGHLIGHT:
            self.create(kind, self.words.geometry(a, b))
        else:
            self.create(kind, {"rect": [x0, y0, x1, y1]})

    def _place_pin(self, point: tuple[float, float]) -> None:
        equipment_id = self.toolbar.chosen_equipment()
        if equipment_id is None:
            self.state.post("Choose the equipment to pin from the list first.")
            return
        self.create(AnnotationKind.PIN, {"point": list(point)}, equipment_id=equipment_id)

    def _place_photo(self, point: list[float], source: Path) -> None:
        entry = self.viewer.entry
        if entry is None:
            return
        document_id, page, home = entry.id, self.viewer.page, self.state.home

        def job(replica: Replica) -> Edit:
            return place_photo(replica, document_id, page, point, source, author_of(home))

        self.save(job)

    def _calibrated(self, a: tuple[float, float], b: tuple[float, float]) -> Any:
        def done(length: float, unit: str) -> None:
            geometry = {"points": [list(a), list(b)], "length": length, "unit": unit}
            self.create(AnnotationKind.CALIBRATION, geometry)

        return done

    def create(self, kind: AnnotationKind, geometry: dict[str, Any], **fields: Any) -> None:
        """Write a new markup on the open page (its undo deletes it)."""
        entry = self.viewer.entry
        if entry is None:
            return
        document_id, page, home = entry.id, self.viewer.page, self.state.home

        def job(replica: Replica) -> Edit:
            record = create_annotation(
                replica,
                document_id=document_id,
                page=page,
                kind=kind,
                geometry=geometry,
                author=author_of(home),
                **fields,
            )
            return created_edit(record)

        self.save(job)
