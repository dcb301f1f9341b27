"""One exception hierarchy for the sync engine, so callers can catch it whole."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error the sync package raises on purpose."""


class ClockError(SyncError):
    """A hybrid-logical-clock stamp is malformed or too far in the future."""


class SchemaError(SyncError):
    """A change names an entity or field the schema does not know."""
