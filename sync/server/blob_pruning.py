"""Deleting abandoned partial uploads: at start-up, then every so often while serving.

A device that gives up on an upload (uninstalled, file deleted, user removed)
leaves its partial behind, and since every user's attempt at a file is a
partial of its own, nothing else would ever delete it: the blob folder would
grow without bound. A failed sweep is logged and tried again next time; it
never stops the service, whose real work does not depend on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio
import anyio.to_thread

logger = logging.getLogger(__name__)

#: Deletes partials older than the given seconds; returns how many it deleted.
Prune = Callable[[float], int]


async def prune_once(prune: Prune, max_age_seconds: float) -> int | None:
    """One sweep in a worker thread (it walks a folder); how many went, ``None`` on error."""
    try:
        removed = await anyio.to_thread.run_sync(prune, max_age_seconds)
    except Exception:
        logger.exception("Could not delete abandoned blob uploads; will try again later")
        return None
    logger.info(
        "Deleted %d abandoned blob upload(s) older than %g hours", removed, max_age_seconds / 3600
    )
    return removed


async def prune_periodically(prune: Prune, max_age_seconds: float, interval_seconds: float) -> None:
    """Sweep every *interval_seconds*, first after one interval, until cancelled."""
    while True:
        await anyio.sleep(interval_seconds)
        await prune_once(prune, max_age_seconds)
