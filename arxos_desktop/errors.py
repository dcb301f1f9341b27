"""The root of the field app's exception hierarchy, and the kinds of error it knows.

Each service package subclasses :class:`ArxosError`; only the UI and the CLI
decide how an error is shown, and they show ``str(error)``, which is always a
sentence a technician can act on. What they *do* with it (the CLI's exit code,
the app's icon and wording) follows from the class's :attr:`ArxosError.kind`
alone, so a new error class needs no new ``isinstance`` branch anywhere.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorKind(StrEnum):
    """What went wrong, in terms a caller can act on; the value is the JSON ``kind``.

    A superset of :class:`sync.errors.SyncErrorKind` (same values), so a sync error
    maps through the same tables as the app's own.
    """

    UNEXPECTED = "unexpected"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    INVALID_REPOSITORY = "invalid_repository"
    CONFLICT = "conflict"
    AMBIGUOUS = "ambiguous"
    STILL_REFERENCED = "still_referenced"
    REPLICA_UNAVAILABLE = "replica_unavailable"
    DATABASE_UNAVAILABLE = "database_unavailable"
    OFFLINE = "offline"
    SIGN_IN = "sign_in_required"
    NOT_A_SERVER = "not_a_server"
    SERVER_ERROR = "server_error"
    PORT_IN_USE = "port_in_use"
    MISSING_EXTRA = "missing_extra"
    PASSWORD_REQUIRED = "password_required"
    ACCESS_REFUSED = "access_refused"
    AUDIT_BROKEN = "audit_broken"


class ArxosError(Exception):
    """Base of every error the field app raises on purpose."""

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID
