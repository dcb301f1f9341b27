"""The camera dialog: a live preview and a shutter that stores the frame as a photo.

The capture thread is started when the dialog opens and stopped (camera
released) whenever it closes, however it closes. The shutter hands the newest
full-resolution frame to the replica worker, which encodes it as a JPEG and
stores it as an attachment, so the UI never waits on the encoder or the disk.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QCloseEvent, QImage, QKeySequence, QPainter, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.scanner.frames import SourceSpec, encode_jpeg
from arxos_desktop.store import Replica
from arxos_desktop.store.attachments import attach_photo
from arxos_desktop.ui.attachments.capture import CaptureThread
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.schema import AttachmentBase

#: The shutter is the one button used with a tablet held up in both hands: make it big.
SHUTTER_HEIGHT: Final = max(TOUCH_TARGET_PX, 64)


class FramePreview(QWidget):
    """The newest preview picture, fitted and centred; a sentence until there is one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.text = "Opening the camera…"
        self.setMinimumSize(480, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Camera preview")

    def show_image(self, image: QImage) -> None:
        self.image = image
        self.update()

    def show_text(self, text: str) -> None:
        self.image = None
        self.text = text
        self.setAccessibleDescription(text)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(palette.ColorRole.Base))
        if self.image is None:
            painter.setPen(palette.color(palette.ColorRole.Text))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect().adjusted(24, 24, -24, -24), int(flags), self.text)
            return
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x = (self.width() - size.width()) / 2
        y = (self.height() - size.height()) / 2
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(x, y, size.width(), size.height()), self.image)


class CameraDialog(QDialog):
    """Take photos of one record; each press of the shutter stores one."""

    #: A photo was stored (the new attachment).
    photo_was_saved = Signal(object)

    def __init__(
        self,
        state: AppState,
        *,
        target_kind: str,
        target_id: str,
        source: SourceSpec,
        label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.target_kind = target_kind
        self.target_id = target_id
        self.saved = 0
        self.setWindowTitle(f"Take a photo of {label}" if label else "Take a photo")
        self.preview = FramePreview()
        self.status = QLabel("")
        self.status.setAccessibleName("Camera status")
        self.status.setWordWrap(True)
        self.shutter = QPushButton("Take photo")
        self.shutter.setAccessibleName("Take photo")
        self.shutter.setToolTip("Take photo (Space or Enter)")
        self.shutter.setMinimumSize(180, SHUTTER_HEIGHT)
        self.shutter.setEnabled(False)
        self.shutter.setAutoDefault(False)
        self.shutter.clicked.connect(self.take_photo)
        self.done_button = QPushButton("Done")
        self.done_button.setAccessibleName("Close the camera")
        self.done_button.setMinimumHeight(TOUCH_TARGET_PX)
        self.done_button.setAutoDefault(False)
        self.done_button.clicked.connect(self.accept)
        for key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(key), self, self.take_photo)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.done_button)
        bar.addWidget(self.shutter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(bar)
        self.resize(800, 600)
        self.capture = CaptureThread(source)
        self.capture.capture_did_start.connect(self._on_started)
        self.capture.capture_did_fail.connect(self._on_failed)
        self.capture.frame_did_arrive.connect(self.preview.show_image)
        self.capture.start()

    def take_photo(self) -> None:
        """Store the newest frame as a JPEG photo of the target (no-op until frames come)."""
        frame = self.capture.latest_frame()
        if frame is None or not self.shutter.isEnabled():
            return
        name = dt.datetime.now().strftime("photo-%Y-%m-%d-%H%M%S.jpg")
        kind, target = self.target_kind, self.target_id

        def store(replica: Replica) -> AttachmentBase:
            jpeg = encode_jpeg(frame)
            return attach_photo(
                replica, target_kind=kind, target_id=target, jpeg=jpeg, file_name=name
            )

        self.status.setText("Saving the photo…")
        self.state.ops.run(
            store, success=self._on_saved, failure=self._on_save_failed, writes=True, owner=self
        )

    def _on_saved(self, attachment: AttachmentBase) -> None:
        self.saved += 1
        noun = "photo" if self.saved == 1 else "photos"
        self.status.setText(f"{self.saved} {noun} saved. Take another, or press Done.")
        self.photo_was_saved.emit(attachment)

    def _on_save_failed(self, error: Exception) -> None:
        self.status.setText(plain_words(error))

    def _on_started(self) -> None:
        self.shutter.setEnabled(True)
        self.shutter.setFocus()
        self.status.setText("Point the camera and press Take photo (Space).")

    def _on_failed(self, message: str) -> None:
        self.shutter.setEnabled(False)
        self.preview.show_text(message)
        self.status.setText("No photo can be taken. Press Done to go back.")
        self.done_button.setFocus()

    def done(self, result: int) -> None:
        self.capture.stop()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.capture.stop()
        super().closeEvent(event)
