"""Photo markers: a tap places one with a chosen picture; a tap on one shows the picture.

The marker and its photo (an attachment of the marker) are written in one
transaction, so a picture that cannot be read leaves no empty marker behind;
undoing the marker takes its photo with it. Pictures are decoded off the UI
thread by the attachments' preview worker, which ends with the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QFileDialog, QWidget

from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import create_annotation
from arxos_desktop.store.attachments import attach_file, attachments_for
from arxos_desktop.store.undo import Edit
from arxos_desktop.ui.attachments.previews import PreviewWorker
from arxos_desktop.ui.attachments.viewer import ViewerDialog
from arxos_desktop.ui.drawings.markup.items import Shown
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from sync.schema import AnnotationKind, AttachmentBase

PICTURES: Final = "Pictures (*.jpg *.jpeg *.png *.webp *.heic)"
NO_PHOTO: Final = "This photo marker has no photo on this tablet yet."


def place_photo(
    replica: Replica, document_id: str, page: int, point: list[float], source: Path, author: str
) -> Edit:
    """The marker and its photo, together or not at all; the edit whose undo removes both."""
    with replica.transaction():
        record = create_annotation(
            replica,
            document_id=document_id,
            page=page,
            kind=AnnotationKind.PHOTO,
            geometry={"point": point},
            author=author,
        )
        photo = attach_file(
            replica, target_kind="annotation", target_id=str(record.id), source=source
        )
    return Edit(
        "annotation",
        str(record.id),
        "the new photo marker",
        {"deleted": True},
        {"deleted": False},
        (("attachment", photo.id),),
    )


class PhotoMarkers(QObject):
    """Asks for the picture of a new marker and shows the picture of a tapped one."""

    def __init__(self, state: AppState, parent: QWidget, opened: SignalInstance) -> None:
        super().__init__(parent)
        self.state, self.parent_widget, self.opened = state, parent, opened
        self._previews: PreviewWorker | None = None

    def ask(self, chosen: Callable[[Path], None]) -> None:
        dialog = QFileDialog(self.parent_widget, "Choose the photo for this marker")
        dialog.setNameFilter(PICTURES)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAccessibleName("Photo for the marker")
        dialog.fileSelected.connect(lambda name: chosen(Path(name)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.opened.emit(dialog)

    def show(self, shown: Shown) -> None:
        marker_id = shown.id

        def first_photo(replica: Replica) -> AttachmentBase | None:
            found = attachments_for(replica, marker_id)
            return found[0] if found else None

        self.state.ops.run(
            first_photo,
            success=self._open,
            failure=lambda error: self.state.post(plain_words(error)),
            owner=self,
        )

    def _open(self, photo: AttachmentBase | None) -> None:
        if photo is None:
            self.state.post(NO_PHOTO)
            return
        if self._previews is None:
            self._previews = PreviewWorker(self.state.home, self.state.replica.blobs, self)
        viewer = ViewerDialog(
            self._previews,
            sha256=photo.blob_sha256,
            mime_type=photo.mime_type,
            title=photo.file_name or "Photo",
            parent=self.parent_widget,
        )
        viewer.finished.connect(viewer.deleteLater)
        viewer.open()
        self.opened.emit(viewer)

    def shutdown(self) -> None:
        if self._previews is not None:
            self._previews.shutdown()
