"""Access passes: issue and withdraw them, rotate signing keys, and what devices must trust."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status

from sync.server import access_exchange, access_passes, device_audit
from sync.server.access_models import (
    ExchangedSession,
    ExchangeRequest,
    IssuedPass,
    IssueRequest,
    KeyOut,
    TrustSet,
)
from sync.server.api.deps import CredentialDep, CurrentUser, SessionDep, SettingsDep
from sync.server.api.json_body import body_openapi, json_body
from sync.server.device_audit_models import DEVICE_PATTERN, AuditAck, AuditUpload
from sync.token_errors import AccessRefusedError

router = APIRouter(prefix="/access", tags=["access"])

#: A token id or key id in a path: short base64url, so nothing else reaches a query.
_ID_IN_PATH = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")


def _forbidden(error: Exception) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error))


@router.post(
    "/passes",
    response_model=IssuedPass,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=body_openapi(IssueRequest),
)
def issue_pass(
    user: CurrentUser,
    body: Annotated[IssueRequest, Depends(json_body(IssueRequest))],
    session: SessionDep,
    settings: SettingsDep,
) -> IssuedPass:
    """Sign a pass for a building of my organisation that I manage, within my own access."""
    try:
        return access_passes.issue_pass(
            session,
            user_id=user.id,
            user_org=user.org_id,
            request=body,
            secret=settings.signing_key_secret.get_secret_value(),
            max_seconds=int(settings.access_pass_max_hours * 3600),
        )
    except access_passes.AccessDeniedError as error:
        raise _forbidden(error) from None
    except access_passes.TooBroadError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None


@router.post(
    "/passes/{token_id}/revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    response_model=None,
    response_class=Response,
)
def revoke_pass(
    token_id: Annotated[str, _ID_IN_PATH], user: CurrentUser, session: SessionDep
) -> None:
    """Withdraw a pass; devices refuse it from their next sync on."""
    try:
        access_passes.revoke_pass(session, user_id=user.id, user_org=user.org_id, token_id=token_id)
    except access_passes.AccessDeniedError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None


@router.post("/keys/rotate", response_model=KeyOut, status_code=status.HTTP_201_CREATED)
def rotate_key(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> KeyOut:
    """A new signing key for my organisation; passes signed by the old one stay valid."""
    try:
        return access_passes.rotate_key(
            session,
            user_id=user.id,
            user_org=user.org_id,
            secret=settings.signing_key_secret.get_secret_value(),
        )
    except access_passes.AccessDeniedError as error:
        raise _forbidden(error) from None


@router.post(
    "/keys/{kid}/retire",
    status_code=status.HTTP_204_NO_CONTENT,
    response_model=None,
    response_class=Response,
)
def retire_key(kid: Annotated[str, _ID_IN_PATH], user: CurrentUser, session: SessionDep) -> None:
    """Stop trusting an older key of my organisation: every pass it signed stops working."""
    try:
        access_passes.retire_key(session, user_id=user.id, user_org=user.org_id, kid=kid)
    except access_passes.AccessDeniedError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None


@router.get("/trust", response_model=TrustSet)
def read_trust(user: CurrentUser, session: SessionDep) -> TrustSet:
    """Keys, withdrawn passes and building owners a device needs to check passes offline."""
    return access_passes.trust_set(session, user_id=user.id)


@router.post(
    "/exchange",
    response_model=ExchangedSession,
    openapi_extra=body_openapi(ExchangeRequest),
)
def exchange_pass(
    body: Annotated[ExchangeRequest, Depends(json_body(ExchangeRequest))],
    session: SessionDep,
    settings: SettingsDep,
) -> ExchangedSession:
    """Sign a contractor's device in with a pass: a session limited to what it grants."""
    try:
        return access_exchange.exchange(
            session,
            token=body.token,
            device_id=body.device_id,
            secret=settings.secret_key.get_secret_value(),
        )
    except AccessRefusedError as error:
        raise _forbidden(error) from None


@router.get("/audit", response_model=AuditAck)
def audit_copy_head(
    device_id: Annotated[
        str, Query(min_length=1, max_length=64, pattern=DEVICE_PATTERN, description="The device")
    ],
    user: CurrentUser,
    credential: CredentialDep,
    session: SessionDep,
) -> AuditAck:
    """How far this account's copy of the device's access log goes: the device sends what
    follows."""
    try:
        held = device_audit.copy_head(
            session,
            user_id=user.id,
            sign_in_device=device_audit.signed_in_device(session, credential.session_id),
            device_id=device_id,
        )
    except device_audit.DeviceLogRefusedError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    return AuditAck(acknowledged=held)


@router.post("/audit", response_model=AuditAck, openapi_extra=body_openapi(AuditUpload))
def upload_audit(
    body: Annotated[AuditUpload, Depends(json_body(AuditUpload))],
    user: CurrentUser,
    credential: CredentialDep,
    session: SessionDep,
) -> AuditAck:
    """Store the next entries of this device's access log; 409 if they do not continue it.

    The answer says how far this account's copy of the chain goes; the device
    sends what follows (again from there if the copy is behind).
    """
    try:
        stored = device_audit.store_upload(
            session,
            user_id=user.id,
            user_org=user.org_id,
            sign_in_device=device_audit.signed_in_device(session, credential.session_id),
            upload=body,
        )
    except device_audit.DeviceLogRefusedError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    return AuditAck(acknowledged=stored)
