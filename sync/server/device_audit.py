"""Devices' access logs on the server: each upload must continue its device's chain.

A device keeps one chain, whoever is signed in on it (a technician, then a
contractor's pass holder). The server keeps a copy of that chain per (account,
device): each upload is checked against the head of the uploading account's copy,
every hash recomputed, before anything is stored. A batch that does not follow
(an entry removed or edited on the device) is refused whole, and the refusal goes
into the organisation's own log, where the device cannot reach it.

A copy holds every link of the chain, but the body only of entries that are
about no building or about one the account may see; the others are stored
*withheld* (hashes, no body), so nothing about another organisation's building
is kept under this account while the copy still proves no entry was removed.
When the copy is behind the device's last acknowledged entry (another account
was signed in meanwhile), the answer says how far the copy goes and the device
sends again from there.

The device is the one the sign-in was made from; a sign-in that did not name
one (an API key) uploads under the device the upload names, into that
account's own copy, which is the only chain it can reach.
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
    """The device a sign-in was made from (None for an API key: it names no device)."""
    if session_id is None:
        return None
    sign_in = session.get(AuthSession, session_id)
    return None if sign_in is None or not sign_in.device_id else sign_in.device_id


def copy_head(session: Session, *, user_id: str, sign_in_device: str | None, device_id: str) -> int:
    """How far this account's copy of *device_id*'s chain goes (0: nothing yet).

    Asked at the start of each upload: the device may have last heard from another
    account's copy, ahead of this one.
    """
    _check_device(sign_in_device, device_id)
    return acknowledged(session, user_id, device_id)


def _check_device(sign_in_device: str | None, device_id: str) -> None:
    if sign_in_device is not None and device_id != sign_in_device:
        raise DeviceLogRefusedError(
            "This sign-in was made from another device: a device uploads only its own log"
        )


def store_upload(
    session: Session,
    *,
    user_id: str,
    user_org: str | None,
    sign_in_device: str | None,
    upload: AuditUpload,
) -> int:
    """Store the batch (committed); how far this account's copy now goes, or a refusal (logged).

    *sign_in_device* is the device the sign-in was made from, None when it named none.
    """
    visible = set(crud.building_access(session, user_id))
    try:
        stored = _store(session, user_id, sign_in_device, visible, upload)
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
    sign_in_device: str | None,
    visible: set[str],
    upload: AuditUpload,
) -> int:
    _check_device(sign_in_device, upload.device_id)
    device_id = upload.device_id
    head = session.exec(
        select(DeviceAuditHead)
        .where(DeviceAuditHead.user_id == user_id, DeviceAuditHead.device_id == device_id)
        .with_for_update()
    ).first()
    if head is None:
        head = DeviceAuditHead(user_id=user_id, device_id=device_id, seq=0, hash=GENESIS)
    fresh = _unseen(session, head, upload.entries)
    if fresh and fresh[0].seq > head.seq + 1:
        return head.seq  # this account's copy is behind: the device sends from there
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
        building = entry.body.get("building_id")
        session.add(
            DeviceAuditEntry(
                user_id=user_id,
                device_id=device_id,
                seq=entry.seq,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
                body=None if building and building not in visible else entry.body,
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
