"""Which building a window should show, once the one it showed may have gone.

A building leaves the device when a contractor's session ends or when a sync
finds its grant revoked; the window must then move to one the device still
holds, without asking the user and without guessing wrong about the scope: the
candidates are the buildings the user is shown (:func:`list_buildings`, so a
running pass still shows only its own).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from arxos_desktop.store.buildings import list_buildings
from arxos_desktop.store.replica import Replica


@dataclass(frozen=True)
class BuildingChoice:
    """The building to show (None: the device holds none the user may see)."""

    building_id: str | None
    name: str
    #: Whether the building asked about is still there (False: the window must move).
    kept: bool


def choose_building(
    replica: Replica,
    *,
    current: str | None,
    preferred: Iterable[str | None] = (),
    excluded: Collection[str] = (),
) -> BuildingChoice:
    """*current* while it is still shown; else the first of *preferred* that is, else the first.

    Buildings in *excluded* (their data is leaving) are never chosen, even while
    their rows are still on the device.
    """
    shown = [b for b in list_buildings(replica) if b.id not in excluded]
    by_id = {b.id: b for b in shown}
    if current is not None and current in by_id:
        return BuildingChoice(current, by_id[current].name, kept=True)
    for wanted in preferred:
        if wanted is not None and wanted in by_id:
            return BuildingChoice(wanted, by_id[wanted].name, kept=False)
    if shown:
        return BuildingChoice(shown[0].id, shown[0].name, kept=False)
    return BuildingChoice(None, "", kept=False)
