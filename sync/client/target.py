"""What the sync loop works on (the replica) and what it reports back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sync.outbox import Change
from sync.protocol import ChangeResult, PullResponse, ResolutionResult
from sync.trust import AccessTrust


class SyncTarget(Protocol):
    """What the loop needs from the local replica (see ``arxos_desktop.store.remote``)."""

    @property
    def device_id(self) -> str: ...
    def pending_changes(self, limit: int) -> list[Change]: ...
    def pending_count(self) -> int: ...
    def blobs_for(self, changes: list[Change]) -> dict[str, Path]: ...
    def record_push(self, changes: list[Change], results: list[ChangeResult]) -> None: ...
    def pending_resolutions(self, limit: int) -> list[tuple[str, str]]: ...
    def record_resolutions(self, results: list[ResolutionResult]) -> None: ...
    def cursor(self) -> int: ...
    def apply_pull(self, page: PullResponse) -> None: ...
    def missing_blobs(self) -> dict[str, Path]: ...
    def scope_tags(self) -> dict[str, str]: ...
    def finish_rescope(self, building_id: str, seen: set[str], tag: str | None) -> int: ...
    def store_trust(self, trust: AccessTrust) -> None: ...
    def audit_head(self) -> int: ...
    def unsent_audit(self, limit: int) -> list[dict[str, Any]]: ...
    def record_audit_ack(self, acknowledged: int) -> None: ...


@dataclass
class SyncReport:
    pushed: int = 0
    accepted: int = 0
    merged: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    pulled: int = 0
    conflicts: int = 0
    blobs_uploaded: int = 0
    blobs_downloaded: int = 0
    cursor: int = 0
    seconds: float = 0.0
    #: Rows removed because the user may no longer see them (their access narrowed or ended).
    removed_by_scope: int = 0
    #: Entries of the device's access log the server took this sync.
    audit_sent: int = 0
    #: Why the server refused the rest of the access log (None when it took all of it).
    #: The entries stay on the device; the server has recorded the refusal for the owners.
    audit_refused: str | None = None


Progress = Callable[[str, int, int], None]
