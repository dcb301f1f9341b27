"""A photo or a drawing's first page at full size: fitted at first, zoomable.

The picture is decoded by the panel's preview worker (a 12-megapixel photo
takes a moment to decode), so the viewer opens at once with the file's name
and shows the picture when it arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.ui.attachments.previews import PreviewWorker
from arxos_desktop.ui.theme import TOUCH_TARGET_PX

ZOOM_STEP: Final = 1.25
MIN_SCALE: Final = 0.02
MAX_SCALE: Final = 16.0


def _shortcuts(
    dialog: QDialog,
    standard: QKeySequence.StandardKey | None,
    extra: tuple[str, ...],
    slot: Callable[[], None],
) -> None:
    """The platform's keys for an action plus *extra*, each once (a key bound twice is
    ambiguous, and Qt then runs neither)."""
    keys = QKeySequence.keyBindings(standard) if standard is not None else []
    texts = {key.toString() for key in keys}
    keys += [QKeySequence(text) for text in extra if QKeySequence(text).toString() not in texts]
    for key in keys:
        QShortcut(key, dialog, slot)


class ViewerDialog(QDialog):
    """One attachment, large. Ctrl++ / Ctrl+- zoom, Ctrl+0 fits it to the window again."""

    def __init__(
        self,
        previews: PreviewWorker,
        *,
        sha256: str,
        mime_type: str,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fitted = True
        self.scene = QGraphicsScene(self)
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene.addItem(self.item)
        self.view = QGraphicsView(self.scene)
        self.view.setAccessibleName(f"Picture: {title}")
        self.view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.view.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.view.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.status = QLabel(f"Loading {title}…")
        self.status.setAccessibleName("Viewer status")
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        self.zoom_out_button = self._button("Zoom out", "−", self.zoom_out)
        self.zoom_in_button = self._button("Zoom in", "+", self.zoom_in)
        self.fit_button = self._button("Fit to window", "Fit", self.fit)
        close = self._button("Close the viewer", "Close", self.accept)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button, close):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        for standard, extra, slot in (
            (QKeySequence.StandardKey.ZoomIn, ("Ctrl++", "Ctrl+="), self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, ("Ctrl+-",), self.zoom_out),
            (None, ("Ctrl+0",), self.fit),
        ):
            _shortcuts(self, standard, extra, slot)
        self._set_zoom_enabled(False)
        self.resize(1000, 720)
        self._key = previews.full_size(sha256, mime_type)
        previews.preview_did_arrive.connect(self._on_arrived)
        previews.preview_did_fail.connect(self._on_failed)
        self._previews = previews
        self._title = title

    def _button(self, name: str, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.setMinimumSize(TOUCH_TARGET_PX + 16, TOUCH_TARGET_PX)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    @property
    def scale(self) -> float:
        """How many screen pixels one picture pixel takes now."""
        return float(self.view.transform().m11())

    @property
    def has_picture(self) -> bool:
        return not self.item.pixmap().isNull()

    def zoom_in(self) -> None:
        self._zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(1 / ZOOM_STEP)

    def fit(self) -> None:
        self.fitted = True
        if self.has_picture:
            self.view.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)

    def _zoom(self, factor: float) -> None:
        if not self.has_picture:
            return
        target = min(MAX_SCALE, max(MIN_SCALE, self.scale * factor))
        self.fitted = False
        self.view.scale(target / self.scale, target / self.scale)

    def _on_arrived(self, key: str, image: QImage) -> None:
        if key != self._key:
            return
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene.setSceneRect(self.item.boundingRect())
        self.status.setText(f"{self._title} — {image.width()} × {image.height()}")
        self._set_zoom_enabled(True)
        self.fit()

    def _on_failed(self, key: str, message: str) -> None:
        if key == self._key:
            self.status.setText(f"{self._title}: {message}")

    def _set_zoom_enabled(self, enabled: bool) -> None:
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            button.setEnabled(enabled)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.fitted:
            self.fit()

    def done(self, result: int) -> None:
        self._previews.preview_did_arrive.disconnect(self._on_arrived)
        self._previews.preview_did_fail.disconnect(self._on_failed)
        super().done(result)
