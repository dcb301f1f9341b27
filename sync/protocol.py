"""Wire messages of the sync protocol (``docs/sync-protocol.md``).

Both ends import these models, so a field renamed here is renamed everywhere
and the OpenAPI spec the server publishes is the protocol's schema.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sync.clock import Stamp
from sync.errors import ClockError
from sync.ids import is_valid_id
from sync.outbox import Op
from sync.schema import ENTITIES

#: Most changes one push may carry; the client's default batch is smaller.
MAX_PUSH_BATCH: Final = 500
DEFAULT_PUSH_BATCH: Final = 100
MAX_PULL_PAGE: Final = 2000
DEFAULT_PULL_PAGE: Final = 1000


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_id(value: str) -> str:
    if not is_valid_id(value):
        raise ValueError("must be a lowercase hyphenated UUID")
    return value


class ChangeIn(_Message):
    """One local edit, exactly as the device's outbox recorded it."""

    change_id: str
    entity: str
    entity_id: str
    building_id: str | None
    op: Op
    fields: dict[str, Any]
    base_rev: int = Field(ge=0)
    hlc: str

    _ids = field_validator("change_id", "entity_id")(_check_id)

    @field_validator("building_id")
    @classmethod
    def _building_id(cls, value: str | None) -> str | None:
        # Checked like the other ids: unchecked, a long or NUL-bearing id reached the
        # database, which PostgreSQL refuses with an error (a 500), unlike SQLite.
        return None if value is None else _check_id(value)

    @field_validator("entity")
    @classmethod
    def _known_entity(cls, value: str) -> str:
        if value not in ENTITIES:
            raise ValueError(f"unknown entity {value!r}")
        return value

    @field_validator("hlc")
    @classmethod
    def _valid_stamp(cls, value: str) -> str:
        # Only ValueError becomes a validation error (a 422); a ClockError would be a 500.
        try:
            Stamp.parse(value)
        except ClockError as exc:
            raise ValueError(str(exc)) from None
        return value


class PushRequest(_Message):
    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    changes: list[ChangeIn] = Field(max_length=MAX_PUSH_BATCH)


class ResultStatus(StrEnum):
    ACCEPTED = "accepted"
    MERGED = "merged"
    REJECTED = "rejected"


class ChangeResult(_Message):
    """The server's answer for one change; ``winning`` holds fields where another value won."""

    change_id: str
    status: ResultStatus
    reason: str = ""
    winning: dict[str, Any] = Field(default_factory=dict)
    seq: int | None = None


class PushResponse(_Message):
    results: list[ChangeResult]
    cursor: int


class PulledChange(_Message):
    """A row's state change as the server holds it after merging."""

    seq: int
    entity: str
    entity_id: str
    building_id: str | None
    fields: dict[str, Any]
    deleted: bool
    hlc: str
    device_id: str
    change_id: str | None = None


class ConflictRecord(_Message):
    """Two values for one field; ``loser`` can be restored by a new edit."""

    id: str
    building_id: str | None
    entity: str
    entity_id: str
    field: str
    winner_value: Any
    loser_value: Any
    winner_hlc: str
    loser_hlc: str
    winner_device: str
    loser_device: str
    seq: int


class PullResponse(_Message):
    """One page of row states after ``cursor``; ``conflicts`` recorded in the same range."""

    changes: list[PulledChange]
    conflicts: list[ConflictRecord] = Field(default_factory=list)
    cursor: int
    has_more: bool
