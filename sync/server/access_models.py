"""Tables of access passes (``srv_signing_keys``, ``srv_access_passes``, the audit chain)
and the JSON shapes of ``/v1/access``.

A signing key belongs to one account organisation; its private half is stored
only encrypted (``sync.server.signing_keys``). Passes are recorded so they can
be listed and revoked; the pass itself is never stored (it is a bearer
credential, and the claims and the signature key say everything about it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Index, text
from sqlmodel import Field, SQLModel

from sync.ids import ID_PATTERN
from sync.schema import System
from sync.server.models import UTCDateTime, utcnow
from sync.tokens import MAX_CONTRACTOR_CHARS, MAX_TOKEN_CHARS, Permission
from sync.trust import AccessTrust as TrustSet
from sync.trust import TrustKey as KeyOut

__all__ = ["KeyOut", "TrustSet"]

#: A pass whose holder exists and has not been removed yet (a partial index's predicate).
LIVE_HOLDER = "holder_id IS NOT NULL AND holder_removed_at IS NULL"


class SigningKey(SQLModel, table=True):
    """One Ed25519 key of an organisation: ``active`` signs, ``trusted`` still verifies."""

    __tablename__ = "srv_signing_keys"
    __table_args__ = (Index("ix_srv_signing_keys_org_status", "org_id", "status"),)

    kid: str = Field(primary_key=True, max_length=16)
    org_id: str = Field(foreign_key="srv_organizations.id", max_length=36, ondelete="CASCADE")
    #: ``active`` (signs new passes; one per organisation), ``trusted`` or ``retired``.
    status: str = Field(max_length=10)
    public_key: str = Field(max_length=64)
    #: The raw private key, AES-GCM-encrypted under the server's key-encryption key
    #: with the key id and organisation as associated data (nonce + ciphertext, base64).
    private_key_sealed: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccessPass(SQLModel, table=True):
    """A pass that was issued: its claims, who issued it, and whether it was withdrawn."""

    __tablename__ = "srv_access_passes"
    __table_args__ = (
        Index("ix_srv_access_passes_org_revoked", "org_id", "revoked_at"),
        # Only passes whose holder still has to be removed: the holder sweep reads these
        # (``sync.server.holder_cleanup``), and they stay few however many passes ended.
        Index(
            "ix_srv_access_passes_live_holders",
            "expires_at",
            sqlite_where=text(LIVE_HOLDER),
            postgresql_where=text(LIVE_HOLDER),
        ),
    )

    token_id: str = Field(primary_key=True, max_length=64)
    org_id: str = Field(foreign_key="srv_organizations.id", max_length=36, ondelete="CASCADE")
    kid: str = Field(max_length=16)
    building_id: str = Field(max_length=36, index=True)
    contractor_id: str = Field(max_length=MAX_CONTRACTOR_CHARS)
    claims: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    issued_by: str = Field(max_length=36)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = Field(default=None, max_length=36)
    #: The account a contractor's device signs in as once it exchanged this pass
    #: (``sync.server.access_exchange``); None until the first exchange.
    holder_id: str | None = Field(default=None, max_length=36)
    #: When the holder was signed out, ungranted and switched off because the pass
    #: ended (``sync.server.holder_cleanup``); None while it may still be used.
    holder_removed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccessAuditEntry(SQLModel, table=True):
    """One entry of an organisation's append-only, hash-chained access log."""

    __tablename__ = "srv_access_audit"

    org_id: str = Field(primary_key=True, max_length=36)
    seq: int = Field(primary_key=True)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    #: What happened: event, actor, time and details, as hashed (canonical JSON).
    body: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class AccessAuditHead(SQLModel, table=True):
    """The newest entry of each organisation's chain, locked while one entry is appended."""

    __tablename__ = "srv_access_audit_heads"

    org_id: str = Field(primary_key=True, max_length=36)
    seq: int = 0
    hash: str = Field(max_length=64)


# -- API shapes ------------------------------------------------------------------------


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssueRequest(_Shape):
    building_id: str = PydanticField(pattern=ID_PATTERN)
    #: None: every system.
    systems: list[System] | None = PydanticField(default=None, min_length=1, max_length=7)
    #: None: every floor.
    floors: list[int] | None = PydanticField(default=None, min_length=1, max_length=100)
    permissions: list[Permission] = PydanticField(min_length=1, max_length=3)
    contractor_id: str = PydanticField(
        min_length=1, max_length=MAX_CONTRACTOR_CHARS, pattern=r"^[A-Za-z0-9 _.\-]+$"
    )
    #: Seconds from now until the pass expires (capped by the server's setting).
    expires_in: int = PydanticField(ge=60, le=366 * 24 * 3600)
    #: Seconds from now until the pass starts (0: at once).
    starts_in: int = PydanticField(default=0, ge=0, le=366 * 24 * 3600)


class ExchangeRequest(_Shape):
    token: str = PydanticField(min_length=1, max_length=MAX_TOKEN_CHARS)
    device_id: str = PydanticField(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


class ExchangedSession(_Shape):
    """A sign-in limited to one pass: no refresh token, it ends when the pass does."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    building_id: str
    token_id: str


class IssuedPass(_Shape):
    token: str
    token_id: str
    kid: str
    org_id: str
    expires_at: dt.datetime
