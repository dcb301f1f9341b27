"""What `arx server import` reports: counts by entity, and each change the server refused.

Filled in by :mod:`arxos_desktop.admin.import_plan` (what differs) and
:mod:`arxos_desktop.admin.server_import` (what was sent and what the server answered).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rejection:
    """A change the server refused (or the import held back), with the reason in words."""

    entity: str
    entity_id: str
    op: str
    reason: str


@dataclass
class ServerImportReport:
    building_id: str
    building_name: str
    owner: str
    #: Whether rows the server already had were brought in line (``--update``).
    update: bool = False
    #: Whether rows the repository lacks were deleted (``--prune``).
    prune: bool = False
    #: Rows created, by entity.
    inserted: dict[str, int] = field(default_factory=dict)
    #: Rows the server already had and this import left as they are, by entity.
    skipped: dict[str, int] = field(default_factory=dict)
    #: Rows the server holds with the repository's values, by entity.
    unchanged: dict[str, int] = field(default_factory=dict)
    #: Rows the server holds with other values, by entity (updated only with ``update``).
    differing: dict[str, int] = field(default_factory=dict)
    #: Rows updated, and how many of their fields, by entity.
    updated: dict[str, int] = field(default_factory=dict)
    updated_fields: dict[str, int] = field(default_factory=dict)
    #: Ids of rows the repository holds that are deleted on the server (not restored).
    skipped_deleted: dict[str, list[str]] = field(default_factory=dict)
    #: Live rows the repository lacks, by entity (deleted only with ``prune``).
    server_only: dict[str, int] = field(default_factory=dict)
    #: Rows deleted by ``prune``, by entity.
    deleted: dict[str, int] = field(default_factory=dict)
    #: Updates and deletes that did not take effect, with why.
    rejected: list[Rejection] = field(default_factory=list)
    blobs_copied: int = 0
    blobs_present: int = 0
    #: True when the owner was given the admin role on the building by this import.
    owner_granted: bool = False
    #: The server's newest change sequence afterwards.
    cursor: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.inserted or self.updated or self.deleted or self.blobs_copied or self.owner_granted
        )
