"""Loading the shipped demo building into a replica: what `arx demo` and the app's first run share.

Re-loading never overwrites a technician's edits silently: when the replica's copy
differs from the shipped one and *replace* is false, the import is rolled back and
the result says so, so the caller can offer a reset instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from arxos_desktop.demo import demo_repo_path
from arxos_desktop.repo_format import import_snapshot, read_repo
from arxos_desktop.repo_format.importer import ImportResult, Progress
from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import list_buildings


class DemoStatus(StrEnum):
    IMPORTED = "imported"
    UPDATED = "updated"
    UP_TO_DATE = "up_to_date"
    KEPT_LOCAL_EDITS = "kept_local_edits"


@dataclass(frozen=True)
class DemoLoad:
    status: DemoStatus
    result: ImportResult

    @property
    def building_id(self) -> str:
        return self.result.building_id


def demo_building_id() -> str:
    """The demo building's id, from its metadata alone (no need to read the whole repo)."""
    meta = json.loads((demo_repo_path() / ".arxos" / "metadata.json").read_text(encoding="utf-8"))
    return str(meta["building"]["id"])


def open_or_load_demo(replica: Replica, *, progress: Progress | None = None) -> str:
    """The demo building's id, importing it only when this replica does not hold it yet.

    The app opens the demo on every ``--demo`` start; reading and comparing the whole
    shipped repository each time would cost seconds before the table fills, and the
    technician's edits to it must stay anyway.
    """
    building_id = demo_building_id()
    if any(b.id == building_id for b in list_buildings(replica)):
        return building_id
    return load_demo_building(replica, progress=progress).building_id


class _KeepEditsError(Exception):
    """Rolls back an import that would overwrite edits."""


def load_demo_building(
    replica: Replica, *, replace: bool = False, progress: Progress | None = None
) -> DemoLoad:
    """Import the demo building (all or nothing); an edited copy is kept unless *replace*."""
    snap = read_repo(demo_repo_path())
    result: ImportResult | None = None
    try:
        with replica.transaction():
            result = import_snapshot(replica, snap, progress=progress)
            new = "building" in result.inserted
            if result.changed and not new and not replace:
                raise _KeepEditsError
    except _KeepEditsError:
        assert result is not None
        return DemoLoad(DemoStatus.KEPT_LOCAL_EDITS, result)
    if new:
        return DemoLoad(DemoStatus.IMPORTED, result)
    return DemoLoad(DemoStatus.UPDATED if result.changed else DemoStatus.UP_TO_DATE, result)
