"""What routes ask FastAPI for: a database session, the settings, the signed-in user.

Use the ``Annotated`` aliases (``session: SessionDep``, ``user: CurrentUser``)
rather than ``Depends`` in signatures. Authentication failures answer 401 with
``WWW-Authenticate: Bearer`` and a sentence the client can show as it is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

import anyio.to_thread
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam, select
from sqlmodel import Session

from sync.server import crud
from sync.server.core.config import ServerSettings
from sync.server.core.security import (
    API_KEY_PREFIX,
    TokenExpiredError,
    TokenInvalidError,
    decode_access_claims,
)
from sync.server.models import AuthSession, User


async def get_settings(request: Request) -> ServerSettings:
    # async: a plain attribute read needs no trip to the thread pool (FastAPI sends
    # every sync dependency there, and a push or pull resolves several).
    settings: ServerSettings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, closed (and rolled back if uncommitted) at the end.

    An async generator so that FastAPI does not send its start and its end to the
    thread pool: a session connects lazily, so opening one does no I/O, and after a
    commit closing one does none either. Only a session still holding a connection
    (a read, or an error) is closed in a worker thread, since that rolls back.
    """
    session = Session(request.app.state.engine)
    try:
        yield session
    finally:
        if session.in_transaction():
            await anyio.to_thread.run_sync(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]

_bearer = HTTPBearer(
    auto_error=False, description="An access token from /v1/auth/login, or an API key (arx_…)."
)
_api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key (arx_…) from /v1/me/api-keys."
)


@dataclass(frozen=True)
class AuthUser:
    """The signed-in user, as routes see them (no password hash, no ORM session)."""

    id: str
    email: str
    org_id: str | None
    is_superuser: bool


def _unauthorized(detail: str) -> NoReturn:
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


@dataclass(frozen=True)
class Credential:
    """What a request signs in with: a verified access token's user, or an API key."""

    user_id: str | None = None
    #: The sign-in an access token belongs to; checked with the user on every request.
    session_id: str | None = None
    api_key: str | None = None


async def get_credential(
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Credential:
    """The request's credential, with an access token's signature and expiry checked.

    No database here, so it runs on the event loop: the hot routes (push, pull)
    then look the user up inside their own worker call with :func:`authenticate`,
    one thread-pool hop per request instead of two.
    """
    credential = api_key or (bearer.credentials if bearer else None)
    if not credential:
        _unauthorized("Sign in first: send an access token or an API key")
    if credential.startswith(API_KEY_PREFIX):
        return Credential(api_key=credential)
    try:
        user_id, session_id = decode_access_claims(
            credential, secret=settings.secret_key.get_secret_value()
        )
    except TokenExpiredError:
        _unauthorized("Your session has expired; sign in again")
    except TokenInvalidError:
        _unauthorized("Your sign-in is not valid; sign in again")
    if session_id is None:  # issued before sessions existed: the device refreshes
        _unauthorized("Your sign-in is not valid; sign in again")
    return Credential(user_id=user_id, session_id=session_id)


CredentialDep = Annotated[Credential, Depends(get_credential)]


_USERS = User.__table__.c  # type: ignore[attr-defined]
_SESSIONS_TABLE = AuthSession.__table__  # type: ignore[attr-defined]
_SESSIONS = _SESSIONS_TABLE.c
#: Core and built once, not session.get: asked on every request, and neither the ORM's
#: identity map nor a freshly built statement (and its cache key) is of use here. The
#: sign-in is checked in the same query (a primary-key join), so an access token stops
#: working the moment its session ends, at no extra round trip.
_USER_BY_SESSION = (
    select(_USERS.id, _USERS.email, _USERS.org_id, _USERS.is_superuser, _USERS.is_active)
    .join(_SESSIONS_TABLE, _SESSIONS.user_id == _USERS.id)
    .where(
        _USERS.id == bindparam("id"),
        _SESSIONS.id == bindparam("sid"),
        _SESSIONS.revoked_at.is_(None),
    )
)


def authenticate(session: Session, credential: Credential) -> AuthUser:
    """The user behind *credential*: 401 if unknown, 403 if their account is disabled."""
    if credential.api_key is not None:
        user = crud.user_for_api_key(session, credential.api_key)
        if user is None:
            _unauthorized("Invalid API key")
        return _active(user)
    found = (
        session.connection()
        .execute(_USER_BY_SESSION, {"id": credential.user_id, "sid": credential.session_id})
        .first()
    )
    if found is None:  # no such user, or that sign-in was ended
        _unauthorized("Your sign-in is not valid; sign in again")
    return _active(found)


def get_current_user(session: SessionDep, credential: CredentialDep) -> AuthUser:
    """The user behind ``Authorization: Bearer <token or arx_ key>`` or ``X-API-Key``."""
    return authenticate(session, credential)


def _active(user: Any) -> AuthUser:
    """The signed-in user, unless their account is disabled (a ``User`` or a row of it)."""
    if not user.is_active:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="This account is disabled; ask your administrator"
        )
    return AuthUser(
        id=user.id, email=user.email, org_id=user.org_id, is_superuser=user.is_superuser
    )


CurrentUser = Annotated[AuthUser, Depends(get_current_user)]
