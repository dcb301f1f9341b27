"""Errors from the local replica, each worded for the person who caused it."""

from __future__ import annotations

from arxos_desktop.errors import ArxosError


class StoreError(ArxosError):
    """Base of every replica error."""


class ReplicaOpenError(StoreError):
    """The replica file cannot be opened or upgraded (corrupt, locked, newer version)."""


class NotFoundError(StoreError):
    """The named building, equipment, work order... is not in this replica."""


class AmbiguousError(StoreError):
    """A name or tag matches more than one row; the caller must be more specific."""


class InvalidEditError(StoreError):
    """An edit breaks a rule of the schema; ``fields`` maps each bad field to why."""

    def __init__(self, entity: str, fields: dict[str, str]) -> None:
        self.entity = entity
        self.fields = fields
        details = "; ".join(f"{name}: {why}" for name, why in fields.items())
        super().__init__(f"Invalid {entity}: {details}")


class StillReferencedError(StoreError):
    """A delete would leave other live rows pointing at nothing."""


class ChangeInFlightError(StoreError):
    """The change was sent to the server and its answer has not arrived: it may be applied."""


class ServerVersionUnknownError(StoreError):
    """The device does not hold the server's version of a row, so it cannot put it back."""
