"""The camera's frames read on a thread of their own and offered to the UI as pictures.

A camera's ``read`` blocks until its next frame, so it cannot run on the UI
thread. The thread also does the colour conversion into a :class:`QImage`, and
offers the UI at most ``PREVIEW_FPS`` pictures a second (a preview needs no
more, and a slow tablet would otherwise queue frames faster than it paints
them). The newest full frame is kept for the shutter, which stores it at full
resolution, not the preview's.
"""

from __future__ import annotations

import threading
import time
from typing import Final

import cv2
import numpy as np
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage

from arxos_desktop.scanner.frames import Frame, FrameSource, SourceSpec
from arxos_desktop.ui.messages import plain_words

#: Preview pictures per second offered to the UI thread.
PREVIEW_FPS: Final = 15


class CaptureThread(QThread):
    """Reads one frame source until :meth:`stop`; its signals arrive on the UI thread."""

    #: The camera is open and sending pictures.
    capture_did_start = Signal()
    #: The camera could not be opened or stopped sending: the sentence to show.
    capture_did_fail = Signal(str)
    #: A preview picture (at most PREVIEW_FPS a second).
    frame_did_arrive = Signal(QImage)

    def __init__(self, spec: SourceSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("arxos-camera")
        self.spec = spec
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._count = 0

    def latest_frame(self) -> Frame | None:
        """The newest frame at full resolution (None before the first)."""
        with self._lock:
            return None if self._latest is None else self._latest.copy()

    def newest_frame(self) -> tuple[int, Frame | None]:
        """How many frames were read so far, and the newest one, not copied: a reader
        such as the code scanner only looks at it (each read makes a new array)."""
        with self._lock:
            return self._count, self._latest

    def stop(self) -> None:
        """Ask the thread to end and wait until it has released the camera."""
        self._stop.set()
        self.wait()

    def run(self) -> None:
        try:
            source = FrameSource(self.spec)
        except Exception as exc:  # the reason reaches the dialog as a sentence
            self.capture_did_fail.emit(plain_words(exc))
            return
        try:
            self._read_until_stopped(source)
        except Exception as exc:
            self.capture_did_fail.emit(plain_words(exc))
        finally:
            source.close()

    def _read_until_stopped(self, source: FrameSource) -> None:
        # A file is read at its own frame rate (as a camera would deliver it), not flat out.
        frame_gap = 1.0 / source.fps if source.is_file and source.fps else 0.0
        preview_gap = 1.0 / PREVIEW_FPS
        last_preview = 0.0
        started = False
        while not self._stop.is_set():
            began = time.monotonic()
            frame = source.read()
            with self._lock:
                self._latest = frame
                self._count += 1
            if not started:
                started = True
                self.capture_did_start.emit()
            if began - last_preview >= preview_gap:
                last_preview = began
                self.frame_did_arrive.emit(to_qimage(frame))
            if frame_gap:
                self._stop.wait(max(0.0, frame_gap - (time.monotonic() - began)))


def to_qimage(frame: Frame) -> QImage:
    """A BGR frame as a QImage that owns its pixels (the array may be reused)."""
    rgb = np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.copy()
