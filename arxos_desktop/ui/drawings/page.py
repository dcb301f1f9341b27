"""The Drawings page: the open building's drawings by discipline, and the viewer.

The library is read by the replica worker and re-read when rows change (a sync
brought a new sheet) or files arrive (a sheet became openable offline).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.store import Replica
from arxos_desktop.store.documents import DisciplineGroup, DrawingEntry, drawing_library
from arxos_desktop.store.records import Record, read_row
from arxos_desktop.ui.drawings.fold import Fold
from arxos_desktop.ui.drawings.markup.layer import MarkupLayer
from arxos_desktop.ui.drawings.markup.panel import MarkupPanel
from arxos_desktop.ui.drawings.markup.toolbar import TOOLS, MarkupToolbar, Tool
from arxos_desktop.ui.drawings.pin_focus import PinFocus
from arxos_desktop.ui.drawings.viewer import DrawingViewer
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState

#: Width of the library beside the viewer.
LIBRARY_WIDTH: Final = 300
#: Below this page width the library folds away once a drawing opens (the sheet needs it).
NARROW_PX: Final = 1400
#: Width of the selected markup's panel on the right.
MARKUP_PANEL_WIDTH: Final = 240
_ENTRY_ROLE: Final = Qt.ItemDataRole.UserRole


class DrawingLibrary(QTreeWidget):
    """Disciplines as headings, drawings under them with their sheet count or "not here yet"."""

    #: The user chose a drawing to open.
    drawing_was_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels(["Drawing", "Sheets"])
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(False)
        self.setAccessibleName("Drawing library")
        self.setRootIsDecorated(False)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)

    def show_groups(self, groups: list[DisciplineGroup]) -> None:
        chosen = self.current_id()
        self.clear()
        for group in groups:
            heading = QTreeWidgetItem([group.discipline.value.capitalize(), ""])
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = heading.font(0)
            font.setBold(True)
            heading.setFont(0, font)
            self.addTopLevelItem(heading)
            for entry in group.drawings:
                sheets = str(entry.page_count) if entry.is_local else "not here yet"
                item = QTreeWidgetItem([entry.title, sheets])
                item.setData(0, _ENTRY_ROLE, entry)
                item.setToolTip(0, entry.file_name)
                heading.addChild(item)
                if entry.id == chosen:
                    self.setCurrentItem(item)
            heading.setExpanded(True)

    def current_id(self) -> str | None:
        item = self.currentItem()
        entry = None if item is None else item.data(0, _ENTRY_ROLE)
        return entry.id if isinstance(entry, DrawingEntry) else None

    def entries(self) -> list[DrawingEntry]:
        return [entry for _item, entry in self._drawing_items()]

    def select(self, document_id: str) -> DrawingEntry | None:
        for item, entry in self._drawing_items():
            if entry.id == document_id:
                self.setCurrentItem(item)
                return entry
        return None

    def _drawing_items(self) -> list[tuple[QTreeWidgetItem, DrawingEntry]]:
        found: list[tuple[QTreeWidgetItem, DrawingEntry]] = []
        for top in range(self.topLevelItemCount()):
            heading = self.topLevelItem(top)
            for child in range(heading.childCount() if heading is not None else 0):
                item = heading.child(child) if heading is not None else None
                entry = None if item is None else item.data(0, _ENTRY_ROLE)
                if item is not None and isinstance(entry, DrawingEntry):
                    found.append((item, entry))
        return found

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        entry = item.data(0, _ENTRY_ROLE)
        if isinstance(entry, DrawingEntry):
            self.drawing_was_chosen.emit(entry)


class DrawingsPage(QWidget):
    """Library | viewer, for the building on screen."""

    #: A requested annotation (a pin, from "show on drawing") opens its sheet at it.
    ENTITIES: Final = ("document", "annotation")

    #: The library was (re)read.
    library_did_load = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setAccessibleName("Drawings")
        self.library = DrawingLibrary()
        self.viewer = DrawingViewer(state)
        self.tools = MarkupToolbar()
        self.markups = MarkupLayer(state, self.viewer, self.tools)
        self.markup_panel = MarkupPanel(self.markups)
        self.pin_focus = PinFocus(self.viewer)
        self.library.drawing_was_chosen.connect(self._open)
        self.library_fold = Fold(
            self.library, label="Library", name="the drawing library", key="drawings/library"
        )
        self.sheets_fold = Fold(
            self.viewer.thumbnails,
            label="Sheets",
            name="the sheet thumbnails",
            key="drawings/thumbnails",
        )
        sheet = QWidget()
        column = QVBoxLayout(sheet)
        column.setContentsMargins(0, 0, 0, 0)
        self.viewer.leading.addWidget(self.library_fold.button)
        self.viewer.leading.addWidget(self.sheets_fold.button)
        column.addWidget(self.tools)
        column.addWidget(self.viewer, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.library)
        splitter.addWidget(sheet)
        splitter.addWidget(self.markup_panel)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([LIBRARY_WIDTH, 1000, MARKUP_PANEL_WIDTH])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self._wanted: str | None = None
        self._fold_when_shown = False
        self.viewer.page_did_show.connect(self._sheet_shown)
        self._page_actions: list[QAction] = []
        state.building_did_change.connect(self._building_changed)
        state.data_did_change.connect(self.reload)
        state.files_did_arrive.connect(self.reload)
        state.record_was_requested.connect(self._record_requested)

    def install_actions(self, window: MainWindow) -> None:
        """Shortcuts in the Drawing menu; all but "Find on drawing" (which brings this page
        up) are live only while the page is on screen, so other pages may reuse the keys."""
        menu = window.menuBar().addMenu("&Drawing")
        viewer = self.viewer

        def find() -> None:
            window.pages.setCurrentWidget(self)
            viewer.focus_search()

        window.add_action(menu, "Find on drawing", "Ctrl+Alt+F", find)
        for text, keys, slot in (
            ("Next match", "F3", viewer.search.next),
            ("Previous match", "Shift+F3", viewer.search.previous),
            ("Zoom in", "Ctrl+=", viewer.zoom_in),
            ("Zoom out", "Ctrl+-", viewer.zoom_out),
            ("Fit width", "Ctrl+Alt+W", viewer.view.fit_width),
            ("Fit page", "Ctrl+0", viewer.view.fit_page),
            ("Next sheet", "Ctrl+PgDown", viewer.next_page),
            ("Previous sheet", "Ctrl+PgUp", viewer.previous_page),
            ("Show or hide the drawing library", "Ctrl+Alt+B", self.library_fold.toggle),
            ("Show or hide the sheet thumbnails", "Ctrl+Alt+T", self.sheets_fold.toggle),
        ):
            action = window.add_action(menu, text, keys, slot)
            action.setEnabled(self.isVisible())
            self._page_actions.append(action)
        tools = menu.addMenu("Markup &tool")
        for spec in TOOLS:
            action = window.add_action(tools, spec.name, spec.shortcut, self._chooser(spec.tool))
            action.setEnabled(self.isVisible())
            self._page_actions.append(action)
        self.library_fold.remember_in(window.settings)
        self.sheets_fold.remember_in(window.settings)
        window.on_close(self.viewer.close_drawing)
        window.on_close(self.markups.photos.shutdown)

    def _chooser(self, tool: Tool) -> Callable[[], None]:
        return lambda: self.tools.choose(tool)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        for action in self._page_actions:
            action.setEnabled(True)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt's name)
        for action in self._page_actions:
            action.setEnabled(False)
        super().hideEvent(event)

    def reload(self) -> None:
        building = self.state.building_id
        if building is None:
            return

        def read(replica: Replica) -> list[DisciplineGroup]:
            return drawing_library(replica, building)

        self.state.ops.run(read, success=self._loaded, owner=self)
        self.markups.load_equipment()

    def _loaded(self, groups: list[DisciplineGroup]) -> None:
        self.library.show_groups(groups)
        self.library_did_load.emit()
        if self._wanted is not None:
            entry = self.library.select(self._wanted)
            if entry is not None:
                self._wanted = None
                self._open(entry)

    def _building_changed(self, building_id: str) -> None:
        self._wanted = None
        self.viewer.close_drawing()
        if not building_id:  # no building left to show: none of the last one's drawings
            self.library.clear()
            self.markups.toolbar.set_equipment([])
            self.library_did_load.emit()
        self.reload()

    def _record_requested(self, entity: str, record_id: str) -> None:
        if entity == "annotation":
            self.state.ops.run(
                lambda replica: read_row(replica, "annotation", record_id),
                success=self._show_pin,
                failure=lambda error: self.state.post(plain_words(error)),
                owner=self,
            )
        elif entity in self.ENTITIES:
            entry = self.library.select(record_id)
            if entry is None:
                self._wanted = record_id
                self.reload()
            else:
                self._open(entry)

    def _show_pin(self, pin: Record) -> None:
        """Open the pin's drawing at its sheet, zoomed in and centred on it."""
        self.pin_focus.aim(pin)
        self._record_requested("document", str(pin.document_id))

    def _open(self, entry: DrawingEntry) -> None:
        shown = self.viewer.entry
        if shown is not None and shown.id == entry.id and self.viewer.bridge is not None:
            return
        self._fold_when_shown = True
        self.viewer.open_drawing(entry)

    def _sheet_shown(self, _page: int) -> None:
        """A drawing just opened: on a narrow window its sheet needs the library's room."""
        if self._fold_when_shown and self.width() < NARROW_PX:
            self.library_fold.fold_unless_kept()
        self._fold_when_shown = False
