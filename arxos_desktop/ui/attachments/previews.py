"""Thumbnails and full-size pictures, decoded on a worker thread, delivered by signal.

Decoding a photo or rendering a PDF page takes long enough to stutter a scrolling
grid, so none of it runs on the UI thread. The worker thread exists only while
there is work: it starts when a preview is asked for and ends when the queue is
empty, so an idle panel holds no thread, and :meth:`PreviewWorker.shutdown`
(when the window closes) only has to wait for the picture in progress.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QImageReader

from arxos_desktop.store.blobs import BlobStore
from arxos_desktop.store.errors import NotFoundError
from arxos_desktop.store.thumbnails import (
    PDF_MIME,
    PreviewError,
    ThumbnailCache,
    render_pdf_page,
)
from arxos_desktop.ui.messages import plain_words

#: Longer side of a PDF page in the viewer: sharp at 2x zoom on a tablet.
VIEWER_PDF_PX = 2400

Job = Callable[[], QImage]


class PreviewWorker(QObject):
    """A queue of pictures to decode; each result comes back on the UI thread, by its key."""

    #: A picture is ready: (key, image).
    preview_did_arrive = Signal(str, QImage)
    #: A picture cannot be made: (key, the sentence to show).
    preview_did_fail = Signal(str, str)
    #: The file is not on this device yet (a sync brings it after the row): ask again later.
    file_was_missing = Signal(str)

    def __init__(self, home: Path, blobs: BlobStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = ThumbnailCache(home, blobs)
        self.blobs = blobs
        self._queue: deque[tuple[str, Job]] = deque()
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def thumbnail(self, sha256: str, mime_type: str, size: int) -> str:
        """Ask for a file's thumbnail; returns the key its result will carry."""
        key = f"thumb:{size}:{sha256}"

        def job() -> QImage:
            return _read_image(self.cache.thumbnail(sha256, mime_type, size))

        self._submit(key, job)
        return key

    def full_size(self, sha256: str, mime_type: str) -> str:
        """Ask for a file's full picture (a PDF's first page, large); returns its key."""
        key = f"full:{sha256}"

        def job() -> QImage:
            if mime_type == PDF_MIME:
                png = render_pdf_page(self.blobs.get(sha256), VIEWER_PDF_PX)
                image = QImage()
                image.loadFromData(png)
                return image
            return _read_image(self.blobs.get(sha256))

        self._submit(key, job)
        return key

    def _submit(self, key: str, job: Job) -> None:
        with self._lock:
            if self._closed or key in self._queued:
                return
            self._queued.add(key)
            self._queue.append((key, job))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._drain, name="arxos-previews", daemon=True
                )
                self._thread.start()

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._queue or self._closed:
                    self._thread = None
                    return
                key, job = self._queue.popleft()
            try:
                image = job()
                if image.isNull():
                    self.preview_did_fail.emit(key, "The picture could not be read.")
                else:
                    self.preview_did_arrive.emit(key, image)
            except Exception as exc:  # every failure reaches the user as a sentence
                if isinstance(exc, NotFoundError):
                    self.file_was_missing.emit(key)
                self.preview_did_fail.emit(key, plain_words(exc))
            finally:
                with self._lock:
                    self._queued.discard(key)

    def shutdown(self) -> None:
        """Drop what is queued and wait for the picture being decoded (window closing)."""
        with self._lock:
            self._closed = True
            self._queue.clear()
            thread = self._thread
        if thread is not None:
            thread.join()


def _read_image(path: Path) -> QImage:
    """A picture file, turned upright by its EXIF orientation (phones store it sideways)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise PreviewError("The picture is damaged or in a format the app cannot read.")
    return image
