"""Signing in and out: a short-lived access token plus a rotating refresh token."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Response, status

from sync.ids import new_id
from sync.server import crud
from sync.server.api.deps import SessionDep, SettingsDep
from sync.server.core.config import ServerSettings
from sync.server.core.security import create_access_token
from sync.server.models import LoginRequest, RefreshRequest, TokenPair

router = APIRouter(prefix="/auth", tags=["auth"])

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def _pair(settings: ServerSettings, user_id: str, refresh_token: str) -> TokenPair:
    lifetime = dt.timedelta(minutes=settings.access_token_minutes)
    access = create_access_token(
        user_id, secret=settings.secret_key.get_secret_value(), lifetime=lifetime
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=int(lifetime.total_seconds()),
    )


def _refusal(exc: crud.AccountError) -> HTTPException:
    if isinstance(exc, crud.AccountDisabledError):
        return HTTPException(status.HTTP_403_FORBIDDEN, detail=str(exc))
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(exc), headers=_UNAUTHORIZED)


@router.post("/login", response_model=TokenPair)
def login(body: LoginRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    """Exchange email and password for an access token and a refresh token."""
    try:
        user = crud.authenticate(session, body.email, body.password)
    except (crud.SignInError, crud.AccountDisabledError) as exc:
        raise _refusal(exc) from None
    refresh = crud.create_refresh_token(
        session,
        user_id=user.id,
        # Without a device id, this sign-in is its own family (revoked on its own).
        device_id=body.device_id or new_id(),
        lifetime=dt.timedelta(days=settings.refresh_token_days),
    )
    return _pair(settings, user.id, refresh)


@router.post("/refresh", response_model=TokenPair)
def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    """Spend a refresh token for a new pair; a token used twice signs its device out."""
    try:
        user, token = crud.rotate_refresh_token(
            session, body.refresh_token, lifetime=dt.timedelta(days=settings.refresh_token_days)
        )
    except (crud.SignInError, crud.AccountDisabledError) as exc:
        raise _refusal(exc) from None
    return _pair(settings, user.id, token)


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, response_model=None, response_class=Response
)
def logout(body: RefreshRequest, session: SessionDep) -> None:
    """Revoke a refresh token (unknown or spent tokens are fine: the answer is the same)."""
    crud.revoke_refresh_token(session, body.refresh_token)
