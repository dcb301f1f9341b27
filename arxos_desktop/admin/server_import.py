"""Load a building repository straight into a sync server's database (``arx server import``).

For an administrator bootstrapping a server from a surveyed building, or bringing
a revised survey into a live one, without a device in between. The rows go
through the server's own push path (:func:`sync.server.syncing.push`), so they
get sequences, field clocks, scope checks, conflict records and a change log
exactly as if a device had pushed them, and every device then pulls them the
usual way. The logic lives here, not in ``sync/server``, because the repository
format belongs to the field app and ``sync`` must never import it.

**By default existing rows are skipped.** A row the server already has (live or
deleted) is left alone, even if the repository holds other values, and so are
rows the repository lacks. Devices may have edited those rows since the
repository was made, and a plain import, run to seed a server or to add what is
missing, must never overwrite field work as a side effect. The report counts the
rows that differ, so an administrator sees what ``--update`` would change.

**``update=True`` (``--update``) brings existing rows in line, as an edit.** For
each row whose values differ, one UPDATE change carries only the user fields
that differ, with ``base_rev`` = the row's current ``seq`` and a fresh stamp
from the import's clock, which first observes the row's newest stamp, just as a
device's clock observes what it pulls. So the import wins against what it has
seen (the overwritten values stay in the change log), and an edit a device made
earlier but pushes later loses by clock and gets a conflict record, like any
concurrent edit. Rows deleted on the server are not restored (a delete is field
work too); they are reported as skipped. ``prune=True`` (``--prune``, only with
``--update``) also tombstones live rows the repository lacks, children before
parents; a delete that would leave a remaining row pointing at a deleted one is
not sent but reported as rejected, like every change the server refuses.

Inserts are all or nothing: if the server refuses one, the whole import is
rolled back (a half-imported building would have rows pointing at nothing).
Refused updates and deletes are independent edits: they are reported with the
server's reason and the rest is committed.

Re-running is safe: change ids are deterministic, a UUIDv5 of the building id,
entity, row id and a hash of the values sent (for updates and deletes also of
the base ``seq``). Importing an unchanged repository again changes nothing and
adds nothing to the change log, and two imports racing, or one retried after a
crash between commit and report, are de-duplicated by the push path itself.
The whole import runs in one transaction under the server's push lock, so no
device push lands between reading the server's rows and writing the changes.

Files (drawings, photos, recordings) are copied into blob storage before any
row that names them, and each is hash-checked on the way in; the owner is then
recorded as their uploader, since a pushed row may only cite a file its pusher
uploaded or may already read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine
from sqlmodel import Session

from arxos_desktop.admin.import_plan import (
    IMPORT_DEVICE,
    PRUNE_ORDER,
    Key,
    ServerRow,
    bump,
    edit_change,
    plan_import,
    server_rows,
)
from arxos_desktop.admin.import_report import Rejection, ServerImportReport
from arxos_desktop.errors import ArxosError, ErrorKind
from arxos_desktop.repo_format.snapshot import BuildingSnapshot
from sync.clock import HybridClock
from sync.merge import DELETED
from sync.outbox import Op
from sync.protocol import MAX_PUSH_BATCH, ChangeIn, ChangeResult, PushRequest, ResultStatus
from sync.schema import user_fields
from sync.server import crud
from sync.server.blob_access import record_upload
from sync.server.blobs import BlobStorage
from sync.server.db import session_scope
from sync.server.models import Role
from sync.server.syncing import current_cursor, lock_for_push, push

__all__ = [
    "ServerImportError",
    "ServerImportReport",
    "copy_blobs",
    "import_to_server",
    "plan_import",
    "server_rows",
]

_COPY_CHUNK: Final = 1 << 20
_IDS_SHOWN: Final = 5

Progress = Callable[[int, int], None]


class ServerImportError(ArxosError):
    """The building could not be imported; nothing was written to the server's rows."""

    kind = ErrorKind.INVALID


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


def _references(entity: str, values: Mapping[str, Any]) -> set[str]:
    """Ids of the rows this one points at (every ``…_id`` user field; ids are unique
    across entities, so the entity need not be known)."""
    return {
        value
        for name in user_fields(entity)
        if name.endswith("_id") and isinstance(value := values.get(name), str)
    }


def _describe(keys: Iterable[Key]) -> str:
    counts = Counter(entity for entity, _ in keys)
    return ", ".join(f"{n} {entity}" for entity, n in sorted(counts.items()))


class _Importer:
    """Sends one import's changes through the push path, in batches, in one transaction."""

    def __init__(
        self,
        session: Session,
        report: ServerImportReport,
        *,
        owner_id: str,
        batch_size: int,
        progress: Progress,
        clock: HybridClock | None = None,
    ) -> None:
        self.session = session
        self.report = report
        #: One clock for the whole import, so its stamps only ever increase.
        self.clock = clock or HybridClock(IMPORT_DEVICE)
        self.owner_id = owner_id
        self.batch_size = batch_size
        self.progress = progress
        self.done = 0
        self.total = 0

    def claim_building(self, claimed: str) -> crud.BuildingAccess:
        crud.grant(
            self.session, user_id=self.owner_id, building_id=claimed, role=Role.ADMIN, commit=False
        )
        self.report.owner_granted = True
        return crud.BuildingAccess(claimed, Role.ADMIN, None, None)

    def ensure_admin(self, building_exists: bool) -> None:
        """Make the owner the building's full admin; a new building's push claims it itself."""
        access = crud.building_access(self.session, self.owner_id).get(self.report.building_id)
        full = (
            access is not None
            and access.role is Role.ADMIN
            and access.systems is None
            and access.floors is None
        )
        if building_exists and not full:
            self.claim_building(self.report.building_id)

    def send(self, changes: list[ChangeIn]) -> list[tuple[ChangeIn, ChangeResult]]:
        """Push *changes* in order; every change with the server's answer."""
        answered: list[tuple[ChangeIn, ChangeResult]] = []
        for start in range(0, len(changes), self.batch_size):
            batch = changes[start : start + self.batch_size]
            answer = push(
                self.session,
                PushRequest(device_id=IMPORT_DEVICE, changes=batch),
                user_id=self.owner_id,
                accesses=dict(crud.building_access(self.session, self.owner_id)),
                claim_building=self.claim_building,
            )
            answered.extend(zip(batch, answer.results, strict=True))
            self.report.cursor = answer.cursor
            self.done += len(batch)
            self.progress(self.done, self.total)
        return answered

    def insert(self, changes: list[ChangeIn]) -> None:
        """All or nothing: a refused insert rolls the whole import back."""
        refused = [
            (change, result)
            for change, result in self.send(changes)
            if result.status is ResultStatus.REJECTED
        ]
        if refused:
            reasons = "; ".join(
                f"{change.entity} {change.entity_id}: {result.reason}"
                for change, result in refused[:_IDS_SHOWN]
            )
            more = f" (and {len(refused) - _IDS_SHOWN} more)" if len(refused) > _IDS_SHOWN else ""
            raise ServerImportError(
                f"The server refused {len(refused)} row(s), so nothing was imported: "
                f"{reasons}{more}"
            )
        for change in changes:
            bump(self.report.inserted, change.entity)

    def _refuse(self, change: ChangeIn, reason: str) -> None:
        self.report.rejected.append(
            Rejection(change.entity, change.entity_id, change.op.value, reason)
        )

    def update(self, changes: list[ChangeIn]) -> None:
        """Each update on its own: refused ones are reported, the others count."""
        for change, result in self.send(changes):
            if result.status is ResultStatus.REJECTED:
                self._refuse(change, result.reason)
                continue
            took = len(change.fields) - len(result.winning)
            if took:
                bump(self.report.updated, change.entity)
                bump(self.report.updated_fields, change.entity, took)

    def prune(self, snap: BuildingSnapshot, server_only: Mapping[Key, ServerRow]) -> None:
        """Tombstone *server_only*, children first, never leaving a live row pointing at a
        deleted one: the push path does not check that, and devices would show such rows
        hanging off nothing."""
        live = {k: r for k, r in server_rows(self.session, snap).items() if not r.deleted}
        referrers: dict[str, set[Key]] = {}
        for key, row in live.items():
            for target in _references(row.entity, row.values):
                referrers.setdefault(target, set()).add(key)
        for entity in PRUNE_ORDER:
            doomed = sorted(key for key in server_only if key[0] == entity and key in live)
            changes = []
            for key in doomed:
                row = live[key]
                change = edit_change(Op.DELETE, row, {DELETED: True}, snap.building.id, self.clock)
                staying = sorted(referrers.get(row.id, set()) & live.keys())
                if staying:
                    self._refuse(
                        change, f"Not deleted: rows that stay refer to it ({_describe(staying)})"
                    )
                else:
                    changes.append(change)
            for change, result in self.send(changes):
                if result.status is ResultStatus.REJECTED:
                    self._refuse(change, result.reason)
                else:
                    live.pop((change.entity, change.entity_id), None)
                    bump(self.report.deleted, change.entity)


def _count_skipped(report: ServerImportReport) -> None:
    """Rows the server already had that this import left as they are."""
    present = Counter(report.unchanged) + Counter(report.differing)
    present.update({e: len(ids) for e, ids in report.skipped_deleted.items()})
    present.subtract(report.updated)
    report.skipped = {e: n for e, n in present.items() if n > 0}


def import_to_server(
    engine: Engine,
    storage: BlobStorage,
    snap: BuildingSnapshot,
    *,
    owner_email: str,
    update: bool = False,
    prune: bool = False,
    batch_size: int = MAX_PUSH_BATCH,
    progress: Progress | None = None,
) -> ServerImportReport:
    """Bring *snap* into the server as *owner_email*, in one transaction (see module doc).

    Creates the rows the server lacks; with *update* also changes rows that differ,
    with *prune* (which needs *update*) deletes rows the repository lacks. The owner
    becomes the building's admin. Raises :class:`ServerImportError` if the server
    refuses an insert (the transaction is rolled back, so nothing is half imported)
    and ``crud.UnknownUserError`` if there is no such owner.
    """
    if prune and not update:
        raise ServerImportError("Pruning deletes rows, so it needs update mode (--update)")
    report_progress = progress or (lambda done, of: None)
    with session_scope(engine) as session:
        owner = crud.require_user(session, owner_email)  # before any file is copied
        report = ServerImportReport(
            snap.building.id, snap.building.name, owner.email, update=update, prune=prune
        )
    blob_count = len(snap.blobs)
    report.blobs_copied, report.blobs_present = copy_blobs(
        storage, snap.blobs, lambda done, _of: report_progress(done, blob_count)
    )

    with session_scope(engine) as session:
        importer = _Importer(
            session, report, owner_id=owner.id, batch_size=batch_size, progress=report_progress
        )
        try:
            lock_for_push(session)  # nothing lands between reading the rows and pushing
            for sha256 in sorted(snap.blobs):  # copied and verified above: the owner sent them
                record_upload(session, sha256, owner.id)
            server = server_rows(session, snap)
            plan = plan_import(snap, server, report, importer.clock)
            importer.done = blob_count
            importer.total = blob_count + len(plan.inserts) + len(plan.updates)
            importer.total += len(plan.server_only) if prune else 0
            importer.ensure_admin(("building", snap.building.id) in server)
            importer.insert(plan.inserts)
            importer.update(plan.updates)
            if prune:
                importer.prune(snap, plan.server_only)
            report.cursor = current_cursor(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    _count_skipped(report)
    report_progress(importer.total, importer.total)
    return report
