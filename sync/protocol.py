"""Wire messages of the sync protocol (``docs/sync-protocol.md``).

Both ends import these models, so a field renamed here is renamed everywhere
and the OpenAPI spec the server publishes is the protocol's schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from sync.clock import STAMP_PATTERN
from sync.ids import ID_PATTERN
from sync.outbox import Op
from sync.schema import ENTITIES

#: Most changes one push may carry; the client's default batch is smaller.
MAX_PUSH_BATCH: Final = 500
DEFAULT_PUSH_BATCH: Final = 100
MAX_PULL_PAGE: Final = 2000
DEFAULT_PULL_PAGE: Final = 1000
#: Most conflict resolutions one ``POST /v1/sync/resolve`` may carry.
MAX_RESOLUTIONS: Final = 100
#: Largest sequence number or revision (a signed 64-bit column); a bigger cursor is refused.
MAX_SEQ: Final = 2**63 - 1


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: A canonical lower-case hyphenated UUID. Patterns, not Python validators: pydantic checks
#: them in its Rust core, which keeps request parsing off a push's critical path.
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
#: A packed hybrid-logical-clock stamp (``sync.clock``).
PackedStamp = Annotated[str, StringConstraints(pattern=STAMP_PATTERN)]


class ChangeIn(_Message):
    """One local edit, exactly as the device's outbox recorded it."""

    change_id: Id
    entity: str
    entity_id: Id
    #: Checked like the other ids: unchecked, a long or NUL-bearing id reached the
    #: database, which PostgreSQL refuses with an error (a 500), unlike SQLite.
    building_id: Id | None
    op: Op
    fields: dict[str, Any]
    base_rev: int = Field(ge=0, le=MAX_SEQ)
    hlc: PackedStamp

    @field_validator("fields")
    @classmethod
    def _finite_numbers(cls, value: dict[str, Any]) -> dict[str, Any]:
        # JSON such as 1e400 parses to infinity, which no database or JSON writer takes.
        if not _all_finite(value):
            raise ValueError("numbers must be finite")
        return value

    @field_validator("entity")
    @classmethod
    def _known_entity(cls, value: str) -> str:
        if value not in ENTITIES:
            raise ValueError(f"unknown entity; use one of {', '.join(ENTITIES)}")
        return value


def _all_finite(value: dict[str, Any] | list[Any]) -> bool:
    """No infinite or NaN float anywhere in a parsed JSON object or array.

    Exact type tests and ``x - x`` (NaN for both infinities and NaN) rather than
    ``isinstance`` and ``math.isfinite``, and text and whole numbers (nearly every
    value) passed over first: every pushed change passes through here.
    """
    items: Iterable[Any] = value.values() if isinstance(value, dict) else value
    for item in items:
        kind = type(item)
        if kind is str or kind is int or item is None or kind is bool:
            continue
        if kind is float:
            if item - item != 0.0:
                return False
        elif (kind is dict or kind is list) and not _all_finite(item):
            return False
    return True


class PushRequest(_Message):
    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    changes: list[ChangeIn] = Field(max_length=MAX_PUSH_BATCH)
    #: The newest sequence this device has pulled; lets the server skip checks for
    #: deletes the device had already seen when it made these changes (optional).
    cursor: int | None = Field(default=None, ge=0, le=MAX_SEQ)


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


def _is_none(value: object) -> bool:
    return value is None


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
    #: How a person closed it (``kept`` or ``restored``), who, from which device and when
    #: (ISO 8601, UTC). Sent only to a pull that asked (``resolutions=true``), and only once
    #: resolved: older clients forbid unknown fields.
    resolution: str | None = Field(default=None, exclude_if=_is_none)
    resolved_by: str | None = Field(default=None, exclude_if=_is_none)
    resolved_device: str | None = Field(default=None, exclude_if=_is_none)
    resolved_at: str | None = Field(default=None, exclude_if=_is_none)


class Resolution(StrEnum):
    """What a person chose for a conflict; ``superseded`` is a device's own inference."""

    KEPT = "kept"
    RESTORED = "restored"


class ResolutionIn(_Message):
    """One conflict closed on a device (``POST /v1/sync/resolve``)."""

    conflict_id: Id
    resolution: Resolution


class ResolveRequest(_Message):
    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    resolutions: list[ResolutionIn] = Field(max_length=MAX_RESOLUTIONS)


class ResolutionResult(_Message):
    """``resolved`` with the resolution the server holds (the first one sent wins), or
    ``refused`` (no such conflict that this user may resolve: the two are not told apart)."""

    conflict_id: str
    status: str
    resolution: str | None = None
    reason: str = ""


class ResolveResponse(_Message):
    results: list[ResolutionResult]
    cursor: int


class PullResponse(_Message):
    """One page of row states after ``cursor``; ``conflicts`` recorded in the same range."""

    changes: list[PulledChange]
    conflicts: list[ConflictRecord] = Field(default_factory=list)
    cursor: int
    has_more: bool
    #: Building id → scope tag of every building the caller was granted, when the pull asked
    #: for them (``scopes=true``). Left out of the JSON otherwise: older clients forbid unknown
    #: fields, and ``None`` tells a newer client the server cannot report access changes.
    scopes: dict[str, str] | None = Field(default=None, exclude_if=_is_none)
