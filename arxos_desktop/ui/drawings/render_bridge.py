"""Brings one drawing's render thread (:mod:`arxos_desktop.pdf.background`) onto Qt signals.

The render thread calls back on its own thread; emitting a signal from there
queues the call onto the UI thread, where the viewer places tiles and hits.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from arxos_desktop.pdf.background import RenderResult, RenderService


class RenderBridge(QObject):
    """Owns the render thread of one opened drawing; :meth:`close` stops it."""

    #: A :data:`RenderResult`, delivered on the UI thread.
    result_did_arrive = Signal(object)
    _raw = Signal(object)

    def __init__(
        self, source: Path, *, password: str | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.password = password
        self.service = RenderService(source, password=password, on_result=self._relay)
        self._closed = False
        self._raw.connect(self._deliver)

    def start(self) -> None:
        self.service.start()

    def close(self) -> None:
        """Stop the thread (it finishes the tile in hand); later results are ignored."""
        self._closed = True
        self.service.close()

    def _relay(self, result: RenderResult) -> None:
        """On the render thread: queue *result* for the UI thread."""
        self._raw.emit(result)

    def _deliver(self, result: RenderResult) -> None:
        """On the UI thread: pass *result* on unless the drawing was closed meanwhile."""
        if not self._closed:
            self.result_did_arrive.emit(result)
