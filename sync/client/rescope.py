"""Keeping the replica to what the user may see now, when their access changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from sync.client.target import SyncReport, SyncTarget
from sync.protocol import PullResponse

#: Fetches one pull page for the given query parameters.
PageGetter = Callable[[dict[str, Any]], PullResponse]


#: Asks the server to list the caller's buildings with their scope tags (``PullResponse.scopes``).
WITH_SCOPES: Final = {"scopes": "true"}


@dataclass
class ScopeWatch:
    """What the pages of one pull run said about the caller's access, for the rescope.

    Each page carries the scope tags it was filtered under; a building whose tag was
    not the same on every page, or not the one the replica holds, must be checked.
    A run from cursor 0 is itself a snapshot of each building whose tag held still,
    so for those it keeps the ids it received and no second download is needed.
    """

    from_start: bool
    tags: list[dict[str, str]] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=dict)
    #: A page came without tags: the server predates them, so nothing can be checked.
    legacy: bool = False

    def observe(self, page: PullResponse) -> None:
        if page.scopes is None:
            self.legacy = True
            return
        self.tags.append(page.scopes)
        if self.from_start:
            for change in page.changes:
                if change.building_id is not None:
                    self.seen.setdefault(change.building_id, set()).add(change.entity_id)

    def tags_of(self, building_id: str) -> set[str | None]:
        """The building's tag on each page (None on a page where it was not granted)."""
        return {tags.get(building_id) for tags in self.tags}


def reconcile_scopes(
    target: SyncTarget,
    get_page: PageGetter,
    page_size: int,
    report: SyncReport,
    watch: ScopeWatch,
) -> None:
    """Make the replica hold exactly what the user may see now, building by building.

    The cursor only brings rows changed after it, so an access change is caught by
    comparing scope tags (``docs/sync-protocol.md``, "Access changes"): a building
    whose tag changed, or that is new to the device, is re-pulled whole and the rows
    it no longer shows are removed; a building that left the list is removed. The
    replica stores a building's new tag only once that is done, so a re-pull cut
    short by the network is simply done again at the next sync.
    """
    if watch.legacy or not watch.tags:
        return  # a server that cannot report access changes
    known = target.scope_tags()
    current = watch.tags[-1]
    for building_id, tag in sorted(current.items()):
        tags = watch.tags_of(building_id)
        if tags == {known.get(building_id)}:
            continue
        if watch.from_start and tags == {tag}:
            # This run started at cursor 0 under one unchanged access: it was the snapshot.
            snapshot: tuple[set[str], str] | None = (watch.seen.get(building_id, set()), tag)
        else:
            snapshot = _repull(target, get_page, page_size, report, building_id)
        if snapshot is not None:
            seen, held = snapshot
            report.removed_by_scope += target.finish_rescope(building_id, seen, held)
    for building_id in sorted(set(known) - set(current)):
        report.removed_by_scope += target.finish_rescope(building_id, set(), None)


def _repull(
    target: SyncTarget,
    get_page: PageGetter,
    page_size: int,
    report: SyncReport,
    building_id: str,
) -> tuple[set[str], str] | None:
    """Every row of one building the user may see now: the ids, and the tag they hold for.

    Pages are applied as usual but leave the device's cursor where it was: rows of
    other buildings changed after it are still to come. None when the access changed
    again between pages (the rows are kept, nothing is removed: the next sync retries).
    """
    keep = target.cursor()
    seen: set[str] = set()
    tags: set[str | None] = set()
    cursor = 0
    while True:
        params = {"cursor": cursor, "limit": page_size, "building": building_id}
        page = get_page({**params, **WITH_SCOPES})
        target.apply_pull(page.model_copy(update={"cursor": keep}))
        seen.update(c.entity_id for c in page.changes if c.building_id == building_id)
        tags.add((page.scopes or {}).get(building_id))
        report.pulled += len(page.changes)
        cursor = page.cursor
        if not page.has_more:
            break
    tag = tags.pop() if len(tags) == 1 else None
    return (seen, tag) if tag is not None else None
