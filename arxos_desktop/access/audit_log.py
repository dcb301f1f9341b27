"""The device's access log: every pass checked here, accepted or refused, with the reason.

Append-only twice over: triggers refuse ``UPDATE`` and ``DELETE`` on the table,
and each entry's hash covers the one before it (``sync.audit_chain``), so an
entry removed or edited behind the app's back (the triggers dropped, the file
edited) is found by :func:`verify_log` (``arx audit verify``).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any, Final

from arxos_desktop.store.engine import get_meta, set_meta
from arxos_desktop.store.replica import Replica
from sync.audit_chain import (
    GENESIS,
    AuditChainBrokenError,
    ChainedEntry,
    chain_hash,
    check_chain,
)

#: Where the newest entry's number and hash are kept, so cutting entries off the end shows.
_HEAD_KEY: Final = "access_audit_head"
#: The newest entry the sync server acknowledged holding; later ones are sent next sync.
_ACK_KEY: Final = "access_audit_acknowledged"


def append(conn: sqlite3.Connection, body: dict[str, Any]) -> int:
    """Add one entry (inside the caller's transaction); returns its sequence number."""
    last = conn.execute("SELECT seq, hash FROM access_audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, previous = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    digest = chain_hash(previous, body)
    conn.execute(
        "INSERT INTO access_audit (seq, prev_hash, hash, body) VALUES (?, ?, ?, ?)",
        (seq, previous, digest, json.dumps(body, sort_keys=True)),
    )
    set_meta(conn, _HEAD_KEY, f"{seq}:{digest}")
    return seq


def record(
    replica: Replica, *, event: str, outcome: str, reason: str, details: dict[str, Any]
) -> int:
    """Log one check with its time, committed at once: a log that waits can be lost."""
    body = {
        "event": event,
        "outcome": outcome,
        "reason": reason,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **details,
    }
    with replica.transaction():
        return append(replica.conn, body)


def entries(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every entry's body, oldest first."""
    return [
        json.loads(body) for (body,) in conn.execute("SELECT body FROM access_audit ORDER BY seq")
    ]


def unsent(conn: sqlite3.Connection, limit: int) -> list[dict[str, Any]]:
    """The next entries the server has not acknowledged, as stored (seq, hashes, body)."""
    after = int(get_meta(conn, _ACK_KEY) or 0)
    rows = conn.execute(
        "SELECT seq, prev_hash, hash, body FROM access_audit WHERE seq > ? ORDER BY seq LIMIT ?",
        (after, limit),
    )
    return [
        {"seq": seq, "prev_hash": prev_hash, "hash": digest, "body": _body(seq, text)}
        for seq, prev_hash, digest, text in rows
    ]


def last_seq(conn: sqlite3.Connection) -> int:
    """The newest entry's number (0: none yet)."""
    row = conn.execute("SELECT max(seq) FROM access_audit").fetchone()
    return int(row[0] or 0)


def acknowledge(conn: sqlite3.Connection, seq: int) -> None:
    """Remember that the server holds every entry up to *seq* (inside the caller's transaction)."""
    set_meta(conn, _ACK_KEY, str(seq))


def verify_log(conn: sqlite3.Connection) -> int:
    """How many entries the log holds, or ``AuditChainBrokenError`` naming the first bad one."""
    rows = conn.execute("SELECT seq, prev_hash, hash, body FROM access_audit ORDER BY seq")
    count = check_chain(
        ChainedEntry(seq, prev_hash, digest, _body(seq, text))
        for seq, prev_hash, digest, text in rows
    )
    head = get_meta(conn, _HEAD_KEY)
    last = conn.execute("SELECT hash FROM access_audit ORDER BY seq DESC LIMIT 1").fetchone()
    if head is not None and head != f"{count}:{last[0] if last else GENESIS}":
        raise AuditChainBrokenError(
            f"The access log ends at entry {count}, but more were written: entries were cut"
        )
    return count


def _body(seq: int, text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        raise AuditChainBrokenError(f"Audit entry {seq} was altered after it was written") from None
    if not isinstance(body, dict):
        raise AuditChainBrokenError(f"Audit entry {seq} was altered after it was written")
    return body
