"""The drawing viewer: a sheet, its thumbnails, search, zoom buttons and plain messages.

Opening a drawing never waits on the UI thread: where its file is comes from
the replica worker, the file is opened and rendered on the drawing's own render
thread (:class:`RenderBridge`), and a drawing whose file is not on the tablet
yet is fetched by the sync worker when the server can be reached, with the
download's progress shown here; offline, the viewer says so in a sentence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.pdf.background import (
    DocumentOpened,
    RenderFailed,
    RenderResult,
    SearchFinished,
    ThumbnailRendered,
    TileRendered,
    WordsFound,
)
from arxos_desktop.pdf.errors import PdfPasswordRequiredError, WrongPdfPasswordError
from arxos_desktop.pdf.text_search import SearchHit
from arxos_desktop.pdf.tile_cache import TileCache
from arxos_desktop.store import Replica
from arxos_desktop.store.documents import DrawingEntry, local_drawing_path
from arxos_desktop.store.errors import NotFoundError
from arxos_desktop.ui.drawings.render_bridge import RenderBridge
from arxos_desktop.ui.drawings.search_bar import SearchBar
from arxos_desktop.ui.drawings.thumbnails import ThumbnailStrip
from arxos_desktop.ui.drawings.tile_layers import CacheKey, TileLayers, to_pixmap
from arxos_desktop.ui.drawings.view import ZOOM_STEP, DrawingView
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX

OFFLINE: Final = "This drawing is not on this tablet yet; it downloads when you are online."
DOWNLOADING: Final = "Downloading this drawing…"
NOT_ON_SERVER: Final = (
    "This drawing's file has not reached the server yet; it downloads at the next sync."
)
LOCKED: Final = "This drawing is protected by a password. Open it again to enter the password."
NOTHING_OPEN: Final = "Choose a drawing from the list."


class DrawingViewer(QWidget):
    """Shows one drawing at a time; :meth:`open_drawing` to show another."""

    #: The drawing's first image (the whole sheet at low resolution) is on screen.
    preview_did_show = Signal()
    #: Every sharp tile of the visible area is on screen.
    tiles_did_settle = Signal()
    #: The password dialog opened (tests and the markup layer may follow along).
    password_was_asked = Signal(object)
    #: A page (0-based) is on screen, its layers fresh: the markup layer draws on it.
    page_did_show = Signal(int)
    #: A page's words were read (a :class:`WordsFound`), after :meth:`request_words`.
    words_did_arrive = Signal(object)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.entry: DrawingEntry | None = None
        self.bridge: RenderBridge | None = None
        self.page_sizes: list[tuple[float, float]] = []
        #: Each page's /Rotate (0, 90, 180, 270): markups are stored on the unrotated page.
        self.page_rotations: list[int] = []
        self.page = 0
        self._search_generation = 0
        self._waiting_for_file = False
        self.view = DrawingView()
        self.tiles = TileLayers(self.view, TileCache[CacheKey, QPixmap]())
        self.tiles.preview_did_complete.connect(self.preview_did_show)
        self.tiles.tiles_did_settle.connect(self.tiles_did_settle)
        self.thumbnails = ThumbnailStrip()
        self.thumbnails.page_was_chosen.connect(self.show_page)
        self.search = SearchBar()
        self.search.search_was_requested.connect(self._search)
        self.search.hit_was_chosen.connect(self._show_hit)
        self.title = QLabel("")
        self.title.setAccessibleName("Drawing title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.sheet_label = QLabel("")
        self.sheet_label.setAccessibleName("Sheet number")
        self.message = QLabel(NOTHING_OPEN)
        self.message.setAccessibleName("Drawing message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Download progress")
        self.progress.setMinimumHeight(TOUCH_TARGET_PX // 2)
        self.progress.hide()
        self.stack = QStackedWidget()
        self.stack.addWidget(self._message_panel())
        self.stack.addWidget(self._sheet_panel())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._toolbar())
        layout.addWidget(self.search)
        layout.addWidget(self.stack, 1)
        state.files_did_progress.connect(self._download_progressed)
        state.files_did_arrive.connect(self._files_arrived)
        state.reachability_did_change.connect(self._reachability)
        self._enable(False)

    # -- building the widget ---------------------------------------------------------------

    def _toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        #: Where the page puts the toggles of the panels around the sheet (before the title).
        self.leading = QHBoxLayout()
        row.addLayout(self.leading)
        row.addWidget(self.title, 1)
        self.previous_sheet = self._button("◀ Sheet", "Previous sheet", self.previous_page)
        self.next_sheet = self._button("Sheet ▶", "Next sheet", self.next_page)
        row.addWidget(self.previous_sheet)
        row.addWidget(self.sheet_label)
        row.addWidget(self.next_sheet)
        self.zoom_out_button = self._button("−", "Zoom out", self.zoom_out)
        self.zoom_in_button = self._button("+", "Zoom in", self.zoom_in)
        self.fit_width_button = self._button("Fit width", "Fit width", self.view.fit_width)
        self.fit_page_button = self._button("Fit page", "Fit page", self.view.fit_page)
        for button in (
            self.zoom_out_button,
            self.zoom_in_button,
            self.fit_width_button,
            self.fit_page_button,
        ):
            row.addWidget(button)
        return row

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.setMinimumSize(TOUCH_TARGET_PX, TOUCH_TARGET_PX)
        button.clicked.connect(lambda _checked=False: slot())  # type: ignore[operator]
        return button

    def _message_panel(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.addStretch(1)
        column.addWidget(self.message)
        column.addWidget(self.progress)
        column.addStretch(1)
        return panel

    def _sheet_panel(self) -> QWidget:
        panel = QWidget()
        row = QHBoxLayout(panel)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.thumbnails)
        row.addWidget(self.view, 1)
        return panel

    def _enable(self, open_: bool) -> None:
        for widget in (
            self.search,
            self.zoom_in_button,
            self.zoom_out_button,
            self.fit_width_button,
            self.fit_page_button,
        ):
            widget.setEnabled(open_)
        several = open_ and len(self.page_sizes) > 1
        self.previous_sheet.setEnabled(several)
        self.next_sheet.setEnabled(several)

    # -- opening -----------------------------------------------------------------------------

    def open_drawing(self, entry: DrawingEntry) -> None:
        """Show *entry* (its file is found by the replica worker, then rendered off-thread)."""
        self.close_drawing()
        self.entry = entry
        self.title.setText(entry.title)
        self._say("Opening the drawing…")
        document_id = entry.id

        def locate(replica: Replica) -> Path:
            return local_drawing_path(replica, document_id)

        self.state.ops.run(
            locate,
            success=lambda path: self._start(entry, path, None),
            failure=lambda error: self._not_opened(entry, error),
            owner=self,
        )

    def close_drawing(self) -> None:
        """Stop rendering the drawing and take it off the screen (its cached tiles stay)."""
        if self.bridge is not None:
            self.bridge.close()
            self.bridge.deleteLater()
            self.bridge = None
        self.tiles.stop()
        self.entry = None
        self.page_sizes = []
        self.page_rotations = []
        self._waiting_for_file = False
        self.search.clear()
        self.thumbnails.clear()
        self.sheet_label.setText("")
        self.title.setText("")
        self._say(NOTHING_OPEN)
        self._enable(False)

    def _start(self, entry: DrawingEntry, path: Path, password: str | None) -> None:
        if entry is not self.entry:
            return  # another drawing was chosen meanwhile
        if self.bridge is not None:
            self.bridge.close()
            self.bridge.deleteLater()
        self.bridge = RenderBridge(path, password=password, parent=self)
        self.bridge.result_did_arrive.connect(self._result)
        self.bridge.start()

    def _not_opened(self, entry: DrawingEntry, error: Exception) -> None:
        if entry is not self.entry:
            return
        if not isinstance(error, NotFoundError):
            self._say(plain_words(error))
            return
        self._waiting_for_file = True
        if self.state.online:
            self._say(DOWNLOADING, progress=True)
            self.state.sync_was_requested.emit()
        else:
            self._say(OFFLINE)

    def _reachability(self, online: bool) -> None:
        if self._waiting_for_file and self.entry is not None:
            self._not_opened(self.entry, NotFoundError(OFFLINE))

    def _download_progressed(self, done: int, total: int) -> None:
        if self._waiting_for_file and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _files_arrived(self) -> None:
        """A sync finished: the drawing being waited for may be here now."""
        entry = self.entry
        if not self._waiting_for_file or entry is None:
            return
        self._waiting_for_file = False

        def locate(replica: Replica) -> Path:
            return local_drawing_path(replica, entry.id)

        def still_missing(error: Exception) -> None:
            if entry is self.entry:
                self._waiting_for_file = True
                self._say(
                    plain_words(error)
                    if not isinstance(error, NotFoundError)
                    else (NOT_ON_SERVER if self.state.online else OFFLINE)
                )

        self.state.ops.run(
            locate,
            success=lambda path: self._start(entry, path, None),
            failure=still_missing,
            owner=self,
        )

    def _ask_password(self, error: PdfPasswordRequiredError) -> None:
        entry, bridge = self.entry, self.bridge
        if entry is None or bridge is None:
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Password needed")
        dialog.setLabelText(
            str(error)
            if isinstance(error, WrongPdfPasswordError)
            else "This drawing is protected by a password. Enter it to open the drawing."
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setAccessibleName("Drawing password")
        path = bridge.source
        dialog.textValueSelected.connect(lambda text: self._start(entry, path, text))
        dialog.rejected.connect(lambda: self._say(LOCKED) if entry is self.entry else None)
        dialog.finished.connect(dialog.deleteLater)
        self._say("Waiting for the password…")
        dialog.open()
        self.password_was_asked.emit(dialog)

    # -- what the render thread sends -------------------------------------------------------

    def _result(self, result: RenderResult) -> None:
        if isinstance(result, TileRendered):
            self.tiles.tile_did_render(result)
        elif isinstance(result, ThumbnailRendered):
            self.thumbnails.set_thumbnail(result.page, to_pixmap(result.bitmap))
        elif isinstance(result, DocumentOpened):
            self._opened(result.page_sizes, result.rotations)
        elif isinstance(result, SearchFinished):
            if result.generation == self._search_generation:
                self._hits_found(result.hits)
        elif isinstance(result, WordsFound):
            self.words_did_arrive.emit(result)
        elif isinstance(result, RenderFailed):
            self._failed(result)

    def _opened(self, sizes: list[tuple[float, float]], rotations: list[int]) -> None:
        self.page_sizes = sizes
        self.page_rotations = rotations
        self.stack.setCurrentIndex(1)
        self._enable(True)
        self.thumbnails.set_pages(len(sizes))
        if self.bridge is not None:
            self.bridge.service.request_thumbnails(list(range(len(sizes))))
        self.show_page(0)

    def _failed(self, failure: RenderFailed) -> None:
        if failure.job == "open" and isinstance(failure.error, PdfPasswordRequiredError):
            self._ask_password(failure.error)
        elif failure.job == "open":
            self._say(plain_words(failure.error))
        else:
            self.state.post(plain_words(failure.error))

    def _say(self, sentence: str, *, progress: bool = False) -> None:
        self.message.setText(sentence)
        self.progress.setVisible(progress)
        if progress:
            self.progress.setRange(0, 0)
        self.stack.setCurrentIndex(0)

    # -- pages, zoom, search -------------------------------------------------------------------

    def show_page(self, page: int) -> None:
        if self.bridge is None or self.entry is None or not 0 <= page < len(self.page_sizes):
            return
        self.page = page
        size = self.page_sizes[page]
        rotations = self.page_rotations
        self.view.set_page(size, rotation=rotations[page] if page < len(rotations) else 0)
        self.view.fit_width()
        self.sheet_label.setText(f"Sheet {page + 1} of {len(self.page_sizes)}")
        self.thumbnails.mark(page)
        self.tiles.begin(self.bridge.service, self.entry.blob_sha256, page, size)
        self._draw_hits()
        self.page_did_show.emit(page)

    def next_page(self) -> None:
        self.show_page(self.page + 1)

    def previous_page(self) -> None:
        self.show_page(self.page - 1)

    def zoom_in(self) -> None:
        self.view.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.view.zoom_by(1 / ZOOM_STEP)

    def request_words(self, page: int) -> None:
        """Read *page*'s words on the render thread; they arrive by :attr:`words_did_arrive`."""
        if self.bridge is not None:
            self.bridge.service.request_words(page)

    def focus_search(self) -> None:
        self.search.focus()

    def _search(self, text: str) -> None:
        if self.bridge is None:
            return
        self._search_generation += 1
        self.bridge.service.request_search(text, self._search_generation)

    def _hits_found(self, hits: list[SearchHit]) -> None:
        self.search.show_hits(hits)
        self._draw_hits()

    def _show_hit(self, hit: SearchHit) -> None:
        if hit.page != self.page:
            self.show_page(hit.page)
        self._draw_hits()
        self.view.show_page_rect(self.view.space.rect_to_shown(hit.rect))

    def _draw_hits(self) -> None:
        self.view.hit_layer.clear()
        current = self.search.hits[self.search.current] if self.search.current >= 0 else None
        colour = self.palette().color(QPalette.ColorRole.Highlight)
        for hit in self.search.hits:
            if hit.page != self.page:
                continue
            x0, y0, x1, y1 = hit.rect
            item = QGraphicsRectItem(QRectF(x0 - 1, y0 - 1, x1 - x0 + 2, y1 - y0 + 2))
            fill = QColor(colour)
            fill.setAlpha(80 if hit == current else 45)
            item.setBrush(QBrush(fill))
            pen = QPen(colour, 2.5 if hit == current else 1.0)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setParentItem(self.view.hit_layer)

    @property
    def shown_hits(self) -> list[QGraphicsRectItem]:
        """The highlight items on the sheet now (what a user sees highlighted)."""
        return [i for i in self.view.hit_layer.childItems() if isinstance(i, QGraphicsRectItem)]
