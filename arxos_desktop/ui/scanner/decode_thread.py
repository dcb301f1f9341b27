"""Codes read from the camera's newest frame, on a thread of their own.

Decoding a 720p frame takes tens of milliseconds (more when the fallbacks run),
so it runs neither on the UI thread nor on the capture thread: the preview keeps
its frame rate while a hard frame is being worked on, and the decoder always
takes the newest frame, skipping those that arrived meanwhile.
"""

from __future__ import annotations

import threading
from typing import Final

from PySide6.QtCore import QObject, QThread, Signal

from arxos_desktop.scanner.debounce import Debouncer
from arxos_desktop.scanner.decode import FRAME_BUDGET_S, decode_frame
from arxos_desktop.ui.attachments.capture import CaptureThread
from arxos_desktop.ui.messages import plain_words

#: How long the decoder waits before looking for a new frame again.
IDLE_WAIT_S: Final = 0.02


class DecodeThread(QThread):
    """Decodes the capture thread's newest frame until :meth:`stop`."""

    #: Every code in the frame just decoded, and that frame's (width, height): the overlay.
    frame_was_decoded = Signal(object, object)
    #: A code read for the first time in a while (debounced): one Code.
    code_was_read = Signal(object)
    #: Decoding failed: the sentence to show.
    decode_did_fail = Signal(str)

    def __init__(
        self,
        capture: CaptureThread,
        *,
        budget_s: float = FRAME_BUDGET_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("arxos-decoder")
        self.capture = capture
        self.budget_s = budget_s
        self.debouncer = Debouncer()
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the thread to end and wait for it (it ends after the frame in hand)."""
        self._stop.set()
        self.wait()

    def run(self) -> None:
        try:
            self._decode_until_stopped()
        except Exception as exc:  # the reason reaches the page as a sentence
            self.decode_did_fail.emit(plain_words(exc))

    def _decode_until_stopped(self) -> None:
        last = 0
        while not self._stop.is_set():
            number, frame = self.capture.newest_frame()
            if frame is None or number == last:
                self._stop.wait(IDLE_WAIT_S)
                continue
            last = number
            codes = decode_frame(frame, budget_s=self.budget_s)
            height, width = frame.shape[:2]
            self.frame_was_decoded.emit(codes, (width, height))
            for code in self.debouncer.fresh(codes):
                self.code_was_read.emit(code)
