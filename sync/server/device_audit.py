"""Devices' access logs on the server: each upload must continue its device's chain.

A device sends the entries the server has not acknowledged. Each batch is
checked against the stored head of that (user, device) chain, every hash
recomputed, before anything is stored: a batch that does not follow (an entry
removed or edited on the device) is refused whole, and the refusal goes into the
organisation's own log, where the device cannot reach it. The device is the one
the sign-in was made from; entries may only speak of buildings the user can see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from sqlmodel import Session, col, select

from sync.audit_chain import (
    GENESIS,
    AuditChainBrokenError,
    ChainedEntry,
    chain_hash,
    check_chain,
)
from sync.errors import SyncError, SyncErrorKind
from sync.server import access_audit, crud
from sync.server.access_passes import building_orgs
from sync.server.device_audit_models import (
    AuditUpload,
    DeviceAuditEntry,
    DeviceAuditHead,
    UploadedEntry,
)
from sync.server.models import AuthSession

_REFUSED_EVENT: Final = "device_log_refused"


class DeviceLogRefusedError(SyncError):
    """An upload refused whole; the sentence says why without repeating what was sent."""

    kind = SyncErrorKind.AUDIT_BROKEN


def signed_in_device(session: Session, session_id: str | None) -> str | None:
    """The device a sign-in was made from (None for an API key: no device)."""
    if session_id is None:
        return None
    sign_in = session.get(AuthSession, session_id)
    return None if sign_in is None or not sign_in.device_id else sign_in.device_id


def store_upload(
    session: Session,
    *,
    user_id: str,
    user_org: str | None,
    device_id: str | None,
    upload: AuditUpload,
) -> int:
    """Store the batch (committed); the sequence now acknowledged, or a refusal (logged)."""
    visible = set(crud.building_access(session, user_id))
    try:
        stored = _store(session, user_id, device_id, visible, upload)
    except DeviceLogRefusedError as refusal:
        session.rollback()
        for org_id in sorted(_orgs(session, user_org, visible)):
            access_audit.append(
                session,
                org_id,
                event=_REFUSED_EVENT,
                actor=user_id,
                details={"device_id": upload.device_id, "reason": str(refusal)},
            )
        session.commit()
        raise
    session.commit()
    return stored


def _orgs(session: Session, user_org: str | None, visible: Iterable[str]) -> set[str]:
    orgs = set(building_orgs(session, visible).values())
    if user_org is not None:
        orgs.add(user_org)
    return orgs


def _store(
    session: Session,
    user_id: str,
    device_id: str | None,
    visible: set[str],
    upload: AuditUpload,
) -> int:
    if device_id is None or upload.device_id != device_id:
        raise DeviceLogRefusedError(
            "This sign-in was made from another device: a device uploads only its own log"
        )
    for entry in upload.entries:
        building = entry.body.get("building_id")
        if building and building not in visible:
            raise DeviceLogRefusedError(
                f"Entry {entry.seq} is about a building you cannot see; nothing was stored"
            )
    head = session.exec(
        select(DeviceAuditHead)
        .where(DeviceAuditHead.user_id == user_id, DeviceAuditHead.device_id == device_id)
        .with_for_update()
    ).first()
    if head is None:
        head = DeviceAuditHead(user_id=user_id, device_id=device_id, seq=0, hash=GENESIS)
    fresh = _unseen(session, head, upload.entries)
    previous, expected = head.hash, head.seq + 1
    for entry in fresh:
        if entry.seq != expected or entry.prev_hash != previous:
            raise DeviceLogRefusedError(
                f"Entry {expected} of this device's log is missing or was replaced:"
                " the log was altered, so nothing was stored"
            )
        if chain_hash(previous, entry.body) != entry.hash:
            raise DeviceLogRefusedError(
                f"Entry {entry.seq} of this device's log was edited after it was written;"
                " nothing was stored"
            )
        session.add(
            DeviceAuditEntry(
                user_id=user_id,
                device_id=device_id,
                seq=entry.seq,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
                body=entry.body,
            )
        )
        previous, expected = entry.hash, entry.seq + 1
    head.seq, head.hash = expected - 1, previous
    session.add(head)
    session.flush()
    return head.seq


def _unseen(
    session: Session, head: DeviceAuditHead, entries: list[UploadedEntry]
) -> list[UploadedEntry]:
    """The entries past the head; those resent (an answer lost) must match what is stored."""
    resent = [e for e in entries if e.seq <= head.seq]
    if resent:
        stored = dict(
            session.exec(
                select(DeviceAuditEntry.seq, DeviceAuditEntry.hash).where(
                    DeviceAuditEntry.user_id == head.user_id,
                    DeviceAuditEntry.device_id == head.device_id,
                    col(DeviceAuditEntry.seq).in_([e.seq for e in resent]),
                )
            ).all()
        )
        for entry in resent:
            if stored.get(entry.seq) != entry.hash:
                raise DeviceLogRefusedError(
                    f"Entry {entry.seq} differs from the one this server holds: the device's"
                    " log was altered, so nothing was stored"
                )
    return [e for e in entries if e.seq > head.seq]


def acknowledged(session: Session, user_id: str, device_id: str) -> int:
    """How far the server holds this device's chain (0: nothing yet)."""
    head = session.get(DeviceAuditHead, (user_id, device_id))
    return 0 if head is None else head.seq


def verify_device_chain(session: Session, user_id: str, device_id: str) -> int:
    """The entries of one device's stored chain; ``AuditChainBrokenError`` naming the first bad one.

    The head row is compared too: entries cut off the end leave it past the last.
    """
    entries = session.exec(
        select(DeviceAuditEntry)
        .where(DeviceAuditEntry.user_id == user_id, DeviceAuditEntry.device_id == device_id)
        .order_by(col(DeviceAuditEntry.seq))
    )
    first = True
    checked: list[ChainedEntry] = []
    for entry in entries:
        if first and entry.seq != 1:
            raise AuditChainBrokenError("Audit entry 1 is missing: the log was cut")
        first = False
        checked.append(ChainedEntry(entry.seq, entry.prev_hash, entry.hash, entry.body))
    count = check_chain(checked)
    head = session.get(DeviceAuditHead, (user_id, device_id))
    if head is not None and head.seq != count:
        raise AuditChainBrokenError(
            f"The device's log ends at entry {count} but {head.seq} were stored: entries were cut"
        )
    return count
