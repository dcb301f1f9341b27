"""What every view of a main window shares: the replica worker and the open building.

Views talk to each other only through these signals (a search result or a
connection asks to :meth:`AppState.show_record`; the window routes it to the
page that shows that kind of record), so no widget holds another widget.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from arxos_desktop.store import Replica
from arxos_desktop.store.undo import UndoHistory
from arxos_desktop.ui.ops import StoreOps


class AppState(QObject):
    """The open replica's worker, its home folder and the building on screen."""

    #: The building on screen changed (its id; empty when the device has none to show).
    building_did_change = Signal(str)
    #: Someone asked to show a record: (entity, id), e.g. ("equipment", "…").
    record_was_requested = Signal(str, str)
    #: A sentence for the status bar (what just happened, or why it did not).
    message_was_posted = Signal(str)
    #: Rows changed under the views (a local edit, or a sync that pulled something):
    #: views re-read what they show.
    data_did_change = Signal()
    #: Whether the sync server answered its last check (False while offline or signed out).
    reachability_did_change = Signal(bool)
    #: (done, total) files a running sync has downloaded so far.
    files_did_progress = Signal(int, int)
    #: A sync run ended well: the files it downloaded (drawings, photos) are on this device.
    files_did_arrive = Signal()
    #: A view needs something from the server now (a drawing not downloaded yet).
    sync_was_requested = Signal()

    def __init__(self, ops: StoreOps, *, home: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.home = home
        self.building_id: str | None = None
        #: Buildings whose data is leaving this device (an ended contractor session):
        #: nobody opens them again meanwhile (start-up, a search hit, the picker).
        self.leaving: set[str] = set()
        #: Edits saved this session, newest last: what Edit ▸ Undo walks back.
        self.undo_history = UndoHistory()
        #: Undos made this session, newest last: what Edit ▸ Redo walks forward again.
        self.redo_history = UndoHistory()
        #: The last answer of :attr:`reachability_did_change`.
        self.online = False
        self.reachability_did_change.connect(self._set_online)
        ops.replica_did_change.connect(self.data_did_change)

    @property
    def replica(self) -> Replica:
        """The replica, for jobs handed to :attr:`ops` (never query it on the UI thread)."""
        return self.ops.replica

    def set_building(self, building_id: str | None) -> None:
        """Show *building_id*; None shows that there is no building (every page says so).

        A building in :attr:`leaving` is not opened: its rows are about to go.
        """
        if building_id is not None and building_id in self.leaving:
            return
        if building_id is None or building_id != self.building_id:
            self.building_id = building_id
            self.building_did_change.emit(building_id or "")

    def show_record(self, entity: str, record_id: str) -> None:
        self.record_was_requested.emit(entity, record_id)

    def _set_online(self, online: bool) -> None:
        self.online = online

    def post(self, message: str) -> None:
        self.message_was_posted.emit(message)
