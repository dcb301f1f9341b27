"""Sessions (sign-ins) and the refresh tokens each one rotates through.

A session is what a sign-in creates; its refresh tokens form one family and
its access tokens name it, so ending the session ends all of them at once. A
refresh token is spent by use and replaced by a successor derived from it
(:func:`sync.server.core.security.successor_token`): presented again within the
grace window, because its answer was lost on a bad network, it gets that same
successor; presented after it, or once the successor was itself spent, the
token has leaked or been replayed and the whole session is ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select, update

from sync.server.core import security
from sync.server.crud.accounts import AccountDisabledError, SignInError
from sync.server.models import AuthSession, RefreshToken, User, utcnow

_REUSED = "This sign-in was already used, so it was ended for safety; sign in again"


@dataclass(frozen=True)
class SignedIn:
    """What a sign-in or a refresh hands out: the user, their session, a refresh token."""

    user: User
    session_id: str
    refresh_token: str


def start_session(
    session: Session, *, user: User, device_id: str, lifetime: dt.timedelta
) -> SignedIn:
    """A new sign-in of *user* on the device that calls itself *device_id*."""
    sign_in = AuthSession(user_id=user.id, device_id=device_id)
    session.add(sign_in)
    session.flush()
    token = security.new_refresh_token()
    session.add(_refresh_row(token, sign_in, lifetime=lifetime))
    session.commit()
    session.refresh(user)
    return SignedIn(user, sign_in.id, token)


def _refresh_row(token: str, owner: AuthSession, *, lifetime: dt.timedelta) -> RefreshToken:
    return RefreshToken(
        user_id=owner.user_id,
        session_id=owner.id,
        device_id=owner.device_id,
        token_hash=security.digest(token),
        expires_at=utcnow() + lifetime,
    )


def end_session(session: Session, session_id: str) -> None:
    """Sign one session out: it and every refresh token of it stop working."""
    now = utcnow()
    session.exec(
        update(AuthSession)
        .where(col(AuthSession.id) == session_id)
        .where(col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.session_id) == session_id)
        .where(col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    session.commit()


def rotate_refresh_token(
    session: Session,
    token: str,
    *,
    lifetime: dt.timedelta,
    secret: str,
    grace: dt.timedelta = dt.timedelta(0),
) -> SignedIn:
    """Spend *token* and return its user, session and successor (see the module docstring)."""
    digest = security.digest(token)
    row = session.exec(select(RefreshToken).where(RefreshToken.token_hash == digest)).first()
    if row is None:
        raise SignInError("This sign-in is not valid; sign in again")
    owner = session.get(AuthSession, row.session_id)
    if owner is None or owner.revoked_at is not None:
        raise SignInError(_REUSED if row.replaced_by else "This sign-in has ended; sign in again")
    successor = security.successor_token(token, secret=secret)
    if row.revoked_at is not None:
        return _replay(session, row, owner, successor, grace)
    if row.expires_at <= utcnow():
        raise SignInError("Your session has expired; sign in again")
    user = _active_user(session, row.user_id)
    new_row = _refresh_row(successor, owner, lifetime=lifetime)
    spent = session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.id) == row.id)
        .where(col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow(), replaced_by=new_row.id)
    )
    if spent.rowcount != 1:  # a concurrent request spent it between our read and this write
        session.rollback()
        return rotate_refresh_token(session, token, lifetime=lifetime, secret=secret, grace=grace)
    session.add(new_row)
    session.commit()
    session.refresh(user)
    return SignedIn(user, owner.id, successor)


def _replay(
    session: Session,
    row: RefreshToken,
    owner: AuthSession,
    successor: str,
    grace: dt.timedelta,
) -> SignedIn:
    """A spent token again: its successor if within the grace window and still unspent."""
    assert row.revoked_at is not None
    if row.replaced_by is not None and utcnow() - row.revoked_at <= grace:
        follower = session.get(RefreshToken, row.replaced_by)
        if (
            follower is not None
            and follower.revoked_at is None
            and follower.token_hash == security.digest(successor)
        ):
            user = _active_user(session, row.user_id)
            return SignedIn(user, owner.id, successor)
    end_session(session, owner.id)
    raise SignInError(_REUSED)


def _active_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise AccountDisabledError("This account is disabled; ask your administrator")
    return user


def revoke_refresh_token(session: Session, token: str) -> bool:
    """Sign the token's session out; False if the token was unknown or already ended."""
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == security.digest(token))
    ).first()
    if row is None:
        return False
    owner = session.get(AuthSession, row.session_id)
    if owner is None or owner.revoked_at is not None:
        return False
    end_session(session, owner.id)
    return True
