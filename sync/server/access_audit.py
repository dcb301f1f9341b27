"""The server's access log: one append-only, hash-chained log per organisation.

Appending locks the organisation's head row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite has one writer anyway), so two API processes appending at
once still form one chain instead of a fork. The entry is written in the
caller's transaction: an issue that rolls back leaves no entry, and an entry
never lacks the issue it records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from sync.audit_chain import (
    GENESIS,
    AuditChainBrokenError,
    ChainedEntry,
    chain_hash,
    check_chain,
)
from sync.server.access_models import AccessAuditEntry, AccessAuditHead
from sync.server.models import utcnow


def append(
    session: Session,
    org_id: str,
    *,
    event: str,
    actor: str,
    details: dict[str, Any],
    at: dt.datetime | None = None,
) -> AccessAuditEntry:
    """Add one entry to *org_id*'s chain (not committed)."""
    head = session.exec(
        select(AccessAuditHead).where(AccessAuditHead.org_id == org_id).with_for_update()
    ).first()
    if head is None:
        head = AccessAuditHead(org_id=org_id, seq=0, hash=GENESIS)
    body = {
        "event": event,
        "actor": actor,
        "at": (at or utcnow()).isoformat(timespec="seconds"),
        **details,
    }
    digest = chain_hash(head.hash, body)
    entry = AccessAuditEntry(
        org_id=org_id, seq=head.seq + 1, prev_hash=head.hash, hash=digest, body=body
    )
    head.seq, head.hash = entry.seq, digest
    session.add(head)
    session.add(entry)
    session.flush()
    return entry


def verify_chain(session: Session, org_id: str) -> int:
    """The number of entries of *org_id*'s chain; ``AuditChainBrokenError`` if it was altered.

    The head row is compared too: cutting entries off the end leaves the head
    pointing past the last entry.
    """
    entries = session.exec(
        select(AccessAuditEntry)
        .where(AccessAuditEntry.org_id == org_id)
        .order_by(col(AccessAuditEntry.seq))
    )
    count = check_chain(ChainedEntry(e.seq, e.prev_hash, e.hash, e.body) for e in entries)
    head = session.get(AccessAuditHead, org_id)
    if head is not None and head.seq != count:
        raise AuditChainBrokenError(
            f"The access log ends at entry {count} but {head.seq} were written: entries were cut"
        )
    return count
