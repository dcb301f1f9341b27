"""The main window: pages, menus and shortcuts, the status line, and layout memory.

It is shown before the replica is open (start-up paints at once); :meth:`MainWindow.attach`
then builds the pages over an :class:`~arxos_desktop.ui.state.AppState`. Closing the
window finishes queued edits and stops every worker thread before it goes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QTabWidget, QWidget

if TYPE_CHECKING:  # the store behind it is imported after the first paint
    from arxos_desktop.ui.state import AppState

#: The smallest screen we promise to fit: a 1280x800 tablet.
TABLET_SIZE = (1280, 800)


class MainWindow(QMainWindow):
    """Pages in tabs (Ctrl+1…), a status line, and actions that work from any page."""

    #: The window has painted for the first time (start-up continues after it).
    first_paint_did_happen = Signal()

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("ArxOS Field")
        self.setObjectName("mainWindow")
        self.settings = settings or QSettings()
        self.state: AppState | None = None
        self.pages = QTabWidget()
        self.pages.setAccessibleName("Pages")
        self.pages.setDocumentMode(True)
        self._loading = QLabel("Opening your buildings…")
        self._loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self._loading)
        self._closers: list[Callable[[], None]] = []
        self._file_menu = self.menuBar().addMenu("&File")
        self._edit_menu = self.menuBar().addMenu("&Edit")
        self._view_menu = self.menuBar().addMenu("&View")
        self.add_action(self._file_menu, "&Quit", "Ctrl+Q", self.close)
        self.statusBar().setSizeGripEnabled(False)
        self.resize(*TABLET_SIZE)
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self._painted = False
        self.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self and not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            self.removeEventFilter(self)
            # After this paint has reached the screen, not inside it.
            QTimer.singleShot(0, self.first_paint_did_happen.emit)
        return False

    def attach(self, state: AppState) -> None:
        """Build the pages over the open replica (called once, after the first paint)."""
        self.state = state
        state.message_was_posted.connect(self.show_message)
        state.ops.op_did_fail.connect(self.show_message)
        state.record_was_requested.connect(self._show_record)
        self.on_close(state.ops.shutdown)
        self.setCentralWidget(self.pages)
        self._loading.deleteLater()
        window_state = self.settings.value("window/state")
        if isinstance(window_state, QByteArray):
            self.restoreState(window_state)

    def add_page(self, widget: QWidget, title: str, *, entities: tuple[str, ...] = ()) -> None:
        """Add a tab; Ctrl+<its number> shows it; records of *entities* open on it."""
        index = self.pages.addTab(widget, title)
        widget.setProperty("shows_entities", list(entities))
        shortcut = f"Ctrl+{index + 1}"
        self.add_action(
            self._view_menu, title, shortcut, lambda: self.pages.setCurrentWidget(widget)
        )

    def retitle_page(self, title: str) -> None:
        """Slot for a page's own "my title changed" signal (a bound method, not a lambda:
        the connection then lives exactly as long as the window)."""
        page = self.sender()
        if isinstance(page, QWidget):
            index = self.pages.indexOf(page)
            if index >= 0:
                self.pages.setTabText(index, title)

    def add_action(
        self, menu: QMenu | None, text: str, shortcut: str | None, slot: Callable[[], object]
    ) -> QAction:
        """An action with a shortcut that works on every page (and in its menu, if given)."""
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        if menu is None:
            self.addAction(action)
        else:
            menu.addAction(action)
        return action

    @property
    def file_menu(self) -> QMenu:
        return self._file_menu

    @property
    def edit_menu(self) -> QMenu:
        return self._edit_menu

    def on_close(self, closer: Callable[[], None]) -> None:
        """Run *closer* when the window closes (workers stop; newest registered first)."""
        self._closers.append(closer)

    def show_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)

    def _show_record(self, entity: str, record_id: str) -> None:
        for index in range(self.pages.count()):
            page = self.pages.widget(index)
            if page is not None and entity in (page.property("shows_entities") or []):
                self.pages.setCurrentIndex(index)
                return

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        while self._closers:
            self._closers.pop()()
        super().closeEvent(event)
