"""One network call off the UI thread (signing in), its outcome back on the UI thread.

Network calls never run on the ``arxos-store`` worker: a slow server would hold
up the user's edits queued behind it. Each task is a short-lived thread
(``arxos-net``); its owner waits for it when the window closes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

Done = Callable[[Any, Exception | None], None]


class NetTask(QObject):
    """Runs *job* once on its own thread, then *done(result, error)* on the UI thread."""

    #: The task ended (after *done* ran): its owner may forget it.
    task_did_end = Signal()
    _deliver = Signal(object, object)

    def __init__(self, job: Callable[[], Any], done: Done, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = job
        self._done = done
        self._thread = threading.Thread(target=self._run, name="arxos-net", daemon=True)
        # A bound method of an object living on the UI thread: the call is queued there.
        self._deliver.connect(self._on_deliver)

    def start(self) -> NetTask:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float = 30.0) -> None:
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            result = self._job()
        except Exception as exc:  # handed to *done*, which shows it in plain words
            self._deliver.emit(None, exc)
        else:
            self._deliver.emit(result, None)

    def _on_deliver(self, result: Any, error: Exception | None) -> None:
        try:
            self._done(result, error)
        finally:
            self.task_did_end.emit()
