"""The strip of sheet thumbnails beside the viewer: where am I in the set, jump to a sheet."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

from arxos_desktop.pdf.background import THUMBNAIL_PX

#: Longer side of a thumbnail on screen: enough to tell sheets apart, narrow beside the sheet
#: (rendered at :data:`THUMBNAIL_PX`, so it stays sharp on a high-density screen).
ICON_PX: Final = min(THUMBNAIL_PX, 104)
#: Width of the strip: a thumbnail and the list's frame and scroll bar.
STRIP_WIDTH: Final = ICON_PX + 28


class ThumbnailStrip(QListWidget):
    """One item per sheet; a picture replaces the placeholder when it is rendered."""

    #: The user picked a sheet (from 0).
    page_was_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setIconSize(QSize(ICON_PX, ICON_PX))
        self.setSpacing(6)
        self.setFixedWidth(STRIP_WIDTH)
        self.setAccessibleName("Sheets")
        self.currentRowChanged.connect(self._chosen)
        self._quiet = False

    def set_pages(self, count: int) -> None:
        self._quiet = True
        try:
            self.clear()
            for page in range(count):
                item = QListWidgetItem(f"Sheet {page + 1}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
                self.addItem(item)
        finally:
            self._quiet = False

    def set_thumbnail(self, page: int, pixmap: QPixmap) -> None:
        item = self.item(page)
        if item is not None:
            item.setIcon(QIcon(pixmap))

    def mark(self, page: int) -> None:
        """Show *page* as the current sheet without announcing it."""
        self._quiet = True
        try:
            self.setCurrentRow(page)
        finally:
            self._quiet = False

    def _chosen(self, row: int) -> None:
        if not self._quiet and row >= 0:
            self.page_was_chosen.emit(row)
