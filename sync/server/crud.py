"""Accounts and permissions: users, organisations, tokens, API keys, building grants.

Functions commit their own work (a revoked token family must stay revoked even
though the caller answers 401) and raise :class:`AccountError` subclasses whose
message is a sentence for the person signing in; the routes turn them into HTTP
answers. :func:`building_access` is what the sync code asks before every push
and pull.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select, update

from sync.errors import SyncError
from sync.ids import is_valid_id
from sync.schema import System
from sync.server.core import security
from sync.server.models import ApiKey, Grant, Org, RefreshToken, Role, User, utcnow

#: ``last_used_at`` of an API key is written at most this often: not a write per request.
API_KEY_TOUCH_INTERVAL = dt.timedelta(minutes=1)


class AccountError(SyncError):
    """An account operation that cannot be done; the message says why in plain words."""


class EmailTakenError(AccountError):
    """Another account already uses this email address."""


class UnknownUserError(AccountError):
    """No account has this email address."""


class SignInError(AccountError):
    """Credentials or a refresh token that do not sign anyone in (HTTP 401)."""


class AccountDisabledError(AccountError):
    """The credentials are right but the account is switched off (HTTP 403)."""


class InvalidGrantError(AccountError):
    """A grant names a role or system that does not exist."""


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


# -- users and organisations -----------------------------------------------------------


def normalize_email(email: str) -> str:
    return email.strip().lower()


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")
    return slug or "org"


def get_or_create_org(
    session: Session, name: str, *, members_can_create_buildings: bool = True
) -> Org:
    """The organisation whose slug matches *name*'s, created if there is none."""
    slug = slugify(name)
    org = session.exec(select(Org).where(Org.slug == slug)).first()
    if org is None:
        org = Org(
            name=name.strip(), slug=slug, members_can_create_buildings=members_can_create_buildings
        )
        session.add(org)
        session.commit()
        session.refresh(org)
    return org


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str = "",
    org_id: str | None = None,
    is_superuser: bool = False,
) -> User:
    email = normalize_email(email)
    if get_user_by_email(session, email) is not None:
        raise EmailTakenError(f"A user with email {email} already exists")
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=security.hash_password(password),
        org_id=org_id,
        is_superuser=is_superuser,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def require_user(session: Session, email: str) -> User:
    user = get_user_by_email(session, email)
    if user is None:
        raise UnknownUserError(f"No user with email {normalize_email(email)}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.email))).all())


def authenticate(session: Session, email: str, password: str) -> User:
    """The user these credentials belong to; upgrades an outdated password hash on the way."""
    user = get_user_by_email(session, email)
    if user is None:
        security.burn_password_check(password)
        raise SignInError("Wrong email or password")
    ok, new_hash = security.verify_password(user.password_hash, password)
    if not ok:
        raise SignInError("Wrong email or password")
    if not user.is_active:
        raise AccountDisabledError("This account is disabled; ask your administrator")
    if new_hash is not None:
        user.password_hash = new_hash
        session.add(user)
        session.commit()
        session.refresh(user)
    return user


def can_create_buildings(session: Session, user_id: str, *, server_allows: bool) -> bool:
    """May this user create a building by pushing it (and so become its admin)?

    Superusers always may; others need the server-wide switch and, if they belong
    to an organisation, its ``members_can_create_buildings``.
    """
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org = session.get(Org, user.org_id) if user.org_id else None
    return server_allows and (org is None or org.members_can_create_buildings)


# -- refresh tokens --------------------------------------------------------------------


def create_refresh_token(
    session: Session, *, user_id: str, device_id: str, lifetime: dt.timedelta
) -> str:
    """A new refresh token for this user and device; only its digest is stored."""
    token = security.new_refresh_token()
    session.add(_refresh_row(token, user_id=user_id, device_id=device_id, lifetime=lifetime))
    session.commit()
    return token


def _refresh_row(
    token: str, *, user_id: str, device_id: str, lifetime: dt.timedelta
) -> RefreshToken:
    return RefreshToken(
        user_id=user_id,
        device_id=device_id,
        token_hash=security.digest(token),
        expires_at=utcnow() + lifetime,
    )


def _revoke_family(session: Session, user_id: str, device_id: str) -> None:
    session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id)
        .where(col(RefreshToken.device_id) == device_id)
        .where(col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()


def rotate_refresh_token(
    session: Session, token: str, *, lifetime: dt.timedelta
) -> tuple[User, str]:
    """Spend *token* and return its user and a new token for the same device.

    A token presented a second time (revoked, or spent by a concurrent request)
    has leaked or been replayed: every token of that user on that device is
    revoked and the caller must sign in again.
    """
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == security.digest(token))
    ).first()
    if row is None:
        raise SignInError("This sign-in is not valid; sign in again")
    user_id, device_id = row.user_id, row.device_id
    reused = SignInError("This sign-in was already used, so it was ended for safety; sign in again")
    if row.revoked_at is not None:
        _revoke_family(session, user_id, device_id)
        raise reused
    if row.expires_at <= utcnow():
        raise SignInError("Your session has expired; sign in again")
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise AccountDisabledError("This account is disabled; ask your administrator")
    new_token = security.new_refresh_token()
    successor = _refresh_row(new_token, user_id=user_id, device_id=device_id, lifetime=lifetime)
    spent = session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.id) == row.id)
        .where(col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow(), replaced_by=successor.id)
    )
    if spent.rowcount != 1:  # another request spent it between our read and this write
        session.rollback()
        _revoke_family(session, user_id, device_id)
        raise reused
    session.add(successor)
    session.commit()
    session.refresh(user)
    return user, new_token


def revoke_refresh_token(session: Session, token: str) -> bool:
    """Sign one device out; False if the token was unknown or already revoked."""
    spent = session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.token_hash) == security.digest(token))
        .where(col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()
    return spent.rowcount == 1


# -- API keys --------------------------------------------------------------------------


def create_api_key(session: Session, *, user_id: str, name: str) -> tuple[ApiKey, str]:
    """A new key (returned once, in clear) and its stored record."""
    key, prefix = security.new_api_key()
    record = ApiKey(
        user_id=user_id, name=name.strip(), prefix=prefix, key_hash=security.digest(key)
    )
    session.add(record)
    session.commit()
    session.refresh(record)
    return record, key


def list_api_keys(session: Session, user_id: str) -> list[ApiKey]:
    """The user's keys that still work, oldest first."""
    query = (
        select(ApiKey)
        .where(ApiKey.user_id == user_id)
        .where(col(ApiKey.revoked_at).is_(None))
        .order_by(col(ApiKey.created_at), col(ApiKey.id))
    )
    return list(session.exec(query).all())


def revoke_api_key(session: Session, *, user_id: str, key_id: str) -> bool:
    """Revoke one of the user's keys; False if they have no such working key."""
    if not is_valid_id(key_id):  # never an id of ours; PostgreSQL would refuse a NUL in it
        return False
    spent = session.exec(
        update(ApiKey)
        .where(col(ApiKey.id) == key_id)
        .where(col(ApiKey.user_id) == user_id)
        .where(col(ApiKey.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()
    return spent.rowcount == 1


def user_for_api_key(session: Session, key: str) -> User | None:
    """The owner of a working API key, or None; notes when the key was last used."""
    record = session.exec(select(ApiKey).where(ApiKey.key_hash == security.digest(key))).first()
    if record is None or record.revoked_at is not None:
        return None
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at > API_KEY_TOUCH_INTERVAL:
        record.last_used_at = now
        session.add(record)
        session.commit()
    return session.get(User, record.user_id)


# -- building grants -------------------------------------------------------------------


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
    creates a building grants its admin atomically with the building).
    """
    if role not in set(Role):
        raise InvalidGrantError(f"Unknown role {role!r}; use one of {', '.join(Role)}")
    role = Role(role)
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
