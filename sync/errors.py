"""One exception hierarchy for the sync engine, so callers can catch it whole.

Every class carries a :class:`SyncErrorKind`; callers (the CLI, the app) decide
what to do from the kind alone, never from the class.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class SyncErrorKind(StrEnum):
    """What went wrong in a sync; the values are shared with the field app's kinds."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    OFFLINE = "offline"
    SIGN_IN = "sign_in_required"
    NOT_A_SERVER = "not_a_server"
    SERVER_ERROR = "server_error"
    #: An access pass that must not be honoured (see ``sync.token_errors``).
    ACCESS_REFUSED = "access_refused"
    #: A hash-chained audit log whose chain is broken: an entry was removed or altered.
    AUDIT_BROKEN = "audit_broken"


class SyncError(Exception):
    """Base of every error the sync package raises on purpose."""

    kind: ClassVar[SyncErrorKind] = SyncErrorKind.SERVER_ERROR


class ClockError(SyncError):
    """A hybrid-logical-clock stamp is malformed or too far in the future."""

    kind = SyncErrorKind.INVALID


class SchemaError(SyncError):
    """A change names an entity or field the schema does not know."""

    kind = SyncErrorKind.INVALID
