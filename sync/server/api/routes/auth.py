"""Signing in and out: a short-lived access token plus a rotating refresh token.

Sign-in is the one route a stranger can make expensive (a password check is an
Argon2 hash), so it is counted and queued by :mod:`sync.server.api.login_guard`.
"""

from __future__ import annotations

import datetime as dt

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Request, Response, status

from sync.server import crud
from sync.server.api.deps import SessionDep, SettingsDep
from sync.server.api.login_guard import LoginGuard
from sync.server.core.config import ServerSettings
from sync.server.core.security import create_access_token
from sync.server.models import LoginRequest, RefreshRequest, TokenPair

router = APIRouter(prefix="/auth", tags=["auth"])

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}
_TOO_MANY = {
    429: {
        "description": "Too many attempts, or the server is busy checking passwords",
        "headers": {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        },
    }
}


def _pair(settings: ServerSettings, signed_in: crud.SignedIn) -> TokenPair:
    lifetime = dt.timedelta(minutes=settings.access_token_minutes)
    access = create_access_token(
        signed_in.user.id,
        secret=settings.secret_key.get_secret_value(),
        lifetime=lifetime,
        session_id=signed_in.session_id,
    )
    return TokenPair(
        access_token=access,
        refresh_token=signed_in.refresh_token,
        expires_in=int(lifetime.total_seconds()),
    )


def _refusal(exc: crud.AccountError) -> HTTPException:
    if isinstance(exc, crud.AccountDisabledError):
        return HTTPException(status.HTTP_403_FORBIDDEN, detail=str(exc))
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(exc), headers=_UNAUTHORIZED)


@router.post("/login", response_model=TokenPair, responses=_TOO_MANY)  # type: ignore[arg-type]
async def login(
    body: LoginRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> TokenPair:
    """Exchange email and password for an access token and a refresh token."""
    guard: LoginGuard = request.app.state.login_guard
    account = crud.normalize_email(body.email)
    address = request.client.host if request.client else ""
    # In a worker thread: the counts may live in a shared store (Redis) across the network.
    await anyio.to_thread.run_sync(guard.admit, account, address)
    async with guard.hashing_slot():
        try:
            user = await anyio.to_thread.run_sync(
                crud.authenticate, session, body.email, body.password
            )
        except crud.SignInError as exc:
            await anyio.to_thread.run_sync(guard.failed, account)
            raise _refusal(exc) from None
        except crud.AccountDisabledError as exc:
            raise _refusal(exc) from None
    signed_in = await anyio.to_thread.run_sync(
        lambda: crud.start_session(
            session,
            user=user,
            device_id=body.device_id or "",
            lifetime=dt.timedelta(days=settings.refresh_token_days),
        )
    )
    return _pair(settings, signed_in)


@router.post("/refresh", response_model=TokenPair)
def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    """Spend a refresh token for a new pair; a token used twice signs that sign-in out.

    Used twice within ``refresh_grace_seconds`` (the first answer was lost), it
    gets the same new pair instead.
    """
    try:
        signed_in = crud.rotate_refresh_token(
            session,
            body.refresh_token,
            lifetime=dt.timedelta(days=settings.refresh_token_days),
            secret=settings.secret_key.get_secret_value(),
            grace=dt.timedelta(seconds=settings.refresh_grace_seconds),
        )
    except (crud.SignInError, crud.AccountDisabledError) as exc:
        raise _refusal(exc) from None
    return _pair(settings, signed_in)


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, response_model=None, response_class=Response
)
def logout(body: RefreshRequest, session: SessionDep) -> None:
    """End the sign-in of a refresh token, its access tokens included (unknown or spent
    tokens are fine: the answer is the same)."""
    crud.revoke_refresh_token(session, body.refresh_token)
