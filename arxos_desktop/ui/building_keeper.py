"""The one way a window leaves a building that has gone from the device.

A building goes when a contractor's session ends (its data is removed) or when a
sync finds the user's grant revoked (the rescope removes it). Either way the
window must not keep showing it: stale rows invite edits that can never be
saved. The session tells the keeper before and after its removal; a sync (or
anything else that changes rows) is noticed on ``data_did_change``, when the
keeper checks that the building on screen is still held. Both then take the same
path: the building the user had before the session, else the first one left,
else no building at all, which every page shows as such, with the actions that
need a building switched off.

The keeper also owns the window title, which names the building on screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup

from arxos_desktop.store.building_choice import BuildingChoice, choose_building
from arxos_desktop.store.replica import Replica
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState

#: The building on screen when a contractor session started (the session shows only its own).
BEFORE_PASS_KEY = "access/building_before_pass"
APP_TITLE = "ArxOS Field"


class BuildingKeeper(QObject):
    """Keeps one window on a building the device still holds, and names it in the title."""

    #: A check of the building on screen ended (tests wait on it).
    check_did_finish = Signal()

    def __init__(self, window: MainWindow, state: AppState) -> None:
        super().__init__(window)
        self.window = window
        self.state = state
        #: Buildings that left during this run: not chosen again unless the user picks one.
        self._gone: set[str] = set()
        self._generation = 0
        self.needs_building = QActionGroup(self)
        self.needs_building.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
        # On until the window is told there is no building (start-up has not chosen yet).
        state.building_did_change.connect(self._building_changed)
        state.data_did_change.connect(self.check)

    def require_building(self, actions: Iterable[QAction]) -> None:
        """Switch *actions* off while no building is shown (a page's own switching stays)."""
        for action in actions:
            self.needs_building.addAction(action)

    # -- a contractor session --------------------------------------------------------------

    def remember_before_pass(self, building_id: str | None) -> None:
        """The building to come back to when the session that starts now ends."""
        if building_id is None:
            self.window.settings.remove(BEFORE_PASS_KEY)
        else:
            self.window.settings.setValue(BEFORE_PASS_KEY, building_id)

    def building_will_leave(self, building_id: str) -> None:
        """Its data is about to be removed: never shown again meanwhile, moved off at once."""
        self.state.leaving.add(building_id)
        if self.state.building_id == building_id:
            self._choose(current=None, gone=building_id)

    def building_did_leave(self, building_id: str) -> None:
        """Its removal ended (or failed): choose again if the window shows nothing or it."""
        self.state.leaving.discard(building_id)
        self._gone.add(building_id)
        current = self.state.building_id
        if current is None or current == building_id:
            self._choose(current=None, gone=building_id)
        else:
            self.check()

    # -- any other way a building goes ----------------------------------------------------

    def check(self) -> None:
        """Make sure the building on screen is still held (after rows changed under it)."""
        current = self.state.building_id
        if current is None:
            self._set_title(None)
            return
        self._choose(current=current, gone=current)

    def _choose(self, *, current: str | None, gone: str) -> None:
        self._generation += 1
        generation = self._generation
        excluded = frozenset(self.state.leaving | (self._gone - {current}))
        preferred = [self._before_pass()]

        def job(replica: Replica) -> BuildingChoice:
            return choose_building(replica, current=current, preferred=preferred, excluded=excluded)

        self.state.ops.run(
            job,
            success=lambda choice: self._chosen(generation, gone, choice),
            failure=lambda error: self.state.post(plain_words(error)),
            owner=self,
        )

    def _chosen(self, generation: int, gone: str, choice: BuildingChoice) -> None:
        if generation != self._generation:
            return  # a newer check is on its way
        if choice.kept:
            self._set_title(choice.name)
            self.check_did_finish.emit()
            return
        if choice.building_id is not None and choice.building_id == self._before_pass():
            self.remember_before_pass(None)  # back where the user was: nothing to return to
        if self.state.building_id in (None, gone):
            self.state.set_building(choice.building_id)
            self._set_title(choice.name or None)
        self.check_did_finish.emit()

    def _before_pass(self) -> str | None:
        value = self.window.settings.value(BEFORE_PASS_KEY)
        return value if isinstance(value, str) and value else None

    def _building_changed(self, building_id: str) -> None:
        self.needs_building.setEnabled(bool(building_id))
        if building_id:
            self._gone.discard(building_id)  # picked again on purpose (granted again)
        self.check()

    def _set_title(self, name: str | None) -> None:
        self.window.setWindowTitle(f"{name} — {APP_TITLE}" if name else APP_TITLE)
