"""The photos and files of one record, as a grid of thumbnails, with add and view.

Adding copies the file into the replica's blob store and writes the attachment
(with its outbox change) on the replica worker, with a progress bar, so a big
video never freezes the screen; the next sync uploads the file first. Each tile
shows its file name at once and its thumbnail when the preview worker has made
it. Nothing here deletes a file: a photo stays on the device at least until the
server has it (see :mod:`arxos_desktop.store.attachments`).
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Final

from PySide6.QtCore import QModelIndex, QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.scanner.frames import SourceSpec, parse_source
from arxos_desktop.store import Replica
from arxos_desktop.store.attachments import attach_file, attachments_for
from arxos_desktop.store.thumbnails import can_preview
from arxos_desktop.ui.attachments.camera import CameraDialog
from arxos_desktop.ui.attachments.previews import PreviewWorker
from arxos_desktop.ui.attachments.viewer import ViewerDialog
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.schema import AttachmentBase

#: Longer side of a thumbnail, in pixels (the cache is keyed by it).
THUMBNAIL_PX: Final = 160
#: Which camera the shutter uses: a device index, or a video file standing in for one.
CAMERA_ENV: Final = "ARXOS_CAMERA"
ID_ROLE: Final = Qt.ItemDataRole.UserRole
SHA_ROLE: Final = Qt.ItemDataRole.UserRole + 1
MIME_ROLE: Final = Qt.ItemDataRole.UserRole + 2
FILE_FILTER: Final = "Photos and documents (*.jpg *.jpeg *.png *.heic *.webp *.pdf);;All files (*)"


class _CopyProgress(QObject):
    """Carries the copy's progress from the replica worker to the UI thread (queued)."""

    did_advance = Signal(int, int)


class AttachmentsPanel(QWidget):
    """Photos and files of the record given to :meth:`show_target`; embed it in a page."""

    #: The grid shows a new list of attachments (how many).
    attachments_did_load = Signal(int)
    #: A file or photo was attached here (its attachment id).
    attachment_was_added = Signal(str)
    #: A tile got its picture: its thumbnail, or a file icon when there is none (attachment id).
    tile_did_change = Signal(str)

    def __init__(
        self,
        state: AppState,
        parent: QWidget | None = None,
        *,
        camera: SourceSpec | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.camera = (
            camera if camera is not None else parse_source(os.environ.get(CAMERA_ENV, "0"))
        )
        self.target: tuple[str, str] | None = None
        self.target_label = ""
        self._generation = 0
        self._adding = 0
        self._icons: dict[str, QIcon] = {}
        self._shown: list[tuple[str, str, str, str]] | None = None
        #: Files whose rows arrived before them: their thumbnails are asked for again on reload.
        self._missing: dict[str, str] = {}
        self.previews = PreviewWorker(state.home, state.replica.blobs)
        self.previews.preview_did_arrive.connect(self._on_preview)
        self.previews.preview_did_fail.connect(self._on_preview_failed)
        self.previews.file_was_missing.connect(self._on_file_missing)
        self._progress = _CopyProgress()
        self._progress.did_advance.connect(self._on_copy_progress)

        self.title = QLabel("<b>Photos and files</b>")
        self.add_button = self._button("&Add file…", "Attach a file", self.add_file)
        self.camera_button = self._button("Take &photo…", "Take a photo", self.take_photo)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.add_button)
        header.addWidget(self.camera_button)
        self.status = QLabel(
            "Choose a piece of equipment, a room or a work order to see its photos."
        )
        self.status.setAccessibleName("Attachments status")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Attaching progress")
        self.progress.setMinimumHeight(TOUCH_TARGET_PX // 2)
        self.progress.hide()
        self.model = QStandardItemModel(self)
        self.grid = QListView()
        self.grid.setAccessibleName("Photos and files")
        self.grid.setModel(self.model)
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(THUMBNAIL_PX, THUMBNAIL_PX))
        self.grid.setGridSize(QSize(THUMBNAIL_PX + 24, THUMBNAIL_PX + 52))
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setWordWrap(True)
        self.grid.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.grid.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.grid.activated.connect(self.open_viewer)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.grid, 1)
        layout.addStretch(0)  # takes the room while the grid is hidden (nothing to show)
        self._set_enabled(False)
        state.data_did_change.connect(self.reload)

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setMinimumHeight(TOUCH_TARGET_PX)
        button.clicked.connect(slot)
        return button

    def show_target(self, entity: str, target_id: str, *, label: str = "") -> None:
        """Show the attachments of one row (``entity`` is e.g. "equipment", "room", "workorder")."""
        self.target = (entity, target_id)
        self.target_label = label
        self.model.clear()
        self._shown = None
        self._icons.clear()  # another record's pictures: the disk cache has them if needed
        self._missing.clear()
        self.status.setText("Loading photos and files…")
        self._set_enabled(True)
        self.reload()

    def clear(self) -> None:
        """Show no record (nothing selected): no tiles, adding is off."""
        self.target = None
        self.target_label = ""
        self._generation += 1  # an answer still on its way is for the old record
        self.model.clear()
        self._shown = None
        self._icons.clear()
        self._missing.clear()
        self.status.setText(
            "Choose a piece of equipment, a room or a work order to see its photos."
        )
        self._set_enabled(False)

    def reload(self) -> None:
        """Re-read the attachments of the target (after an edit here or a sync)."""
        if self.target is None:
            return
        self._generation += 1
        generation, target_id = self._generation, self.target[1]
        self.state.ops.run(
            lambda replica: attachments_for(replica, target_id),
            success=lambda rows: self._show(generation, rows),
            failure=lambda error: self.status.setText(plain_words(error)),
            owner=self,
        )

    def _show(self, generation: int, rows: list[AttachmentBase]) -> None:
        if generation != self._generation:
            return  # a newer read is on its way
        shown = [(row.id, row.blob_sha256, row.file_name, row.caption) for row in rows]
        if shown != self._shown:  # a sync that changed nothing here keeps selection and scroll
            self._fill(rows)
            self._shown = shown
        else:
            for sha, mime_type in list(self._missing.items()):
                self.previews.thumbnail(sha, mime_type, THUMBNAIL_PX)
        self.grid.setVisible(bool(rows))
        self.status.setVisible(not rows or self._adding > 0)
        if not rows and not self._adding:
            self.status.setText("No photos or files yet. Add a file, or take a photo.")
        self.attachments_did_load.emit(len(rows))

    def _fill(self, rows: list[AttachmentBase]) -> None:
        self.model.clear()
        for row in rows:
            item = QStandardItem(row.file_name or "Untitled file")
            item.setData(row.id, ID_ROLE)
            item.setData(row.blob_sha256, SHA_ROLE)
            item.setData(row.mime_type, MIME_ROLE)
            item.setToolTip(row.caption or row.file_name)
            item.setAccessibleText(row.caption or row.file_name)
            item.setEditable(False)
            icon = self._icons.get(row.blob_sha256)
            if icon is not None:
                item.setIcon(icon)
            elif can_preview(row.mime_type):
                self.previews.thumbnail(row.blob_sha256, row.mime_type, THUMBNAIL_PX)
            else:
                item.setIcon(self._file_icon())
            self.model.appendRow(item)

    def add_file(self) -> None:
        """Ask for files and attach them (each copied on the replica worker)."""
        names, _filter = QFileDialog.getOpenFileNames(
            self, "Attach photos or files", str(Path.home()), FILE_FILTER
        )
        self.add_files([Path(name) for name in names])

    def add_files(self, paths: list[Path]) -> None:
        """Attach *paths* to the target, one after another, with progress shown."""
        if self.target is None:
            return
        kind, target_id = self.target
        for path in paths:
            self._adding += 1
            self._show_adding(path.name)

            def job(replica: Replica, path: Path = path) -> AttachmentBase:
                return attach_file(
                    replica,
                    target_kind=kind,
                    target_id=target_id,
                    source=path,
                    progress=self._progress.did_advance.emit,
                )

            self.state.ops.run(
                job,
                success=self._on_added,
                failure=partial(self._on_add_failed, path.name),
                writes=True,
                owner=self,
            )

    def _show_adding(self, name: str) -> None:
        self.progress.setRange(0, 0)  # busy until the first bytes are copied
        self.progress.show()
        self.status.setText(f"Adding {name}…")
        self.status.show()

    def _on_copy_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))

    def _finish_adding(self) -> None:
        self._adding -= 1
        if self._adding == 0:
            self.progress.hide()

    def _on_added(self, attachment: AttachmentBase) -> None:
        self._finish_adding()
        self.state.post(f"Attached {attachment.file_name}.")
        if self._adding == 0:
            self.status.hide()
        self.attachment_was_added.emit(attachment.id)

    def _on_add_failed(self, name: str, error: Exception) -> None:
        self._finish_adding()
        message = f"{name} was not attached: {plain_words(error)}"
        self.status.setText(message)
        self.status.show()
        self.state.post(message)

    def take_photo(self) -> CameraDialog | None:
        """Open the camera on the target; returns the dialog (it closes itself)."""
        if self.target is None:
            return None
        kind, target_id = self.target
        dialog = CameraDialog(
            self.state,
            target_kind=kind,
            target_id=target_id,
            source=self.camera,
            label=self.target_label,
            parent=self,
        )
        dialog.photo_was_saved.connect(self._on_photo_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _on_photo_saved(self, attachment: AttachmentBase) -> None:
        self.attachment_was_added.emit(attachment.id)

    def open_viewer(self, index: QModelIndex) -> ViewerDialog | None:
        """Show the attachment at *index* full size (double-click or Enter)."""
        item = self.model.itemFromIndex(index)
        if item is None:
            return None
        viewer = ViewerDialog(
            self.previews,
            sha256=str(item.data(SHA_ROLE)),
            mime_type=str(item.data(MIME_ROLE)),
            title=item.text(),
            parent=self,
        )
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.open()
        return viewer

    def _on_preview(self, key: str, image: QImage) -> None:
        if not key.startswith("thumb:"):
            return
        sha = key.rsplit(":", 1)[1]
        self._missing.pop(sha, None)
        icon = QIcon(QPixmap.fromImage(image))
        self._icons[sha] = icon
        self._set_icon(sha, icon)

    def _on_file_missing(self, key: str) -> None:
        sha = key.rsplit(":", 1)[1]
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            if item is not None and item.data(SHA_ROLE) == sha:
                self._missing[sha] = str(item.data(MIME_ROLE))

    def _on_preview_failed(self, key: str, message: str) -> None:
        if key.startswith("thumb:"):
            sha = key.rsplit(":", 1)[1]
            self._set_icon(sha, self._file_icon(), tooltip=message)

    def _set_icon(self, sha: str, icon: QIcon, *, tooltip: str = "") -> None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            if item is not None and item.data(SHA_ROLE) == sha:
                item.setIcon(icon)
                if tooltip:
                    item.setToolTip(f"{item.text()}: {tooltip}")
                self.tile_did_change.emit(str(item.data(ID_ROLE)))

    def _file_icon(self) -> QIcon:
        return self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    def _set_enabled(self, enabled: bool) -> None:
        self.add_button.setEnabled(enabled)
        self.camera_button.setEnabled(enabled)

    def shutdown(self) -> None:
        """Close an open camera (releasing it) and stop the preview worker: the window closes."""
        for dialog in self.findChildren(CameraDialog):
            dialog.reject()
        self.previews.shutdown()
