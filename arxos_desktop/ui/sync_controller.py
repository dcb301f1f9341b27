"""Sync in the window: who is signed in, the worker that syncs, and what the status bar says.

The one place that decides when the sync worker runs: after start-up with the
saved sign-in (or, with ``--demo``, after the local demo server started and the
demo account signed in), after a sign-in, never after a sign-out. Sign-out only
forgets the credentials: the outbox stays, and the status bar keeps counting
what waits for the next sign-in.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from arxos_desktop.account import (
    Credentials,
    clear_credentials,
    load_credentials,
    save_credentials,
)
from arxos_desktop.admin.demo_account import DEMO_EMAIL, DEMO_SERVER_DIR, read_account
from arxos_desktop.store import Replica
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.ui.local_server import LocalServer
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.net_task import Done, NetTask
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.sync_status import SyncStatus, changes_waiting
from arxos_desktop.ui.sync_worker import SyncWorker, changed_rows
from sync.client import OfflineError, SignInRequiredError, sign_in

log = logging.getLogger(__name__)
LAST_SYNC_KEY = "sync/last_success"
LOCAL_SERVER_KEY = "sync/local_server"
SIGNED_OUT_BY_SERVER = "The sync server no longer accepts your sign-in: sign in again."


def local_server_enabled(settings: Any) -> bool:
    """The Settings switch for the local demo server (on unless turned off)."""
    return str(settings.value(LOCAL_SERVER_KEY, "true")).lower() in ("true", "1")


def sign_in_and_save(
    home: Path, *, server: str, email: str, password: str, device_id: str
) -> Credentials:
    """Sign in (network) and keep the sign-in for the next start; runs off the UI thread."""
    tokens = sign_in(server, email=email, password=password, device_id=device_id)
    credentials = Credentials(server, email, tokens.access_token, tokens.refresh_token)
    save_credentials(home, credentials)
    return credentials


def demo_sign_in(home: Path, url: str, device_id: str) -> Credentials:
    """Sign in to the local demo server with the account it keeps in its folder."""
    account = read_account(home / DEMO_SERVER_DIR)
    if account is None:
        raise OfflineError("The local demo server has not made its demo account")
    return sign_in_and_save(
        home, server=url, email=account.email, password=account.password, device_id=device_id
    )


_frozen = False


def _freeze_what_lives() -> None:
    """``gc.freeze()`` once per process (a second window adds little that lives long)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


def _pending(replica: Replica) -> int:
    return ReplicaSyncTarget(replica).pending_count()


class SyncController(QObject):
    """Owns the sync worker, the local demo server and the sync status of one window."""

    #: A sync run ended well (the report): views and tests may follow along.
    sync_did_finish = Signal(object)
    #: The worker started for this sign-in (or stopped: None).
    credentials_did_change = Signal(object)

    def __init__(self, window: MainWindow, state: AppState, *, demo: bool = False) -> None:
        super().__init__(window)
        self.window = window
        self.state = state
        self.home = state.home
        self.demo = demo
        self.credentials: Credentials | None = None
        self.worker: SyncWorker | None = None
        self.local_server: LocalServer | None = None
        self.waiting = 0
        self._tasks: list[NetTask] = []
        self._closed = False
        self.status = SyncStatus()
        window.statusBar().addPermanentWidget(self.status)
        self.status.sign_in_was_requested.connect(self._ask_sign_in)
        self.status.set_last_synced(self._remembered_last_sync())
        state.ops.replica_did_change.connect(self._local_edit)
        state.data_did_change.connect(self.refresh_waiting)
        state.sync_was_requested.connect(self.sync_now)
        window.on_close(self.shutdown)

    # -- start-up ------------------------------------------------------------------------

    def begin(self) -> None:
        """Start syncing with the saved sign-in, or (``--demo``) with the local demo server.

        Called once the window is built. What exists by then (modules, Qt wrappers,
        models) lives as long as the app, so it is frozen out of the cyclic garbage
        collector: otherwise a full collection, triggered by the sync thread's
        allocations in a long sync, scans all of it while holding the GIL and
        freezes the window for over half a second (the sync server does the same).
        """
        _freeze_what_lives()
        self.refresh_waiting()
        self.state.ops.run(
            lambda _replica: load_credentials(self.home),
            success=self._credentials_loaded,
            failure=self._credentials_unreadable,
        )

    def _credentials_loaded(self, credentials: Credentials | None) -> None:
        if self._closed:
            return
        wants_demo = self.demo and local_server_enabled(self.window.settings)
        if wants_demo and (credentials is None or credentials.email == DEMO_EMAIL):
            self.start_local_server()
        elif credentials is not None:
            self.use_credentials(credentials)
        else:
            self.status.set_connection("Not signed in")

    def _credentials_unreadable(self, error: Exception) -> None:
        self.status.set_connection("Not signed in")
        self.status.show_error(plain_words(error), sign_in=True)

    # -- the local demo server -------------------------------------------------------------

    def start_local_server(self) -> None:
        server = LocalServer(self.home / DEMO_SERVER_DIR, parent=self)
        server.server_did_start.connect(self._local_server_started)
        server.server_did_fail.connect(self._local_server_failed)
        self.local_server = server
        self.status.set_connection("Starting the local demo server…")
        server.start()

    def _local_server_started(self, url: str) -> None:
        if self._closed:
            return
        device_id = self.state.replica.device_id
        self.run_net(lambda: demo_sign_in(self.home, url, device_id), self._demo_signed_in)

    def _demo_signed_in(self, credentials: Credentials | None, error: Exception | None) -> None:
        if error is not None:
            self.status.set_connection("Offline")
            self.status.show_error(f"Cannot sign in to the local demo server: {plain_words(error)}")
            return
        assert credentials is not None
        self.state.post(f"Signed in to the local demo server as {credentials.email}.")
        self.use_credentials(credentials)

    def _local_server_failed(self, sentence: str) -> None:
        self.status.set_connection("Offline")
        self.status.show_error(f"{sentence} Your work stays on this device.")

    # -- signing in and out ------------------------------------------------------------------

    def use_credentials(self, credentials: Credentials) -> None:
        """Sync as *credentials* from now on (a running worker for another sign-in stops)."""
        if self._closed:  # a sign-in answered after the window closed
            return
        self._stop_worker()
        self.credentials = credentials
        self.status.clear_error()
        self.status.set_connection("Connecting…")
        self.status.connection.setToolTip(f"Sync server: {credentials.server}")
        worker = SyncWorker(self.state.replica, credentials, home=self.home, parent=self)
        worker.reachability_did_change.connect(self._reachability)
        worker.sync_will_start.connect(self.status.sync_started)
        worker.sync_did_progress.connect(self._progress)
        worker.sync_did_finish.connect(self._finished)
        worker.sync_did_fail.connect(self._failed)
        self.worker = worker
        worker.start()
        self.credentials_did_change.emit(credentials)

    def sign_out(self) -> None:
        """Forget the sign-in; unsent changes stay in the outbox for the next one."""
        self._stop_worker()
        self.credentials = None
        self.status.clear_error()
        self.status.set_connection("Signed out")
        self.credentials_did_change.emit(None)
        self.state.ops.run(lambda _replica: clear_credentials(self.home), success=self._signed_out)

    def _signed_out(self, _was_signed_in: bool) -> None:
        if self._closed:
            return
        self.state.ops.run(_pending, success=self._say_signed_out)

    def _say_signed_out(self, count: int) -> None:
        self._set_waiting(count)
        kept = f" {changes_waiting(count)} on this device." if count else ""
        self.state.post(f"Signed out.{kept}")

    def _ask_sign_in(self) -> None:
        from arxos_desktop.ui.sign_in_dialog import SignInDialog

        SignInDialog.ask(self)

    def set_local_server(self, enabled: bool) -> None:
        """The Settings switch changed: start or stop the demo server now (``--demo`` only)."""
        if not self.demo:
            return
        if enabled and self.local_server is None and self.credentials is None:
            self.start_local_server()
        elif not enabled and self.local_server is not None:
            if self.credentials is not None and self.credentials.email == DEMO_EMAIL:
                self._stop_worker()
                self.credentials = None
            self.local_server.stop()
            self.local_server = None
            self.status.set_connection("Not signed in")

    def sync_now(self) -> None:
        if self.worker is None:
            self.state.post("Not signed in: sign in to a sync server first (File → Sign in…).")
            return
        self.worker.sync_now()

    # -- what the worker says ---------------------------------------------------------------

    def _local_edit(self) -> None:
        if self.worker is not None and not self._closed:
            self.worker.nudge()

    def _reachability(self, online: bool) -> None:
        if self.credentials is None:
            return
        self.state.reachability_did_change.emit(online)
        host = self.credentials.server.split("://", 1)[-1]
        if online:
            self.status.set_connection(f"Online ({host})")
        else:
            self.status.set_connection("Offline: your changes stay on this device")

    def _progress(self, phase: str, done: int, total: int) -> None:
        self.status.sync_progressed(phase, done, total)
        if phase == "push":
            self._set_waiting(max(0, total - done))
        elif phase == "files":
            self.state.files_did_progress.emit(done, total)

    def _finished(self, report: Any) -> None:
        self.status.sync_ended()
        self.status.clear_error()
        now = dt.datetime.now(dt.UTC)
        self.window.settings.setValue(LAST_SYNC_KEY, now.isoformat())
        self.status.set_last_synced(now)
        if report.rejected:
            self.state.post(
                f"The server refused {report.rejected} change(s); they stay on this device."
            )
        if getattr(report, "audit_refused", None):
            self.state.post(
                "The server did not accept this device's access log; it stays on this"
                f" device. {report.audit_refused}"
            )
        if changed_rows(report):
            self.state.data_did_change.emit()  # also refreshes the waiting count
        else:
            self.refresh_waiting()
        self.state.files_did_arrive.emit()
        self.sync_did_finish.emit(report)

    def _failed(self, error: Exception) -> None:
        self.status.sync_ended()
        self.refresh_waiting()
        if isinstance(error, SignInRequiredError):
            self._stop_worker()  # its loop has ended; "Sign in again" starts a new one
            self.status.set_connection("Signed out by the server")
            self.status.show_error(SIGNED_OUT_BY_SERVER, sign_in=True)
        elif isinstance(error, OfflineError):
            self.status.set_connection("Offline: your changes stay on this device")
            self.status.clear_error()
        else:
            self.status.show_error(plain_words(error))

    # -- counts, threads, shutdown -------------------------------------------------------------

    def refresh_waiting(self) -> None:
        if self._closed:  # a write finished while the window closed: nothing to show it on
            return
        self.state.ops.run(_pending, success=self._set_waiting, owner=self.status)

    def _set_waiting(self, count: int) -> None:
        self.waiting = count
        self.status.set_waiting(count)

    def run_net(self, job: Any, done: Done) -> NetTask:
        """Run a network call off the UI thread; *done* runs on it afterwards."""
        task = NetTask(job, done, parent=self)
        self._tasks.append(task)
        task.task_did_end.connect(self._forget_tasks)
        return task.start()

    def _forget_tasks(self) -> None:
        self._tasks = [t for t in self._tasks if t.running]

    def _stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker.deleteLater()
            self.worker = None
            self.state.reachability_did_change.emit(False)

    def _remembered_last_sync(self) -> dt.datetime | None:
        raw = self.window.settings.value(LAST_SYNC_KEY)
        try:
            return dt.datetime.fromisoformat(str(raw)) if raw else None
        except ValueError:
            return None

    def shutdown(self) -> None:
        """Stop the worker, wait for sign-ins in flight, stop the local server (window closes)."""
        self._closed = True
        self._stop_worker()
        for task in self._tasks:
            task.wait()
        self._tasks.clear()
        if self.local_server is not None:
            self.local_server.stop()
            self.local_server = None


def install_sync(window: MainWindow, state: AppState, *, demo: bool = False) -> SyncController:
    """The sync status bar and the File menu's sync actions; call :meth:`~SyncController.begin`."""
    from arxos_desktop.ui.settings_dialog import SettingsDialog
    from arxos_desktop.ui.sign_in_dialog import SignInDialog

    controller = SyncController(window, state, demo=demo)
    menu = window.file_menu
    quit_action = next((a for a in menu.actions() if a.text() == "&Quit"), None)
    added = [
        window.add_action(menu, "Sign &in…", "Ctrl+Shift+I", lambda: SignInDialog.ask(controller)),
        window.add_action(menu, "Sign &out", None, controller.sign_out),
        window.add_action(menu, "&Sync now", "F5", controller.sync_now),
        window.add_action(menu, "Se&ttings…", "Ctrl+,", lambda: SettingsDialog.ask(controller)),
    ]
    if quit_action is not None:  # Quit stays last
        for action in added:
            menu.removeAction(action)
        menu.insertActions(quit_action, added)
        menu.insertSeparator(quit_action)
    return controller
