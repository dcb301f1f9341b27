"""Account tables of the sync service (``srv_*``) and the JSON shapes of its account API.

Buildings are not here: they are replicated rows (``sync.server.replication``),
so a grant names its building by id without a foreign key. Timestamps are
timezone-aware UTC everywhere, including on SQLite (see :class:`UTCDateTime`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON, DateTime, Dialect, Index, String, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync.ids import new_id


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC, returns aware datetimes: SQLite would otherwise hand back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is stored")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        stamp: dt.datetime = value
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC)


def _created_at() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime)


def _stamp() -> Any:
    return Field(default=None, sa_type=UTCDateTime)


class Role(StrEnum):
    """What a grant lets its user do in one building.

    Viewers cannot write; annotators add and change only notes, markups and photos
    (what a contractor's "annotate" pass allows); the others write within their grant.
    """

    ADMIN = "admin"
    MANAGER = "manager"
    TECHNICIAN = "technician"
    CONTRACTOR = "contractor"
    ANNOTATOR = "annotator"
    VIEWER = "viewer"


# -- tables ----------------------------------------------------------------------------


class Org(SQLModel, table=True):
    """An organisation: the customer whose people share buildings."""

    __tablename__ = "srv_organizations"
    __table_args__ = (UniqueConstraint("slug", name="uq_srv_organizations_slug"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=200)
    members_can_create_buildings: bool = True
    created_at: dt.datetime = _created_at()


#: Email addresses of pass holders (``sync.server.access_exchange``) end with this: a
#: reserved domain, so nobody receives mail there and no person's address looks like one.
HOLDER_DOMAIN: Final = "@pass-holders.arxos.invalid"


class User(SQLModel, table=True):
    __tablename__ = "srv_users"
    __table_args__ = (UniqueConstraint("email", name="uq_srv_users_email"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    #: Always stored lowercase, so sign-in ignores case.
    email: str = Field(max_length=320)
    full_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=500)
    org_id: str | None = Field(
        default=None,
        foreign_key="srv_organizations.id",
        max_length=36,
        index=True,
        ondelete="SET NULL",
    )
    is_active: bool = True
    is_superuser: bool = False
    created_at: dt.datetime = _created_at()


class AuthSession(SQLModel, table=True):
    """One sign-in: the refresh tokens it rotates through and the access tokens they bring.

    Access tokens carry the session's id, and each request checks the session
    with the user row it loads anyway, so signing out (or a revoked family) ends
    the access tokens at once rather than when they expire.
    """

    __tablename__ = "srv_sessions"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="srv_users.id", max_length=36, ondelete="CASCADE", index=True)
    #: The installation that signed in, as it named itself (for display only: two
    #: sign-ins with the same name are still two sessions).
    device_id: str = Field(default="", max_length=64)
    created_at: dt.datetime = _created_at()
    revoked_at: dt.datetime | None = _stamp()


class RefreshToken(SQLModel, table=True):
    """One refresh token; a family is all tokens of one session (one sign-in).

    Using a token revokes it and records its successor in ``replaced_by``;
    presenting a spent token again after the grace window means it leaked, so
    the session is revoked.
    """

    __tablename__ = "srv_refresh_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_srv_refresh_tokens_token_hash"),
        Index("ix_srv_refresh_tokens_user_device", "user_id", "device_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="srv_users.id", max_length=36, ondelete="CASCADE")
    session_id: str = Field(
        foreign_key="srv_sessions.id", max_length=36, ondelete="CASCADE", index=True
    )
    token_hash: str = Field(max_length=64)
    device_id: str = Field(max_length=64)
    created_at: dt.datetime = _created_at()
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = _stamp()
    replaced_by: str | None = Field(default=None, max_length=36)


class ApiKey(SQLModel, table=True):
    __tablename__ = "srv_api_keys"
    __table_args__ = (UniqueConstraint("key_hash", name="uq_srv_api_keys_key_hash"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="srv_users.id", max_length=36, index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64)
    created_at: dt.datetime = _created_at()
    last_used_at: dt.datetime | None = _stamp()
    revoked_at: dt.datetime | None = _stamp()


class Grant(SQLModel, table=True):
    """A user's role in one building, narrowed to some systems and floors (None = all)."""

    __tablename__ = "srv_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "building_id", name="uq_srv_grants_user_building"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    #: Not indexed alone: the (user_id, building_id) unique constraint serves lookups by user.
    user_id: str = Field(foreign_key="srv_users.id", max_length=36, ondelete="CASCADE")
    building_id: str = Field(max_length=36, index=True)
    #: A ``Role`` value; a plain string column so PostgreSQL needs no enum type migrations.
    role: str = Field(sa_type=String(20))
    #: ``sync.schema.System`` values, or None for every system.
    systems: list[str] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    #: Floor levels (``Floor.level``), or None for every floor.
    floors: list[int] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    created_at: dt.datetime = _created_at()


def is_ended_holder(user: User) -> bool:
    """The holder of a pass that ended (``sync.server.holder_cleanup``): history, not a member;
    never listed, granted or signed in again."""
    return user.email.endswith(HOLDER_DOMAIN) and not user.is_active


# -- API shapes ------------------------------------------------------------------------


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: PostgreSQL text cannot hold NUL characters (it raises, and the caller gets a 500),
#: so text that reaches the database refuses them up front, on every backend alike.
NO_NUL = r"^[^\x00]*$"


class LoginRequest(_Shape):
    email: str = PydanticField(min_length=3, max_length=320, pattern=NO_NUL)
    password: str = PydanticField(min_length=1, max_length=1024)
    #: The installation signing in; refresh tokens are grouped (and revoked) by device.
    device_id: str | None = PydanticField(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$"
    )


class RefreshRequest(_Shape):
    refresh_token: str = PydanticField(min_length=1, max_length=200)


class TokenPair(_Shape):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    #: Seconds until the access token expires.
    expires_in: int


class OrgOut(_Shape):
    id: str
    name: str
    slug: str


class MeOut(_Shape):
    id: str
    email: str
    full_name: str
    is_superuser: bool
    org: OrgOut | None


class BuildingGrantOut(_Shape):
    building_id: str
    role: Role
    systems: list[str] | None
    floors: list[int] | None


class ApiKeyCreate(_Shape):
    name: str = PydanticField(min_length=1, max_length=100, pattern=NO_NUL)


class ApiKeyOut(_Shape):
    id: str
    name: str
    #: The first characters after ``arx_``, to tell keys apart.
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class ApiKeyCreated(ApiKeyOut):
    #: The whole key; shown only in this answer and never stored.
    key: str


class HealthOut(_Shape):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]
    version: str
