"""Tables of the access logs devices upload (``srv_device_audit``) and the JSON shapes of
``POST /v1/access/audit``.

Each (user, device) pair keeps its own copy of the device's one chain, stored
exactly as the device hashed it, so the server can check it with the device's
rules (``sync.audit_chain``) long after the device is gone. A device used by
several accounts has one chain; each account's copy holds every link, and the
body only of entries it may see (the others are *withheld*: ``body`` is NULL).
The head row says how far the copy was stored: entries cut off its end show as
a head past the last entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from sync.server.models import UTCDateTime, utcnow

#: Entries in one upload; a device with more sends several.
MAX_UPLOAD_ENTRIES = 200
DEVICE_PATTERN = r"^[A-Za-z0-9_.\-]+$"
_HASH_PATTERN = r"^[0-9a-f]{64}$"


class DeviceAuditEntry(SQLModel, table=True):
    """One entry of a device's access log, as the device hashed it (body None: withheld)."""

    __tablename__ = "srv_device_audit"

    user_id: str = Field(primary_key=True, max_length=36)
    device_id: str = Field(primary_key=True, max_length=64)
    seq: int = Field(primary_key=True)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    body: dict[str, Any] | None = Field(default=None, sa_type=JSON, nullable=True)
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeviceAuditHead(SQLModel, table=True):
    """The newest stored entry of each device's chain, locked while a batch is stored."""

    __tablename__ = "srv_device_audit_heads"

    user_id: str = Field(primary_key=True, max_length=36)
    device_id: str = Field(primary_key=True, max_length=64)
    seq: int = 0
    hash: str = Field(max_length=64)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UploadedEntry(_Shape):
    seq: int = PydanticField(ge=1)
    prev_hash: str = PydanticField(pattern=_HASH_PATTERN)
    hash: str = PydanticField(pattern=_HASH_PATTERN)
    body: dict[str, Any]


class AuditUpload(_Shape):
    device_id: str = PydanticField(min_length=1, max_length=64, pattern=DEVICE_PATTERN)
    entries: list[UploadedEntry] = PydanticField(min_length=1, max_length=MAX_UPLOAD_ENTRIES)


class AuditAck(_Shape):
    """How far the server holds this account's copy of the device's chain.

    The device sends what follows. It can be *lower* than what the device last
    heard (another account signed in on the device since, whose copy is behind):
    the device then sends again from there.
    """

    acknowledged: int
