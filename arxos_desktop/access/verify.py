"""Checking a pass on this device, offline, and logging the outcome either way.

Only local data counts: the trust set the last sync brought, the buildings in
the replica and this device's clock. Every check, accepted or refused, is a
new entry in the device's access log (``audit_log``) with the reason; the pass
itself is never logged (it is a bearer credential), only its id once it
verified, or a hash of what was presented when it did not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from arxos_desktop.access import audit_log
from arxos_desktop.access.describe import describe_scope, local_now
from arxos_desktop.access.errors import NoPassInImageError
from arxos_desktop.access.trust_store import load_trust
from arxos_desktop.errors import ArxosError
from arxos_desktop.store.replica import Replica
from sync.token_errors import AccessRefusedError
from sync.tokens import AccessClaims, verify

#: Files whose pass is read from a QR code, through the scanner's own pipeline.
IMAGE_SUFFIXES: Final = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
)


@dataclass(frozen=True)
class PassCheck:
    """An accepted pass: what it grants, in claims and in words."""

    claims: AccessClaims
    building_name: str
    scope: str
    #: The device's access-log entry recording this check.
    audit_seq: int
    #: The pass itself, as read from its source (text, PDF or image).
    token: str

    def as_json(self) -> dict[str, Any]:
        claims = self.claims
        return {
            "valid": True,
            "scope": self.scope,
            "building_id": claims.building_id,
            "building_name": self.building_name,
            "org_id": claims.org_id,
            "contractor_id": claims.contractor_id,
            "token_id": claims.token_id,
            "systems": None if claims.systems is None else [str(s) for s in claims.systems],
            "floors": None if claims.floors is None else list(claims.floors),
            "permissions": [str(p) for p in claims.permissions],
            "not_before": claims.not_before_at.isoformat(),
            "expires": claims.expires_at.isoformat(),
        }


def building_name(replica: Replica, building_id: str) -> str | None:
    row = replica.conn.execute(
        "SELECT name FROM buildings WHERE id = ? AND deleted = 0", (building_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def pass_in_image(path: Path) -> str:
    """The first pass among the codes the scanner reads in the photo at *path*."""
    from arxos_desktop.scanner.files import scan_file
    from arxos_desktop.scanner.routing import Route, classify

    for code in scan_file(path):
        routed = classify(code.data)
        if routed.route is Route.ACCESS_TOKEN and routed.text:
            return routed.text
    raise NoPassInImageError()


def _token_of(source: str | Path | bytes) -> tuple[str, str]:
    """(the pass text, what it came from: ``pdf``, ``image`` or ``text``)."""
    # Imported here, on the store worker: PyMuPDF must not delay the app's start-up,
    # which builds the Scan page (and so imports this module) before the first rows show.
    from arxos_desktop.access.pass_pdf import read_pass_token

    if isinstance(source, bytes):
        return read_pass_token(source), "pdf"
    if isinstance(source, Path):
        if source.suffix.lower() in IMAGE_SUFFIXES:
            return pass_in_image(source), "image"
        return read_pass_token(source), "pdf"
    return source.strip(), "text"


def _refusal_reason(error: ArxosError | AccessRefusedError) -> str:
    if isinstance(error, AccessRefusedError):
        return str(error.reason)
    return type(error).__name__.removesuffix("Error").lower()


def verify_pass(
    replica: Replica, source: str | Path | bytes, *, now: dt.datetime | None = None
) -> PassCheck:
    """The accepted pass from *source* (pass text, or a pass PDF as a file or its bytes);
    else the refusal, raised.

    Either way the check is logged before this returns or raises.
    """
    now = now or local_now()
    kind = "text" if isinstance(source, str) else "pdf"
    if isinstance(source, Path) and source.suffix.lower() in IMAGE_SUFFIXES:
        kind = "image"
    fingerprint = ""
    try:
        token, kind = _token_of(source)
        fingerprint = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:16]
        trust = load_trust(replica.conn)
        claims = verify(token, trust.keys, trust.revoked, now, trust.buildings)
    except (ArxosError, AccessRefusedError) as error:
        details = {"source": kind, "fingerprint": fingerprint}
        audit_log.record(
            replica,
            event="verify",
            outcome="refused",
            reason=_refusal_reason(error),
            details=details,
        )
        raise
    name = building_name(replica, claims.building_id) or "this building"
    scope = describe_scope(claims, building_name=name, now=now)
    seq = audit_log.record(
        replica,
        event="verify",
        outcome="accepted",
        reason="",
        details={
            "source": kind,
            "fingerprint": fingerprint,
            "token_id": claims.token_id,
            "building_id": claims.building_id,
            "contractor_id": claims.contractor_id,
        },
    )
    return PassCheck(claims, name, scope, seq, token.strip())
