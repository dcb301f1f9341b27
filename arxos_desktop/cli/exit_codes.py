"""What `arx` exits with, and the one table from an error's kind to its exit code.

Scripts rely on these numbers, so they never change meaning; a new kind of error
gets a row in :data:`EXIT_CODE_OF`, and the help's epilog is written from
:data:`MEANING`, so it always lists every code.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

from arxos_desktop.errors import ErrorKind


class ExitCode(IntEnum):
    """What `arx` exits with; scripts can rely on these."""

    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    NOT_FOUND = 3
    INVALID = 4
    CONFLICT = 5
    REPLICA_UNAVAILABLE = 6
    OFFLINE = 7
    SIGN_IN = 8
    NOT_A_SERVER = 9
    PORT_IN_USE = 10
    MISSING_EXTRA = 11
    ACCESS_REFUSED = 12
    AUDIT_BROKEN = 13


#: Every kind of error → the exit code it ends `arx` with.
EXIT_CODE_OF: Final[dict[ErrorKind, ExitCode]] = {
    ErrorKind.UNEXPECTED: ExitCode.UNEXPECTED,
    ErrorKind.SERVER_ERROR: ExitCode.UNEXPECTED,
    ErrorKind.NOT_FOUND: ExitCode.NOT_FOUND,
    ErrorKind.INVALID: ExitCode.INVALID,
    ErrorKind.INVALID_REPOSITORY: ExitCode.INVALID,
    ErrorKind.CONFLICT: ExitCode.CONFLICT,
    ErrorKind.AMBIGUOUS: ExitCode.CONFLICT,
    ErrorKind.STILL_REFERENCED: ExitCode.CONFLICT,
    ErrorKind.REPLICA_UNAVAILABLE: ExitCode.REPLICA_UNAVAILABLE,
    ErrorKind.DATABASE_UNAVAILABLE: ExitCode.REPLICA_UNAVAILABLE,
    ErrorKind.OFFLINE: ExitCode.OFFLINE,
    ErrorKind.SIGN_IN: ExitCode.SIGN_IN,
    ErrorKind.NOT_A_SERVER: ExitCode.NOT_A_SERVER,
    ErrorKind.PORT_IN_USE: ExitCode.PORT_IN_USE,
    ErrorKind.MISSING_EXTRA: ExitCode.MISSING_EXTRA,
    ErrorKind.PASSWORD_REQUIRED: ExitCode.INVALID,
    ErrorKind.ACCESS_REFUSED: ExitCode.ACCESS_REFUSED,
    ErrorKind.AUDIT_BROKEN: ExitCode.AUDIT_BROKEN,
}

#: Each exit code in the words of the help's epilog.
MEANING: Final[dict[ExitCode, str]] = {
    ExitCode.OK: "ok",
    ExitCode.UNEXPECTED: "unexpected error, or the sync server failed",
    ExitCode.USAGE: "usage error",
    ExitCode.NOT_FOUND: "not found",
    ExitCode.INVALID: "invalid input",
    ExitCode.CONFLICT: "conflict or ambiguous name",
    ExitCode.REPLICA_UNAVAILABLE: "replica (or server database) cannot be opened",
    ExitCode.OFFLINE: "sync server unreachable (local changes are kept)",
    ExitCode.SIGN_IN: "not signed in, or the sign-in has ended (run arx login)",
    ExitCode.NOT_A_SERVER: "the address answers, but is not an ArxOS sync server",
    ExitCode.PORT_IN_USE: "arx serve: the port is already in use",
    ExitCode.MISSING_EXTRA: "arx serve / arx server: the server extra is not installed",
    ExitCode.ACCESS_REFUSED: "the access pass is refused (tampered, expired, revoked, unknown…)",
    ExitCode.AUDIT_BROKEN: "an audit log entry was removed or altered",
}


def exit_code_of(kind: str) -> ExitCode:
    """The exit code for an error of *kind* (an app or sync kind: they share values)."""
    return EXIT_CODE_OF[ErrorKind(kind)]


def exit_codes_text() -> str:
    """``0 ok · 1 …``: every code with its meaning, for the help's epilog."""
    return " · ".join(f"{int(code)} {MEANING[code]}" for code in ExitCode)
