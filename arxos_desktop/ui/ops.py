"""Replica work off the UI thread, with its result brought back by a signal.

Like Anki's ``CollectionOp``: a widget hands :meth:`StoreOps.run` a function of the
replica; it runs on the one database worker thread (so edits apply in the order the
user made them and the UI thread never waits on SQLite or a lock held by the sync
worker), and its result or error returns to the UI thread through a queued signal.
The function must not touch widgets; the callbacks run on the UI thread and may.

An error nobody handles is not dropped: it is logged with its traceback and
announced by :attr:`StoreOps.op_did_fail` in plain words (the main window shows it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from shiboken6 import Shiboken

from arxos_desktop.store import Replica
from arxos_desktop.ui.messages import plain_words

T = TypeVar("T")
log = logging.getLogger(__name__)


class StoreOps(QObject):
    """The app's single replica worker; one per main window, shut down when it closes."""

    #: After an op that writes (``writes=True``) succeeded: views re-read what they show.
    replica_did_change = Signal()
    #: A failed op without its own failure handler: the sentence to show the user.
    op_did_fail = Signal(str)
    #: Whether any op is queued or running (a busy indicator; tests wait on it).
    busy_did_change = Signal(bool)
    _deliver = Signal(object)

    def __init__(self, replica: Replica, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.replica = replica
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="arxos-store")
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False
        self._deliver.connect(self._on_deliver)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(
        self,
        job: Callable[[Replica], T],
        *,
        success: Callable[[T], None] | None = None,
        failure: Callable[[Exception], None] | None = None,
        writes: bool = False,
        owner: QObject | None = None,
    ) -> Future[T]:
        """Queue *job*; *success* or *failure* runs on the UI thread when it ends.

        With an *owner* widget, the callbacks are skipped if it was deleted meanwhile
        (a closed dialog), but a write still counts: :attr:`replica_did_change` fires.
        Once the window has closed (:meth:`shutdown`) there is nothing left to show: a
        read is not run (its future is cancelled), while a write raises, because an
        edit must never vanish without its caller knowing.
        """
        if self._closed:
            if writes:
                raise RuntimeError("the window's replica worker has been shut down")
            dropped: Future[T] = Future()
            dropped.cancel()
            return dropped
        self._pending += 1
        if self._pending == 1:
            self.busy_did_change.emit(True)
        future = self._executor.submit(job, self.replica)

        def finished(done: Future[T]) -> None:
            self._deliver.emit(lambda: self._finish(done, success, failure, writes, owner))

        future.add_done_callback(finished)
        return future

    def _on_deliver(self, callback: Any) -> None:
        callback()

    def _finish(
        self,
        done: Future[T],
        success: Callable[[T], None] | None,
        failure: Callable[[Exception], None] | None,
        writes: bool,
        owner: QObject | None,
    ) -> None:
        try:
            # After shutdown the window is gone: its views must not start new work.
            alive = not self._closed and (owner is None or Shiboken.isValid(owner))
            error = done.exception()
            if error is None:
                if writes and not self._closed:
                    self.replica_did_change.emit()
                if success is not None and alive:
                    success(done.result())
            elif not isinstance(error, Exception):
                raise error
            elif failure is not None and alive:
                failure(error)
            elif not self._closed:
                self.op_did_fail.emit(plain_words(error))
            else:
                log.error("failed after the window closed", exc_info=error)
        finally:
            self._pending -= 1
            if self._pending == 0:
                self.busy_did_change.emit(False)

    def shutdown(self) -> None:
        """Finish the queued work (a user's edits are never dropped), then stop the thread."""
        self._closed = True
        self._executor.shutdown(wait=True)
