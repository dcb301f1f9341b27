"""API keys: long-lived credentials for scripts, stored as digests only."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select, update

from sync.ids import is_valid_id
from sync.server.core import security
from sync.server.models import ApiKey, User, utcnow

#: ``last_used_at`` of an API key is written at most this often: not a write per request.
API_KEY_TOUCH_INTERVAL = dt.timedelta(minutes=1)


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
