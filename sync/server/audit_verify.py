"""Every access-log chain the server holds, checked: each organisation's and each device's.

The operator runs this where the database is (``arx server audit verify``); one
broken chain does not stop the others being checked, so the answer says every
place where a log was removed from or altered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from sync.audit_chain import AuditChainBrokenError
from sync.server import access_audit, device_audit
from sync.server.access_models import AccessAuditEntry, AccessAuditHead
from sync.server.device_audit_models import DeviceAuditEntry, DeviceAuditHead
from sync.server.models import Org, User


@dataclass(frozen=True)
class ChainCheck:
    """One chain's verdict: how many entries hold, or the first place it breaks."""

    kind: Literal["organization", "device"]
    #: The organisation's name, or the device's id and its user's e-mail.
    name: str
    entries: int
    broken: str | None


def verify_all(session: Session) -> list[ChainCheck]:
    """Every organisation chain, then every device chain, each checked to its end."""
    orgs = {o.id: o.name for o in session.exec(select(Org)).all()}
    emails = {u.id: u.email for u in session.exec(select(User)).all()}
    org_ids = {org_id for (org_id,) in _rows(session, AccessAuditHead, "org_id")}
    org_ids |= {org_id for (org_id,) in _rows(session, AccessAuditEntry, "org_id")}
    devices = {tuple(r) for r in _rows(session, DeviceAuditHead, "user_id", "device_id")}
    devices |= {tuple(r) for r in _rows(session, DeviceAuditEntry, "user_id", "device_id")}
    checks = [
        _check(
            "organization",
            f"{orgs.get(org_id, 'deleted organisation')} ({org_id})",
            partial(access_audit.verify_chain, session, org_id),
        )
        for org_id in sorted(org_ids)
    ]
    checks += [
        _check(
            "device",
            f"device {device_id} of {emails.get(user_id, user_id)}",
            partial(device_audit.verify_device_chain, session, user_id, device_id),
        )
        for user_id, device_id in sorted(devices)
    ]
    return checks


def _rows(session: Session, model: type[SQLModel], *names: str) -> list[Any]:
    """The distinct values of some columns of a table (a chain's owners)."""
    table = model.__table__  # type: ignore[attr-defined]
    query = sa.select(*(table.c[name] for name in names)).distinct()
    return list(session.connection().execute(query))


def _check(
    kind: Literal["organization", "device"], name: str, verify: Callable[[], int]
) -> ChainCheck:
    try:
        return ChainCheck(kind, name, verify(), None)
    except AuditChainBrokenError as broken:
        return ChainCheck(kind, name, 0, str(broken))
