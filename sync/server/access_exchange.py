"""A pass exchanged for a sign-in that can do exactly what the pass grants, until it ends.

The pass is the credential: the server checks it as a device would (its own
keys, its own revocations, the building's owner, the validity window) and
signs the contractor's device in as the pass's **holder**, an account made for
this one pass, with one grant on its building narrowed to the pass's systems
and floors. Everything after that (push, pull, files) goes through the grant
and scope checks every other user goes through.

- The sign-in has no refresh token, and its access token ends when the pass
  does; withdrawing the pass ends its sign-ins and removes the grant at once.
- The holder can never sign in with a password (a random one nobody knows)
  and may not create API keys (``is_pass_holder``), so nothing outlives the pass.
- Once the pass has ended the holder is removed (``sync.server.holder_cleanup``):
  signed out, ungranted, switched off, and the pass is never exchanged again.
- ``read`` alone makes a viewer; ``write`` makes a contractor (who may write);
  ``annotate`` without ``write`` makes an annotator, who adds and changes notes,
  markups and photos only (the same rule the device applies offline).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets

import orjson
from pydantic import ValidationError
from sqlmodel import Session

from sync.server import access_audit, crud
from sync.server.access_models import AccessPass, ExchangedSession, SigningKey
from sync.server.access_passes import building_orgs
from sync.server.core.security import create_access_token, hash_password
from sync.server.models import HOLDER_DOMAIN, AuthSession, Role, User, utcnow
from sync.server.signing_keys import ACTIVE, TRUSTED
from sync.token_errors import ExpiredTokenError, RevokedTokenError, UnknownIssuerTokenError
from sync.tokens import AccessClaims, Permission, TrustedKey, public_key_from_text, read_header
from sync.tokens import verify as verify_token

__all__ = ["HOLDER_DOMAIN", "exchange", "is_pass_holder"]


def is_pass_holder(email: str) -> bool:
    return email.endswith(HOLDER_DOMAIN)


def _check(session: Session, token: str, now: dt.datetime) -> tuple[AccessClaims, AccessPass]:
    header = read_header(token)
    kid = header.get("kid")
    row = session.get(SigningKey, kid) if isinstance(kid, str) else None
    if row is None or row.status not in (ACTIVE, TRUSTED):
        raise UnknownIssuerTokenError()
    key = TrustedKey(row.kid, row.org_id, public_key_from_text(row.public_key))
    claims = verify_token(
        token, {row.kid: key}, (), now, _owner_of(session, token), leeway_seconds=0
    )
    record = session.get(AccessPass, claims.token_id)
    if record is None or record.org_id != claims.org_id:
        raise UnknownIssuerTokenError()  # signed by our key, yet never issued here
    if record.revoked_at is not None:
        raise RevokedTokenError()
    if record.holder_removed_at is not None:
        # Its holder was removed because the pass ended, by a sweep whose clock (another
        # API process's, or a given ``now``) said so: ended, whatever this clock says.
        raise ExpiredTokenError()
    return claims, record


def _owner_of(session: Session, token: str) -> dict[str, str]:
    """The building of the (not yet verified) pass with its owner, for ``verify``.

    A payload that cannot be read gives no building: ``verify`` then refuses the
    pass for what is wrong with it (its shape or its signature) before it asks.
    """
    try:
        payload = token.split(".")[1]
        raw = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        building_id = AccessClaims.model_validate(raw).building_id
    except (IndexError, ValueError, orjson.JSONDecodeError, ValidationError):
        return {}
    return building_orgs(session, [building_id])


def _role(claims: AccessClaims) -> Role:
    if Permission.WRITE in claims.permissions:
        return Role.CONTRACTOR
    if Permission.ANNOTATE in claims.permissions:
        return Role.ANNOTATOR
    return Role.VIEWER


def _holder(session: Session, record: AccessPass, claims: AccessClaims) -> User:
    if record.holder_id is not None:
        existing = session.get(User, record.holder_id)
        if existing is not None:
            return existing
    holder = User(
        email=f"{secrets.token_hex(12)}{HOLDER_DOMAIN}",
        password_hash=hash_password(secrets.token_urlsafe(32)),
        full_name=claims.contractor_id,
    )
    session.add(holder)
    session.flush()
    crud.grant(
        session,
        user_id=holder.id,
        building_id=claims.building_id,
        role=_role(claims),
        systems=[str(s) for s in claims.systems] if claims.systems is not None else None,
        floors=list(claims.floors) if claims.floors is not None else None,
        commit=False,
    )
    record.holder_id = holder.id
    session.add(record)
    return holder


def exchange(
    session: Session, *, token: str, device_id: str, secret: str, now: dt.datetime | None = None
) -> ExchangedSession:
    """A sign-in for the pass's holder; an ``AccessRefusedError`` saying why not. Committed."""
    now = now or utcnow()
    claims, record = _check(session, token, now)
    holder = _holder(session, record, claims)
    sign_in = AuthSession(user_id=holder.id, device_id=device_id)
    session.add(sign_in)
    session.flush()
    lifetime = claims.expires_at - now
    access_audit.append(
        session,
        claims.org_id,
        event="exchange",
        actor=holder.id,
        details={"token_id": claims.token_id, "device_id": device_id, "session": sign_in.id},
    )
    session.commit()
    access = create_access_token(holder.id, secret=secret, lifetime=lifetime, session_id=sign_in.id)
    return ExchangedSession(
        access_token=access,
        expires_in=max(int(lifetime.total_seconds()), 0),
        building_id=claims.building_id,
        token_id=claims.token_id,
    )
