"""Building grants: who may see and change which building, within which systems and floors.

:func:`building_access` is what the sync code asks before every push and pull.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from sync.schema import System
from sync.server.crud.accounts import InvalidGrantError
from sync.server.models import Grant, Role, User, is_ended_holder


@dataclass(frozen=True)
class BuildingAccess:
    """What one user may do in one building (see ``sync.server.scope``)."""

    building_id: str
    role: Role
    #: ``sync.schema.System`` values the user may see and change; None = every system.
    systems: frozenset[str] | None
    #: Floor levels the user may see and change; None = every floor.
    floors: frozenset[int] | None

    @property
    def can_write(self) -> bool:
        return self.role is not Role.VIEWER


def grant(
    session: Session,
    *,
    user_id: str,
    building_id: str,
    role: Role | str,
    systems: list[str] | None = None,
    floors: list[int] | None = None,
    commit: bool = True,
) -> Grant:
    """Give (or change) a user's role in a building; systems/floors None mean all of them.

    ``commit=False`` leaves the grant in the caller's transaction (a push that
    creates a building grants its admin atomically with the building). The holder
    of an ended pass is never granted anything again (``sync.server.holder_cleanup``).
    """
    if role not in set(Role):
        raise InvalidGrantError(f"Unknown role {role!r}; use one of {', '.join(Role)}")
    role = Role(role)
    user = session.get(User, user_id)
    if user is not None and is_ended_holder(user):
        raise InvalidGrantError("This account belonged to an access pass that has ended")
    unknown = sorted(set(systems or ()) - set(System))
    if unknown:
        known = ", ".join(System)
        raise InvalidGrantError(f"Unknown system(s) {', '.join(unknown)}; use any of {known}")
    row = session.exec(
        select(Grant).where(Grant.user_id == user_id).where(Grant.building_id == building_id)
    ).first()
    if row is None:
        row = Grant(user_id=user_id, building_id=building_id, role=role)
    row.role = role.value
    row.systems = sorted(set(systems)) if systems is not None else None
    row.floors = sorted(set(floors)) if floors is not None else None
    session.add(row)
    if not commit:
        session.flush()
        return row
    session.commit()
    session.refresh(row)
    return row


def revoke_grant(session: Session, *, user_id: str, building_id: str) -> bool:
    row = session.exec(
        select(Grant).where(Grant.user_id == user_id).where(Grant.building_id == building_id)
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def list_grants(session: Session, user_id: str) -> list[Grant]:
    query = select(Grant).where(Grant.user_id == user_id).order_by(col(Grant.building_id))
    return list(session.exec(query).all())


_GRANT_COLUMNS = Grant.__table__.c  # type: ignore[attr-defined]
_GRANTS_OF_USER = (
    select_columns(
        _GRANT_COLUMNS.building_id,
        _GRANT_COLUMNS.role,
        _GRANT_COLUMNS.systems,
        _GRANT_COLUMNS.floors,
    )
    .where(_GRANT_COLUMNS.user_id == bindparam("user_id"))
    .order_by(_GRANT_COLUMNS.building_id)
)


def building_access(session: Session, user_id: str) -> dict[str, BuildingAccess]:
    """Every building this user may see, with what they may do there.

    Read with a Core select of four columns, built once: every push and pull asks
    this, and loading ``Grant`` objects through the ORM (or building the statement
    anew each time) cost more than the query.
    """
    return {
        building_id: BuildingAccess(
            building_id=building_id,
            role=Role(role),
            systems=frozenset(systems) if systems is not None else None,
            floors=frozenset(floors) if floors is not None else None,
        )
        for building_id, role, systems, floors in session.connection().execute(
            _GRANTS_OF_USER, {"user_id": user_id}
        )
    }
