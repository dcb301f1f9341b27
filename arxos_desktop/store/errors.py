"""Errors from the local replica, each worded for the person who caused it."""

from __future__ import annotations

from arxos_desktop.errors import ArxosError, ErrorKind


class StoreError(ArxosError):
    """Base of every replica error."""


class ReplicaOpenError(StoreError):
    """The replica file cannot be opened or upgraded (corrupt, locked, newer version)."""

    kind = ErrorKind.REPLICA_UNAVAILABLE


class NotFoundError(StoreError):
    """The named building, equipment, work order... is not in this replica."""

    kind = ErrorKind.NOT_FOUND


class AmbiguousError(StoreError):
    """A name or tag matches more than one row; the caller must be more specific."""

    kind = ErrorKind.AMBIGUOUS


class InvalidEditError(StoreError):
    """An edit breaks a rule of the schema; ``fields`` maps each bad field to why."""

    kind = ErrorKind.INVALID

    def __init__(self, entity: str, fields: dict[str, str]) -> None:
        self.entity = entity
        self.fields = fields
        details = "; ".join(f"{name}: {why}" for name, why in fields.items())
        super().__init__(f"Invalid {entity}: {details}")


class StillReferencedError(StoreError):
    """A delete would leave other live rows pointing at nothing."""

    kind = ErrorKind.STILL_REFERENCED


class ChangeInFlightError(StoreError):
    """The change was sent to the server and its answer has not arrived: it may be applied."""

    kind = ErrorKind.CONFLICT


class ServerVersionUnknownError(StoreError):
    """The device does not hold the server's version of a row, so it cannot put it back."""

    kind = ErrorKind.CONFLICT
