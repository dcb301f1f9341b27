"""The replica's copy of the access-pass trust set, replaced whole at every sync.

Replacing rather than merging means a key the organisation retired, or a
building the user may no longer see, stops counting on this device at its next
sync; between syncs the device keeps trusting what it last heard.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sync.tokens import TrustedKey
from sync.trust import AccessTrust, TrustKey, trusted_keys


@dataclass(frozen=True)
class LocalTrust:
    """What :func:`sync.tokens.verify` needs, read from the replica."""

    keys: dict[str, TrustedKey]
    revoked: frozenset[str]
    buildings: dict[str, str]


def store_trust(conn: sqlite3.Connection, trust: AccessTrust) -> None:
    """Replace the stored trust set with *trust* (inside the caller's transaction)."""
    conn.execute("DELETE FROM access_keys")
    conn.execute("DELETE FROM access_revoked")
    conn.execute("DELETE FROM access_buildings")
    conn.executemany(
        "INSERT INTO access_keys (kid, org_id, public_key, status) VALUES (?, ?, ?, ?)",
        [(k.kid, k.org_id, k.public_key, k.status) for k in trust.keys],
    )
    conn.executemany(
        "INSERT INTO access_revoked (token_id) VALUES (?)", [(t,) for t in set(trust.revoked)]
    )
    conn.executemany(
        "INSERT INTO access_buildings (building_id, org_id) VALUES (?, ?)",
        sorted(trust.buildings.items()),
    )


def load_trust(conn: sqlite3.Connection) -> LocalTrust:
    keys = [
        TrustKey(kid=kid, org_id=org, public_key=public, status=status)
        for kid, org, public, status in conn.execute(
            "SELECT kid, org_id, public_key, status FROM access_keys"
        )
    ]
    revoked = frozenset(t for (t,) in conn.execute("SELECT token_id FROM access_revoked"))
    buildings = dict(conn.execute("SELECT building_id, org_id FROM access_buildings").fetchall())
    return LocalTrust(trusted_keys(keys), revoked, buildings)
