"""Search everywhere (Ctrl+K): a box over the window that finds tags, rooms, notes and work
orders as you type, and jumps to the one you pick.

Typing never waits on the replica: each pause of :data:`DEBOUNCE_MS` queues one
search on the replica worker, and an answer to an older query is dropped (a
query still queued behind a newer one is skipped before it runs). Up and Down
move through the results from the box itself, Enter jumps, Esc closes.
"""

from __future__ import annotations

import html

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.store import Replica
from arxos_desktop.store.search import SearchHit, search
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX

#: How long typing must pause before a search runs.
DEBOUNCE_MS = 150
#: Results shown at most (the best ones; a longer query narrows them).
MAX_RESULTS = 30

KIND_WORDS = {"equipment": "Equipment", "room": "Room", "workorder": "Work order", "note": "Note"}
_KIND_ICONS = {
    "equipment": QStyle.StandardPixmap.SP_ComputerIcon,
    "room": QStyle.StandardPixmap.SP_DirHomeIcon,
    "workorder": QStyle.StandardPixmap.SP_FileDialogDetailedView,
    "note": QStyle.StandardPixmap.SP_FileIcon,
}
_HIT_ROLE = Qt.ItemDataRole.UserRole
_HTML_ROLE = Qt.ItemDataRole.UserRole + 1
_ICON_PX = 24


def marked_snippet(text: str) -> str:
    """A snippet as rich text: the search marks its matches with [ ]; those show in bold."""
    return html.escape(text).replace("[", "<b>").replace("]", "</b>")


class _HitDelegate(QStyledItemDelegate):
    """Draws a result as rich text (title, kind, snippet with matches in bold).

    Painting only the rows on screen keeps a fresh result list cheap to show: a
    widget per row cost milliseconds each, and typing must never wait for it.
    """

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        doc = QTextDocument()
        doc.setDefaultFont(opt.font)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        color = opt.palette.color(role).name()
        doc.setHtml(f"<div style='color:{color}'>{index.data(_HTML_ROLE)}</div>")
        left = opt.rect.left() + _ICON_PX + 16
        doc.setTextWidth(opt.rect.right() - left - 8)
        painter.save()
        painter.translate(left, opt.rect.top() + 2)
        doc.drawContents(painter)
        painter.restore()

    def sizeHint(  # noqa: N802 (Qt's name)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        lines = option.fontMetrics.lineSpacing() * 2
        return QSize(200, max(TOUCH_TARGET_PX + 8, lines + 12))


class SearchPalette(QDialog):
    """The Ctrl+K box: one per window, hidden between uses (the last query is kept)."""

    #: Results for this query are on screen (tests wait on it; empty for no match).
    results_did_show = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Search everywhere")
        self.setAccessibleName("Search everywhere")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        self._generation = 0
        self.box = QLineEdit(self)
        self.box.setPlaceholderText("Search tags, rooms, notes and work orders")
        self.box.setAccessibleName("Search text")
        self.box.setClearButtonEnabled(True)
        self.box.setMinimumHeight(TOUCH_TARGET_PX + 8)
        self.results = QListWidget(self)
        self.results.setAccessibleName("Search results")
        self.results.setUniformItemSizes(True)
        self.results.setItemDelegate(_HitDelegate(self.results))
        self.results.setIconSize(QSize(_ICON_PX, _ICON_PX))
        self._icons = {kind: self.style().standardIcon(p) for kind, p in _KIND_ICONS.items()}
        self.status = QLabel("Type a tag, a room number, or words from a note.", self)
        self.status.setAccessibleName("Search status")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._run_search)
        self.box.textChanged.connect(self._on_typed)
        self.box.returnPressed.connect(self.jump)
        self.box.installEventFilter(self)
        self.results.itemClicked.connect(lambda _item: self.jump())
        self.results.itemActivated.connect(lambda _item: self.jump())
        # Results name rows that may have left (a building went with a session or a grant).
        state.data_did_change.connect(self._rows_changed)

    def open_over_window(self) -> None:
        """Show over the top of the window with the text selected, ready to type over."""
        if self.results.count() == 0 and self.box.text().strip():
            self._on_typed(self.box.text())  # dropped while hidden: read again
        window = self.parentWidget()
        if window is not None:
            width = min(720, max(360, window.width() - 80))
            self.resize(width, min(480, max(240, window.height() - 120)))
            self.move(window.mapToGlobal(QPoint((window.width() - width) // 2, 48)))
        self.show()
        self.raise_()
        self.activateWindow()
        self.box.setFocus()
        self.box.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Up and Down in the box move through the results (typing keeps the focus)."""
        if watched is self.box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None and self.results.count():
                row = self.results.currentRow() + step
                self.results.setCurrentRow(max(0, min(self.results.count() - 1, row)))
                return True
        return False

    # -- searching -------------------------------------------------------------------------

    def _rows_changed(self) -> None:
        """Search again on screen; hidden, drop the results (re-read when opened)."""
        if not self.box.text().strip():
            return
        self._generation += 1  # an answer read before the change is stale
        if self.isVisible():
            self._debounce.stop()
            self._run_search()  # no typing to wait for: the new answer replaces the old
        else:
            self.results.clear()

    def _on_typed(self, _text: str) -> None:
        self._generation += 1  # an answer to the text before this keystroke is stale now
        self._debounce.start()

    def _run_search(self) -> None:
        text = self.box.text()
        generation = self._generation
        if not text.strip():
            self._show(generation, text, [])
            return

        def job(replica: Replica) -> list[SearchHit] | None:
            if generation != self._generation:
                return None  # typed again while this waited: do not spend the worker on it
            return search(replica, text, limit=MAX_RESULTS)

        self.state.ops.run(
            job,
            success=lambda hits: self._show(generation, text, hits),
            failure=lambda error: self._fail(generation, error),
            owner=self,
        )

    def _fail(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            self.results.clear()
            self.status.setText(plain_words(error))

    def _show(self, generation: int, text: str, hits: list[SearchHit] | None) -> None:
        if hits is None or generation != self._generation:
            return
        self.results.clear()
        for hit in hits:
            self._add(hit)
        if not text.strip():
            self.status.setText("Type a tag, a room number, or words from a note.")
        elif hits:
            shown = f"{len(hits)} result{'s' if len(hits) != 1 else ''}"
            self.status.setText(f"{shown}. Up and Down choose, Enter opens, Esc closes.")
            self.results.setCurrentRow(0)
        else:
            self.status.setText("Nothing matches. Try fewer or shorter words.")
        self.results_did_show.emit(text)

    def _add(self, hit: SearchHit) -> None:
        kind = KIND_WORDS.get(hit.kind, hit.kind)
        item = QListWidgetItem(self._icons[hit.kind], f"{hit.title}  {kind}\n{hit.detail}")
        item.setData(_HIT_ROLE, hit)
        item.setData(
            _HTML_ROLE,
            f"<b>{html.escape(hit.title)}</b> &nbsp;<i>{kind}</i><br>{marked_snippet(hit.detail)}",
        )
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{kind} {hit.title}: {hit.detail}")
        self.results.addItem(item)

    def hit_at(self, row: int) -> SearchHit:
        hit = self.results.item(row).data(_HIT_ROLE)
        assert isinstance(hit, SearchHit)
        return hit

    # -- jumping ---------------------------------------------------------------------------

    def jump(self) -> None:
        """Show the chosen result's record (switching building if it is in another one)."""
        row = self.results.currentRow()
        if row < 0:
            return
        hit = self.hit_at(row)
        self.hide()
        if hit.building_id and hit.building_id != self.state.building_id:
            self.state.set_building(hit.building_id)
        self.state.show_record(hit.kind, hit.id)
