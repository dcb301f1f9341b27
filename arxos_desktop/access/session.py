"""A contractor's session on this device: one pass, its scope, and its end.

Starting one checks the pass offline (and logs it), and, when a server is given,
exchanges it for a sign-in limited to the pass (``POST /v1/access/exchange``:
no refresh token, it ends with the pass), so the device syncs exactly that
scope. From then on the pass's scope guards every local write
(:class:`~arxos_desktop.access.scope.PassScope` as the replica's write guard).
The session is kept in ``<home>/access_session.json``, owner-only, so a restart
resumes it; resuming checks the pass again, so one that expired or was
withdrawn meanwhile comes back already over.

Ending it never loses an edit: unsent changes are pushed first when the caller
can reach the server; what cannot be sent stays in the outbox (with its rows)
and is counted in the result. Only then does the building's data leave the
device, by the same removal the sync uses when a grant is taken away.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from arxos_desktop.access import audit_log
from arxos_desktop.access.describe import local_now
from arxos_desktop.access.errors import AccessError
from arxos_desktop.access.scope import PassScope
from arxos_desktop.access.session_marks import MARKER_KEY as _MARKER_KEY
from arxos_desktop.access.session_marks import SESSION_FILE
from arxos_desktop.access.verify import PassCheck, verify_pass
from arxos_desktop.account import (
    Credentials,
    clear_credentials,
    load_credentials,
    normalize_server_url,
    save_credentials,
)
from arxos_desktop.errors import ErrorKind
from arxos_desktop.store.engine import get_meta, set_meta
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.store.replica import Replica
from arxos_desktop.store.rescope import finish_rescope
from arxos_desktop.sync_client import client_for
from sync.client import OfflineError
from sync.client.errors import ClientSyncError, reason_of
from sync.client.target import SyncReport
from sync.durable import fsync_dir
from sync.token_errors import AccessRefusedError

#: A session ends this long before its pass does: the exchanged sign-in ends with the pass,
#: so unsent changes must be pushed while it still holds.
END_MARGIN_S: Final = 120.0
#: The sign-in an exchanged pass gives is stored under this name: it is nobody's email.
HOLDER_PREFIX: Final = "pass:"
_FIELDS: Final = ("token", "building_id", "token_id", "expires", "server")


class SessionFileError(AccessError):
    kind = ErrorKind.SIGN_IN

    def __init__(self) -> None:
        super().__init__(
            "This device's contractor session file is damaged; scan the pass again to start over."
        )


class PassNotExchangedError(AccessError):
    """The server refused to sign this device in with the pass (its own sentence says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"The sync server did not accept this pass: {reason}")


@dataclass(frozen=True)
class ContractorSession:
    """The pass this device works under, and whether it still holds."""

    token: str
    building_id: str
    token_id: str
    #: When the pass ends, in Unix seconds.
    expires: int
    #: The server the pass was exchanged with; None while it works offline only.
    server: str | None
    #: Why the pass no longer holds (a sentence); None while it does.
    ended: str | None = None

    def expires_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.expires, dt.UTC)

    def seconds_left(self, now: dt.datetime) -> float:
        """Until the session must end (:data:`END_MARGIN_S` before the pass does)."""
        return self.expires - END_MARGIN_S - now.timestamp()


@dataclass(frozen=True)
class SessionEnd:
    """What ending a session did: pushed first or not, what stayed, what left."""

    pushed: bool
    #: Changes of the building still waiting to be sent, kept with their rows.
    kept: int
    removed: int

    def sentence(self) -> str:
        if self.kept:
            return (
                f"Your pass has ended. {self.kept} change{'s' if self.kept != 1 else ''} could not"
                " be sent and stay on this device until someone signed in syncs it; the rest of"
                " the building's data has been removed."
            )
        sent = " Your changes were sent first." if self.pushed else ""
        return f"Your pass has ended and the building's data has left this device.{sent}"


def session_path(home: Path) -> Path:
    return home / SESSION_FILE


def exchange_pass(server: str, token: str, device_id: str, *, timeout: float = 15.0) -> Credentials:
    """A sign-in limited to the pass, from *server*; :class:`OfflineError` if unreachable."""
    base = normalize_server_url(server)
    try:
        response = httpx.post(
            f"{base}/v1/access/exchange",
            json={"token": token, "device_id": device_id},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise OfflineError(f"Cannot reach the sync server at {base}") from exc
    if response.status_code != 200:
        raise PassNotExchangedError(reason_of(response))
    body = response.json()
    return Credentials(base, f"{HOLDER_PREFIX}{body['token_id']}", body["access_token"], "")


def start_session(
    replica: Replica,
    source: str | Path | bytes,
    *,
    credentials: Credentials | None = None,
    now: dt.datetime | None = None,
) -> tuple[ContractorSession, PassCheck]:
    """Check the pass, keep the session (and *credentials*, its exchanged sign-in), guard writes.

    Exchanging is the caller's network call (:func:`exchange_pass`), made off the
    store's worker. A refused pass raises and starts nothing.
    """
    check = verify_pass(replica, source, now=now)
    claims = check.claims
    token = check.token
    if credentials is not None:
        save_credentials(replica.home, credentials)
    session = ContractorSession(
        token=token,
        building_id=claims.building_id,
        token_id=claims.token_id,
        expires=claims.expires,
        server=None if credentials is None else credentials.server,
    )
    _save(replica.home, session)
    replica.access_scope = PassScope.of(claims)
    details = {"token_id": claims.token_id, "building_id": claims.building_id}
    with replica.transaction():
        set_meta(replica.conn, _MARKER_KEY, json.dumps({**details, "expires": claims.expires}))
    audit_log.record(replica, event="session", outcome="started", reason="", details=details)
    return session, check


def resume_session(replica: Replica, *, now: dt.datetime | None = None) -> ContractorSession | None:
    """The session kept on this device, checked again; None if there is none.

    While the pass holds, its scope guards writes again. A pass that no longer
    holds (expired, withdrawn) comes back with :attr:`ContractorSession.ended`
    saying why, and every local write refused until :func:`end_session`.
    """
    session = load_session(replica.home) or _marked_session(replica)
    if session is None:
        return None
    if session.ended is not None:
        replica.access_scope = _nothing_allowed(session)
        return session
    try:
        check = verify_pass(replica, session.token, now=now or local_now())
    except AccessRefusedError as refusal:
        replica.access_scope = _nothing_allowed(session)
        return ContractorSession(**{**session.__dict__, "ended": str(refusal)})
    replica.access_scope = PassScope.of(check.claims)
    return session


def _marked_session(replica: Replica) -> ContractorSession | None:
    """The session the replica noted as running when its file has gone: over at once."""
    marker = get_meta(replica.conn, _MARKER_KEY)
    if not marker:
        return None
    data = json.loads(marker)
    return ContractorSession(
        token="",
        building_id=str(data["building_id"]),
        token_id=str(data["token_id"]),
        expires=int(data["expires"]),
        server=None,
        ended="This device's contractor session file was removed, so the session has ended.",
    )


def _nothing_allowed(session: ContractorSession) -> PassScope:
    return PassScope(
        session.building_id, frozenset(), frozenset(), frozenset(), token_id=session.token_id
    )


def end_session(
    replica: Replica,
    session: ContractorSession,
    *,
    push: Callable[[], object] | None = None,
    reason: str = "expired",
) -> SessionEnd:
    """Push what waits (when *push* is given and the server answers), then let the building go.

    *push* sends the outbox (the sync client's push); an unreachable server leaves
    the changes kept and counted, never dropped.
    """
    replica.access_scope = _nothing_allowed(session)
    pushed = False
    if push is not None and _pending(replica, session.building_id):
        try:
            push()
            pushed = True
        except ClientSyncError:  # unreachable or signed out: kept, counted below, reported
            pushed = False
    kept = _pending(replica, session.building_id)
    removed = finish_rescope(replica, session.building_id, set(), None)
    credentials = load_credentials(replica.home)
    if credentials is not None and credentials.email == f"{HOLDER_PREFIX}{session.token_id}":
        clear_credentials(replica.home)
    session_path(replica.home).unlink(missing_ok=True)
    fsync_dir(replica.home)
    with replica.transaction():
        set_meta(replica.conn, _MARKER_KEY, "")
    replica.access_scope = None
    audit_log.record(
        replica,
        event="session",
        outcome="ended",
        reason=reason,
        details={
            "token_id": session.token_id,
            "building_id": session.building_id,
            "kept": kept,
            "removed": removed,
        },
    )
    return SessionEnd(pushed=pushed, kept=kept, removed=removed)


def pusher(replica: Replica, credentials: Credentials) -> Callable[[], object]:
    """The push :func:`end_session` runs: every pending change, with *credentials*."""

    def push() -> None:
        client = client_for(credentials, replica.home, ReplicaSyncTarget(replica))
        try:
            client.push_pending(SyncReport())
        finally:
            client.close()

    return push


def _pending(replica: Replica, building_id: str) -> int:
    row = replica.conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE building_id = ? AND state = 'pending'", (building_id,)
    ).fetchone()
    return int(row[0])


def load_session(home: Path) -> ContractorSession | None:
    path = session_path(home)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        raise SessionFileError() from None
    if not isinstance(data, dict) or set(data) != set(_FIELDS):
        raise SessionFileError()
    if not all(isinstance(data[k], str) for k in ("token", "building_id", "token_id")):
        raise SessionFileError()
    if not isinstance(data["expires"], int) or not isinstance(data["server"], str | None):
        raise SessionFileError()
    return ContractorSession(**data)


def _save(home: Path, session: ContractorSession) -> None:
    """Owner-only from its first byte, replaced atomically: the pass is a bearer credential."""
    home.mkdir(parents=True, exist_ok=True)
    data = {name: getattr(session, name) for name in _FIELDS}
    fd, name = tempfile.mkstemp(dir=home, prefix=".access-session-", suffix=".tmp")
    temp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, sort_keys=True)
            file.flush()
            os.fsync(file.fileno())
        temp.chmod(0o600)
        temp.replace(session_path(home))
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(home)
