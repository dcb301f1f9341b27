"""The background sync loop: push, pull and files whenever the server can be reached.

It runs on a thread of its own (``arxos-sync``) with its own replica connection,
so a week of photos going up never blocks the window or the ``arxos-store``
worker's edits. Between runs it listens to the server's event stream, so edits
from other devices arrive within a second; a local edit wakes it a second after
the user stops typing (:meth:`SyncWorker.nudge`), and "Sync now" at once.
Everything it learns reaches the UI thread through queued signals.

The event stream is read in short slices (:data:`NEWS_SLICE_SECONDS`), and the
progress callback checks for a stop between batches, so closing the window
stops the thread within about a second even in the middle of a long sync.
"""

from __future__ import annotations

import logging
import threading
import time
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from arxos_desktop.account import Credentials
from arxos_desktop.store import Replica
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.sync_client import client_for
from sync.client import OfflineError, SignInRequiredError, SyncClient

log = logging.getLogger(__name__)

#: Seconds of one wait on the event stream: the longest a stop waits for it.
NEWS_SLICE_SECONDS = 1.0
#: Without an event stream (it failed at once: none there, or the server went away),
#: look again this often instead.
POLL_SECONDS = 5.0
#: Offline retries start here and double up to :data:`MAX_RETRY_SECONDS`.
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 60.0
#: A local edit is pushed this long after the last one (a burst goes in one run).
DEBOUNCE_MS = 1000
#: Progress reaches the window at most this often (each update relays out the status bar).
PROGRESS_EVERY_SECONDS = 0.1


class _StoppedError(Exception):
    """Raised from the progress callback to leave a sync between two batches."""


class _Outcome(Enum):
    SYNCED = "synced"
    FAILED = "failed"
    SIGNED_OUT = "signed_out"
    STOPPED = "stopped"


def make_client(credentials: Credentials, home: Path, replica: Replica) -> SyncClient:
    """The worker's client: short retries, so a stop never waits behind a long backoff."""
    return client_for(credentials, home, ReplicaSyncTarget(replica), attempts=3, max_wait=5.0)


class SyncWorker(QObject):
    """One signed-in device's sync loop; :meth:`start` once, :meth:`stop` when done."""

    #: A sync run begins (the status bar may show progress if it lasts).
    sync_will_start = Signal()
    #: (phase "push"/"pull"/"files", done, total) during a run.
    sync_did_progress = Signal(str, int, int)
    #: A run ended well: the :class:`sync.client.SyncReport`.
    sync_did_finish = Signal(object)
    #: A run (or the reachability check) failed: the exception, to put in plain words.
    sync_did_fail = Signal(object)
    #: Whether the server answered the last check.
    reachability_did_change = Signal(bool)

    def __init__(
        self,
        replica: Replica,
        credentials: Credentials,
        *,
        home: Path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.credentials = credentials
        self._replica = replica
        self._home = home
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._progress_at = 0.0
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._wake.set)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a sync worker starts once")
        self._thread = threading.Thread(target=self._run, name="arxos-sync", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """A local edit happened: sync soon, once the user pauses."""
        self._debounce.start()

    def sync_now(self) -> None:
        """Run a sync at once (also ends an offline backoff wait)."""
        self._debounce.stop()
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the loop between two batches and wait for the thread to end."""
        self._debounce.stop()
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the sync worker did not stop within %s s", timeout)

    # -- on the worker thread ----------------------------------------------------------

    def _run(self) -> None:
        client = make_client(self.credentials, self._home, self._replica)
        delay = FIRST_RETRY_SECONDS
        try:
            while not self._stop.is_set():
                self._wake.clear()
                outcome = self._round(client)
                if outcome is _Outcome.SYNCED:
                    delay = FIRST_RETRY_SECONDS
                    self._wait_for_news(client)
                elif outcome is _Outcome.FAILED:
                    self._wake.wait(delay)
                    delay = min(delay * 2, MAX_RETRY_SECONDS)
                else:
                    return
        finally:
            client.close()

    def _round(self, client: SyncClient) -> _Outcome:
        online = client.probe(timeout=2.0)
        self.reachability_did_change.emit(online)
        if not online:
            self.sync_did_fail.emit(
                OfflineError(f"Cannot reach the sync server at {client.base_url}")
            )
            return _Outcome.FAILED
        self.sync_will_start.emit()
        try:
            report = client.sync_once(self._progress)
        except _StoppedError:
            return _Outcome.STOPPED
        except SignInRequiredError as exc:
            self.sync_did_fail.emit(exc)
            return _Outcome.SIGNED_OUT
        except Exception as exc:  # shown in plain words (and logged when unexpected)
            self.sync_did_fail.emit(exc)
            return _Outcome.FAILED
        self.sync_did_finish.emit(report)
        return _Outcome.SYNCED

    def _progress(self, phase: str, done: int, total: int) -> None:
        if self._stop.is_set():
            raise _StoppedError
        now = time.monotonic()
        if done >= total or now - self._progress_at >= PROGRESS_EVERY_SECONDS:
            self._progress_at = now
            self.sync_did_progress.emit(phase, done, total)

    def _wait_for_news(self, client: SyncClient) -> None:
        """Until the server has news, a local edit or "Sync now" wakes us, or we stop."""
        while not self._wake.is_set():
            started = time.monotonic()
            if client.wait_for_news(NEWS_SLICE_SECONDS) or self._wake.is_set():
                return
            if time.monotonic() - started < NEWS_SLICE_SECONDS / 2:
                # No event stream here (it failed at once): poll now and then instead.
                self._wake.wait(POLL_SECONDS)
                return


def changed_rows(report: Any) -> bool:
    """Whether a run changed rows under the views (they must re-read)."""
    return bool(report.pulled or report.removed_by_scope or report.conflicts)
