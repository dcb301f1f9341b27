"""What the app shows after a pass was scanned: accepted with its scope, or refused with why.

A refusal is an answer here, not a failure: the contractor needs the sentence
(expired, withdrawn, altered...) and the device's log already holds the entry
(``verify_pass`` logs before it raises).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from arxos_desktop.access.describe import local_now, when
from arxos_desktop.access.errors import AccessError
from arxos_desktop.access.verify import verify_pass
from arxos_desktop.store.replica import Replica
from sync.token_errors import AccessRefusedError
from sync.tokens import AccessClaims

#: Refusals a sync could lift: a device that never synced knows no issuer and no building.
_NOT_SYNCED_YET: Final = frozenset({"unknown_issuer", "unknown_building"})


@dataclass(frozen=True)
class PassSummary:
    """One checked pass as the pass view shows it."""

    accepted: bool
    #: The scope sentence when accepted; the refusal's sentence when not.
    sentence: str
    #: The refusal's one word (``expired``, ``revoked``...); empty when accepted.
    reason: str = ""
    issuer: str = ""
    valid_until: str = ""
    contractor: str = ""
    #: The pass as read (to start a session with it); empty when refused.
    token: str = ""
    claims: AccessClaims | None = None

    @property
    def needs_sync(self) -> bool:
        """Refused only because this device has not synced what would vouch for it yet."""
        return self.reason in _NOT_SYNCED_YET

    @property
    def heading(self) -> str:
        return "Pass accepted" if self.accepted else "Pass refused"


def issuer_name(replica: Replica, claims: AccessClaims, building_name: str) -> str:
    """The organisation that signed the pass, by name when this device knows it.

    The pass names the signing organisation by its server id; the replica may hold
    its record under that id, or as the building's owner.
    """
    row = replica.conn.execute(
        "SELECT name FROM organizations WHERE deleted = 0 AND (id = ? OR id ="
        " (SELECT org_id FROM buildings WHERE id = ?)) ORDER BY id = ? DESC LIMIT 1",
        (claims.org_id, claims.building_id, claims.org_id),
    ).fetchone()
    return str(row[0]) if row else f"The organisation that owns {building_name}"


def check_pass(
    replica: Replica, source: str | Path | bytes, *, now: dt.datetime | None = None
) -> PassSummary:
    """Check *source* offline (logged either way) and say what it grants or why it is refused."""
    now = now or local_now()
    try:
        check = verify_pass(replica, source, now=now)
    except AccessRefusedError as refusal:
        reason = str(refusal.reason)
        # Kept only when the server could still vouch for it (see needs_sync).
        kept = source.strip() if isinstance(source, str) and reason in _NOT_SYNCED_YET else ""
        return PassSummary(False, str(refusal), reason=reason, token=kept)
    except AccessError as refusal:
        return PassSummary(False, str(refusal), reason="unreadable")
    claims = check.claims
    token = check.token
    return PassSummary(
        True,
        check.scope,
        issuer=issuer_name(replica, claims, check.building_name),
        valid_until=when(claims.expires_at, now, absolute=True),
        contractor=claims.contractor_id,
        token=token,
        claims=claims,
    )
