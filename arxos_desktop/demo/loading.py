"""Loading the shipped demo building into a replica: what `arx demo` and the app's first run share.

Re-loading never overwrites a technician's edits silently: when the replica's copy
differs from the shipped one and *replace* is false, the import is rolled back and
the result says so, so the caller can offer a reset instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arxos_desktop.demo import demo_repo_path
from arxos_desktop.repo_format import import_snapshot, read_repo
from arxos_desktop.repo_format.importer import ImportResult, Progress
from arxos_desktop.store import Replica


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
