"""Who may issue, withdraw and sign access passes, and what a device must trust.

A pass for a building is signed with the key of the account organisation that
owns the building (the owner of the building's ``organization`` row,
``sync.server.organizations``), and only by that organisation's own admins and
managers of the building, within their own grant: nobody hands out more than
they hold. Every refusal of an issue or a withdrawal gives one sentence
whether the building (or pass) exists or not, so ids cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

from sqlalchemy import bindparam
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from sync.server import access_audit, crud, holder_cleanup, signing_keys
from sync.server.access_models import AccessPass, IssuedPass, IssueRequest, KeyOut, TrustSet
from sync.server.crud.grants import BuildingAccess
from sync.server.models import Role, utcnow
from sync.server.replication import OWNERS_TABLE, ROWS_TABLE
from sync.tokens import AccessClaims, issue, new_token_id

NOT_YOURS: Final = "Only an admin or manager of the building's organisation can issue passes for it"
NO_SUCH_PASS: Final = "There is no pass with that id that you may withdraw"
NOT_A_MANAGER: Final = "Only an admin or manager of your organisation's buildings can do this"
NO_SUCH_KEY: Final = "Your organisation has no older signing key with that id"


class AccessDeniedError(Exception):
    """A refusal the route answers 403 (or 404) with :attr:`args` [0] as the sentence."""


class TooBroadError(Exception):
    """A pass asking for more than its issuer may give; the sentence says what."""


_MANAGING: Final = frozenset({Role.ADMIN, Role.MANAGER})

_BUILDING_ORG_ROWS = select_columns(ROWS_TABLE.c.id, ROWS_TABLE.c["values"]).where(
    ROWS_TABLE.c.entity == "building",
    ROWS_TABLE.c.deleted.is_(False),
    ROWS_TABLE.c.id.in_(bindparam("ids", expanding=True)),
)
_OWNER_ORGS = select_columns(OWNERS_TABLE.c.row_id, OWNERS_TABLE.c.account_org_id).where(
    OWNERS_TABLE.c.row_id.in_(bindparam("ids", expanding=True))
)


def building_orgs(session: Session, building_ids: Iterable[str]) -> dict[str, str]:
    """Building id → the account organisation owning it, for those that have one."""
    connection = session.connection()
    org_row_of = {
        building_id: str(values["org_id"])
        for building_id, values in connection.execute(
            _BUILDING_ORG_ROWS, {"ids": sorted(set(building_ids))}
        )
        if isinstance(values, dict) and values.get("org_id")
    }
    owner_of = {
        row_id: account_org_id
        for row_id, account_org_id in connection.execute(
            _OWNER_ORGS, {"ids": sorted(set(org_row_of.values()))}
        )
        if account_org_id is not None
    }
    return {
        building_id: owner_of[org_row]
        for building_id, org_row in org_row_of.items()
        if org_row in owner_of
    }


def _managed_building(
    session: Session, user_id: str, user_org: str | None, building_id: str
) -> BuildingAccess:
    access = crud.building_access(session, user_id).get(building_id)
    if user_org is None or access is None or access.role not in _MANAGING:
        raise AccessDeniedError(NOT_YOURS)
    if building_orgs(session, [building_id]).get(building_id) != user_org:
        raise AccessDeniedError(NOT_YOURS)
    return access


def _check_within(access: BuildingAccess, request: IssueRequest) -> None:
    if access.systems is not None and (
        request.systems is None or not set(request.systems) <= access.systems
    ):
        raise TooBroadError("A pass cannot cover systems outside your own access")
    if access.floors is not None and (
        request.floors is None or not set(request.floors) <= access.floors
    ):
        raise TooBroadError("A pass cannot cover floors outside your own access")


def issue_pass(
    session: Session,
    *,
    user_id: str,
    user_org: str | None,
    request: IssueRequest,
    secret: str,
    max_seconds: int,
    now: dt.datetime | None = None,
) -> IssuedPass:
    """Sign and record a pass, with its audit entry; committed."""
    access = _managed_building(session, user_id, user_org, request.building_id)
    assert user_org is not None  # _managed_building refused otherwise
    _check_within(access, request)
    if request.expires_in - request.starts_in > max_seconds:
        raise TooBroadError(f"A pass may last at most {max_seconds // 3600} hours")
    if request.expires_in <= request.starts_in:
        raise TooBroadError("A pass must end after it starts")
    key = signing_keys.active_key(session, user_org)
    if key is None:
        key = signing_keys.rotate(session, user_org, secret=secret)
        access_audit.append(
            session, user_org, event="key_created", actor=user_id, details={"kid": key.kid}
        )
    start = int((now or utcnow()).timestamp())
    claims = AccessClaims(
        building_id=request.building_id,
        org_id=user_org,
        systems=tuple(request.systems) if request.systems is not None else None,
        floors=tuple(request.floors) if request.floors is not None else None,
        permissions=tuple(request.permissions),
        contractor_id=request.contractor_id,
        token_id=new_token_id(),
        not_before=start + request.starts_in,
        expires=start + request.expires_in,
    )
    token = issue(claims, signing_keys.unseal(key, secret=secret), key.kid)
    record = AccessPass(
        token_id=claims.token_id,
        org_id=user_org,
        kid=key.kid,
        building_id=claims.building_id,
        contractor_id=claims.contractor_id,
        claims=claims.payload(),
        issued_by=user_id,
        expires_at=claims.expires_at,
    )
    session.add(record)
    access_audit.append(
        session,
        user_org,
        event="issue",
        actor=user_id,
        details={"token_id": claims.token_id, "kid": key.kid, "claims": claims.payload()},
    )
    session.commit()
    return IssuedPass(
        token=token,
        token_id=claims.token_id,
        kid=key.kid,
        org_id=user_org,
        expires_at=claims.expires_at,
    )


def revoke_pass(session: Session, *, user_id: str, user_org: str | None, token_id: str) -> None:
    """Withdraw a pass of the user's organisation for a building they manage; committed.

    Its holder goes in the same transaction (``sync.server.holder_cleanup``): the
    contractor's device is signed out at its next request.
    """
    record = session.get(AccessPass, token_id)
    if record is None or record.org_id != user_org:
        raise AccessDeniedError(NO_SUCH_PASS)
    try:
        _managed_building(session, user_id, user_org, record.building_id)
    except AccessDeniedError:
        raise AccessDeniedError(NO_SUCH_PASS) from None
    if record.revoked_at is not None:
        return
    now = utcnow()
    record.revoked_at, record.revoked_by = now, user_id
    session.add(record)
    access_audit.append(
        session, record.org_id, event="revoke", actor=user_id, details={"token_id": token_id}
    )
    holder_cleanup.remove_holder(session, record, reason="revoked", actor=user_id, now=now)
    session.commit()


def _require_org_manager(session: Session, user_id: str, user_org: str | None) -> str:
    """The user's organisation, if they manage one of its buildings."""
    managed = [
        b
        for b, access in crud.building_access(session, user_id).items()
        if access.role in _MANAGING
    ]
    if user_org is None or user_org not in building_orgs(session, managed).values():
        raise AccessDeniedError(NOT_A_MANAGER)
    return user_org


def rotate_key(session: Session, *, user_id: str, user_org: str | None, secret: str) -> KeyOut:
    org_id = _require_org_manager(session, user_id, user_org)
    previous = signing_keys.active_key(session, org_id)
    row = signing_keys.rotate(session, org_id, secret=secret)
    access_audit.append(
        session,
        org_id,
        event="rotate",
        actor=user_id,
        details={"kid": row.kid, "previous": previous.kid if previous else None},
    )
    session.commit()
    return KeyOut(kid=row.kid, org_id=org_id, public_key=row.public_key, status="active")


def retire_key(session: Session, *, user_id: str, user_org: str | None, kid: str) -> None:
    org_id = _require_org_manager(session, user_id, user_org)
    if not signing_keys.retire(session, org_id, kid):
        raise AccessDeniedError(NO_SUCH_KEY)
    access_audit.append(session, org_id, event="retire", actor=user_id, details={"kid": kid})
    session.commit()


def trust_set(session: Session, *, user_id: str, now: dt.datetime | None = None) -> TrustSet:
    """Keys, withdrawn passes and building owners for every building this user may see."""
    owners = building_orgs(session, crud.building_access(session, user_id))
    org_ids = set(owners.values())
    keys = [
        KeyOut(kid=k.kid, org_id=k.org_id, public_key=k.public_key, status=k.status)
        for k in signing_keys.trusted_keys(session, org_ids)
    ]
    revoked: list[str] = []
    if org_ids:
        query = (
            select(AccessPass.token_id)
            .where(col(AccessPass.org_id).in_(sorted(org_ids)))
            .where(col(AccessPass.revoked_at).is_not(None))
            .where(col(AccessPass.expires_at) > (now or utcnow()))
            .order_by(col(AccessPass.token_id))
        )
        revoked = list(session.exec(query))
    return TrustSet(keys=keys, revoked=revoked, buildings=owners)
