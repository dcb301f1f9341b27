"""The camera preview with the outline of each code just read drawn over it.

The outline shows the technician which label the app read when several are in
view. It is drawn in the palette's highlight colour (visible in light and dark
themes) and goes when the code has left the picture.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from arxos_desktop.scanner.decode import Code
from arxos_desktop.ui.attachments.camera import FramePreview


class CodePreview(FramePreview):
    """A :class:`FramePreview` that outlines the codes of the newest decoded frame."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Camera preview for scanning")
        self.codes: list[Code] = []
        self.frame_size: tuple[int, int] = (0, 0)

    def show_codes(self, codes: list[Code], frame_size: tuple[int, int]) -> None:
        self.codes = codes
        self.frame_size = frame_size
        self.update()

    def picture_rect(self) -> QRectF:
        """Where the picture is drawn: fitted and centred, as the preview draws it."""
        if self.image is None:
            return QRectF()
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x = (self.width() - size.width()) / 2
        y = (self.height() - size.height()) / 2
        return QRectF(x, y, size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        width, height = self.frame_size
        target = self.picture_rect()
        if not self.codes or not width or not height or target.isEmpty():
            return
        sx, sy = target.width() / width, target.height() / height
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        pen = QPen(palette.color(palette.ColorRole.Highlight), 4)
        painter.setPen(pen)
        for code in self.codes:
            points = [QPointF(target.x() + x * sx, target.y() + y * sy) for x, y in code.polygon]
            if len(points) >= 2:
                painter.drawPolygon(QPolygonF(points))
