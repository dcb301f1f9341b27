"""The one way a window leaves a building that has gone from the device.

A building goes when a contractor's session ends (its data is removed) or when a
sync finds the user's grant revoked (the rescope removes it). Either way the
window must not keep showing it: stale rows invite edits that can never be
saved. The session tells the keeper before and after its removal; a sync (or
anything else that changes rows) is noticed on ``data_did_change``, when the
keeper checks that the building on screen is still held. Both then take the same
path: the building the user had before the session, else the first one left,
else no building at all, which every page shows as such, with the actions that
need a building switched off, until a sync brings one.

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
        #: The window was told there is no building (not merely none chosen yet at start-up).
        self._none_shown = False
        self._generation = 0
        # On until the window is told there is no building (start-up has not chosen yet).
        self.needs_building = QActionGroup(self)
        self.needs_building.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
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
            self._choose(current=None, avoid=building_id)

    def building_did_leave(self, building_id: str) -> None:
        """Its removal ended (or failed): choose again if the window shows nothing or it.

        It is not chosen this time even if some of its rows stayed (changes that
        could not be sent); a later sync that brings it back shows it again.
        """
        self.state.leaving.discard(building_id)
        current = self.state.building_id
        if current is None or current == building_id:
            self._choose(current=None, avoid=building_id)
        else:
            self.check()

    # -- any other way a building goes (or comes) --------------------------------------------

    def check(self) -> None:
        """Make sure the building on screen is still held (after rows changed under it).

        While the window says it has no building, a building that arrived (a sign-in
        synced one) is opened.
        """
        current = self.state.building_id
        if current is None and not self._none_shown:
            self._set_title(None)  # start-up has not chosen yet: not ours to choose
            return
        self._choose(current=current, avoid=None)

    def _choose(self, *, current: str | None, avoid: str | None) -> None:
        self._generation += 1
        generation = self._generation
        excluded = frozenset(self.state.leaving | ({avoid} if avoid else set()))
        preferred = [self._before_pass()]

        def job(replica: Replica) -> BuildingChoice:
            return choose_building(replica, current=current, preferred=preferred, excluded=excluded)

        self.state.ops.run(
            job,
            success=lambda choice: self._chosen(generation, choice),
            failure=lambda error: self.state.post(plain_words(error)),
            owner=self,
        )

    def _chosen(self, generation: int, choice: BuildingChoice) -> None:
        if generation != self._generation:
            return  # a newer check is on its way
        if choice.kept:
            self._set_title(choice.name)
        else:
            if choice.building_id is not None and choice.building_id == self._before_pass():
                self.remember_before_pass(None)  # back where the user was: nothing to return to
            if choice.building_id != self.state.building_id or (
                choice.building_id is None and not self._none_shown
            ):
                self.state.set_building(choice.building_id)
            self._set_title(choice.name or None)
        self.check_did_finish.emit()

    def _before_pass(self) -> str | None:
        value = self.window.settings.value(BEFORE_PASS_KEY)
        return value if isinstance(value, str) and value else None

    def _building_changed(self, building_id: str) -> None:
        self.needs_building.setEnabled(bool(building_id))
        self._none_shown = not building_id
        if building_id:
            self.check()
        else:
            self._set_title(None)

    def _set_title(self, name: str | None) -> None:
        self.window.setWindowTitle(f"{name} — {APP_TITLE}" if name else APP_TITLE)
