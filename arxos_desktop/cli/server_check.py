"""Whether an address is an ArxOS sync server, and sync errors in the CLI's words.

Shared by `arx login` and `arx sync` (:mod:`arxos_desktop.cli.account_commands`,
:mod:`arxos_desktop.cli.sync_commands`). Being offline is normal for a field
device, so it is reported calmly, with the count of changes kept safe; an address
that answers but is not an ArxOS sync server (a web site, a typo in the port) is
said to be exactly that, with its own exit code, rather than "cannot reach" or a
parser's complaint. A 401 from anywhere means the sign-in, and exits 8.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from arxos_desktop.account import Credentials, CredentialsCorruptError, load_credentials
from arxos_desktop.cli.args import open_replica, state
from arxos_desktop.errors import ArxosError, ErrorKind

#: What the service's ``GET /v1/health`` answers with (``sync.server.models.HealthOut``).
HEALTH_FIELDS: Final = frozenset({"status", "database", "version"})
HEALTH_TIMEOUT: Final = 5.0


class ServerUnreachableError(ArxosError):
    """The sync server cannot be reached; local work is safe (exit code 7)."""

    kind = ErrorKind.OFFLINE


class NotSignedInError(ArxosError):
    """No sign-in, or one the server no longer accepts (exit code 8)."""

    kind = ErrorKind.SIGN_IN


class SyncFailedError(ArxosError):
    """The server refused or kept failing; it said why (exit code 1)."""

    kind = ErrorKind.SERVER_ERROR


class NotAServerError(ArxosError):
    """The address answers, but not as an ArxOS sync server (exit code 9)."""

    kind = ErrorKind.NOT_A_SERVER

    def __init__(self, server: str) -> None:
        super().__init__(
            f"{server} answers, but this is not an ArxOS sync server; check the address "
            "(e.g. https://sync.example.com, no path)"
        )


def check_server(server: str, timeout: float = HEALTH_TIMEOUT) -> bool:
    """True when *server* is an ArxOS sync server ready to serve, False when it is
    unreachable or says its database is down; :class:`NotAServerError` when something
    else answers, :class:`NotSignedInError` on a 401."""
    import httpx

    try:
        response = httpx.get(f"{server}/v1/health", timeout=timeout)
    except httpx.HTTPError:
        return False
    if response.status_code == 401:
        raise NotSignedInError(f"{server} does not accept this device's sign-in; run arx login")
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code not in (200, 503) or not isinstance(body, dict):
        raise NotAServerError(server)
    if not body.keys() >= HEALTH_FIELDS:
        raise NotAServerError(server)
    return response.status_code == 200


def home_dir() -> Path:
    from arxos_desktop.config import resolve_home

    return resolve_home(state.home)


def changes_text(count: int) -> str:
    return f"{count} change{'s' if count != 1 else ''}"


def offline_message(server: str, pending: int) -> str:
    """The calm sentence for a device that is simply out of reach of its server."""
    if pending:
        verb = "is" if pending == 1 else "are"
        return (
            f"Cannot reach the sync server at {server}; your {changes_text(pending)} "
            f"{verb} safe and will sync later"
        )
    return f"Cannot reach the sync server at {server}; nothing is waiting to sync"


def pending_counts(home: Path) -> tuple[int, int]:
    """(pending, rejected) outbox counts, without creating a replica that is not there."""
    from arxos_desktop.config import REPLICA_FILE

    if not (home / REPLICA_FILE).exists():
        return 0, 0
    from sync.outbox import ChangeState, count_changes

    with open_replica() as replica:
        return count_changes(replica.conn), count_changes(replica.conn, state=ChangeState.REJECTED)


def require_credentials(home: Path) -> Credentials:
    try:
        credentials = load_credentials(home)
    except CredentialsCorruptError as exc:
        raise NotSignedInError(str(exc)) from None
    if credentials is None:
        raise NotSignedInError("This device is not signed in to a sync server; run arx login")
    return credentials


def translated(exc: Exception, server: str, pending: Callable[[], int]) -> ArxosError:
    """A sync or transfer error as the CLI's error with its exit code (see ``cli.ExitCode``)."""
    from sync import client
    from sync.transfer import TransferInterruptedError

    if isinstance(exc, client.OfflineError | TransferInterruptedError):
        return ServerUnreachableError(offline_message(server, pending()))
    if isinstance(exc, client.SignInRequiredError) or getattr(exc, "status_code", 0) == 401:
        reason = str(exc).rstrip(".")
        return NotSignedInError(reason if "arx login" in reason else f"{reason}; run arx login")
    return SyncFailedError(str(exc))
