"""Push and pull: the server half of the sync protocol (``docs/sync-protocol.md``).

A push is one transaction, taken under a global lock so change sequences
commit in order (a puller can never skip a lower sequence that commits later).
Each change is answered on its own: accepted, merged (some fields lost to
newer edits, with the winning values) or rejected (with a reason); the answer
is stored under the pushing user and the change id, so a retried batch applies
nothing twice and nobody can collect another user's answer.

The work is split by stage: ``push_checks`` (what a change must pass),
``push_apply`` (access, merge, what to write), ``push_write`` (the lock and the
batched writes) and ``pull``; this module runs a push through them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from sync import jsonfast
from sync.errors import ClockError
from sync.protocol import PushRequest, PushResponse
from sync.server.blob_access import readable_among
from sync.server.collector import collector_paused
from sync.server.pull import PullPage, pull_page
from sync.server.push_apply import ClaimBuilding, PushContext
from sync.server.push_checks import ChangeRejectedError, cited_blobs, referenced
from sync.server.push_write import (
    current_cursor,
    earlier_answers,
    lock_for_push,
    unseen_deletes,
    write_push,
)
from sync.server.scope import Access

__all__ = [
    "ChangeRejectedError",
    "ClaimBuilding",
    "PullPage",
    "PushContext",
    "PushOutcome",
    "apply_push",
    "current_cursor",
    "lock_for_push",
    "pull_page",
    "push",
]


@dataclass
class PushOutcome:
    """A push's answers as ``ChangeResult``-shaped dicts, and the cursor after it.

    Dicts, not models: the route encodes them straight to JSON; building a model
    per answer only to serialise it again cost more than applying the change.
    """

    results: list[dict[str, Any]]
    cursor: int

    def response(self) -> PushResponse:
        """The answers as the protocol model, for in-process callers."""
        return PushResponse.model_validate({"results": self.results, "cursor": self.cursor})

    def json(self) -> bytes:
        """The ``PushResponse`` JSON."""
        return jsonfast.dumps_bytes({"results": self.results, "cursor": self.cursor})


def push(
    session: Session,
    request: PushRequest,
    *,
    user_id: str,
    accesses: dict[str, Access],
    claim_building: ClaimBuilding,
) -> PushResponse:
    """Apply a batch in order, in one transaction (the caller commits)."""
    return apply_push(
        session, request, user_id=user_id, accesses=accesses, claim_building=claim_building
    ).response()


def _rejected(change_id: str, reason: str) -> dict[str, Any]:
    return {
        "change_id": change_id,
        "status": "rejected",
        "reason": reason,
        "winning": {},
        "seq": None,
    }


def apply_push(
    session: Session,
    request: PushRequest,
    *,
    user_id: str,
    accesses: dict[str, Access],
    claim_building: ClaimBuilding,
) -> PushOutcome:
    """:func:`push`, answering with plain dicts (what the route sends as they are)."""
    with collector_paused():
        return _apply(
            session, request, user_id=user_id, accesses=accesses, claim_building=claim_building
        )


def _apply(
    session: Session,
    request: PushRequest,
    *,
    user_id: str,
    accesses: dict[str, Access],
    claim_building: ClaimBuilding,
) -> PushOutcome:
    lock_for_push(session)
    context = PushContext(
        session,
        user_id=user_id,
        device_id=request.device_id,
        accesses=dict(accesses),
        claim_building=claim_building,
    )
    changes = request.changes
    context.unseen_deletes = unseen_deletes(session, request)
    answered = earlier_answers(session, user_id, [change.change_id for change in changes])
    # Everything the checks read, loaded up front: one query per entity, not per change.
    context.lookup.prefetch([*((c.entity, c.entity_id) for c in changes), *referenced(changes)])
    context.readable_blobs = readable_among(session, cited_blobs(changes), user_id, accesses)
    results: list[dict[str, Any]] = []
    to_store: list[dict[str, Any]] = []
    for change in changes:
        earlier = answered.get(change.change_id)
        if earlier is not None:
            results.append(earlier)
            continue
        try:
            answer = context.apply(change)
        except (ChangeRejectedError, ClockError) as exc:
            answer = _rejected(change.change_id, str(exc))
        answered[change.change_id] = answer
        if answer["status"] != "accepted":
            to_store.append(
                {
                    "change_id": change.change_id,
                    "device_id": request.device_id,
                    "user_id": user_id,
                    "result": answer,
                    "created_at": context.now,
                }
            )
        results.append(answer)
    write_push(context, to_store)
    return PushOutcome(results, max(context.next_seq - 1, 0))
