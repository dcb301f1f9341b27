"""When ended passes' holders are removed while the service runs: at start-up, then periodically.

A task of the app's lifespan, beside the blob pruner, rather than a step of
some existing request (an exchange, an issue): a request that sweeps makes
one contractor or manager wait for everybody's clean-up, needs a "last swept"
time shared by every API process to stay at once per interval, and never runs
on a quiet server, where holders of expired passes would then stay members of
their buildings. Here the sweep runs in a worker thread with a session of its
own, no request pays for it, and each run is bounded
(``holder_sweep_batch``), so a backlog is worked off over a few intervals in
short transactions. Several API processes sweeping at once share the work
instead of repeating it (``sync.server.holder_cleanup``). A failed sweep is
logged and tried again at the next interval; it never stops the service,
whose real work does not depend on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio
import anyio.to_thread
from sqlalchemy import Engine
from sqlmodel import Session

from sync.server import holder_cleanup

logger = logging.getLogger(__name__)

#: Removes a batch of ended passes' holders; returns how many it removed.
Sweep = Callable[[], int]


def database_sweep(engine: Engine, batch: int) -> Sweep:
    """A sweep of at most *batch* holders on *engine*, in a session of its own."""

    def run() -> int:
        with Session(engine) as session:
            return holder_cleanup.sweep(session, limit=batch)

    return run


async def sweep_once(sweep: Sweep) -> int | None:
    """One sweep in a worker thread (it queries and writes); how many, ``None`` on error."""
    try:
        removed = await anyio.to_thread.run_sync(sweep)
    except Exception:
        logger.exception("Could not remove the accounts of ended access passes; will try again")
        return None
    if removed:
        logger.info("Removed %d pass holder account(s) whose pass had ended", removed)
    return removed


async def sweep_periodically(sweep: Sweep, interval_seconds: float) -> None:
    """Sweep every *interval_seconds*, first after one interval, until cancelled."""
    while True:
        await anyio.sleep(interval_seconds)
        await sweep_once(sweep)
