"""Load a building repository straight into a sync server's database (``arx server import``).

For an administrator bootstrapping a server from a surveyed building, without a
device in between. The rows go through the server's own push path
(:func:`sync.server.syncing.push`), so they get sequences, field clocks and a
change log exactly as if a device had pushed them, and every device then pulls
them the usual way. The logic lives here, not in ``sync/server``, because the
repository format belongs to the field app and ``sync`` must never import it.

Re-running is safe, by two means:

- **Existing rows are skipped.** A row the server already has (live or deleted)
  is left alone, even if the repository holds other values: devices may have
  edited it since, and an import must not silently overwrite field work. Rows
  the repository lacks are left alone too. So importing an unchanged repository
  again changes nothing and adds nothing to the change log.
- **Change ids are deterministic**: a UUIDv5 of the building id, entity, row id
  and a hash of the inserted values. Two imports racing, or one retried after a
  crash between commit and report, are de-duplicated by the push path itself.

Files (drawings, photos, recordings) are copied into blob storage before any
row that names them, and each is hash-checked on the way in.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from arxos_desktop.errors import ArxosError
from arxos_desktop.repo_format.snapshot import BuildingSnapshot
from sync.clock import HybridClock
from sync.outbox import Op
from sync.protocol import MAX_PUSH_BATCH, ChangeIn, PushRequest, ResultStatus
from sync.schema import Replicated, user_fields
from sync.server import crud
from sync.server.blobs import BlobStorage
from sync.server.db import session_scope
from sync.server.models import Role
from sync.server.replication import StoredRow
from sync.server.syncing import current_cursor, push

#: Device id (and clock node) the imported changes are logged under.
IMPORT_DEVICE: Final = "server-import"
#: Namespace of the deterministic change ids; never change it, or re-imports duplicate.
CHANGE_ID_NAMESPACE: Final = uuid.UUID("6f1d3c2e-8a4b-5c7d-9e0f-a1b2c3d4e5f6")
_COPY_CHUNK: Final = 1 << 20

Progress = Callable[[int, int], None]


class ServerImportError(ArxosError):
    """The building could not be imported; nothing was written to the server's rows."""


@dataclass
class ServerImportReport:
    building_id: str
    building_name: str
    owner: str
    #: Rows created, by entity.
    inserted: dict[str, int] = field(default_factory=dict)
    #: Rows the server already had (left as they are), by entity.
    skipped: dict[str, int] = field(default_factory=dict)
    blobs_copied: int = 0
    blobs_present: int = 0
    #: True when the owner was given the admin role on the building by this import.
    owner_granted: bool = False
    #: The server's newest change sequence afterwards.
    cursor: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.blobs_copied or self.owner_granted)


def change_id_for(building_id: str, entity: str, entity_id: str, fields: dict[str, Any]) -> str:
    """The same insert of the same row always gets the same (canonical UUID) change id."""
    content = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(CHANGE_ID_NAMESPACE, f"{building_id}/{entity}/{entity_id}/{digest}"))


def _rows_in_push_order(snap: BuildingSnapshot) -> Iterator[tuple[str, Replicated]]:
    """Building first (pushing it makes the owner its admin), then the organisation (which
    needs that admin role), then every entity parents first."""
    yield "building", snap.building
    if snap.organization is not None:
        yield "organization", snap.organization
    for entity, rows in snap.entity_lists().items():
        for row in rows:
            assert isinstance(row, Replicated)
            yield entity, row


def _insert(entity: str, row: Replicated, building_id: str, clock: HybridClock) -> ChangeIn:
    wire = row.model_dump(mode="json")
    fields = {name: wire.get(name) for name in user_fields(entity)}
    scope = None if entity == "organization" else building_id
    return ChangeIn(
        change_id=change_id_for(building_id, entity, row.id, fields),
        entity=entity,
        entity_id=row.id,
        building_id=scope,
        op=Op.INSERT,
        fields=fields,
        base_rev=0,
        hlc=clock.tick().pack(),
    )


def copy_blobs(storage: BlobStorage, blobs: dict[str, Path], progress: Progress) -> tuple[int, int]:
    """Put every file into *storage* unless it is there already; (copied, already present)."""
    copied = present = 0
    for done, (sha, path) in enumerate(sorted(blobs.items()), start=1):
        if storage.stat(sha) is not None:
            present += 1
        else:
            storage.discard_partial(sha)  # an earlier, interrupted import starts over
            with path.open("rb") as file:
                storage.append(sha, 0, iter(partial(file.read, _COPY_CHUNK), b""))
            storage.finalize(sha)  # re-hashes: a file changed since read_repo is refused
            copied += 1
        progress(done, len(blobs))
    return copied, present


def _existing_ids(session: Session, snap: BuildingSnapshot) -> set[tuple[str, str]]:
    query = select(StoredRow.entity, StoredRow.id).where(
        col(StoredRow.building_id) == snap.building.id
    )
    found = {(entity, row_id) for entity, row_id in session.exec(query)}
    org = snap.organization
    if org is not None and session.get(StoredRow, ("organization", org.id)) is not None:
        found.add(("organization", org.id))
    return found


def _full_admin(access: crud.BuildingAccess | None) -> bool:
    return (
        access is not None
        and access.role is Role.ADMIN
        and access.systems is None
        and access.floors is None
    )


def import_to_server(
    engine: Engine,
    storage: BlobStorage,
    snap: BuildingSnapshot,
    *,
    owner_email: str,
    batch_size: int = MAX_PUSH_BATCH,
    progress: Progress | None = None,
) -> ServerImportReport:
    """Create the rows of *snap* the server lacks, as *owner_email*, all in one transaction.

    The owner becomes the building's admin. Raises :class:`ServerImportError` if the
    server refuses any row (the transaction is rolled back, so nothing is half
    imported) and ``crud.UnknownUserError`` if there is no such owner.
    """
    building_id = snap.building.id
    rows = list(_rows_in_push_order(snap))
    total = len(snap.blobs) + len(rows)
    report_progress = progress or (lambda done, of: None)
    with session_scope(engine) as session:
        owner = crud.require_user(session, owner_email)  # before any file is copied
        report = ServerImportReport(building_id, snap.building.name, owner.email)
    report.blobs_copied, report.blobs_present = copy_blobs(
        storage, snap.blobs, lambda done, _of: report_progress(done, total)
    )

    clock = HybridClock(IMPORT_DEVICE)
    with session_scope(engine) as session:
        existing = _existing_ids(session, snap)
        changes: list[ChangeIn] = []
        for entity, row in rows:
            counts = report.skipped if (entity, row.id) in existing else report.inserted
            counts[entity] = counts.get(entity, 0) + 1
            if (entity, row.id) not in existing:
                changes.append(_insert(entity, row, building_id, clock))

        def claim_building(claimed: str) -> crud.BuildingAccess:
            crud.grant(
                session, user_id=owner.id, building_id=claimed, role=Role.ADMIN, commit=False
            )
            report.owner_granted = True
            return crud.BuildingAccess(claimed, Role.ADMIN, None, None)

        try:
            current = crud.building_access(session, owner.id).get(building_id)
            if ("building", building_id) in existing and not _full_admin(current):
                claim_building(building_id)  # the building exists: no push will claim it
            done = len(snap.blobs) + len(rows) - len(changes)
            for start in range(0, len(changes), batch_size):
                batch = changes[start : start + batch_size]
                answer = push(
                    session,
                    PushRequest(device_id=IMPORT_DEVICE, changes=batch),
                    user_id=owner.id,
                    accesses=dict(crud.building_access(session, owner.id)),
                    claim_building=claim_building,
                )
                refused = [r for r in answer.results if r.status is ResultStatus.REJECTED]
                if refused:
                    by_id = {c.change_id: c for c in batch}
                    reasons = "; ".join(
                        f"{by_id[r.change_id].entity} {by_id[r.change_id].entity_id}: {r.reason}"
                        for r in refused[:5]
                    )
                    more = f" (and {len(refused) - 5} more)" if len(refused) > 5 else ""
                    raise ServerImportError(
                        f"The server refused {len(refused)} row(s), so nothing was imported: "
                        f"{reasons}{more}"
                    )
                report.cursor = answer.cursor
                done += len(batch)
                report_progress(done, total)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    if not changes:
        with session_scope(engine) as session:
            report.cursor = current_cursor(session)
    report_progress(total, total)
    return report
