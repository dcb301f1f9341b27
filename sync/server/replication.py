"""Server tables that hold the replicated buildings: rows, change log, conflicts.

Rows are stored generically (values as JSON, validated against the shared
``sync.schema`` shapes) with a clock per field, because field-level merge needs
per-field stamps that the device replicas never store. ``seq`` on a row is the
sequence of the last change that touched it: "rows with seq > cursor" is both
the incremental pull and, from cursor 0, the snapshot a new device starts from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sqlalchemy import JSON, BigInteger, Index, Integer
from sqlmodel import Field, SQLModel

from sync.server.models import UTCDateTime, utcnow

#: Sequences outgrow 32 bits on a busy server; SQLite's INTEGER is already 64-bit
#: (and must stay INTEGER for the log's autoincrementing primary key).
Seq = BigInteger().with_variant(Integer(), "sqlite")


class StoredRow(SQLModel, table=True):
    """The current merged state of one replicated row."""

    __tablename__ = "srv_rows"
    __table_args__ = (Index("ix_srv_rows_building_seq", "building_id", "seq"),)

    entity: str = Field(primary_key=True, max_length=32)
    id: str = Field(primary_key=True, max_length=36)
    building_id: str | None = Field(default=None, max_length=36)
    values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    #: When each field (``deleted`` included) was last set: ``sync.server.field_clocks``.
    clocks: Any = Field(default_factory=list, sa_type=JSON)
    deleted: bool = False
    created_hlc: str = ""
    updated_hlc: str = ""
    seq: int = Field(default=0, index=True, sa_type=Seq)


class ChangeLogEntry(SQLModel, table=True):
    """Every applied change, in global order: the audit trail and the sequence source."""

    __tablename__ = "srv_change_log"

    seq: int | None = Field(default=None, primary_key=True, sa_type=Seq)
    change_id: str = Field(max_length=36, index=True)
    building_id: str | None = Field(default=None, max_length=36, index=True)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=36)
    op: str = Field(max_length=8)
    #: The fields that took effect, with their values.
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    hlc: str = Field(max_length=100)
    device_id: str = Field(max_length=64)
    user_id: str = Field(max_length=36)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AppliedChange(SQLModel, table=True):
    """The answer given to a user for a change id, so their retried push gets the same answer.

    Keyed by user too: a change id is the pushing device's, and another user who
    sends the same id gets an answer to their own change, never this one.
    """

    __tablename__ = "srv_applied_changes"

    user_id: str = Field(primary_key=True, max_length=36)
    change_id: str = Field(primary_key=True, max_length=36)
    device_id: str = Field(max_length=64)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConflictEntry(SQLModel, table=True):
    """A value that lost a concurrent edit, kept so it can be reviewed and restored."""

    __tablename__ = "srv_conflicts"
    __table_args__ = (Index("ix_srv_conflicts_building_seq", "building_id", "seq"),)

    id: str = Field(primary_key=True, max_length=36)
    building_id: str | None = Field(default=None, max_length=36)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=36)
    field: str = Field(max_length=64)
    winner_value: Any = Field(default=None, sa_type=JSON, nullable=True)
    loser_value: Any = Field(default=None, sa_type=JSON, nullable=True)
    winner_hlc: str = Field(max_length=100)
    loser_hlc: str = Field(max_length=100)
    winner_device: str = Field(max_length=64)
    loser_device: str = Field(max_length=64)
    #: The record's place in the change sequence: where it was recorded, then where it
    #: was resolved, so pulls after that send it again with its resolution.
    seq: int = Field(index=True, sa_type=Seq)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: ``kept`` or ``restored`` once a person chose (``sync.server.resolutions``), else empty.
    resolution: str = Field(default="", max_length=16)
    resolved_by: str | None = Field(default=None, max_length=36)
    resolved_device: str | None = Field(default=None, max_length=64)
    resolved_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class ScopeEpoch(SQLModel, table=True):
    """The newest change that moved a row of a building across systems or floors.

    A narrowed grant's scope tag includes it, so devices holding only part of the
    building re-pull it: rows that left their user's view (and rows hanging off
    them) go, and rows that came into view (with theirs) arrive.
    """

    __tablename__ = "srv_scope_epochs"

    building_id: str = Field(primary_key=True, max_length=36)
    seq: int = Field(sa_type=Seq)


class DeleteMark(SQLModel, table=True):
    """The newest change that deleted a row of a building.

    A push whose device had not pulled that far may point new rows at a row that
    is gone: only then are the rows it points at checked (``contested``).
    """

    __tablename__ = "srv_delete_marks"

    building_id: str = Field(primary_key=True, max_length=36)
    seq: int = Field(sa_type=Seq)


class OrganizationOwner(SQLModel, table=True):
    """Who created an ``organization`` row: their account organisation, or they alone.

    The link between a replicated organisation record and the accounts behind it
    (``sync.server.organizations``). No foreign keys: a record of what happened.
    """

    __tablename__ = "srv_organization_owners"

    row_id: str = Field(primary_key=True, max_length=36)
    account_org_id: str | None = Field(default=None, max_length=36)
    user_id: str = Field(max_length=36)


#: The tables themselves, for Core statements: the hot paths of push and pull use
#: these rather than the ORM classes, whose per-statement machinery cost more than
#: the queries did.
ROWS_TABLE: Final = SQLModel.metadata.tables[str(StoredRow.__tablename__)]
LOG_TABLE: Final = SQLModel.metadata.tables[str(ChangeLogEntry.__tablename__)]
ANSWERS_TABLE: Final = SQLModel.metadata.tables[str(AppliedChange.__tablename__)]
CONFLICTS_TABLE: Final = SQLModel.metadata.tables[str(ConflictEntry.__tablename__)]
EPOCHS_TABLE: Final = SQLModel.metadata.tables[str(ScopeEpoch.__tablename__)]
DELETE_MARKS_TABLE: Final = SQLModel.metadata.tables[str(DeleteMark.__tablename__)]
OWNERS_TABLE: Final = SQLModel.metadata.tables[str(OrganizationOwner.__tablename__)]
