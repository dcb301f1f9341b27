"""Pass holders whose pass has ended: signed out, ungranted and switched off for good.

A holder (``sync.server.access_exchange``) is an account made for one pass.
Once the pass has ended, withdrawn or simply past its expiry, nothing of the
holder may keep working or linger as a member of the building: its grant goes,
its sign-ins and their refresh tokens go, its API keys stop, and the account
is switched off, so password, refresh, API key and access token all fail on
the ``is_active`` check every path already makes. The user row itself stays:
pushed rows, the change log, audit entries and device logs name it, and
history is never rewritten.

A withdrawal removes its holder at once (``access_passes.revoke_pass``). An
expiry has no request of its own, so :func:`sweep` finds ended passes whose
holder is still live, a bounded batch at a time (``sync.server.holder_sweeps``
runs it at start-up and every few minutes; ``arx server passes prune`` on
demand). The pass records when its holder went (``holder_removed_at``): the
sweep reads a partial index of the passes still due, which stays small
however many passes ended, and the mark is set by a conditional UPDATE, so two
processes sweeping at once (or a sweep racing a withdrawal) cannot both remove
a holder or log it twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Final, Literal

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from sync.server import access_audit
from sync.server.access_models import AccessPass
from sync.server.models import ApiKey, AuthSession, Grant, RefreshToken, User, utcnow

#: Holders removed per sweep: a sweep is one transaction, and a backlog (say, after a
#: long downtime) is worked off over several sweeps instead of in one long one.
SWEEP_BATCH: Final = 500
#: The actor of the log entries a sweep writes: nobody asked, the pass simply ran out.
SWEEP_ACTOR: Final = "server"
#: The access-log event of a holder's removal.
HOLDER_REMOVED: Final = "holder_removed"

Reason = Literal["expired", "revoked"]


def remove_holder(
    session: Session, record: AccessPass, *, reason: Reason, actor: str, now: dt.datetime
) -> bool:
    """Remove *record*'s holder in the caller's transaction; False if there is none left to."""
    if record.holder_id is None:
        return False
    due = [(record.token_id, record.org_id, record.holder_id, reason)]
    return _remove(session, due, actor=actor, now=now) == 1


def sweep(session: Session, *, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Remove the holders of up to *limit* ended passes, oldest first; how many. Committed.

    ``SKIP LOCKED`` (PostgreSQL; SQLite has one writer) lets a second process
    sweeping at the same moment take the next passes instead of waiting.
    """
    now = now or utcnow()
    query = (
        select(AccessPass.token_id, AccessPass.org_id, AccessPass.holder_id, AccessPass.revoked_at)
        .where(col(AccessPass.holder_id).is_not(None))
        .where(col(AccessPass.holder_removed_at).is_(None))
        .where(or_(col(AccessPass.expires_at) <= now, col(AccessPass.revoked_at).is_not(None)))
        .order_by(col(AccessPass.expires_at), col(AccessPass.token_id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    due: list[tuple[str, str, str, Reason]] = []
    for token_id, org_id, holder_id, revoked_at in session.exec(query):
        reason: Reason = "expired" if revoked_at is None else "revoked"
        if holder_id is not None:
            due.append((token_id, org_id, holder_id, reason))
    removed = _remove(session, due, actor=SWEEP_ACTOR, now=now)
    session.commit()
    return removed


def sweep_all(session: Session, *, now: dt.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Sweep batch after batch (each committed) until none is left; how many in all."""
    total = 0
    while True:
        removed = sweep(session, now=now, limit=batch)
        total += removed
        if removed < batch:
            return total


def _remove(
    session: Session,
    due: Sequence[tuple[str, str, str, Reason]],
    *,
    actor: str,
    now: dt.datetime,
) -> int:
    """Claim the passes still unmarked, then clean their holders and log each; how many."""
    if not due:
        return 0
    claimed = set(
        session.exec(
            update(AccessPass)
            .where(col(AccessPass.token_id).in_([token_id for token_id, *_ in due]))
            .where(col(AccessPass.holder_removed_at).is_(None))
            .values(holder_removed_at=now)
            .returning(col(AccessPass.token_id))
        ).scalars()
    )
    mine = [entry for entry in due if entry[0] in claimed]
    _clean_accounts(session, {holder_id for _, _, holder_id, _ in mine}, now=now)
    # One organisation's log head after another, in the same order in every process,
    # so two sweeps that each lock several heads cannot wait on each other.
    for token_id, org_id, holder_id, reason in sorted(mine, key=lambda e: (e[1], e[0])):
        access_audit.append(
            session,
            org_id,
            event=HOLDER_REMOVED,
            actor=actor,
            details={"token_id": token_id, "holder": holder_id, "reason": reason},
            at=now,
        )
    return len(mine)


def _clean_accounts(session: Session, holder_ids: Collection[str], *, now: dt.datetime) -> None:
    """Sign-ins, refresh tokens and grants deleted, API keys stopped, accounts switched off."""
    if not holder_ids:
        return
    ids = sorted(holder_ids)
    session.exec(delete(RefreshToken).where(col(RefreshToken.user_id).in_(ids)))
    session.exec(delete(AuthSession).where(col(AuthSession.user_id).in_(ids)))
    session.exec(delete(Grant).where(col(Grant.user_id).in_(ids)))
    session.exec(
        update(ApiKey)
        .where(col(ApiKey.user_id).in_(ids))
        .where(col(ApiKey.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    session.exec(update(User).where(col(User.id).in_(ids)).values(is_active=False))
