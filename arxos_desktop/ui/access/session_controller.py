"""Passes in the window: a scanned pass is checked and shown; a contractor session runs from it.

Checking happens on the store's worker (it reads the synced trust and writes the
device's access log), never on the UI thread. The exchange with the server is a
network call, so it runs on its own thread; offline, the session starts without
it and the pass works on this device until it expires. A timer ends the session
shortly before the pass does (and a restart that finds it over ends it at once):
unsent changes are pushed while the exchanged sign-in still holds, then the
building's data leaves the device. What could not be sent stays and is reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox

from arxos_desktop.access.describe import local_now, when
from arxos_desktop.access.pass_summary import PassSummary, check_pass
from arxos_desktop.access.session import (
    HOLDER_PREFIX,
    ContractorSession,
    SessionEnd,
    end_session,
    exchange_pass,
    pusher,
    resume_session,
    start_session,
)
from arxos_desktop.account import Credentials
from arxos_desktop.store.replica import Replica
from arxos_desktop.ui.access.pass_view import PassView
from arxos_desktop.ui.building_keeper import BuildingKeeper
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.net_task import NetTask
from arxos_desktop.ui.sign_in_dialog import SERVER_KEY
from arxos_desktop.ui.state import AppState
from sync.client import OfflineError

if TYPE_CHECKING:
    from arxos_desktop.ui.sync_controller import SyncController

#: Qt timers take at most this many milliseconds; a longer pass is re-armed when it fires.
_MAX_TIMER_MS = 2**31 - 1


class AccessController(QObject):
    """Owns the pass view and the contractor session of one window."""

    #: A pass was checked (its :class:`PassSummary`, accepted or refused).
    pass_was_checked = Signal(object)
    #: A contractor session began or resumed (its :class:`ContractorSession`).
    session_did_start = Signal(object)
    #: The session ended (its :class:`SessionEnd`).
    session_did_end = Signal(object)

    def __init__(
        self,
        window: MainWindow,
        state: AppState,
        keeper: BuildingKeeper,
        *,
        clock: Callable[[], dt.datetime] = local_now,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.state = state
        #: Moves the window off the session's building when it leaves the device.
        self.keeper = keeper
        self.clock = clock
        self.view = PassView(window)
        self.view.session_was_requested.connect(self.start_session)
        self.session: ContractorSession | None = None
        #: The window's sync controller (built after the pages): found when first needed.
        self._sync: SyncController | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._timer_fired)
        self._tasks: list[NetTask] = []
        self.badge = QLabel()
        self.badge.setAccessibleName("Contractor session")
        self.badge.hide()
        window.statusBar().addPermanentWidget(self.badge)
        self.end_action = window.add_action(
            window.file_menu, "End contractor session", None, self.end_session
        )
        self.end_action.setEnabled(False)
        quit_action = next((a for a in window.file_menu.actions() if a.text() == "&Quit"), None)
        if quit_action is not None:  # next to the sign-in actions, above Quit
            window.file_menu.removeAction(self.end_action)
            window.file_menu.insertAction(quit_action, self.end_action)
        window.on_close(self._shutdown)

    @property
    def sync(self) -> SyncController | None:
        if self._sync is None:
            from arxos_desktop.ui.sync_controller import SyncController

            self._sync = self.window.findChild(SyncController)
        return self._sync

    # -- a scanned pass ------------------------------------------------------------------

    def check(self, token: str) -> None:
        """Check a pass the scanner read (unverified text) and show what it grants."""
        now = self.clock()

        def job(replica: Replica) -> PassSummary:
            return check_pass(replica, token, now=now)

        self.state.ops.run(job, success=self._checked, owner=self)

    def _checked(self, summary: PassSummary) -> None:
        online_check = summary.needs_sync and self._server() is not None
        self.view.show_summary(summary, can_start=summary.accepted or online_check)
        self.pass_was_checked.emit(summary)

    def _server(self) -> str | None:
        """The sync server this device uses (or was last pointed at), if any."""
        credentials = self.sync.credentials if self.sync is not None else None
        if credentials is not None:
            return credentials.server
        remembered = str(self.window.settings.value(SERVER_KEY, "") or "")
        return remembered or None

    # -- the session ---------------------------------------------------------------------

    def start_session(self, summary: PassSummary) -> None:
        """Exchange the pass with the sync server (offline: keep it as checked here).

        A pass this device could not vouch for yet (it never synced its issuer or
        building) is exchanged first; the server checks it, the first sync brings
        what this device needs, and the device checks it again before keeping it.
        """
        if self.session is not None:
            self.view.sentence.setText(
                "A contractor session is already running on this device; end it first"
                " (File → End contractor session)."
            )
            return
        credentials = self.sync.credentials if self.sync is not None else None
        server = self._server()
        if summary.accepted and (credentials is None or _holds_pass(credentials)):
            self._keep(summary, None)
            return
        if server is None or self.sync is None:
            return
        device = self.state.replica.device_id

        def done(result: Any, error: Exception | None) -> None:
            if isinstance(error, OfflineError) and summary.accepted:
                self.state.post("The sync server cannot be reached: the pass works offline.")
                self._keep(summary, None)
            elif error is not None:
                self.view.sentence.setText(plain_words(error))
            elif summary.accepted:
                self._keep(summary, result)
            else:
                self._sync_then_keep(summary, result)

        self._run_net(lambda: exchange_pass(server, summary.token, device), done)

    def _sync_then_keep(self, summary: PassSummary, credentials: Credentials) -> None:
        """Sync as the pass's holder once, then check the pass here and keep the session."""
        sync = self.sync
        assert sync is not None

        def synced(_report: object) -> None:
            sync.sync_did_finish.disconnect(synced)
            self._keep(summary, credentials)

        sync.sync_did_finish.connect(synced)
        self.state.post("Pass accepted by the sync server: bringing its building to this device…")
        sync.use_credentials(credentials)

    def _keep(self, summary: PassSummary, credentials: Credentials | None) -> None:
        now = self.clock()

        def job(replica: Replica) -> ContractorSession:
            return start_session(replica, summary.token, credentials=credentials, now=now)[0]

        def started(session: ContractorSession) -> None:
            sync = self.sync
            if credentials is not None and sync is not None and sync.credentials != credentials:
                sync.use_credentials(credentials)
            self.view.close()
            if self.state.building_id != session.building_id:
                self.keeper.remember_before_pass(self.state.building_id)
            self._began(session)

        self.state.ops.run(job, success=started, writes=True, owner=self)

    def resume(self) -> None:
        """At start-up: pick up the session kept on this device, or end one that is over."""
        now = self.clock()

        def job(replica: Replica) -> ContractorSession | None:
            return resume_session(replica, now=now)

        def resumed(session: ContractorSession | None) -> None:
            if session is None:
                return
            if session.ended is not None:
                self.session = session
                self.end_session()
            else:
                self._began(session)

        self.state.ops.run(job, success=resumed, owner=self)

    def _began(self, session: ContractorSession) -> None:
        self.session = session
        until = when(session.expires_at(), self.clock())
        self.state.post(f"Contractor session started: this pass works until {until}.")
        self.badge.setText(f"Contractor pass until {until}")
        self.badge.show()
        self.end_action.setEnabled(True)
        self._arm()
        if self.state.building_id != session.building_id:
            self.state.set_building(session.building_id)  # the only building it shows
        self.state.data_did_change.emit()  # every list narrows to the pass's scope
        self.session_did_start.emit(session)

    def _arm(self) -> None:
        if self.session is None:
            return
        left_ms = max(0.0, self.session.seconds_left(self.clock()) * 1000)
        self.timer.start(int(min(left_ms, _MAX_TIMER_MS)))

    def _timer_fired(self) -> None:
        if self.session is not None and self.session.seconds_left(self.clock()) > 0:
            self._arm()  # a pass longer than one timer can wait
        else:
            self.end_session()

    def end_session(self) -> None:
        """Push what waits (if signed in with the pass), then let the building's data go."""
        session = self.session
        if session is None:
            return
        self.timer.stop()
        self.keeper.building_will_leave(session.building_id)  # off the screen at once
        credentials = self.sync.credentials if self.sync is not None else None
        sync = self.sync
        if sync is not None and credentials is not None and _holds_pass(credentials):
            sync.sign_out()  # its worker stops: the push below is the last one
        else:
            credentials = None
        replica = self.state.replica

        def job() -> SessionEnd:
            push = None if credentials is None else pusher(replica, credentials)
            return end_session(replica, session, push=push)

        def done(result: Any, error: Exception | None) -> None:
            self.session = None
            self.badge.hide()
            self.end_action.setEnabled(False)
            self.keeper.building_did_leave(session.building_id)
            if error is not None:
                self.state.post(plain_words(error))
                return
            self.state.post(result.sentence())
            self._tell_session_ended(result.sentence())
            self.state.data_did_change.emit()
            self.session_did_end.emit(result)

        self._run_net(job, done)

    def _tell_session_ended(self, sentence: str) -> None:
        """The end of a pass, in a notice that stays until read.

        The status bar cuts a sentence this long, and this one says whether unsent
        changes stayed on the device. Not modal: the contractor may be mid-task.
        """
        notice = QMessageBox(
            QMessageBox.Icon.Information,
            "Contractor session ended",
            sentence,
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        notice.setObjectName("sessionEndedNotice")
        notice.setAccessibleName("Contractor session ended")
        notice.setWindowModality(Qt.WindowModality.NonModal)
        notice.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        notice.show()

    def _run_net(
        self, job: Callable[[], Any], done: Callable[[Any, Exception | None], None]
    ) -> None:
        task = NetTask(job, done, self)
        self._tasks.append(task)
        task.task_did_end.connect(lambda: self._tasks.remove(task))
        task.start()

    def _shutdown(self) -> None:
        self.timer.stop()
        for task in list(self._tasks):
            task.wait()


def _holds_pass(credentials: Credentials) -> bool:
    """Whether this sign-in is an exchanged pass (not a person's account)."""
    return credentials.email.startswith(HOLDER_PREFIX)


def install_access(
    window: MainWindow, state: AppState, scan_page: Any, keeper: BuildingKeeper
) -> AccessController:
    """Passes the Scan page reads go to the pass view; a kept session resumes."""
    controller = AccessController(window, state, keeper)
    scan_page.access_token_was_read.connect(controller.check)
    controller.resume()
    return controller
